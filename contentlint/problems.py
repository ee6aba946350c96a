"""The codes of the problems found while reading a file (CL001-CL008).

Reading stops at the first problem that leaves nothing to read further, so
the Document records these as it is built (document.py, frontmatter.py,
engine.unreadable) and the rules in contentlint.rules.syntax, which register
themselves under these same constants, hand them on. Each code is typed here
only. This module imports nothing: document.py needs it on every file.
"""

from __future__ import annotations

INVALID_ENCODING = "CL001"
MISSING_FRONT_MATTER = "CL002"
YAML_SYNTAX_ERROR = "CL003"
DUPLICATE_KEY = "CL004"
BYTE_ORDER_MARK = "CL005"
FRONT_MATTER_NOT_MAPPING = "CL006"
YAML_ALIAS = "CL007"
UNREADABLE_FILE = "CL008"


def recorded(doc, code: str) -> list:
    """The violations recorded on ``doc`` under ``code``, in the order found."""
    return [v for c, v in doc.problems if c == code]
