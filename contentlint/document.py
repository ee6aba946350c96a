"""bytes -> Document: decoded text, the front-matter span, data, and positions.

Offsets everywhere are indices into ``Document.text``, the decoded file text
*including* a leading BOM character, so an Edit can remove the BOM like any
other text. Positions (1-based line/column) are computed from offsets; the BOM
is not counted as a column, and ``\\r\\n``, ``\\r`` and ``\\n`` each end a line.

Problems found while reading (CL001-CL007) are recorded on the document as
violations, under the codes of contentlint.problems; they never raise.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Any, Iterator, NamedTuple

from contentlint import frontmatter
from contentlint.model import Position, Violation
from contentlint.problems import (
    BYTE_ORDER_MARK,
    DUPLICATE_KEY,
    FRONT_MATTER_NOT_MAPPING,
    INVALID_ENCODING,
    MISSING_FRONT_MATTER,
    YAML_ALIAS,
    YAML_SYNTAX_ERROR,
)
from contentlint.yamlparse import (
    MAX_INT_DIGITS,
    STR,
    TYPED_FIRST,
    MappingNode,
    Node,
    ScalarError,
    ScalarNode,
    SequenceNode,
    YamlError,
    compose,
    construct,
    nesting_beyond,
    tag_of,
)

BOM = "\ufeff"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The opening and closing lines: exactly `---`, trailing spaces/tabs allowed.
_FENCE = re.compile(r"---[ \t]*(?:\r\n|\r|\n|\Z)")
_LEADING_BLANKS = re.compile(r"[ \t\r\n]*")
# YAML's document end: Jekyll and Pandoc close front matter with it, the
# contract does not (SPEC: the next line that is exactly `---`): CL002 names it.
_DOCUMENT_END = re.compile(r"\.\.\.[ \t]*(?:\r\n|\r|\n|\Z)")
_FENCE_LANGUAGE = re.compile(r"---([A-Za-z][A-Za-z0-9_-]{0,15})[ \t]*(?:\r\n|\r|\n|\Z)")

# Front matter larger than this is not parsed (a finding instead): a content
# record is a few KB; a multi-MB block is a mistake or an attack on the parser.
MAX_FRONT_MATTER_CHARS = 1_000_000
# Flow nesting (`[`, `{`) deeper than this is not parsed: real records nest
# 4 levels deep.
MAX_DEPTH = 64
# Nesting of any kind, block and flow together, deeper than this is not
# parsed. libyaml 0.2.6 stops at 1,000 levels with its own message and
# position, earlier releases recurse on; below both, the finding does not
# depend on the release installed. 200 levels still parse.
MAX_NESTING = 256
# Block nesting past MAX_NESTING - MAX_DEPTH levels (flow adds at most
# MAX_DEPTH) needs a line indented by more than this: one line opens at most
# 66 block levels (`- - k:`; 65 indicators in a row are refused below), a
# column holds at most two (a mapping, and a sequence as its value), so the
# third line of such a chain is indented past (192 - 66) / 2 = 63 columns,
# with spaces (tabs cannot indent). No real record has such a run of spaces:
# only then are the levels counted exactly (a second, partial parse).
_DEEP_INDENT = " " * 60
# `- - - x` (or `? ? x`) nests one block collection per indicator on a single
# line; the composer recurses per level in C, so a long run must be refused
# before parsing (100,000 levels overflow the C stack: a segmentation fault).
_BLOCK_RUN = re.compile(r"(?:[-?:][ \t]+){%d}(?=[-?:][ \t])" % MAX_DEPTH)
# The guard's one cheap pass: the block's UTF-8 bytes with `{` as `[` and the
# indicators `-?:` and tabs as spaces (a non-ASCII character is bytes >= 0x80,
# none of these). Then one count gives the flow openers, and a run of
# `_BLANKS` finds every block that may hold a `_BLOCK_RUN` (65 indicators,
# each followed by a blank, span 130 such characters in a row) or a
# `_DEEP_INDENT`: both are rare, and only then is the block looked at closely.
_CLASSES = bytes.maketrans(b"{-?:\t", b"[    ")
_BLANKS = b" " * min(len(_DEEP_INDENT), 2 * (MAX_DEPTH + 1))
# Aliases are never expanded here, but rules walk doc.data, where an alias is
# the anchored value again: past this many values (or a cycle) they do not run.
MAX_ALIAS_EXPANSION = 100_000

# What may come before and after the `&` of an anchor (`&name`).
_BEFORE_ANCHOR = frozenset(" \t\r\n[{,")
_NOT_ANCHOR_NAME = frozenset(" \t\r\n,[]{}")

Path = tuple  # a JSON path: ("related", 0, "webUrl")


class Span(NamedTuple):  # not a frozen dataclass: ~8x cheaper to define (docs/performance.md)
    """Where one value of the front matter is in the text."""

    start: int
    end: int
    key_start: int | None = None  # the key of a mapping entry
    key_end: int | None = None
    style: str | None = None  # scalars: None (plain), '"', "'", '|' or '>'
    kind: str = "scalar"  # "scalar", "map" or "seq"


class Document:
    # A plain class, not a dataclass (~0.7 ms to define on every run's path):
    # it is built from a path and bytes, then filled in by parse().
    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path
        self.raw = raw
        self.text = ""
        self.decoded = False
        self.bom = False
        self.fm_start = -1  # offset of the first character of the YAML block
        self.fm_end = -1  # offset just past its last character
        self.opener: tuple[int, int] = (0, 0)  # span of the opening `---` line text
        self.data: Any = None
        self.format = "yaml"  # or "toml" (`+++`), "json" (`{`): contentlint.frontmatter
        self.problems: list[tuple[str, Violation]] = []
        self.memo: dict = {}  # per-document results rules share
        self._root: Node | None = None
        self._spans: dict | None = None
        self._tree = False  # _root is a plain tree: spans found by walking (see _parse)
        self._found: dict | None = None  # path -> Span, found without the index
        self._line_starts: list[int] | None = None

    # -- positions -----------------------------------------------------------

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            if "\r" in self.text:
                self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
            else:  # the common case, without a regex: each line's length + 1
                lengths = [len(line) + 1 for line in self.text.split("\n")]
                self._line_starts = [0, *itertools.accumulate(lengths[:-1])]
        return self._line_starts

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        text = self.text
        if self._line_starts is None and offset < 4096 and text.find("\r", 0, offset) < 0:
            # Near the top, before any line index exists (CL305 asks this of
            # every file): count the lines instead of indexing the whole text.
            line_start = text.rfind("\n", 0, offset) + 1
            column = offset - line_start + 1
            if line_start == 0 and self.bom and offset > 0:
                column -= 1
            return Position(text.count("\n", 0, offset) + 1, column)
        starts = self.line_starts
        index = bisect.bisect_right(starts, offset) - 1
        column = offset - starts[index] + 1
        if index == 0 and self.bom and offset > 0:
            column -= 1
        return Position(index + 1, column)

    def line_span(self, offset: int) -> tuple[int, int]:
        """Offsets of the start of the line holding ``offset`` and of its line break."""
        starts = self.line_starts
        index = bisect.bisect_right(starts, offset) - 1
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        while end > starts[index] and self.text[end - 1] in "\r\n":
            end -= 1
        return starts[index], end

    @property
    def newline(self) -> str:
        match = _LINE_BREAK.search(self.text)
        return match.group() if match else "\n"

    # -- the YAML tree ---------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when the front matter parsed into a mapping the rules can read."""
        return isinstance(self.data, dict)

    @property
    def spans(self) -> dict[Path, Span]:
        """JSON path -> Span for every value (built on first use only)."""
        if self._spans is None:
            self._spans = {}
            if self._root is not None:
                self._index(self._root, (), None, set())
        return self._spans

    def span(self, path: Path) -> Span | None:
        path = tuple(path)
        if self._spans is None and self._tree:  # a finding's span: no need to index every value
            return self._walk_to(path)
        return self.spans.get(path)

    def value_span(self, path: Path) -> tuple[int, int]:
        """The span of a value, or of the closest existing parent, or of the opener."""
        path = tuple(path)
        while path:
            span = self.span(path)
            if span is not None:
                return span.start, span.end
            path = path[:-1]
        span = self.span(())
        return (span.start, span.end) if span else self.opener

    def _walk_to(self, path: Path) -> Span | None:
        """``spans.get(path)`` without building ``spans``: down the tree along
        ``path``, each mapping's keys read once. Only for a tree without
        shared nodes or duplicate keys."""
        if self._found is None:
            self._found = {}
        elif path in self._found:
            return self._found[path]
        node, key = self._root, None
        if len(path) > MAX_DEPTH:
            node = None
        for step in path:
            if node is None:
                break
            if node.__class__ is MappingNode:
                node, key = self._children(node).get(step, (None, None)) if step.__class__ is str else (None, None)
            elif node.__class__ is SequenceNode and step.__class__ is int and 0 <= step < len(node.value):
                node, key = node.value[step], None
            else:
                node = None
        span = None if node is None else self._span_of(node, key)
        self._found[path] = span
        return span

    def _children(self, node: MappingNode) -> dict:
        keys = self.memo.get("keys")
        if keys is None:
            keys = self.memo["keys"] = {}
        found = keys.get(id(node))
        if found is None:
            found = keys[id(node)] = {_key_text(k): (v, k) for k, v in node.value}
        return found

    def _span_of(self, node: Node, key: Node | None) -> Span:
        base = self.fm_start
        kind = "map" if isinstance(node, MappingNode) else "seq" if isinstance(node, SequenceNode) else "scalar"
        return Span(
            base + node.start_mark.index,
            base + node.end_mark.index,
            base + key.start_mark.index if key is not None else None,
            base + key.end_mark.index if key is not None else None,
            (node.style or None) if kind == "scalar" else None,
            kind,
        )

    def _index(self, node: Node, path: Path, key: Node | None, seen: set[int]) -> None:
        if id(node) in seen:  # an alias: index only the first occurrence
            return
        seen.add(id(node))
        span = self._spans[path] = self._span_of(node, key)
        if len(path) >= MAX_DEPTH:
            return
        if span.kind == "map":
            for k, v in node.value:
                self._index(v, path + (_key_text(k),), k, seen)
        elif span.kind == "seq":
            for i, item in enumerate(node.value):
                self._index(item, path + (i,), None, seen)

    def scalar_ranges(self) -> Iterator[tuple[int, int]]:
        """Offsets of every scalar in the source (keys included, duplicates too)."""
        stack = [self._root] if self._root is not None else []
        seen: set[int] = set()  # aliases share nodes: visit each once (alias bombs)
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ScalarNode):
                yield self.fm_start + node.start_mark.index, self.fm_start + node.end_mark.index
            elif isinstance(node, MappingNode):
                stack.extend(n for pair in node.value for n in pair)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)

    def values(self) -> list[tuple[Path, Any]]:
        """Every value of the data with its path, collections included, in
        document order. Walked once per document: the rules filter this list
        instead of each walking the data (strings, URL fields, images)."""
        if "values" not in self.memo:
            found: list[tuple[Path, Any]] = []
            append = found.append

            def walk(path: Path, value: Any) -> None:
                append((path, value))
                # Leaves (most values) are appended here: a call only per collection.
                for step, child in value.items() if value.__class__ is dict else enumerate(value):
                    if child.__class__ is dict or child.__class__ is list:
                        walk(path + (step,), child)
                    else:
                        append((path + (step,), child))

            def start(value: Any) -> None:
                if value.__class__ is dict or value.__class__ is list:
                    walk((), value)
                else:
                    append(((), value))

            if self.data is not None:
                start(self.data)
            self.memo["values"] = found
        return self.memo["values"]

    def strings(self) -> list[tuple[Path, str]]:
        """Every string value with its path, in document order (computed once)."""
        if "all strings" not in self.memo:
            self.memo["all strings"] = [(path, value) for path, value in self.values() if value.__class__ is str]
        return self.memo["all strings"]


_COMPLEX_KEY = "<complex key>"


def _key_text(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return node.value
    return _COMPLEX_KEY


def _complex_key(node: Node) -> tuple:
    """A complex key's content, to tell two of them apart: a scalar by its
    text and whether it is plain (`1` and `'1'` differ), a collection by
    its items (nesting is bounded before composing)."""
    if isinstance(node, ScalarNode):
        return (node.value, not node.style)
    if isinstance(node, SequenceNode):
        return ("[",) + tuple(_complex_key(item) for item in node.value)
    return ("{",) + tuple((_complex_key(k), _complex_key(v)) for k, v in node.value)


# -- reading -------------------------------------------------------------------


def load(path: str, raw: bytes) -> Document:
    """Build a Document; every problem becomes a recorded violation."""
    doc = Document(path=path, raw=raw)
    if not _decode(doc):
        return doc
    if _other_format(doc):
        return doc
    if not _split(doc):
        return doc
    _parse(doc)
    return doc


def _decode(doc: Document) -> bool:
    raw = doc.raw
    doc.bom = raw.startswith(b"\xef\xbb\xbf")  # set first: a BOM is not a column, even in CL001
    try:
        doc.text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        doc.text = raw.decode("utf-8", errors="surrogateescape")
        offset = len(raw[:exc.start].decode("utf-8"))  # the characters before the first bad byte
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            message = "file is UTF-16 encoded; contentlint reads UTF-8 only"
        else:  # the finding's own position says where (a position in the text would tie its fingerprint to the line)
            message = f"byte 0x{raw[exc.start]:02x} is not valid UTF-8"
        doc.problems.append((INVALID_ENCODING, Violation(offset, offset + 1, message)))
        return False
    doc.decoded = True
    if doc.bom:
        doc.problems.append((BYTE_ORDER_MARK, Violation(0, 1, "file starts with a UTF-8 byte order mark")))
    return True


def _split(doc: Document) -> bool:
    text = doc.text
    begin = 1 if doc.bom else 0
    opener = _FENCE.match(text, begin)
    if opener is None:
        end = doc.line_span(begin)[1]
        message = "file does not start with a `---` front-matter line"
        language = _FENCE_LANGUAGE.match(text, begin)
        if language is not None:  # gray-matter's (Eleventy's) `---json`, `---yaml`, `---js`
            message = (f"front matter opened with `---{language.group(1)}` is not read: "
                       "open YAML with `---`, TOML with `+++`, JSON with `{` on the first line")
        elif frontmatter.after_blank_lines(text, begin):
            message = "front matter must start on the first line: blank lines come before its `---`"
        doc.problems.append((MISSING_FRONT_MATTER, Violation(begin, max(end, begin), message)))
        return False
    doc.opener = (begin, begin + 3)
    closer = _closer(text, opener.end())
    if closer is None or opener.end() == len(text) and not opener.group().endswith(("\n", "\r")):
        message = "front matter opened here is never closed by a `---` line"
        if _closer(text, opener.end(), _DOCUMENT_END, "...") is not None:
            message += " (a `...` line, YAML's document end, does not close it: write `---`)"
        doc.problems.append((MISSING_FRONT_MATTER, Violation(begin, begin + 3, message)))
        return False
    doc.fm_start, doc.fm_end = opener.end(), closer.start()
    return True


def _other_format(doc: Document) -> bool:
    """TOML (`+++`) or JSON (`{`) front matter, as Hugo writes them: read
    here (True), or not one of them (False: YAML is tried)."""
    text = doc.text
    begin = 1 if doc.bom else 0
    if frontmatter.JSON_START.match(text, begin):
        doc.format, doc.opener = "json", (begin, begin + 1)
        frontmatter.parse_json(doc, begin)
        return True
    # Hugo and Zola, the generators of TOML front matter, skip whitespace before it.
    at = _LEADING_BLANKS.match(text, begin).end()
    opener = frontmatter.TOML_FENCE.match(text, at)
    if opener is None:
        return False
    doc.format, doc.opener = "toml", (at, at + 3)
    closer = _closer(text, opener.end(), frontmatter.TOML_FENCE, "+++")
    if closer is None:
        doc.problems.append((MISSING_FRONT_MATTER, Violation(at, at + 3, "front matter opened here is never closed by a `+++` line")))
        return True
    doc.fm_start, doc.fm_end = opener.end(), closer.start()
    if doc.fm_end - doc.fm_start > MAX_FRONT_MATTER_CHARS:
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(at, at + 3, f"front matter is over {MAX_FRONT_MATTER_CHARS:,} characters")))
        return True
    frontmatter.parse_toml(doc, doc.fm_start, doc.fm_end)
    return True


def _closer(text: str, start: int, fence: re.Pattern = _FENCE, mark: str = "---") -> re.Match | None:
    """The first `---` line at or after ``start``. A line starts after \n or a
    bare \r; str.find, not a regex with look-behinds (5x faster on 10 KB)."""
    at = text.find(mark, start)
    while at >= 0:
        if text[at - 1] in "\r\n":
            found = fence.match(text, at)
            if found is not None:
                return found
        at = text.find(mark, at + 1)
    return None


def _may_have_anchor(block: str) -> bool:
    """False when ``block`` certainly has no anchor, so no alias and no node
    shared by two places: the data can be built without tracking nodes. An
    anchor is `&` after a line start, a space or `[{,`, before its name; other
    `&`s (`a=1&b=2`, `AT & T`) are text. str.find, as a regex is 10x slower."""
    at = block.find("&")
    while at >= 0:
        if (at == 0 or block[at - 1] in _BEFORE_ANCHOR) and block[at + 1:at + 2] not in _NOT_ANCHOR_NAME:
            return True
        at = block.find("&", at + 1)
    return False


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _escape_hint(text: str, at: int) -> str:
    """What to write instead of a JSON-style surrogate pair (`\\ud83d\\ude00`,
    as `json.dumps` writes an emoji): YAML escapes name characters, and a
    surrogate is none. Read where the parser stopped, on that line."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    if not _SURROGATE_ESCAPE.search(text, line_start, line_end if line_end >= 0 else len(text)):
        return ""
    return (" (a `\\uD83D\\uDE00`-style surrogate pair is JSON's way to write a character beyond U+FFFF; "
            "YAML writes it `\\U0001F600`, or the character itself)")


def _parse(doc: Document) -> None:
    block = doc.text[doc.fm_start:doc.fm_end]
    opener = Violation(doc.opener[0], doc.opener[1], "")
    if len(block) > MAX_FRONT_MATTER_CHARS:
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(opener.start, opener.end,
                            f"front matter is {len(block):,} characters; the limit is {MAX_FRONT_MATTER_CHARS:,}")))
        return
    too_deep = _too_deep(block)
    if too_deep is not None:
        at, limit = doc.fm_start + too_deep[0], too_deep[1]
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(at, at + 1, f"YAML nested deeper than {limit} levels")))
        return
    try:
        root = compose(block)
    except YamlError as exc:
        at = doc.fm_start + min(exc.index, len(block))
        message = f"YAML syntax error: {exc.message}" + _escape_hint(doc.text, at)
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(at, at, message)))
        return
    except RecursionError:  # deep block nesting (indentation) past the interpreter's stack
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(opener.start, opener.end, "YAML nested too deeply to read")))
        return
    if root is None:  # `---` `---`, or comments only: no keys, which the schema judges
        doc.data = {}
        return
    if not isinstance(root, MappingNode):
        what = "empty" if root is None else "a list" if isinstance(root, SequenceNode) else "a single value"
        doc.problems.append((FRONT_MATTER_NOT_MAPPING, Violation(opener.start, opener.end, f"front matter is {what}, not a mapping of keys to values")))
        return
    builder = _Builder(doc)
    try:
        data = builder.build(root) if _may_have_anchor(block) else builder.build_tree(root)
    except RecursionError:
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(opener.start, opener.end, "YAML nested too deeply to read")))
        return
    except ScalarError as exc:  # `!!int abc`: the record cannot be read as its author meant (the first one)
        start, end = doc.fm_start + exc.node.start_mark.index, doc.fm_start + exc.node.end_mark.index
        doc.problems.append((YAML_SYNTAX_ERROR, Violation(start, end, str(exc))))
        return
    doc._root = root
    # Built by build_tree (no node is shared) and no key twice in a mapping
    # (the index keeps paths under an earlier duplicate): spans can be walked to.
    doc._tree = (not builder.seen and not builder.complex_keys_collide
                 and all(code != DUPLICATE_KEY for code, _ in doc.problems))
    if builder.anchors_reported and _expanded_size(root, MAX_ALIAS_EXPANSION) is None:
        return  # an alias bomb or a cycle: CL007 is reported; rules that read the data do not run
    doc.data = data
    if doc._tree:  # with a duplicate key the data holds the last value at the first key's place: walked instead
        doc.memo["values"], doc.memo["all strings"] = builder.values, builder.strings


def _expanded_size(root: Node, limit: int) -> int | None:
    """How many values the tree holds with every alias expanded; None past ``limit`` or for a cycle."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the path from the root to the node being counted
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = node.value if isinstance(node, SequenceNode) else []
        if leaving:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > limit:
                return None
        elif key in open_nodes:
            return None  # an alias inside its own anchor
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children)
    return sizes[id(root)]


def _too_deep(block: str) -> tuple[int, int] | None:
    """(offset, limit) where nesting first exceeds a limit, checked before parsing.

    libyaml and the composer recurse per level, and libyaml releases differ
    in how deep they go, so a hostile 100,000-deep `[[[[...`, `- - - -...` or
    indentation must be refused before it reaches them. Brackets inside
    quotes are counted too; that over-counts only for absurd content.
    """
    classes = block.encode("utf-8", "surrogatepass").translate(_CLASSES)
    if classes.count(b"[") > MAX_DEPTH:  # `[` and `{`
        depth = 0
        for match in re.finditer(r"[\[\]{}]", block):
            depth += 1 if match.group() in "[{" else -1
            if depth > MAX_DEPTH:
                return match.start(), MAX_DEPTH
            depth = max(depth, 0)
    if _BLANKS in classes:
        return _block_too_deep(block)
    return None


def _block_too_deep(block: str) -> tuple[int, int] | None:
    """_too_deep's block nesting: a run of indicators on one line, then deep
    indentation (counted by a partial parse). A run is refused only in a
    block with more than MAX_DEPTH `- `, `? ` (or with a tab) in all: those
    counts are cheaper than the run's regex."""
    if _indicators_beyond(block, MAX_DEPTH):
        match = _BLOCK_RUN.search(block)
        if match is not None:
            return match.end(), MAX_DEPTH
    if _DEEP_INDENT in block:
        at = nesting_beyond(block, MAX_NESTING)
        if at is not None:
            return at, MAX_NESTING
    return None


def _indicators_beyond(block: str, limit: int) -> bool:
    """Whether `- `, `? `, `-\t` and `?\t` occur more than ``limit`` times in
    all: counted one after the other, stopping once past (a record with many
    list items is past with its `- ` alone; each count scans the whole block)."""
    total = 0
    for indicator in ("- ", "? ", "-\t", "?\t"):
        total += block.count(indicator)
        if total > limit:
            return True
    return False


class _Builder:
    """Node tree -> plain Python data, recording CL004 and CL007 on the way."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.base = doc.fm_start
        self.seen: dict[int, Any] = {}
        self.anchors_reported: set[int] = set()
        self.values: list[tuple[Path, Any]] = []  # build_tree's: see there
        self.strings: list[tuple[Path, str]] = []
        # Two different complex keys of one mapping (`? [a, b]`, `? {x: 1}`):
        # both are `<complex key>` in the data, so the later value stands at
        # the earlier key's place (spans are walked to, as after a duplicate).
        self.complex_keys_collide = False
        self.complex_keys: dict[int, list] = {}  # id of a mapping (alive while building) -> its complex keys

    def duplicate(self, mapping: dict, name: str, knode: Node) -> None:
        """Record CL004 when ``knode`` repeats a key of ``mapping``. Complex
        keys share one name: they repeat only when they are equal."""
        if name != _COMPLEX_KEY:
            if name in mapping:
                self.problem(DUPLICATE_KEY, knode, f"duplicate key `{name}`: the earlier value is silently overwritten")
            return
        key = _complex_key(knode)
        complex_keys = self.complex_keys.setdefault(id(mapping), [])
        if key in complex_keys:
            self.problem(DUPLICATE_KEY, knode, f"duplicate key `{name}`: the earlier value is silently overwritten")
        elif name in mapping:
            self.complex_keys_collide = True
        complex_keys.append(key)

    def problem(self, code: str, node: Node, message: str) -> None:
        start = self.base + node.start_mark.index
        end = self.base + node.end_mark.index
        if not isinstance(node, ScalarNode):  # a collection: mark its first line only
            end = self.doc.line_span(start)[1]
        self.doc.problems.append((code, Violation(start, max(end, start), message)))

    def build_tree(self, node: Node, path: Path = ()) -> Any:
        """``build`` for a tree without aliases (no node is shared): the
        common case, without the bookkeeping aliases need. Lists each value
        with its path on the way (``values``, ``strings``), in the order
        Document.values() walks the data: the rules read that list, and
        walking the data again cost as much as this build."""
        if node.__class__ is ScalarNode:
            return _scalar(node)
        add_value, add_string = self.values.append, self.strings.append
        # _scalar's first case (a string the composer left implicit) is
        # inlined below: it is most values, and a call each cost ~5% of the build.
        if node.__class__ is SequenceNode:
            result: Any = []
            add_value((path, result))
            append = result.append
            for index, item in enumerate(node.value):
                if item.__class__ is not ScalarNode:
                    append(self.build_tree(item, path + (index,)))
                    continue
                tag, value = item.tag, item.value
                if tag.__class__ is not slice or tag.step[0] and (not value or value[0] in TYPED_FIRST):
                    value = _scalar(item)
                append(value)
                add_value((path + (index,), value))
                if value.__class__ is str:
                    add_string((path + (index,), value))
            return result
        result = {}
        add_value((path, result))
        for knode, vnode in node.value:
            scalar_key = knode.__class__ is ScalarNode
            name = knode.value if scalar_key else _COMPLEX_KEY
            if name in result or not scalar_key:
                self.duplicate(result, name, knode)
            if vnode.__class__ is not ScalarNode:
                result[name] = self.build_tree(vnode, path + (name,))
                continue
            tag, value = vnode.tag, vnode.value
            if tag.__class__ is not slice or tag.step[0] and (not value or value[0] in TYPED_FIRST):
                value = _scalar(vnode)
            result[name] = value
            add_value((path + (name,), value))
            if value.__class__ is str:
                add_string((path + (name,), value))
        return result

    def build(self, node: Node) -> Any:
        key = id(node)
        if key in self.seen:
            # An alias. The composer shares the anchored node, so an alias
            # bomb costs nothing here as long as we never expand it.
            if key not in self.anchors_reported:
                self.anchors_reported.add(key)
                self.problem(YAML_ALIAS, node, "anchor and alias used in front matter; write the value out")
            return self.seen[key]
        if isinstance(node, ScalarNode):
            value = _scalar(node)
            self.seen[key] = value
            return value
        if isinstance(node, SequenceNode):
            result: Any = []
            self.seen[key] = result
            result.extend(self.build(item) for item in node.value)
            return result
        result = {}
        self.seen[key] = result
        for knode, vnode in node.value:
            name = _key_text(knode)
            if name in result or not isinstance(knode, ScalarNode):
                self.duplicate(result, name, knode)
            result[name] = self.build(vnode)
        return result


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag.__class__ is slice:  # implicit (PyYAML's composer, see yamlparse): tag_of's string cases inline
        value = node.value
        if not tag.step[0] or value and value[0] not in TYPED_FIRST:
            return value
        if value.isdigit() and value.isascii() and len(value) <= MAX_INT_DIGITS:  # a width, a count
            return int(value)  # what resolve_plain, construct and _integer give it, in one step
    tag = tag_of(node)
    if tag == STR:  # most values
        return node.value
    try:
        return construct(tag, node.value)
    except ScalarError as exc:
        exc.node = node  # where to report it
        raise
