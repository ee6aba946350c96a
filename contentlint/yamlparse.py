"""YAML 1.2 parsing into a node tree with exact character offsets.

We compose (parse to nodes) rather than load, because nodes carry their
start/end marks and scalar style, which every rule and the fixer need. The
composer is libyaml's, through PyYAML's C binding when it is installed (the
fastest: ~0.9 ms for a 10 KB record, against ~1.6 ms through ruamel.yaml's,
whose node objects cost more to build), else through ruamel.yaml.clib's.
Both feed the resolver below and give the same nodes, marks and styles (a
test holds them to it on the corpus); CONTENTLINT_YAML=ruamel forces the
second. libyaml's mark index counts characters, not bytes.

The resolver implements the YAML 1.2 *core* schema, with one deliberate
difference: timestamps are not a type (they stay strings), so JSON Schema's
``format: date-time`` applies to them, as check-jsonschema does.
"""

from __future__ import annotations

import os
import re
import sys

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = TAG + "seq", TAG + "map"

_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


# Python turns an integer of more digits than this into text (or text into
# one) only when told to (a guard against quadratic time, CVE-2020-10735):
# no report, message or JSON could show such a value, so it is a finding.
MAX_INT_DIGITS = min(4300, getattr(sys, "get_int_max_str_digits", lambda: 0)() or 4300)
_INT_BOUND = 10 ** MAX_INT_DIGITS

# A plain scalar that starts with none of these is a string.
TYPED_FIRST = frozenset("~nNtTfF0123456789-+.")


def resolve_plain(value: str) -> str:
    """The YAML 1.2 core-schema tag of an untagged plain scalar."""
    if value and value[0] not in TYPED_FIRST:
        return STR
    if value in _NULLS:
        return NULL
    if value in _BOOLS:
        return BOOL
    if value[:1] in "0123456789-+.":
        # Two exact shortcuts before the patterns: ASCII digits are `_INT`'s
        # first branch (a width, a count), and no number holds a `:` (a
        # timestamp, `2021-05-11T08:56:31Z`, stays a string).
        if value.isdigit() and value.isascii():
            return INT
        if ":" in value:
            return STR
        if _INT.fullmatch(value):
            return INT
        if _FLOAT.fullmatch(value):
            return FLOAT
    return STR


class ScalarError(ValueError):
    """A scalar that is not a value of its type: `!!int abc`, or an integer too long."""


def construct(tag: str, value: str):
    """The Python value of a scalar with a core-schema ``tag`` (implicit or
    explicit); ScalarError when ``value`` is not one. Other tags (`!!binary`,
    `!local`) keep the text."""
    if tag == INT:
        return _integer(value)
    if tag == FLOAT:
        text = value.replace("_", "")
        if not _FLOAT.fullmatch(text):
            raise ScalarError(f"`!!float {_shown(value)}` is not a number")
        lowered = text.lower()
        if lowered.endswith("inf"):
            return float("-inf") if text.startswith("-") else float("inf")
        return float("nan") if lowered == ".nan" else float(text)  # 1e400 is inf, never an error
    if tag == BOOL:
        if value not in _BOOLS:
            raise ScalarError(f"`!!bool {_shown(value)}` is not a boolean (true or false)")
        return _BOOLS[value]
    if tag == NULL:
        if value not in _NULLS:
            raise ScalarError(f"`!!null {_shown(value)}` is not null")
        return None
    return value


def _integer(value: str) -> int:
    if value.isascii() and value.isdigit() and len(value) <= MAX_INT_DIGITS:
        return int(value)  # the common case (a width, a count): what the general path gives
    text = value.replace("_", "")  # YAML 1.1 digit groups, still common after `!!int`
    if not _INT.fullmatch(text):
        raise ScalarError(f"`!!int {_shown(value)}` is not an integer")
    if text.startswith(("0o", "0x")):
        number = int(text[2:], 8 if text[1] == "o" else 16)  # linear time, any length
    else:
        digits = text.lstrip("+-").lstrip("0") or "0"
        number = int(digits) if len(digits) <= MAX_INT_DIGITS else _INT_BOUND
        number = -number if text.startswith("-") else number
    if not -_INT_BOUND < number < _INT_BOUND:
        raise ScalarError(f"integer `{_shown(value)}` has more than {MAX_INT_DIGITS:,} digits")
    return number


def _shown(value: str, limit: int = 40) -> str:
    """``value`` for a one-line message: shortened, control characters escaped."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return text if text.isprintable() else repr(text)[1:-1]


def _backend():
    if os.environ.get("CONTENTLINT_YAML") != "ruamel":
        try:
            from yaml import MarkedYAMLError, YAMLError, nodes
            from yaml._yaml import CParser

            return "pyyaml", CParser, nodes, MarkedYAMLError, YAMLError
        except ImportError:
            pass
    from ruamel.yaml import nodes
    from ruamel.yaml.cyaml import CParser
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    return "ruamel", CParser, nodes, MarkedYAMLError, YAMLError


BACKEND, _CParser, _nodes, MarkedYAMLError, YAMLError = _backend()
Node, ScalarNode = _nodes.Node, _nodes.ScalarNode
MappingNode, SequenceNode = _nodes.MappingNode, _nodes.SequenceNode


class _Composer(_CParser):
    """libyaml's composer with our resolver (path resolvers unused)."""

    if BACKEND == "pyyaml":
        # The composer calls these three hooks for every node (~400 in a 10 KB
        # record). Builtins cost no Python frame (a fifth of composing): the
        # path-resolver hooks do nothing (the slice and tuple are dropped), and
        # `resolve` keeps its arguments, slice(kind, value, implicit), in
        # node.tag, so tag_of decides a tag only when it is read (keys never are).
        descend_resolver = slice
        ascend_resolver = tuple
        resolve = slice
    else:  # ruamel's nodes turn the tag into a Tag object at once: resolve now
        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self, *args):
            pass

        def resolve(self, kind, value, implicit):
            if kind is ScalarNode:
                return resolve_plain(value) if implicit[0] else STR
            return SEQ if kind is SequenceNode else MAP


if BACKEND == "pyyaml":
    def tag_of(node: Node) -> str:
        tag = node.tag
        if tag.__class__ is slice:  # an implicit tag, as the composer left it
            if tag.start is ScalarNode:
                if not tag.step[0]:  # quoted or block: a string
                    return STR
                value = node.value
                return STR if value and value[0] not in TYPED_FIRST else resolve_plain(value)
            return SEQ if tag.start is SequenceNode else MAP
        return tag
else:
    def tag_of(node: Node) -> str:
        # node.tag would URI-decode the tag on every access; the suffix is the
        # full tag for everything our resolver or libyaml produced.
        tag = node.ctag
        return tag.suffix if tag.handle is None else TAG + tag.suffix


class YamlError(Exception):
    """A parse failure with the character offset where the parser stopped."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.message = message
        self.index = index


def compose(text: str) -> Node | None:
    """Parse one YAML document into nodes; raise YamlError with an offset on failure."""
    try:
        parser = _Composer(text)
        try:
            return parser.get_single_node()
        finally:
            parser.dispose()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc).splitlines()[0]
        if exc.context:
            message = f"{message} ({exc.context})"
        raise YamlError(message, mark.index if mark else 0) from None
    except YAMLError as exc:  # ReaderError: .position is a byte offset into the UTF-8 text
        index = getattr(exc, "position", None) or getattr(exc, "index", 0) or 0
        index = len(text.encode("utf-8", "surrogatepass")[:index].decode("utf-8", "ignore"))
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise YamlError(str(reason), index) from None


_OPEN = frozenset(("MappingStartEvent", "SequenceStartEvent"))
_CLOSE = frozenset(("MappingEndEvent", "SequenceEndEvent"))


def nesting_beyond(text: str, limit: int) -> int | None:
    """Offset of the first collection (block or flow) nested deeper than
    ``limit``, from the parser's events: no node is built, and the parser
    stops there, before any nesting limit of its own. None when there is no
    such collection, or the text fails to parse before one (compose reports it)."""
    parser = _CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            name = event.__class__.__name__
            if name in _OPEN:
                depth += 1
                if depth > limit:
                    return event.start_mark.index
            elif name in _CLOSE:
                depth -= 1
            elif name == "StreamEndEvent":
                return None
    except YAMLError:
        return None
    finally:
        parser.dispose()


__all__ = ["compose", "construct", "nesting_beyond", "ScalarError", "YamlError", "resolve_plain", "tag_of", "BACKEND", "MappingNode", "ScalarNode",
           "SequenceNode", "Node", "STR", "TYPED_FIRST", "INT", "FLOAT", "BOOL", "NULL", "SEQ", "MAP"]
