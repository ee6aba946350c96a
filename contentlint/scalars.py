"""Render a new value for an existing YAML scalar, in the style of the old one.

Fixes never re-dump the YAML: they replace the source text of one scalar.
The replacement keeps the scalar's style where YAML allows it:

- double-quoted stays double-quoted; escapes are written for what cannot
  appear raw (``\\\\``, ``\\"``, control characters, U+0085/U+2028/U+2029,
  U+FEFF, non-characters). Raw non-ASCII text stays raw unless the old
  scalar was written ASCII-only with ``\\u`` escapes; then it stays so.
- single-quoted stays single-quoted (``'`` doubled) when the value is one
  printable line; otherwise it becomes double-quoted.
- plain stays plain when the value is still a valid plain scalar that every
  YAML reader takes as the same string: not empty, no leading/trailing
  space, no indicator at the start, no ``: `` or `` #``, no flow indicators
  inside ``[...]``/``{...}``, and not a number, boolean, null or timestamp
  under YAML 1.2 *or* YAML 1.1 (Jekyll reads records with a 1.1 loader).
  Otherwise it becomes double-quoted.
- block scalars (``|``, ``>``) are not re-rendered: their chomping and
  indentation rules make a faithful rewrite a guess, and no real record uses
  them. Rules report the finding with a display-only suggestion instead.

A multi-line plain or double-quoted scalar is re-rendered on one line: the
value is the same (YAML folds its line breaks to spaces), only the layout of
that one value changes.
"""

from __future__ import annotations

import re
from functools import cache

from contentlint.yamlparse import STR, resolve_plain

# Only fixes render scalars: the patterns are compiled on first use, not at
# import (a check-only run skips ~5 ms).


@cache
def _nonprintable() -> re.Pattern:
    r"""What YAML does not allow raw in a scalar (c-printable minus line breaks
    and BOM): [^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]
    written as its complement, which compiles ~50x faster (re's charset
    optimiser walks every code point of a negated class's ranges: ~3.5 ms).
    A test holds the two equal over every code point."""
    return re.compile("[\x00-\x08\n-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")

_LINE_BREAKS = "\n\r\x85\u2028\u2029"

_ESCAPES = {
    "\\": "\\\\", '"': '\\"', "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t",
    "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e",
    "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P",
}


@cache
def _yaml11_not_str() -> re.Pattern:
    """YAML 1.1 implicit types (the PyYAML resolver's patterns), and Ruby
    Psych's own (Jekyll's reader): numbers with `,` separators (`1,000` is
    1000) and a leading `:` (a Symbol). A plain scalar matching one of these
    is not a string to such a reader."""
    return re.compile(r"""(?x)
      y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    | [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    | [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? | [-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    | ~|null|Null|NULL | << | =
    | [0-9]{4}-[0-9]{2}-[0-9]{2}
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
      (?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?
    | [-+]?0b[0-1_,]+ | [-+]?0[0-7_,]+ | [-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*) | [-+]?0x[0-9a-fA-F_,]+
    | [-+]?(?:[0-9][0-9_,]*)?\.[0-9]*(?:[eE][-+][0-9]+)?
    | :.+
    """)


_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_FLOW_INDICATORS = ",[]{}"


def double_quoted(value: str, ascii_only: bool = False) -> str:
    out = []
    for ch in value:
        escape = _ESCAPES.get(ch)
        if escape is not None:
            out.append(escape)
        elif _nonprintable().match(ch) or (ascii_only and ord(ch) > 0x7E):
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def single_quoted_ok(value: str) -> bool:
    # A line break would fold and a tab next to one would be trimmed: those
    # values need the escapes only double quotes have.
    return not _nonprintable().search(value) and not any(c in value for c in _LINE_BREAKS + "\t")


def single_quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def plain_ok(value: str, flow: bool = False) -> bool:
    """True when ``value`` written plain reads back as this same string."""
    if not value or value[0].isspace() or value[-1].isspace():
        return False
    if _nonprintable().search(value) or any(c in value for c in _LINE_BREAKS + "\t"):
        return False
    first = value[0]
    if first in _INDICATORS:
        # `-`, `?` and `:` may start a block plain scalar when a non-space follows.
        if flow or first not in "-?:" or len(value) == 1 or value[1] == " ":
            return False
    if value.startswith(("---", "...")):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    if flow and any(c in value for c in _FLOW_INDICATORS + ":?"):  # libyaml ends a flow plain scalar at `?`
        return False
    return resolve_plain(value) == STR and not _yaml11_not_str().fullmatch(value)


def render(value: str, style: str | None, *, flow: bool = False, ascii_only: bool = False) -> str | None:
    """The source text of a scalar holding ``value`` in ``style``; None for block styles."""
    if style == '"':
        return double_quoted(value, ascii_only)
    if style == "'":
        return single_quoted(value) if single_quoted_ok(value) else double_quoted(value)
    if not style:  # plain ('' from the composer, or None)
        return value if plain_ok(value, flow) else double_quoted(value, ascii_only)
    return None


# -- on a document ---------------------------------------------------------------


def replacement(doc, path, value: str):
    """An Edit that makes the scalar at ``path`` hold ``value``; None when it cannot.

    None for block scalars, tagged or anchored scalars (their prefix would be
    lost), and paths that are not scalars.
    """
    from contentlint.model import Edit

    span = doc.span(path)
    if span is None or span.kind != "scalar":
        return None
    source = doc.text[span.start:span.end]
    if source[:1] in ("!", "&"):
        return None
    ascii_only = span.style == '"' and source.isascii() and re.search(r"\\[xuU]", source) is not None
    text = render(value, span.style, flow=in_flow(doc, path), ascii_only=ascii_only)
    if text is None:
        return None
    return Edit(span.start, span.end, text)


def in_flow(doc, path) -> bool:
    """True when the value at ``path`` sits inside a ``[...]`` or ``{...}`` collection."""
    path = tuple(path)
    for depth in range(len(path)):
        span = doc.span(path[:depth])
        if span is not None and doc.text[span.start:span.start + 1] in ("[", "{"):
            return True
    return False


def source_offsets(doc, path) -> list[int] | None:
    """For a one-line scalar, the text offset of each character of its value.

    ``result[i]`` is where value character ``i`` starts in ``doc.text``, and
    ``result[len(value)]`` is where the value ends; None when the scalar spans
    lines or is a block scalar (callers then anchor on the whole value).
    """
    span = doc.span(path)
    if span is None or span.kind != "scalar":
        return None
    source = doc.text[span.start:span.end]
    if any(c in source for c in "\r\n") or span.style in ("|", ">") or source[:1] in ("!", "&"):
        return None
    base = span.start
    if doc.format == "toml":
        return _toml_offsets(source, base)
    if not span.style:
        return [base + i for i in range(len(source) + 1)]
    offsets = []
    i, end = 1, len(source) - 1  # inside the quotes
    while i < end:
        offsets.append(base + i)
        if span.style == "'":
            i += 2 if source[i] == "'" else 1
        elif source[i] == "\\":
            i += 2 + {"x": 2, "u": 4, "U": 8}.get(source[i + 1: i + 2], 0)
        else:
            i += 1
    offsets.append(base + end)
    return offsets


def _toml_offsets(source: str, base: int) -> list[int] | None:
    """``source_offsets`` of a TOML string on one line, whose span runs to the
    end of its line (a comment included): a basic string (`"`, escapes as
    YAML's double quotes), or a literal or three-quote string written
    without escapes; else None."""
    if source.startswith('"') and not source.startswith('"""'):
        offsets, i = [], 1
        while i < len(source) and source[i] != '"':
            offsets.append(base + i)
            i += 2 + {"x": 2, "u": 4, "U": 8}.get(source[i + 1:i + 2], 0) if source[i] == "\\" else 1
        return offsets + [base + i] if i < len(source) else None
    for quote in ('"""', "'''", "'"):
        if source.startswith(quote):
            close = source.find(quote, len(quote))
            inner = source[len(quote):close]
            if close < 0 or quote[0] == '"' and "\\" in inner or source[close + len(quote):close + len(quote) + 1] == quote[0]:
                return None  # an escape, or quotes that end the string (`""""`): not mapped here
            return [base + len(quote) + i for i in range(len(inner) + 1)]
    return None
