"""Rule families, one module each. Every rule's docstring is its documentation.

This package shares its name with the API's ``contentlint.rules()``: once it
is imported, Python binds ``contentlint.rules`` to it, so the package itself
answers the call (docs/api.md).
"""

import sys
import types


class _CallablePackage(types.ModuleType):
    def __call__(self):
        """Every rule, by code (``contentlint.api.rules``)."""
        from contentlint.api import rules

        return rules()


sys.modules[__name__].__class__ = _CallablePackage
