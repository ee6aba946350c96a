"""Front matter that is not YAML, as Hugo writes it, and what starts a record.

- TOML between `+++` lines: data from tomllib; positions to the line (a
  key's line, its value from after `=` to the line's end).
- JSON: the file starts with `{` and a key (`{"title": ...`); the object ends where json's decoder says.
  Positions are exact: the object is walked with json's own scanners.

Either gives the Document its data and a span per JSON path, as YAML does,
so every rule reads them alike. Fixes are not offered on them (the fixer
writes YAML scalars): engine.to_diagnostic drops them.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from typing import Any, Iterator

from contentlint.model import Violation
from contentlint.problems import DUPLICATE_KEY, YAML_SYNTAX_ERROR

# A JSON object: `{` then a key or `}` (Liquid's `{%` and `{{` start templates, not data).
JSON_START = re.compile(r"\{[ \t\r\n]*[\"}]")
TOML_FENCE = re.compile(r"\+\+\+[ \t]*(?:\r\n|\r|\n|\Z)")
_BLANK_THEN_FENCE = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))+[ \t]*(?:---|\+\+\+)[ \t]*(?:\r\n|\r|\n|\Z)")
HEAD_BYTES = 4096


def starts_like_record(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a record, or a broken attempt
    at one (a `---` line never closed, front matter after blank lines):
    either is checked. Anything else (a README, a licence, a partial without
    front matter) is not a record when no kind claims it."""
    cut = len(head) >= HEAD_BYTES  # the head of a longer file may end inside a character
    head = head.removeprefix(b"\xef\xbb\xbf")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Not UTF-8: a record in another encoding (checked, so CL001 says so)
        # when it opens like one; a Windows-1252 LICENSE.txt does not.
        text = head.decode("utf-8", errors="replace").lstrip("\ufffd") if not cut or exc.start < len(head) - 4 \
            else head[:exc.start].decode("utf-8")
    if "\x00" in text:  # UTF-16 (ASCII's every other byte is NUL) or binary
        text = text.removeprefix("\ufffd\ufffd").replace("\x00", "")  # its byte order mark, its NULs
    text = text.lstrip("\ufeff")  # a second BOM before `---` is a broken record (CL002)
    if text.startswith("---") or _TOML_OPENER.match(text) or JSON_START.match(text):
        return True
    return _BLANK_THEN_FENCE.match(text) is not None


# `+++` alone on the first line opens TOML front matter; `+++ {"part": ...}`
# is a MyST block marker (a Jupyter Book page's abstract), not an attempt at it.
_TOML_OPENER = re.compile(r"\+\+\+[ \t]*(?:\r\n|\r|\n|\Z)")


def is_record(path: str) -> bool:
    """Whether discovery keeps ``path`` (no kinds): it starts like a record,
    or cannot be read (the engine says why)."""
    head = read_head(path)
    return head is None or starts_like_record(head)


def head_of(raw: bytes) -> bytes:
    """What ``read_head`` reads of a file whose bytes are ``raw``."""
    return raw[:HEAD_BYTES]


def read_head(path: str) -> bytes | None:
    """The first bytes of a file, or None when it cannot be read (the engine reports that)."""
    return read_regular(path, HEAD_BYTES)


# O_NONBLOCK: opening a FIFO (or device) named like a record or an ignore
# file must not wait for a writer (it is refused once fstat says what it is).
READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
              | getattr(os, "O_BINARY", 0))


def read_regular(path: str, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a regular file; None for anything else or an
    error: nothing in the checkout may block the walk."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        return read_up_to(fd, info.st_size, limit) if stat.S_ISREG(info.st_mode) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def read_up_to(fd: int, size: int, limit: int) -> bytes:
    """At most ``limit`` bytes of the regular file open as ``fd``, ``size``
    bytes by its fstat: plain reads on the descriptor (no buffered file
    object; every file of a run is read so), one when it did not grow."""
    parts, total, ask = [], 0, size + 1
    while total < limit:
        wanted = min(ask, limit - total)
        chunk = os.read(fd, wanted)
        parts.append(chunk)
        total += len(chunk)
        if len(chunk) < wanted:  # a short read of a regular file: its end
            break
        ask = 1 << 20
    return parts[0] if len(parts) == 1 else b"".join(parts)


# Files larger than this are not read whole (CL008): records are a few KB.
MAX_FILE_BYTES = 20 * 1024 * 1024


def read(path: str) -> tuple[bytes | None, str | None]:
    """The file's bytes, or None and why it could not be read."""
    raw, reason, _ = read_with_stat(path)
    return raw, reason


def read_with_stat(path: str) -> tuple[bytes | None, str | None, os.stat_result | None]:
    """``read``, plus the file's stat taken before reading (the result cache
    may trust it later: see cache.stat_key). One open, one fstat and plain
    reads: this runs once per file of every cold run."""
    try:
        fd = os.open(path, READ_FLAGS)
    except IsADirectoryError:  # where a folder cannot be opened at all
        return None, "is a directory, not a file", None
    except FileNotFoundError:
        return None, "file does not exist (or was deleted during the run)", None
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}", None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return None, "is a directory, not a file", None
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file (a FIFO, socket or device)", None
        if info.st_size > MAX_FILE_BYTES:
            return None, f"file is {info.st_size / 1048576:.1f} MiB; the limit is {MAX_FILE_BYTES // 1048576} MiB", None
        data = read_up_to(fd, info.st_size, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:  # it grew while being read
            return None, f"file is over the limit of {MAX_FILE_BYTES // 1048576} MiB", None
        return data, None, info
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}", None
    finally:
        os.close(fd)


def after_blank_lines(text: str, begin: int) -> bool:
    return _BLANK_THEN_FENCE.match(text, begin) is not None


# -- TOML ----------------------------------------------------------------------------

# TOML's patterns compile with the first TOML front matter (~0.7 ms a process that reads none).
_pattern = functools.lru_cache(maxsize=None)(re.compile)
_TABLE = r"[ \t]*(\[\[?)[ \t]*([^\]\r\n]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$"
_KEY = r"[ \t]*((?:[A-Za-z0-9_-]+|\"[^\"\r\n]*\"|'[^'\r\n]*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|\"[^\"\r\n]*\"|'[^'\r\n]*'))*)[ \t]*=[ \t]*"


def _key_parts(text: str) -> tuple:
    parts = re.findall(r"[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'", text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _tomllib():
    """tomllib, imported by the first TOML front matter (a YAML run needs none)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def parse_toml(doc, fence_end: int, closer_start: int) -> None:
    """``doc.text[fence_end:closer_start]`` as TOML: data and line spans."""
    from contentlint.document import Span

    block = doc.text[fence_end:closer_start]
    deep = _toml_too_deep(block)
    if deep is not None:
        start = fence_end + deep
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(start, start, f"TOML keys nested deeper than {MAX_TOML_DEPTH} "
                                                                        "levels: not read")))
        return
    tomllib = _tomllib()
    try:
        data = tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        doc.problems.append((YAML_SYNTAX_ERROR, _toml_error(doc, fence_end, exc)))
        return
    except RecursionError:
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(doc.opener[0], doc.opener[1], "TOML nested too deeply to read")))
        return
    _dates_as_text(data)
    spans = {(): Span(fence_end, closer_start, kind="map")}
    prefix: tuple = ()
    arrays: dict[tuple, int] = {}
    offset = fence_end
    open_string = None  # the delimiter of a multi-line string a line before left open
    for _, line in toml_lines(block):
        body = line.rstrip("\r\n")
        inside, open_string = open_string, _open_string(body, open_string)
        if inside:  # a line of a string's text is not a key, whatever it looks like
            offset += len(line)
            continue
        table = _pattern(_TABLE).match(body)
        if table and not _pattern(_KEY).match(body):
            prefix = _key_parts(table.group(2))
            if table.group(1) == "[[":
                arrays[prefix] = arrays.get(prefix, -1) + 1
                prefix = prefix + (arrays[prefix],)
            spans.setdefault(prefix, Span(offset + table.start(1), offset + len(body), kind="map"))
        else:
            key = _pattern(_KEY).match(body)
            if key:
                path = prefix + _key_parts(key.group(1))
                value = _value_at(data, path)
                kind = "map" if isinstance(value, dict) else "seq" if isinstance(value, list) else "scalar"
                style = '"' if body[key.end():key.end() + 1] in "\"'" else None
                spans.setdefault(path, Span(offset + key.end(), offset + len(body), offset + key.start(1),
                                            offset + key.end(1), style, kind))
        offset += len(line)
    doc.data, doc._spans = data, spans


def _dates_as_text(data: dict) -> None:
    """TOML's dates and times (`date = 2024-01-05T10:00:00Z`, Hugo's own
    archetypes) as RFC 3339 text, in place: JSON has no such type, and a
    schema says `"type": "string", "format": "date-time"` for them, as for
    YAML's (read as strings). UTC is written `Z`; a local date-time keeps no
    offset (so `format: date-time`, which needs one, rejects it). A stack,
    not recursion: tomllib reads tables nested deeper than Python recurses."""
    import datetime

    stack: list = [data]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, (dict, list)):
                stack.append(value)
            elif isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
                text = value.isoformat()
                node[key] = text[:-6] + "Z" if text.endswith("+00:00") else text


_STRING_START = r"\"\"\"|'''|\"|'|#"
_STRING_REST = {  # from after the opening delimiter to the end of the closing one
    '"""': r'(?s:[^"\\]|\\.|"(?!""))*"""',
    "'''": r"(?:[^']|'(?!''))*'''",
    '"': r'(?:[^"\\]|\\.)*"',
    "'": r"[^']*'",
}


# As for YAML's flow nesting and JSON: real records nest a few levels. A
# dotted key of N parts costs tomllib O(N^2) time and memory (200 KB of
# `a.a.a...` was 40 GB), and the rules walk data that deep recursively.
MAX_TOML_DEPTH = 64
# A key (bare or quoted parts joined by dots) at the start of a line, before
# `=`, or a table header's name.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY_LINE = rf"[ \t]*(?:\[\[?[ \t]*({_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)[ \t]*\]" \
            rf"|({_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)[ \t]*=)"


def _toml_too_deep(block: str) -> int | None:
    """The offset of the first key or table header of more than
    MAX_TOML_DEPTH parts, or None; read before tomllib. A line inside a
    multi-line string is text, and a quoted key's dots are its own."""
    if block.count(".") <= MAX_TOML_DEPTH:
        return None
    key, part = _pattern(_KEY_LINE), _pattern(_KEY_PART)
    open_string = None
    for offset, line in toml_lines(block):
        inside, open_string = open_string, _open_string(line.rstrip("\r\n"), open_string)
        if inside:
            continue
        found = key.match(line)
        if found is not None and len(part.findall(found.group(1) or found.group(2))) > MAX_TOML_DEPTH:
            return offset
    return None


def toml_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line with its end) of each line: TOML's lines end at LF
    (CRLF) only, so U+2028 or U+0085 inside a string is no line break here,
    as `str.splitlines` would make it."""
    offset = 0
    for line in text.split("\n"):
        if offset == len(text):
            break
        yield offset, line + ("\n" if offset + len(line) < len(text) else "")
        offset += len(line) + 1


def _open_string(line: str, open_string: str | None) -> str | None:
    """The multi-line string delimiter (three quotes) still open at the end of
    ``line``, given the one open at its start. tomllib has accepted the
    block, so its strings are well formed; a comment ends the line."""
    return _scan_line(line, open_string)[0]


def _scan_line(line: str, open_string: str | None) -> tuple[str | None, int | None]:
    """(``_open_string``, where the line's comment starts or None)."""
    at = 0
    while True:
        if open_string is not None:
            end = _pattern(_STRING_REST[open_string]).match(line, at)
            if end is None:
                return (open_string if len(open_string) == 3 else None), None
            at, open_string = end.end(), None
            while line[at:at + 1] == line[at - 1] and line[at - 1] in "\"'":  # """"" closes with quotes in it
                at += 1
        start = _pattern(_STRING_START).search(line, at)
        if start is None:
            return None, None
        if start.group() == "#":
            return None, start.start()
        at, open_string = start.end(), start.group()


def toml_comment_starts(text: str, start: int, end: int) -> set[int]:
    """Offsets of the `#` that start a comment in the TOML ``text[start:end]``
    (a `#` inside a string is text: `title = "Q&A # not a comment"`)."""
    found = set()
    open_string = None
    for offset, line in toml_lines(text[start:end]):
        open_string, comment = _scan_line(line.rstrip("\r\n"), open_string)
        if comment is not None:
            found.add(start + offset + comment)
    return found


def _value_at(data: Any, path: tuple) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


_TOML_WHERE = r" \(at line (\d+), column (\d+)\)$"


def _toml_error(doc, base: int, exc: Exception) -> Violation:
    """At tomllib's line and column (given in its message before Python 3.14)."""
    text = str(exc)
    where = _pattern(_TOML_WHERE).search(text)
    at = doc.opener[0]
    if where is not None:
        text = text[:where.start()]
        starts = doc.line_starts
        index = min(doc.position(base).line + int(where.group(1)) - 2, len(starts) - 1)
        at = min(starts[index] + int(where.group(2)) - 1, len(doc.text))
    return Violation(at, at, f"TOML syntax error: {text}")


# -- JSON ----------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


def _not_json(name: str):
    raise ValueError(f"`{name}` is not a JSON value")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"`{text[:40]}` is too large for a number")
    return number


# JSON as RFC 8259 has it: Python's decoder also takes NaN and Infinity, and
# reads 1e99999 as infinity, which no schema or JSON report can hold.
_DECODER = json.JSONDecoder(parse_constant=_not_json, parse_float=_finite)
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_JSON_DEPTH = 64


def parse_json(doc, begin: int) -> None:
    """The JSON object starting at ``begin``: data, exact spans, and where it ends."""
    from contentlint.document import Span

    text = doc.text
    spans: dict[tuple, Span] = {}
    repeated: list[tuple[int, int, str]] = []
    try:
        data, end = _walk_json(text, begin, (), None, spans, Span, 0, repeated)
    except (ValueError, RecursionError) as exc:
        at = getattr(exc, "pos", begin)
        message = getattr(exc, "msg", None) or str(exc)
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(at, at, f"JSON syntax error: {message}")))
        return
    for start, stop, name in repeated:  # as a YAML mapping's (the last value is the one read)
        shown = name if len(name) <= 40 else name[:40] + "…"
        doc.problems.append((DUPLICATE_KEY, Violation(start, stop, f"duplicate key `{shown}`: the earlier value is "
                                                                     "silently overwritten")))
    doc.fm_start, doc.fm_end = begin, end
    doc.data, doc._spans = data, spans


def _whole_characters(value: str, text: str, at: int) -> None:
    """A `\\udXXX` escape that pairs with no other is half a character: YAML
    and TOML refuse it, and no JSON report or fix could write it."""
    if not value.isascii():
        found = _SURROGATE.search(value)
        if found is not None:
            raise json.JSONDecodeError(f"`\\u{ord(found.group()):04x}` is half of a character (a lone surrogate)", text, at)


def _walk_json(text: str, at: int, path: tuple, key: tuple | None, spans: dict, Span, depth: int, repeated: list):
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    at = _WS.match(text, at).end()
    char = text[at:at + 1]
    if char == "{":
        result: Any = {}
        position = _WS.match(text, at + 1).end()
        if text[position:position + 1] == "}":
            position += 1
        else:
            while True:
                position = _WS.match(text, position).end()
                if text[position:position + 1] != '"':
                    raise json.JSONDecodeError("expected a key in double quotes", text, position)
                name, after = json.decoder.scanstring(text, position + 1)
                _whole_characters(name, text, position)
                if name in result:
                    repeated.append((position, after, name))
                key_span = (position, after)
                position = _WS.match(text, after).end()
                if text[position:position + 1] != ":":
                    raise json.JSONDecodeError("expected `:` after the key", text, position)
                result[name], position = _walk_json(text, position + 1, path + (name,), key_span, spans, Span,
                                                    depth + 1, repeated)
                position = _WS.match(text, position).end()
                if text[position:position + 1] == ",":
                    position += 1
                elif text[position:position + 1] == "}":
                    position += 1
                    break
                else:
                    raise json.JSONDecodeError("expected `,` or `}`", text, position)
        kind = "map"
    elif char == "[":
        result = []
        position = _WS.match(text, at + 1).end()
        if text[position:position + 1] == "]":
            position += 1
        else:
            while True:
                item, position = _walk_json(text, position, path + (len(result),), None, spans, Span, depth + 1,
                                            repeated)
                result.append(item)
                position = _WS.match(text, position).end()
                if text[position:position + 1] == ",":
                    position += 1
                elif text[position:position + 1] == "]":
                    position += 1
                    break
                else:
                    raise json.JSONDecodeError("expected `,` or `]`", text, position)
        kind = "seq"
    else:
        try:
            result, position = _DECODER.raw_decode(text, at)
        except json.JSONDecodeError:
            raise
        except ValueError as exc:  # NaN, Infinity, 1e99999
            raise json.JSONDecodeError(str(exc), text, at) from None
        if result.__class__ is str:
            _whole_characters(result, text, at)
        kind = "scalar"
    spans[path] = Span(at, position, key[0] if key else None, key[1] if key else None,
                       '"' if char == '"' else None, kind)
    return result, position
