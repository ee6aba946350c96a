"""contentlint: a linter and auto-fixer for YAML front-matter content repositories.

The Python API (docs/api.md) is importable from here; it loads on first use,
so the command line does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("ConfigError", "Diagnostic", "FixResult", "RuleInfo", "Settings", "apply_fix", "check_paths",
        "check_text", "fix_text", "is_record", "load_settings_for", "rule", "rules", "settings_with")
__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from contentlint.api import (ConfigError, Diagnostic, FixResult, RuleInfo, Settings, apply_fix,
                                 check_paths, check_text, fix_text, is_record, load_settings_for, rule,
                                 rules, settings_with)


def __getattr__(name: str) -> Any:
    if name in _API:
        from contentlint import api

        return getattr(api, name)
    raise AttributeError(f"module 'contentlint' has no attribute {name!r}")
