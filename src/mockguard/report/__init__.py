"""Report formats: text (rich), JSON, SARIF 2.1.0 and GitHub workflow commands."""
