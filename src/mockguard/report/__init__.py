"""Report formats: text (rich) and JSON."""
