"""contentlint: a linter and auto-fixer for YAML front-matter content repositories."""

__version__ = "0.1.0"
