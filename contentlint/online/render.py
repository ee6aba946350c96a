"""Render a new string value in the quoting style of the value it replaces.

The fixer edits text, never re-dumps YAML, so a fix must spell the new value
itself: plain stays plain when YAML would read it back as the same string,
single quotes double their quotes, double quotes escape what needs it.
Block scalars (``|``, ``>``) are not rendered: returns None, no fix.
"""

from __future__ import annotations

import re

# Plain scalars that YAML 1.2 reads as something other than this string, or
# that a flow context or a comment would cut short.
_PLAIN_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@`")
_NOT_A_STRING = re.compile(r"(?i:true|false|null|~|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.inf|\.nan)\Z")


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F or ch in "\u2028\u2029\ufeff"


def double_quoted(value: str) -> str:
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif _needs_escape(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def plain_ok(value: str) -> bool:
    return bool(value) and value == value.strip() and value[0] not in _PLAIN_UNSAFE_START \
        and ": " not in value and " #" not in value and not value.endswith(":") \
        and not any(c in value for c in ",[]{}") and not any(_needs_escape(c) for c in value) \
        and not _NOT_A_STRING.match(value)


def render(value: str, style: str | None) -> str | None:
    """``value`` as YAML in ``style`` (None plain, '"' or "'"), or None for block styles."""
    if style == '"':
        return double_quoted(value)
    if style == "'":
        if any(_needs_escape(c) for c in value):
            return double_quoted(value)
        return "'" + value.replace("'", "''") + "'"
    if not style:  # plain (the parser may say None or "")
        return value if plain_ok(value) else double_quoted(value)
    return None
