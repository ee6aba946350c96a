"""What a schema declares about each value, by JSON path: the facts the
URL and line-break rules are aimed by (docs/schema.md, "Rules aimed by the
schema").

- `format: uri` -> an absolute URL; `uri-reference` / `iri-reference` -> a
  URL that may be relative (`/commands/hugo/`); `iri` / `iri-reference` ->
  raw non-ASCII characters are allowed in it.
- single-line: `x-single-line: true`, or a `format` whose values have no
  line break (uri, date-time, email ...). `x-single-line: false` marks a
  multi-line field. Neither: undeclared (the rule decides by the value's
  YAML style).

Best effort: local `$ref`s, `properties`, `patternProperties`,
`additionalProperties`, `items`/`prefixItems`, and the union of
`allOf`/`anyOf`/`oneOf` branches. Built lazily, one index per schema.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

URI_FORMATS = frozenset({"uri", "iri"})
RELATIVE_FORMATS = frozenset({"uri-reference", "iri-reference", "uri-template"})
IRI_FORMATS = frozenset({"iri", "iri-reference"})
SINGLE_LINE_FORMATS = URI_FORMATS | RELATIVE_FORMATS | frozenset({
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uuid", "json-pointer", "relative-json-pointer", "regex"})
_MAX_DEPTH = 32
KEY_MATCH_SECONDS = 1  # a `patternProperties` pattern against one key (microseconds when it does not run away)


class FieldInfo(NamedTuple):  # not a frozen dataclass: cheaper to define on every run's path
    url: str | None = None  # "absolute", "relative" or None (not declared a URL)
    single_line: bool | None = None  # True / False declared; None: not declared
    iri: bool = False  # declared `iri` or `iri-reference`: raw non-ASCII characters are allowed


class SchemaIndex:
    def __init__(self, document: Any):
        self.document = document
        self._cache: dict[tuple, FieldInfo] = {}

    def lookup(self, path: tuple) -> FieldInfo:
        # Asked for every string of every record: the key is built without a generator.
        key = tuple(["#" if isinstance(p, int) else p for p in path])
        info = self._cache.get(key)
        if info is None:
            info = self._cache[key] = self._info(self._schemas(self.document, key, 0))
        return info

    def _schemas(self, schema: Any, path: tuple, depth: int) -> list[dict]:
        """Every subschema that applies to the value at ``path``."""
        if depth > _MAX_DEPTH or not isinstance(schema, dict):
            return []
        found: list[dict] = []
        for part in self._expand(schema, depth):
            if not path:
                found.append(part)
            else:
                for child in self._children(part, path[0]):
                    found.extend(self._schemas(child, path[1:], depth + 1))
        return found

    def _expand(self, schema: dict, depth: int) -> list[dict]:
        """The schema with its `$ref` followed and its branches, flattened."""
        if depth > _MAX_DEPTH:
            return []
        result = [schema]
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self._resolve(ref)
            if isinstance(target, dict):
                result.extend(self._expand(target, depth + 1))
        for keyword in ("then", "else"):  # `if` only tests: its schema declares nothing
            if isinstance(schema.get(keyword), dict):
                result.extend(self._expand(schema[keyword], depth + 1))
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                for branch in branches:
                    if isinstance(branch, dict):
                        result.extend(self._expand(branch, depth + 1))
        return result

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        target: Any = self.document
        for part in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else ():
            if not isinstance(target, dict):
                return None
            target = target.get(part.replace("~1", "/").replace("~0", "~"))
        return target

    @staticmethod
    def _children(schema: dict, step: Any) -> list:
        if step == "#":
            items = schema.get("items")
            prefix = schema.get("prefixItems")
            found = [items] if isinstance(items, dict) else []
            return found + ([p for p in prefix if isinstance(p, dict)] if isinstance(prefix, list) else [])
        properties = schema.get("properties")
        if isinstance(properties, dict) and step in properties:
            return [properties[step]]
        found = []
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict) and isinstance(step, str):
            for pattern, child in patterns.items():
                if _key_matches(pattern, step):
                    found.append(child)
        additional = schema.get("additionalProperties")
        if not found and isinstance(additional, dict):
            found.append(additional)
        return found

    @staticmethod
    def _info(schemas: list[dict]) -> FieldInfo:
        formats = {s.get("format") for s in schemas if isinstance(s.get("format"), str)}
        url = "absolute" if formats & URI_FORMATS else "relative" if formats & RELATIVE_FORMATS else None
        declared = [s["x-single-line"] for s in schemas if isinstance(s.get("x-single-line"), bool)]
        if declared:
            single_line: bool | None = all(declared)
        elif formats & SINGLE_LINE_FORMATS:
            single_line = True
        else:
            single_line = None
        return FieldInfo(url, single_line, bool(formats & IRI_FORMATS))


def _key_matches(pattern: Any, key: str) -> bool:
    """Whether a `patternProperties` pattern matches ``key``: both are data
    (the schema's, a record's). RE2 answers in linear time wherever it takes
    the pattern; one it does not (a lookaround, a backreference) runs on
    Python's engine under a bound, and once it has run away it declares
    nothing about any key for the rest of the process (so a record of many
    keys costs one bound, not one a key)."""
    matcher = _matcher(pattern) if isinstance(pattern, str) and pattern not in _RUNAWAY else None
    if matcher is None:
        return False
    if matcher.__class__ is not re.Pattern:  # RE2's: linear time
        return matcher.search(key) is not None
    from contentlint import timebox

    try:
        with timebox.bounded(KEY_MATCH_SECONDS):
            return matcher.search(key) is not None
    except timebox.Expired:
        _RUNAWAY.add(pattern)
        return False


_RUNAWAY: set = set()  # Python-engine patterns that ran past their bound in this process


@functools.lru_cache(maxsize=256)
def _matcher(pattern: str):
    """RE2's compiled ``pattern``, else Python's (None: neither takes it)."""
    from contentlint.linear_regex import compile_linear

    try:
        return compile_linear(pattern)
    except ValueError:
        pass
    try:
        return re.compile(pattern)
    except (re.error, TypeError, ValueError, OverflowError, RecursionError):
        return None


_INDEXES: dict[int, SchemaIndex] = {}


def index_of(schema) -> SchemaIndex:
    """The index of a loaded ``contentlint.validation.Schema`` (one per schema object)."""
    index = _INDEXES.get(id(schema))
    if index is None or index.document is not schema.document:
        index = _INDEXES[id(schema)] = SchemaIndex(schema.document)
    return index
