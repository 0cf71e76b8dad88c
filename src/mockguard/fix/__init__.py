"""`mockguard fix`: LibCST codemods that turn ad-hoc mocks into factory calls."""
