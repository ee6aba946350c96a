"""Rule families, one module each. Every rule's docstring is its documentation."""
