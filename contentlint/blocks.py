"""Text surgery on block YAML for fixes that add, drop or move whole entries.

The fixer never re-dumps YAML, so rules that remove a `related` entry (CL300,
CL301), reorder entries (CL601), insert a key (CL400) or rewrite a value
(CL303, CL401, CL502) need exact character spans of the original text:

- ``entry_blocks``: for each item of a block sequence, the lines that belong
  to it: its leading comment lines (at the dash's column, directly above it),
  the `- ` line, and every following line up to the end of its last value,
  plus trailing comment lines indented deeper than the dash. The span stops
  before the last line break, so a last entry without a trailing newline and
  blank lines between entries need no special cases: blank lines and
  unattached comments stay in the gaps between blocks.
- ``insert_key_after``: a new `key: value` line right after a key, with the
  same indentation, key quoting, separator and value quoting.
- ``render_scalar``: a string in a given quoting style (scalars.render)
  back; None when that style cannot hold it.

Everything returns None instead of guessing when the YAML is in a shape these
helpers do not handle (flow collections, `- - x`, block scalars): a rule then
reports without a fix.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from contentlint import scalars
from contentlint.document import Document
from contentlint.model import Edit

# The part of a dash line before the entry's first value: `  - ` (spaces only
# before the dash, so `- - x` and flow items do not match).
_DASH_PREFIX = re.compile(r"( *)-[ \t]+\Z")
# A dash alone on its line (the entry's content starts on the next line),
# optionally followed by a comment.
_DASH_LINE = re.compile(r"( *)-[ \t]*(?:#.*)?\Z")
_COMMENT_LINE = re.compile(r"( *)#")


class Block(NamedTuple):  # not a frozen dataclass: cheaper to define on every run's path
    """One sequence entry's lines: ``text[start:end]``, without the last line break."""

    start: int
    end: int
    column: int  # the dash's column (0-based, characters from the line start)


# -- finding entry blocks ----------------------------------------------------------


def entry_blocks(doc: Document, seq_path: tuple) -> list[Block] | None:
    """The blocks of every entry of the block sequence at ``seq_path``, in order."""
    seq_path = tuple(seq_path)
    key = ("entry_blocks", seq_path)
    if key not in doc.memo:
        doc.memo[key] = _entry_blocks(doc, seq_path)
    return doc.memo[key]


def _entry_blocks(doc: Document, seq_path: tuple) -> list[Block] | None:
    span = doc.span(seq_path)
    if span is None or span.kind != "seq" or doc.text.startswith("[", span.start):
        return None
    count = _length(doc, seq_path)
    ends = _content_ends(doc, seq_path)
    blocks: list[Block] = []
    for index in range(count):
        entry = doc.span(seq_path + (index,))
        if entry is None or index not in ends:
            return None
        found = _dash(doc, entry.start)
        if found is None:
            return None
        dash, column = found
        start = _leading_comments(doc, dash, column)
        end = _trailing_comments(doc, doc.line_span(max(ends[index] - 1, entry.start))[1], column)
        if blocks and (column != blocks[0].column or start < blocks[-1].end):
            return None
        blocks.append(Block(start, end, column))
    return blocks


def _length(doc: Document, seq_path: tuple) -> int:
    count = 0
    while seq_path + (count,) in doc.spans:
        count += 1
    return count


def _content_ends(doc: Document, seq_path: tuple) -> dict[int, int]:
    """entry index -> offset just past the last character of its last value.

    A block collection's own end mark runs over the comments and blank lines
    after it, so the end is taken from scalars and flow collections inside it.
    """
    depth = len(seq_path)
    ends: dict[int, int] = {}
    text = doc.text
    for path, span in doc.spans.items():
        if len(path) <= depth or path[:depth] != seq_path:
            continue
        if span.kind == "scalar" or text.startswith(("[", "{"), span.start):
            index = path[depth]
            # An empty plain scalar (`key:`) ends where it starts, after the colon.
            ends[index] = max(ends.get(index, 0), span.end)
    return ends


def _dash(doc: Document, value_start: int) -> tuple[int, int] | None:
    """(offset, column) of the `-` that introduces the entry starting at ``value_start``."""
    line_start = doc.line_span(value_start)[0]
    match = _DASH_PREFIX.match(doc.text, line_start, value_start)
    if match and match.end() == value_start:
        return line_start + len(match.group(1)), len(match.group(1))
    if doc.text[line_start:value_start].strip(" "):
        return None
    # `-` alone on an earlier line; only blank and comment lines in between.
    index = _line_index(doc, line_start) - 1
    while index >= 0:
        start, end = _line(doc, index)
        line = doc.text[start:end]
        match = _DASH_LINE.match(line)
        if match:
            return start + len(match.group(1)), len(match.group(1))
        if line.strip() and not line.lstrip().startswith("#"):
            return None
        index -= 1
    return None


def _leading_comments(doc: Document, dash: int, column: int) -> int:
    """Start of the comment lines at ``column`` directly above the dash line."""
    index = _line_index(doc, dash)
    start = doc.line_starts[index]
    while index > 0:
        prev_start, prev_end = _line(doc, index - 1)
        match = _COMMENT_LINE.match(doc.text, prev_start, prev_end)
        if not match or len(match.group(1)) != column or prev_start < doc.fm_start:
            break
        start, index = prev_start, index - 1
    return start


def _trailing_comments(doc: Document, end: int, column: int) -> int:
    """Extend ``end`` over the following comment lines indented deeper than ``column``."""
    index = _line_index(doc, end) + 1
    while index < len(doc.line_starts):
        start, line_end = _line(doc, index)
        if line_end > doc.fm_end:
            break
        match = _COMMENT_LINE.match(doc.text, start, line_end)
        if not match or len(match.group(1)) <= column:
            break
        end, index = line_end, index + 1
    return end


def _line_index(doc: Document, offset: int) -> int:
    return bisect.bisect_right(doc.line_starts, offset) - 1


def _line(doc: Document, index: int) -> tuple[int, int]:
    """Start and end (before the line break) of line ``index`` (0-based)."""
    return doc.line_span(doc.line_starts[index])


# -- edits on entry blocks ---------------------------------------------------------


def remove_entry(doc: Document, seq_path: tuple, index: int) -> list[Edit] | None:
    """Edits deleting entry ``index`` of the sequence as whole lines.

    A middle entry goes with the line break and blank lines after it; the last
    entry goes with the line break and gap before it, so the text after the
    sequence keeps its separation. Removing the only entry leaves `key: []`
    (an empty `key:` would read as null, not as an empty list), keeping a
    comment on the key's line.
    """
    blocks = entry_blocks(doc, seq_path)
    if not blocks or not 0 <= index < len(blocks):
        return None
    if index + 1 < len(blocks):
        return [Edit(blocks[index].start, blocks[index + 1].start)]
    if index > 0:
        return [Edit(blocks[index - 1].end, blocks[index].end)]
    span = doc.span(seq_path)
    if span.key_end is None:
        return None
    key_line_end = doc.line_span(span.key_end)[1]
    colon = doc.text.find(":", span.key_end, key_line_end)
    if colon < 0 or key_line_end >= blocks[0].start:
        return None
    return [Edit(colon + 1, colon + 1, " []"), Edit(key_line_end, blocks[0].end)]


def reorder_entries(doc: Document, seq_path: tuple, order: list[int]) -> list[Edit] | None:
    """Edits that put the entries in ``order`` (old indices), moving whole blocks.

    Each block's text moves verbatim; the gaps between blocks (line breaks,
    blank lines, unattached comments) stay where they are. One edit per
    position whose entry changes.
    """
    blocks = entry_blocks(doc, seq_path)
    if blocks is None or sorted(order) != list(range(len(blocks))):
        return None
    text = doc.text
    return [
        Edit(block.start, block.end, text[blocks[old].start:blocks[old].end])
        for block, old in zip(blocks, order)
        if blocks[old] is not block
    ]


# -- scalars -------------------------------------------------------------------------


def render_scalar(value: str, style: str | None) -> str | None:
    """``value`` written as a YAML scalar in ``style``: see scalars.render."""
    return scalars.render(value, style or None)


def replace_scalar(doc: Document, path: tuple, value: str) -> Edit | None:
    """An Edit rewriting the string at ``path`` to ``value`` in the same quoting style."""
    return scalars.replacement(doc, tuple(path), value)


def insert_key_after(doc: Document, map_path: tuple, key: str, new_key: str, value: str) -> Edit | None:
    """An Edit adding ``new_key: value`` on the line after ``key`` of a block mapping.

    The new line copies the indentation of ``key`` (for the first key of a
    sequence entry, `  - key` -> four spaces), the key's quoting, the text
    between the colon and the value, the value's quoting and the line break.
    """
    map_path = tuple(map_path)
    mapping = doc.span(map_path)
    span = doc.span(map_path + (key,))
    if mapping is None or span is None or span.key_start is None or span.kind != "scalar":
        return None
    text = doc.text
    if text.startswith("{", mapping.start) or span.style in ("|", ">"):
        return None
    line_start = doc.line_span(span.key_start)[0]
    prefix = text[line_start:span.key_start]
    if not re.fullmatch(r" *(?:- +)?", prefix):  # a flow mapping, `- - key`, a tab
        return None
    indent = " " * len(prefix)
    quote = text[span.key_start]
    key_text = render_scalar(new_key, quote if quote in "\"'" else None)
    separator = text[span.key_end:span.start]
    if not re.fullmatch(r"[ \t]*:[ \t]+", separator):
        separator = ": "
    value_text = render_scalar(value, span.style)
    if key_text is None or value_text is None:
        return None
    at = doc.line_span(max(span.end - 1, span.start))[1]
    newline = re.match(r"\r\n|\r|\n", text[at:at + 2])
    line_break = newline.group() if newline else doc.newline
    return Edit(at, at, line_break + indent + key_text + separator + value_text)
