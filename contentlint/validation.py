"""The schema contract: load, validate, and explain failures in plain words.

Each jsonschema error becomes one ``SchemaError`` with the JSON path it is
about, the rule code it belongs to (CL100-CL104), where to anchor it ("value",
"key" or "parent") and a message built from the schema's ``description``s.
For ``anyOf``/``oneOf`` the best-matching branch's error is explained, not
the whole list. Messages say in words what was expected, never as a raw
regular expression, and unknown keys suggest the nearest allowed key
(docs/schema.md, "Messages").
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import stat
from collections import Counter
import importlib.util
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple
from urllib.parse import quote

from contentlint.digests import sha256
from contentlint.urls import is_simple_url

if TYPE_CHECKING:
    from jsonschema import exceptions

# jsonschema (~80 ms to import) is needed only to check a new schema and to
# explain invalid documents; a clean run with a compiled schema never loads it.


class SchemaLoadError(Exception):
    """The schema file is missing or invalid: a usage error (exit 2)."""


class SchemaError(NamedTuple):  # not a frozen dataclass: cheaper to define on every run's path
    code: str
    path: tuple  # JSON path of the instance the error is about
    anchor: str  # "value", "key" or "parent"
    message: str
    keyword: str = ""  # the failing JSON Schema keyword of a CL100 ("pattern", "enum", ...)


@functools.cache  # rules ask per file; a failed package lookup (source tree) costs ~0.3 ms each time
def default_schema_path() -> str:
    """The contract shipped in the wheel (the top-level schemas/ folder)."""
    # find_spec, not importlib.resources (~4 ms of imports, zipfile's among
    # them, on every run): the schema is opened as a file either way.
    spec = importlib.util.find_spec("contentlint.schemas")
    if spec is not None and spec.submodule_search_locations:
        return os.path.join(list(spec.submodule_search_locations)[0], "article.schema.json")
    # A source tree that is not installed (or an editable install's).
    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas", "article.schema.json")


def load_schema(path: str | None, verdicts=None) -> "Schema":
    """Read and check a schema (a usage error when it is missing or invalid).

    The same bytes are loaded once per process: ``check_schema`` loads the
    schema before the workers fork, so they inherit it checked. ``verdicts``
    (the result cache, or None) remembers which schemas passed their check.
    """
    path = path or default_schema_path()
    raw = _read(path)
    try:
        schema = _load(path, raw)
        _check_once(path, raw, schema.document, verdicts)
    except RecursionError:  # json and jsonschema recurse per level: a usage error, not a crash
        raise SchemaLoadError(f"schema {path} is nested too deeply to read") from None
    return schema


# A record's check against a schema with regular expressions of its own
# stops here (contentlint.timebox): ~8x the check of the largest record the
# benchmark makes (25,000 invalid related entries, 830 KB: 1.2 s).
SCHEMA_CHECK_SECONDS = 10

MAX_SCHEMA_BYTES = 20 * 1024 * 1024  # as engine.MAX_FILE_BYTES: a real schema is a few KB


def _read(path: str) -> bytes:
    """A regular file's bytes, bounded: a schema path (from a config or a
    record's `$schema`) naming a FIFO, a device or a huge file must neither
    block the run nor fill the memory."""
    try:  # O_NONBLOCK: opening a FIFO does not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SchemaLoadError(f"cannot read schema {path}: not a regular file")
            raw = handle.read(MAX_SCHEMA_BYTES + 1)
    except OSError as exc:
        raise SchemaLoadError(f"cannot read schema {path}: {exc.strerror}") from None
    if len(raw) > MAX_SCHEMA_BYTES:
        raise SchemaLoadError(f"cannot read schema {path}: larger than {MAX_SCHEMA_BYTES // 1048576} MiB")
    return raw


@functools.lru_cache(maxsize=8)
def _load(path: str, raw: bytes) -> "Schema":
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise SchemaLoadError(f"schema {path} is not valid JSON: {exc}") from None
    outside = _reference_outside(document)
    if outside is not None:
        raise SchemaLoadError(f"schema {path} refers to {outside[:200]!r}: only references inside the schema "
                              "file (`#...`) are followed, never another file or a URL")
    return Schema(path, document)


# Keywords whose values are data, not subschemas: a `$ref` key there is text.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def _reference_outside(document: Any) -> str | None:
    """The first `$ref` or `$dynamicRef` that does not stay in the document
    (anything but `#...`), or `$id` (`id`) that would send a `#...` one out
    of it, or None. The schema is data from the checkout: fastjsonschema and
    jsonschema would read a `file://` reference from the disk or fetch an
    `http://` one (no `--online`, no guard, no timeout). An identifier with
    both an address and a fragment (`http://host/s.json#x`) names no
    resource fastjsonschema holds, so the `#...` references under it are
    fetched from that address."""
    for node in _schema_objects(document):
        for key in ("$ref", "$dynamicRef"):
            ref = node.get(key)
            if isinstance(ref, str) and not ref.startswith("#"):
                return ref
        for key in ("$id", "id"):
            identifier = node.get(key)
            if isinstance(identifier, str):
                address, _, fragment = identifier.partition("#")
                if address and fragment:
                    return identifier
    return None


def _schema_objects(document: Any) -> Iterator[dict]:
    """Every object of a schema document outside data keywords (`enum`,
    `const`, `default`, `examples`): where a keyword is a keyword."""
    stack = [document]
    while stack:
        node = stack.pop()
        if node.__class__ is dict:
            yield node
            stack.extend(v for k, v in node.items() if k not in _DATA_KEYWORDS)
        elif node.__class__ is list:
            stack.extend(node)


# Every scheme urllib opens, refused: fastjsonschema fetches a `$ref` it does
# not hold with urlopen unless a handler answers for the scheme. A schema
# that would need one is refused first (_reference_outside); this is the
# second wall, in case that walk misses a way.
def _fetch_nothing(uri: str):
    raise SchemaLoadError(f"the schema refers to {uri[:200]!r}, outside itself")


NO_RETRIEVAL = dict.fromkeys(("http", "https", "ftp", "file", "data", ""), _fetch_nothing)


_CHECKED: set[str] = set()  # digests of the schemas checked in this process


def _check_once(path: str, raw: bytes, document: Any, verdicts) -> None:
    """The metaschema check (~75 ms, mostly importing jsonschema), only where it
    can tell something new: never for the shipped schema's exact bytes (the
    test suite checks them), once per process, and not for bytes ``verdicts``
    has seen pass (rows signed with the machine's key: a forged one is no pass)."""
    key = sha256(raw).hexdigest()
    if key in _CHECKED or key == _shipped_digest():
        return
    if verdicts is None or not verdicts.schema_checked(key):
        _check(path, document)
        if verdicts is not None:
            verdicts.remember_schema_checked(key)
    _CHECKED.add(key)


@functools.lru_cache(maxsize=None)
def _shipped_digest() -> str | None:
    try:
        with open(default_schema_path(), "rb") as handle:
            return sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _check(path: str, document: Any) -> None:
    from jsonschema import Draft202012Validator, exceptions, validators

    if not isinstance(document, dict):
        raise SchemaLoadError(f"schema {path} is not a valid JSON Schema: not an object")
    cls = validators.validator_for(document, default=Draft202012Validator)
    try:
        cls.check_schema(document)
    except exceptions.SchemaError as exc:
        raise SchemaLoadError(f"schema {path} is not a valid JSON Schema: {exc.message}") from None
    _check_references(path, document, cls)


def _check_references(path: str, document: dict, cls) -> None:
    """Every `$ref` resolves, each from where it stands (a nested `$id` moves
    its base): one that does not is the schema's defect, found once here
    rather than as an internal error on every record it is met in."""
    from referencing import Registry
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import specification_with

    specification = specification_with(cls.META_SCHEMA.get("$schema", ""), default=None) \
        if isinstance(cls.META_SCHEMA, dict) else None
    if specification is None:
        return
    resource = specification.create_resource(document)
    resolver = Registry().with_resource(resource.id() or "", resource).crawl().resolver(resource.id() or "")
    # Before 2019-09 a `$ref`'s siblings are ignored: what is below them runs
    # only when a reference names it (`definitions` beside a root `$ref`).
    siblings_ignored = cls.META_SCHEMA.get("$schema", "").rstrip("#").endswith(
        ("draft-03/schema", "draft-04/schema", "draft-06/schema", "draft-07/schema"))
    stack = [(resolver, resource)]
    while stack:
        resolver, resource = stack.pop()
        contents = resource.contents
        ref = contents.get("$ref") if isinstance(contents, dict) else None
        if isinstance(ref, str):
            try:
                resolver.lookup(ref)
            except Unresolvable:
                raise SchemaLoadError(f"schema {path}: `$ref` {ref[:200]!r} points to nothing in the schema") from None
            if siblings_ignored:  # only what a reference can still reach: its definitions
                for key in ("definitions", "$defs"):
                    held = contents.get(key)
                    for part in held.values() if isinstance(held, dict) else ():
                        sub = specification.create_resource(part)
                        stack.append((resolver.in_subresource(sub), sub))
                continue
        for sub in resource.subresources():
            stack.append((resolver.in_subresource(sub), sub))


def describe_path(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front matter"


def json_type(value: Any) -> str:
    """The JSON Schema type of a YAML value (a bool is not an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_TYPE_WORDS = {"null": "null", "boolean": "a boolean", "integer": "an integer", "number": "a number",
               "string": "a string", "array": "a list", "object": "a mapping"}


def _type_name(value: Any) -> str:
    return _TYPE_WORDS[json_type(value)]


# YAML 1.1's other booleans (PyYAML, Ruby's Psych: Jekyll), plain text in YAML 1.2.
_YAML11_BOOLEANS = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), "true"),
                    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), "false")}


def _yaml11_hint(value: Any, expected: Any) -> str:
    """For `comments: yes` where a boolean is expected: why the text is not one here."""
    wanted = expected if isinstance(expected, list) else [expected]
    if "boolean" not in wanted or type(value) is not str or value not in _YAML11_BOOLEANS:
        return ""
    return f" (`{value}` is a boolean only in YAML 1.1; YAML 1.2 reads text: write `{_YAML11_BOOLEANS[value]}`)"


_EXPECTED = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "a mapping", "null": "null"}


def _described(schema: dict) -> str:
    text = schema.get("description", "")
    return f": {text}" if text else ""


# What each JSON Schema format means, in words (a format name is jargon).
_FORMAT_WORDS = {
    "uri": "an absolute URI (RFC 3986: ASCII only, spaces and other special characters percent-encoded)",
    "uri-reference": "a URI or relative reference (RFC 3986: ASCII only, special characters percent-encoded)",
    "iri": "an absolute IRI (RFC 3987)",
    "date-time": "an RFC 3339 date and time such as 2021-12-08T16:33:00Z",
    "date": "a date such as 2021-12-08",
    "time": "a time of day with its offset, such as 16:33:00Z",
    "duration": "an ISO 8601 duration such as P3DT4H",
    "email": "an email address",
    "hostname": "a host name such as example.com",
    "ipv4": "an IPv4 address such as 192.0.2.1",
    "ipv6": "an IPv6 address such as 2001:db8::1",
    "uuid": "a UUID such as 123e4567-e89b-12d3-a456-426614174000",
    "regex": "a regular expression",
}


def _format_words(name: Any) -> str:
    return _FORMAT_WORDS.get(name, f"a valid {name}")


def _pattern_message(name: str, value: Any, pattern: Any, own: str, field: str) -> str:
    """A `pattern` failure in words: the description of the schema holding the
    pattern (it says what form is expected), then the field's own; the raw
    pattern only when the schema describes neither, and then last."""
    words = " ".join(dict.fromkeys(text for text in (own, field) if text))
    if words:
        return f"`{name}` does not have the expected form ({value!r}): {words}"
    from contentlint.infer import PATTERN_WORDS  # the patterns `init` writes, which it can word

    if isinstance(pattern, str) and pattern in PATTERN_WORDS:
        return f"`{name}` must be {PATTERN_WORDS[pattern]}, not {value!r}"
    return f"{value!r} does not have the expected form for `{name}` (the schema gives no description, only the pattern `{pattern}`)"


# A suggestion must be this similar (difflib ratio, case folded): close enough
# for typos (titel, publishDateTime, web_url), not for other words (tags/images).
_SUGGEST_CUTOFF = 0.75


def _nearest(key: Any, known) -> str | None:
    """The allowed key the unknown ``key`` most likely misspells, if any:
    difflib.get_close_matches(n=1), pruned first as difflib prunes (its
    quick_ratio bound) but only among the allowed keys that share a
    character, so a record of thousands of unknown keys stays linear."""
    text = str(key).casefold()
    folded, containing, counted = _candidates(known)
    if text in folded:
        return folded[text]
    chars = Counter(text)
    letters = chars.keys()
    best = None
    for candidate in {candidate for c in letters for candidate in containing.get(c, ())}:
        counts = counted[candidate]
        common = sum(min(counts[c], chars[c]) for c in counts.keys() & letters)
        if 2.0 * common / (len(text) + len(candidate)) < _SUGGEST_CUTOFF:  # quick_ratio: ratio can only be lower
            continue
        import difflib  # only for a near miss: a valid record never loads it

        ratio = difflib.SequenceMatcher(None, candidate, text).ratio()
        if ratio >= _SUGGEST_CUTOFF and (best is None or (ratio, candidate) > best):
            best = (ratio, candidate)
    return folded[best[1]] if best else None


@functools.lru_cache(maxsize=64)
def _candidates(known: frozenset) -> tuple[dict, dict, dict]:
    """The allowed keys case folded (to the original); for each character the
    folded keys that contain it; each folded key's character counts."""
    folded = {str(k).casefold(): k for k in sorted(known, key=str)}
    containing: dict[str, list[str]] = {}
    for candidate in folded:
        for c in set(candidate):
            containing.setdefault(c, []).append(candidate)
    return folded, containing, {candidate: Counter(candidate) for candidate in folded}


class _UnknownKey(NamedTuple):
    """A CL104 before its message: the message depends on the file's other unknown keys."""
    path: tuple  # the unknown key's path
    known: frozenset


def _document_order(data: Any, path: tuple, positions: dict) -> tuple:
    """Where ``path`` sits in the file: mappings keep their keys in file order.

    ``positions`` caches each mapping's key -> index, so a mapping with many
    unknown keys costs linear time, not quadratic."""
    order, node = [], data
    for step in path:
        if isinstance(node, dict):
            index = positions.get(id(node))
            if index is None:
                index = positions[id(node)] = {key: i for i, key in enumerate(node)}
            order.append(index.get(step, len(index)))
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            order.append(step)
            node = node[step]
        else:
            order.append(0)
    return tuple(order)


def _unknown_key_errors(unknown: list[_UnknownKey], data: Any) -> list[SchemaError]:
    """CL104s in file order; the first at each kind of mapping lists the allowed keys, later ones only suggest."""
    listed: set[frozenset] = set()
    errors = []
    positions: dict = {}
    for item in sorted(dict.fromkeys(unknown), key=lambda u: _document_order(data, u.path, positions)):
        *parent, key = item.path
        where = f"in `{describe_path(parent)}`" if parent else "at the top level"
        message = f"unknown field `{key}` {where}"
        suggestion = _nearest(key, item.known)
        if suggestion is not None:
            message += f"; did you mean `{suggestion}`?"
        if item.known not in listed:
            listed.add(item.known)
            allowed = ", ".join(sorted(map(str, item.known)))
            tail = f"expected one of: {allowed}" if allowed else "no fields are allowed here"
            message += f" {tail[0].upper()}{tail[1:]}" if suggestion is not None else f"; {tail}"
        elif suggestion is None:
            message += "; no allowed field has a similar name"
        errors.append(SchemaError("CL104", item.path, "key", message))
    return errors


def _matches_any(patterns: list, key: Any) -> bool:
    """Whether a patternProperties pattern admits ``key`` (then it is not unknown)."""
    for pattern in patterns:
        try:
            if isinstance(key, str) and re.search(pattern, key):
                return True
        except (re.error, TypeError):
            continue
    return False


def _closest_branch(error: exceptions.ValidationError) -> exceptions.ValidationError:
    from jsonschema import exceptions

    """The error of the anyOf/oneOf branch that came closest, not a dump of all.

    A branch whose type does not even match the value (`type: null` for a
    string) is the least helpful explanation; among the others, the branch
    with the fewest errors wins, and jsonschema's best_match picks within it.
    """
    branches: dict = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(sub)

    def distance(item):
        errors = item[1]
        wrong_type = any(e.validator == "type" and not e.relative_path for e in errors)
        return (wrong_type, len(errors), item[0])

    _, errors = min(branches.items(), key=distance)
    return exceptions.best_match(errors)


# Keywords that mean the same in draft-07 (what fastjsonschema implements) and
# 2020-12. Anything else (unevaluatedProperties, prefixItems, $dynamicRef,
# dependentRequired, ...) would be silently ignored there, so no fast path.
_DRAFT7_SAME = frozenset("""
$schema $id $defs $comment title description default examples definitions
type enum const properties required additionalProperties patternProperties propertyNames
items minItems maxItems uniqueItems contains minProperties maxProperties
minLength maxLength pattern format minimum maximum exclusiveMinimum exclusiveMaximum
allOf anyOf oneOf not if then else
""".split())
# Not `multipleOf`: fastjsonschema divides floats in decimal, jsonschema in
# binary floating point (and _exact_multiple_of exactly): a record's answer
# would depend on which of them was asked.
_REF_SIBLINGS_OK = frozenset({"$ref", "description", "title", "$comment", "default", "examples"})


def _draft7_subset(schema: Any, parent_key: str = "") -> bool:
    if isinstance(schema, list):
        return all(_draft7_subset(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    if parent_key in ("properties", "patternProperties", "$defs", "definitions"):
        return all(_draft7_subset(sub) for sub in schema.values())  # keys here are names, not keywords
    if "$ref" in schema and not set(schema) <= _REF_SIBLINGS_OK:
        return False  # draft-07 ignores a $ref's siblings; 2020-12 applies them
    if isinstance(schema.get("items"), list):
        return False  # tuple form: prefixItems in 2020-12
    for key, value in schema.items():
        if key == "x-single-line":  # an annotation both drafts ignore (read by CL202 only)
            continue
        if key not in _DRAFT7_SAME and key != "$ref":
            return False
        if key in ("enum", "const", "default", "examples", "required", "type"):
            continue
        if key == "pattern" and (not isinstance(value, str) or _MULTILINE_FLAG.search(value)):
            return False  # `$` under (?m) is not the end of the string: _python_anchors cannot say it
        if not _draft7_subset(value, key):
            return False
    return True


# A strict subset of RFC 3986 absolute URIs (no IP literals, no odd
# authorities): a match is certainly valid, anything else goes to
# rfc3986-validator, which costs ~20x more. A test holds the two to agreement.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PLAIN_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*://"
    r"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*@)?"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::[0-9]*)?"
    rf"(?:/{_PCHAR}*)*(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)


def _formats(document: Any) -> set[str]:
    if isinstance(document, dict):
        found = {document["format"]} if isinstance(document.get("format"), str) else set()
        return found.union(*(_formats(v) for k, v in document.items() if k not in ("enum", "const")))
    if isinstance(document, list):
        return set().union(*(_formats(v) for v in document))
    return set()


def _is_uri(value: Any) -> bool:
    """RFC 3986 `uri`: ASCII only, so an IRI (raw non-ASCII) is not one; CL303
    reports the same URLs (docs/schema.md, "Internationalised URLs")."""
    if not isinstance(value, str) or is_simple_url(value) or _PLAIN_URI.fullmatch(value):
        return True
    return _rfc3986(value, "URI")


def _is_uri_reference(value: Any) -> bool:
    return not isinstance(value, str) or _rfc3986(value, "URI_reference")


def _is_iri(value: Any) -> bool:
    return not isinstance(value, str) or _rfc3986(_iri_as_uri(value), "URI")


def _is_iri_reference(value: Any) -> bool:
    return not isinstance(value, str) or _rfc3986(_iri_as_uri(value), "URI_reference")


def _rfc3986(value: str | None, rule: str) -> bool:
    # Every character class of rfc3986-validator's patterns is ASCII, so a
    # value with any other character is no URI of either rule: answered
    # without its import (~6 ms, in every process that meets an IRI; a test
    # holds the two to agreement).
    if value is None or not value.isascii():
        return False
    from rfc3986_validator import validate_rfc3986  # MIT; rfc3987 is GPL

    return validate_rfc3986(value, rule=rule) is not None


def _iri_as_uri(value: str) -> str | None:
    """The URI an IRI maps to (RFC 3987 section 3.1: its ucschar, and in the
    query its iprivate, characters percent-encoded as UTF-8); None when a
    non-ASCII character is neither, so ``value`` is no IRI."""
    query, fragment = value.find("?"), value.find("#")
    out = []
    for i, ch in enumerate(value):
        if ch.isascii():
            out.append(ch)
            continue
        in_query = 0 <= query < i and (fragment < 0 or i < fragment)
        if not (_ucschar(ord(ch)) or (in_query and _iprivate(ord(ch)))):
            return None
        out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _ucschar(cp: int) -> bool:
    if cp <= 0xFFFF:
        return 0xA0 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF
    # Planes 1-14 less each plane's last two code points and U+E0000-E0FFF.
    return cp <= 0xEFFFD and (cp & 0xFFFF) <= 0xFFFD and not 0xE0000 <= cp <= 0xE0FFF


def _iprivate(cp: int) -> bool:
    return 0xE000 <= cp <= 0xF8FF or 0xF0000 <= cp <= 0xFFFFD or 0x100000 <= cp <= 0x10FFFD


# The common RFC 3339 date-time, proven valid by one regex: every month has
# a 28th and the year 0000 is excluded, so no calendar is needed. Anything
# else goes to rfc3339-validator (a regex, int() of three groups and
# calendar.monthrange: ~3x the cost). A match is always a date-time
# rfc3339-validator accepts; tests hold the two to agreement.
_COMMON_DATETIME = re.compile(
    r"(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])[Tt]"
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])")


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or _COMMON_DATETIME.fullmatch(value) is not None:
        return True
    return bool(_rfc3339()(value.upper()))


@functools.lru_cache(maxsize=None)
def _rfc3339():
    from rfc3339_validator import validate_rfc3339

    return validate_rfc3339


def _is_date(value: Any) -> bool:
    """jsonschema's `date`, as its releases 4.18-4.26 check it: a full-date
    of RFC 3339 that Python's calendar accepts."""
    if not isinstance(value, str):
        return True
    if re.fullmatch(r"^\d{4}-\d{2}-\d{2}$", value, re.ASCII) is None:
        return False
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# Formats whose check is ours, the same whatever the user has installed:
# jsonschema checks `uri` with rfc3987 (GPL) when that is installed, else with
# rfc3986-validator, and `iri` only with rfc3987 or rfc3987-syntax. `date`
# is jsonschema's own check (init writes it): a schema whose formats are all
# here is compiled and explained without importing jsonschema.
_OWN_FORMATS = {
    "uri": _is_uri,
    "uri-reference": _is_uri_reference,
    "iri": _is_iri,
    "iri-reference": _is_iri_reference,
    "date-time": _is_datetime,
    "date": _is_date,
}


def format_checks(document: Any) -> dict:
    """The format functions the compiled validator calls: ours for the URI
    formats and `date-time`, jsonschema's for any other format the schema uses
    (imported only then)."""
    checks = dict(_OWN_FORMATS)
    if _formats(document) - set(checks):
        from jsonschema import Draft202012Validator

        checker = Draft202012Validator.FORMAT_CHECKER
        checks = {name: (lambda value, name=name: checker.conforms(value, name)) for name in checker.checkers}
        checks.update(_OWN_FORMATS)
    return checks


def format_checker(cls):
    """``cls.FORMAT_CHECKER`` with our checks in place of jsonschema's own."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = dict(cls.FORMAT_CHECKER.checkers)
    for name, check in _OWN_FORMATS.items():
        checker.checks(name)(check)
    return checker


def _compile_fast(document: Any) -> Any:
    """A compiled validator that answers "valid?" ~20x faster than jsonschema.

    Only a *valid* answer is trusted; any failure is re-checked and explained
    by jsonschema. The format checks are jsonschema's (see format_checks):
    fastjsonschema's own are laxer. A schema with keywords fastjsonschema
    would ignore gets no fast path. Built in memory (~6-20 ms, once per
    process), except the shipped schema's, generated ahead (_shipped): no
    code is ever written at run time or read from anywhere but the package.
    """
    if not _draft7_subset(document):
        return None
    try:
        formats = format_checks(document)
        return _shipped(document, formats) or _fastjsonschema_compile(document, formats)
    except Exception:  # a schema fastjsonschema cannot compile: jsonschema alone
        return None


SHIPPED_VALIDATOR = os.path.join(os.path.dirname(__file__), "shipped_validator.py")


def _shipped(document: Any, formats: dict) -> Any:
    """The shipped schema's validator from contentlint/shipped_validator.py,
    or None for any other schema, formats or fastjsonschema release: it is
    exactly the code _fastjsonschema_compile would build (a test holds the
    file to shipped_validator_source), minus ~6 ms of every process."""
    import fastjsonschema

    from contentlint import shipped_validator as shipped

    if shipped.VERSION != fastjsonschema.VERSION or shipped.BUILT_FROM != _built_from(document, formats):
        return None
    return functools.update_wrapper(functools.partial(shipped.validate, custom_formats=formats), shipped.validate)


def _built_from(document: Any, formats: dict) -> str:
    """A digest of what a compiled validator is built from: the schema and the format names."""
    text = json.dumps([document, sorted(formats)], sort_keys=True, ensure_ascii=False)
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def shipped_validator_source() -> str:
    """The text of contentlint/shipped_validator.py, generated as
    _fastjsonschema_compile compiles (`python -m contentlint.validation`
    rewrites the file)."""
    import fastjsonschema

    with open(default_schema_path(), "rb") as handle:
        document = json.load(handle)
    formats = format_checks(document)
    generator = _generator(_for_fastjsonschema(document), formats)
    if generator is None:
        code = fastjsonschema.compile_to_code(_for_fastjsonschema(document), formats=formats, detailed_exceptions=False)
    else:  # as compile_to_code writes it, and the table of its `$defs` functions
        code = f'VERSION = "{fastjsonschema.VERSION}"\n' + generator.global_state_code + "\n" + generator.func_code
        code += "\n" + _refs_table(generator.ref_functions)
    return ("# Generated by `python -m contentlint.validation` from the shipped schema: do not edit.\n"
            "# fastjsonschema's validator for it (validation._shipped); tests/test_cold_start.py\n"
            "# fails when this file is out of date.\n"
            "# fmt: off\n"
            "# ruff: noqa\n"
            f"BUILT_FROM = {_built_from(document, formats)!r}\n" + code)


def _refs_table(functions: dict) -> str:
    """``REFS``: each local `$ref`'s function in the shipped module, for the
    explanation's part checks (Schema._part_check). A name two `$ref`s share
    (fastjsonschema folds case) is left out: its function is only one of them."""
    names = Counter(functions.values())
    rows = "".join(f"    {uri!r}: {name},\n" for uri, name in sorted(functions.items())
                   if uri.startswith("#/") and names[name] == 1)
    return "\n# Each local `$ref`'s function (validation.Schema._part_check).\nREFS = {\n" + rows + "}\n"


def _for_fastjsonschema(schema: Any, parent_key: str = "", const: bool = True) -> Any:
    """A copy of a draft-7 subset schema for fastjsonschema: each `const: X`
    written `enum: [X]` (unless not ``const``) and each `pattern` through
    _python_anchors.

    fastjsonschema checks both with the same comparison, so validity is the
    same; its `const` message cannot be built without detailed exceptions.
    """
    if isinstance(schema, list):
        return [_for_fastjsonschema(item, const=const) for item in schema]
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)
    if parent_key in ("properties", "patternProperties", "$defs", "definitions"):
        return {name: _for_fastjsonschema(sub, const=const) for name, sub in schema.items()}  # names, not keywords
    if const and "const" in schema and "enum" in schema:
        raise ValueError("const beside enum")  # rare: compiled with detailed exceptions instead
    out = {}
    for key, value in schema.items():
        if key == "const" and const:
            out["enum"] = [copy.deepcopy(value)]
        elif key == "pattern" and isinstance(value, str):
            out[key] = _python_anchors(value)
        elif key in ("const", "enum", "default", "examples", "required", "type"):
            out[key] = copy.deepcopy(value)  # data, not schemas
        else:
            out[key] = _for_fastjsonschema(value, key, const)
    return out


_MULTILINE_FLAG = re.compile(r"\(\?[a-zA-Z]*m")  # (?m), (?im), (?m:...)


def _python_anchors(pattern: str) -> str:
    """``pattern`` rewritten so that fastjsonschema, which turns every `$` into
    `\\Z` (the very end), matches what jsonschema's `re.search` does: `$`
    also matches before a final newline (`draft` and a block scalar's
    `draft\\n`). So `$` becomes `(?=\\n?\\Z)`, and a `$` in a character
    class, a dollar sign there, `\\x24`."""
    out, i, opened = [], 0, None  # opened: where the character class being read starts
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if opened is not None:
            # A `]` right after `[` or `[^` is a literal, any later one ends the class.
            first = opened + (2 if pattern[opened + 1:opened + 2] == "^" else 1)
            if char == "]" and i > first:
                opened = None
            out.append("\\x24" if char == "$" else char)
        elif char == "[":
            opened = i
            out.append(char)
        else:
            out.append("(?=\\n?\\Z)" if char == "$" else char)
        i += 1
    return "".join(out)


def _fastjsonschema_compile(document: dict, formats: dict) -> Any:
    """fastjsonschema's validator without detailed exceptions: only "valid?" is
    read, and the generated code then holds no copy of the schema in every
    `raise` (~40% of the compile, issue 17's one-file case). Falls back to
    the detailed compile for a schema that cannot be rewritten."""
    import fastjsonschema

    try:
        rewritten = _for_fastjsonschema(document)
    except ValueError:
        return fastjsonschema.compile(_for_fastjsonschema(document, const=False), handlers=NO_RETRIEVAL, formats=formats)
    return fastjsonschema.compile(rewritten, handlers=NO_RETRIEVAL, formats=formats, detailed_exceptions=False)


# fastjsonschema releases whose code generator _QuietRefs was written against
# (it reads and sets its private attributes and rewrites one line it emits);
# under any other the shipped validator is compile_to_code's output.
_QUIET_REFS_RELEASES = frozenset({"2.22.3"})


class _QuietRefs:
    """Mixed into fastjsonschema's code generator: a call to a `$ref`'s
    function passes the caller's name on instead of building the value's own
    (`"data.related[3]"`, a `str.format(**locals())` for every list item,
    about a fifth of checking a valid record), and `required` is tested
    without building a set. Built without detailed exceptions, the shipped
    validator is only asked "valid?": no message is read. It also records
    the name of each function it writes (`ref_functions`, for REFS)."""

    def generate_ref(self):
        name, self._variable_name = self._variable_name, "data"
        try:
            super().generate_ref()
        finally:
            self._variable_name = name

    def generate_validation_function(self, uri, name):
        self.ref_functions[uri] = name  # read by _refs_table
        super().generate_validation_function(uri, name)

    def generate_required(self):
        """`"a" not in data or "b" not in data` instead of building
        `set(["a", "b"]) - data.keys()` for every object (~0.8 us of a
        related entry's ~11 us); the schema checks and the rest of the code are
        fastjsonschema's own."""
        start = len(self._code)
        super().generate_required()
        required, variable = self._definition["required"], self._variable
        if not all(type(key) is str for key in required):
            return  # a key repr() cannot write as a constant: the set, as generated
        emitted = f"{variable}__missing_keys = set({required}) - {variable}.keys()"
        for i in range(start, len(self._code)):
            line = self._code[i]
            if line.lstrip() == emitted:
                missing = " or ".join(f"{key!r} not in {variable}" for key in required) or "False"
                self._code[i] = line[:len(line) - len(emitted)] + f"{variable}__missing_keys = {missing}"


def _generator(document: Any, formats: dict) -> Any:
    """fastjsonschema's code generator for ``document`` (the class its
    compile picks) with _QuietRefs, without detailed exceptions; None on a
    release _QuietRefs was not written against. Only for writing
    shipped_validator.py: the package never execs code (a schema compiled
    at run time goes through fastjsonschema.compile)."""
    import fastjsonschema
    from fastjsonschema.ref_resolver import RefResolver

    if fastjsonschema.VERSION not in _QUIET_REFS_RELEASES:
        return None
    base = fastjsonschema._get_code_generator_class(document)
    resolver = RefResolver.from_schema(document, handlers=NO_RETRIEVAL, store={})
    generator = type(base.__name__, (_QuietRefs, base), {})(
        document, resolver=resolver, formats=formats, detailed_exceptions=False)
    generator.ref_functions = {}  # uri -> name of each function it writes
    return generator


def _exact_multiple_of(keyword):
    """`multipleOf` on the numbers as written, exactly: jsonschema divides by a
    float divisor in binary floating point, where 0.7 is no multiple of 0.1
    (0.7 / 0.1 = 6.9999...), an integer of 400 digits overflows, and infinity
    and NaN raise (never multiples). A float is taken as the decimal it is
    written as (its repr), as fastjsonschema does."""
    from decimal import Decimal
    from fractions import Fraction
    from math import isfinite

    from jsonschema.exceptions import ValidationError

    def exact(number):
        return Fraction(number) if isinstance(number, int) else Fraction(Decimal(repr(number)))

    def multiple_of(validator, divisor, instance, schema):
        if not validator.is_type(instance, "number"):
            return []
        if isinstance(divisor, bool) or not isinstance(divisor, (int, float)) or not isfinite(divisor) or divisor <= 0:
            try:  # a schema the metaschema let through but no number divides
                return list(keyword(validator, divisor, instance, schema))
            except (ArithmeticError, ValueError, TypeError):
                return [ValidationError(f"{instance!r} is not a multiple of {divisor}")]
        finite = isinstance(instance, int) or isfinite(instance)
        if finite and (exact(instance) / exact(divisor)).denominator == 1:
            return []
        return [ValidationError(f"{instance!r} is not a multiple of {divisor}")]

    return multiple_of


def _pointers(document: Any) -> dict:
    """id -> (JSON pointer, object) of every mapping in the schema document.

    The pruned validator meets parts of the document as objects (jsonschema
    hands it the very dicts, $refs resolved); this names them for a compile.
    A nested `$id` changes where `$ref`s resolve: no part pointers then.
    """
    found: dict = {}
    stack = [(document, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            if where and "$id" in node:
                return {}
            found[id(node)] = (where, node)
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, value in items:
            if isinstance(value, (dict, list)):
                step = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((value, f"{where}/{quote(step, safe='')}"))
    return found


def _compile_part(document: dict, pointer: str, formats: dict) -> Any:
    """A compiled validator for one part of the schema (the rest of the
    document stays in reach for its `$ref`s), or None."""
    try:
        return _fastjsonschema_compile({**document, "$ref": "#" + pointer}, formats)
    except Exception:  # a part fastjsonschema cannot compile: jsonschema explains it in full
        return None


def _pruned(cls, accepts):
    """jsonschema's `properties` and `items`, descending only into the parts
    ``accepts(validator, subschema, instance)`` cannot prove error-free: a
    valid related entry costs one compiled call, a valid title a few keyword
    calls, not a jsonschema walk. Errors, and their order, are exactly
    jsonschema's: only error-free descents are skipped."""
    from jsonschema import Draft7Validator, validators

    if cls.VALIDATORS.get("properties") is not Draft7Validator.VALIDATORS["properties"]:
        return cls  # draft 3's `properties` also checks `required`: leave it whole
    original_items = cls.VALIDATORS["items"]

    def properties(validator, properties, instance, schema):
        if not validator.is_type(instance, "object"):
            return
        for name, subschema in properties.items():
            if name in instance and not accepts(validator, subschema, instance[name]):
                yield from validator.descend(instance[name], subschema, path=name, schema_path=name)

    def items(validator, items, instance, schema):
        if not isinstance(items, dict) or "prefixItems" in schema or not validator.is_type(instance, "array"):
            yield from original_items(validator, items, instance, schema)
            return
        for index, item in enumerate(instance):
            if not accepts(validator, items, item):
                yield from validator.descend(item, items, path=index)

    return validators.extend(cls, {"properties": properties, "items": items})


# Keywords whose jsonschema function only looks at the instance (never
# descends, never resolves): a subschema made of these and of keywords
# jsonschema ignores is checked by calling them, as its descent would.
_LEAF_KEYWORDS = frozenset("""
type enum const minLength maxLength pattern format minimum maximum exclusiveMinimum exclusiveMaximum multipleOf
minItems maxItems uniqueItems required minProperties maxProperties
""".split())
# Keys that change how a descent itself is set up (another validator class,
# another base URI): such a subschema always descends.
_SCOPE_KEYS = frozenset({"$schema", "$id", "id"})
_LEAF = object()  # Schema._parts: the part is checked by its keyword functions
_UNSEEN = object()


def _compiled_accepts(check: Any, instance: Any) -> bool:
    if check is None:
        return False
    try:
        check(instance)
        return True
    except Exception:  # fastjsonschema's JsonSchemaException, or anything odd
        return False


def _explain_module():
    from contentlint import explain  # light; only for an invalid record

    return explain


def _is_leaf(part: Any, known) -> bool:
    return part.__class__ is dict and not _SCOPE_KEYS.intersection(part) and all(
        key in _LEAF_KEYWORDS or key not in known for key in part)


def _leaf_accepts(validator, part: dict, instance: Any) -> bool:
    """Whether descending into the leaf-only ``part`` would yield no error:
    the same keyword functions, called on the same instance (the validator's
    type and format checkers are the ones a descent evolves with)."""
    known = validator.VALIDATORS
    try:
        for key, value in part.items():
            check = known.get(key)
            if check is not None:
                for _ in check(validator, value, instance, part) or ():
                    return False
    except Exception:  # an unknown type, a bad pattern: the descent raises or explains it
        return False
    return True


# The size bounds in plain words: (the bound said alone, its words; the general words, the unit).
_SIZE_WORDS = {
    "minLength": (1, "must not be empty", "must be at least", "character"),
    "maxLength": (0, "must be empty", "must be at most", "character"),
    "minItems": (1, "must not be empty", "must have at least", "item"),
    "maxItems": (0, "must be empty", "must have at most", "item"),
}


class Schema:
    def __init__(self, path: str, document: dict):
        self.path = path
        self.document = document
        self._validator = None
        self._parts: dict = {}  # id(part of the document) -> _LEAF, its compiled validator or None
        self._described: dict[tuple, str] = {}  # schema path -> the field's description (bounded by the schema)

    @functools.cached_property
    def fast(self):
        """The compiled validator (built on first need), or None: no fast path."""
        return _compile_fast(self.document)

    @property
    def validator(self):
        """jsonschema's validator with real format checks (built on first need)."""
        if self._validator is None:
            from jsonschema import Draft202012Validator, validators

            cls = validators.validator_for(self.document, default=Draft202012Validator)
            if "multipleOf" in cls.VALIDATORS:
                cls = validators.extend(cls, {"multipleOf": _exact_multiple_of(cls.VALIDATORS["multipleOf"])})
            if self.fast is not None:  # the compiled validator agrees with jsonschema here
                cls = _pruned(cls, self._part_accepts)
            from referencing import Registry  # jsonschema's own dependency

            # An empty registry: by default jsonschema fetches a remote `$ref` with urlopen (with a warning).
            self._validator = cls(self.document, format_checker=format_checker(cls), registry=Registry())
        return self._validator

    @functools.cached_property
    def _part_pointers(self) -> dict:
        return _pointers(self.document)

    @functools.cached_property
    def _format_checks(self) -> dict:
        return format_checks(self.document)

    def _part_accepts(self, validator, part: Any, instance: Any) -> bool:
        """True when ``instance`` is proven valid against ``part`` of the
        schema; False means "let jsonschema descend". A part made of leaf
        keywords (`type`, `minLength`, `format`, ...) is checked by calling
        them; any other part by its compiled validator (built on first
        need, once per part): scalars too, as a URL's `$ref` to `allOf`s and
        `if`s costs jsonschema ~50 us a value."""
        check = self._part(part, validator.VALIDATORS)
        if check is _LEAF:
            return _leaf_accepts(validator, part, instance)
        return _compiled_accepts(check, instance)

    def _walk_accepts(self, part: Any, instance: Any) -> bool:
        """``_part_accepts`` for the walk without jsonschema (explain.Walker)."""
        check = self._part(part, _explain_module().VALIDATOR_KEYWORDS)
        if check is _LEAF:
            return self._walker.leaf_valid(part, instance)
        return _compiled_accepts(check, instance)

    def _part(self, part: Any, known) -> Any:
        """``_part_check``'s answer, once per part. Either walk may ask first:
        each answer only ever proves a part valid, so they share it."""
        key = id(part)
        check = self._parts.get(key, _UNSEEN)
        if check is _UNSEEN:
            check = self._parts[key] = self._part_check(part, known)
        return check

    def _part_check(self, part: Any, known) -> Any:
        """How ``part`` is checked: _LEAF, a compiled validator, or None
        (always descend). Parts are the document's own dicts (kept alive by
        it), so their ids stay theirs. ``known``: the keywords that validate."""
        where, obj = self._part_pointers.get(id(part), (None, None))
        if obj is not part:
            return None
        if _is_leaf(part, known):
            return _LEAF
        if isinstance(part.get("items"), dict) and _is_leaf({k: v for k, v in part.items() if k != "items"}, known):
            # A list whose own keywords are leaves: its descent costs a few
            # us and asks each item; a whole check would stop at the bad
            # item, and the descent would then check the items before it again.
            return None
        return self._shipped_part(part) or _compile_part(self.document, where, self._format_checks)

    def _shipped_part(self, part: dict) -> Any:
        """The shipped module's own function for a part that is a local `$ref`
        with annotations only (a related entry, an image, a URL field): written
        ahead and quiet, where a compile per part costs ~1.3 ms and its code
        builds each list item's name. None when the whole check is not the
        shipped module's (another schema, release or formats)."""
        fast, ref = self.fast, part.get("$ref")
        if getattr(getattr(fast, "func", None), "__module__", None) != "contentlint.shipped_validator" \
                or not isinstance(ref, str) or not _REF_SIBLINGS_OK.issuperset(part):
            return None
        from contentlint import shipped_validator as shipped  # loaded: the whole check is its own

        check = getattr(shipped, "REFS", {}).get(ref) if fast.func is shipped.validate else None
        return None if check is None else functools.partial(check, custom_formats=fast.keywords["custom_formats"])

    def _fast_valid(self, data: Any) -> bool:
        """True when the compiled validator accepts ``data``; False means "ask jsonschema"."""
        if self.fast is None:
            return False
        try:
            self.fast(data)
            return True
        except Exception:  # fastjsonschema's JsonSchemaException, or anything odd
            return False

    def is_valid(self, data: Any) -> bool:
        return self._fast_valid(data) or self.validator.is_valid(data)

    @functools.cached_property
    def _walker(self):
        """jsonschema's errors without jsonschema (contentlint.explain), or
        None for a schema that walk does not cover."""
        explain = _explain_module()
        if not explain.supports(self.document):
            return None
        return explain.Walker(self.document, _OWN_FORMATS, self._walk_accepts if self.fast is not None else None)

    def _iter_errors(self, data: Any):
        """jsonschema's errors for ``data``, in its order: walked without
        importing it where the walk can promise the same errors."""
        walker = self._walker
        if walker is not None:
            try:
                return walker.errors(data)
            except (_explain_module().Unsupported, RecursionError):
                pass
        return self.validator.iter_errors(data)

    def errors(self, data: Any) -> list[SchemaError]:
        try:
            return self._bounded_errors(data)
        except Exception as exc:  # a `$ref` the load-time check could not reach (under an unknown keyword)
            from referencing.exceptions import Unresolvable

            if not isinstance(exc, Unresolvable):
                raise
            ref = str(getattr(exc, "ref", None) or getattr(getattr(exc, "_wrapped", None), "ref", ""))
            ref = "#" + ref if ref.startswith("/") else ref  # the pointer alone, for a local one
            return [SchemaError("CL100", (), "value", f"schema {self.path} has a `$ref` that points to nothing "
                                f"in it ({ref[:200]!r}): the record is not checked against it")]

    def _bounded_errors(self, data: Any) -> list[SchemaError]:
        if not self._patterns:
            return self._errors(data)
        from contentlint import timebox

        try:
            with timebox.bounded(SCHEMA_CHECK_SECONDS):
                return self._errors(data)
        except timebox.Expired:
            return [SchemaError("CL100", (), "value", f"the check against schema {self.path} did not finish in "
                                f"{SCHEMA_CHECK_SECONDS} s: one of its regular expressions backtracks without end "
                                "on a value of this record (as `^(a+)+$` does on `aaaa…a!`); the record is not "
                                "checked against it")]

    @functools.cached_property
    def _patterns(self) -> bool:
        """Whether the schema has regular expressions of its own (`pattern`,
        `patternProperties`), which a check must bound (contentlint.timebox):
        the shipped schema's are ours, and fixed."""
        if self.path == default_schema_path():
            return False
        return any(isinstance(node.get("pattern"), str) or isinstance(node.get("patternProperties"), dict)
                   for node in _schema_objects(self.document))

    def _errors(self, data: Any) -> list[SchemaError]:
        if self._fast_valid(data):
            return []
        found: dict[tuple, SchemaError] = {}  # every error found and explained (none: valid)
        unknown: list[_UnknownKey] = []
        required: set[tuple[int, int]] = set()  # (object, schema) whose missing fields are explained
        for error in self._iter_errors(data):
            if error.validator == "required":  # one error per missing field: the first explains them all
                key = (id(error.instance), id(error.schema))
                if key in required:
                    continue
                required.add(key)
            for explained in self._explain(error):
                if isinstance(explained, _UnknownKey):
                    unknown.append(explained)
                else:
                    found.setdefault((explained.code, explained.path), explained)
        for explained in _unknown_key_errors(unknown, data):
            found.setdefault((explained.code, explained.path), explained)
        return list(found.values())

    def _resolve(self, schema: Any) -> Any:
        """Follow local `$ref`s (`#/$defs/x`) so descriptions can be read."""
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 16:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
                return schema
            target: Any = self.document
            for part in ref[2:].split("/") if ref != "#" else ():
                part = part.replace("~1", "/").replace("~0", "~")
                if isinstance(target, list) and part.isdigit() and int(part) < len(target):
                    target = target[int(part)]
                else:
                    target = target.get(part, {}) if isinstance(target, dict) else {}
            schema, seen = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, seen + 1
        return schema if isinstance(schema, dict) else {}

    def _field_description(self, error: exceptions.ValidationError) -> str:
        """The description of the field an error is about, for the message
        (once per schema path: many errors share one)."""
        where = tuple(error.absolute_schema_path)[:-1]
        if where not in self._described:
            self._described[where] = self._describe(where)
        described = self._described[where]
        return f": {described}" if described else ""

    def _declared(self, error: exceptions.ValidationError, key: str) -> str:
        """The description of ``key`` where the object schema around a
        `required` that does not declare it does (`init`'s keys in any case:
        `"allOf": [{"if": ..., "then": {"required": ["title"]}}]` beside
        `"properties": {"title": ...}`)."""
        where = list(error.absolute_schema_path)[:-1]  # the schema holding `required`
        while where and (where[-1] in ("then", "else", "allOf", "anyOf", "oneOf") or isinstance(where[-1], int)):
            where.pop()
        described = self._describe((*where, "properties", key))
        return f": {described}" if described else ""

    def _describe(self, where: tuple) -> str:
        """Walks the schema path ``where`` from the root (jsonschema leaves
        `$ref` hops out of it, so follow a `$ref` whenever the next step is
        not in the current schema) and keeps the description of the last
        field schema passed (reached through `properties/<name>` or `items`),
        so a shared `$defs` shape or an anyOf branch quotes the field's own
        words."""
        node: Any = self.document
        described = ""
        previous = None
        for step in where:
            hops = 0  # a `$ref` that loops, or leads out of the document, ends the walk
            while isinstance(node, dict) and step not in node and "$ref" in node and hops < 16:
                node, hops = self._resolve({"$ref": node["$ref"]}), hops + 1
            if not isinstance(node, (dict, list)):
                break
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict) and (previous == "properties" or step == "items"):
                described = node.get("description", described)
            previous = step
        return described if isinstance(described, str) else ""

    def _explain(self, error: exceptions.ValidationError) -> list:
        if error.validator in ("anyOf", "oneOf") and error.context:
            return self._explain(_closest_branch(error))
        path = tuple(error.absolute_path)
        name = describe_path(path)
        kind, schema, value = error.validator, error.schema, error.instance
        if kind == "required":
            # jsonschema yields one error per missing field; errors() dedupes.
            props = self._resolve(schema).get("properties", {})
            return [SchemaError("CL101", path + (m,), "parent",
                                f"missing required field `{describe_path(path + (m,))}`"
                                + (_described(self._resolve(props[m])) if m in props else self._declared(error, m)))
                    for m in error.validator_value if isinstance(value, dict) and m not in value]
        description = self._field_description(error)
        if kind == "type":
            expected = error.validator_value
            expected = " or ".join(_EXPECTED.get(t, t) for t in (expected if isinstance(expected, list) else [expected]))
            return [SchemaError("CL102", path, "value",
                                f"`{name}` must be {expected}, not {_type_name(value)}{_yaml11_hint(value, error.validator_value)}"
                                f"{description}")]
        if kind == "format":
            return [SchemaError("CL103", path, "value",
                                f"`{name}` must be {_format_words(error.validator_value)}, not {value!r}{description}")]
        if kind == "additionalProperties" and isinstance(value, dict):
            # As jsonschema: only the keys this very schema names (a `$ref`
            # beside it is another schema: its keys are extra here too).
            known = frozenset(schema.get("properties", {}))
            patterns = list(schema.get("patternProperties", {}))
            return [_UnknownKey(path + (k,), known) for k in value
                    if k not in known and not _matches_any(patterns, k)]
        if kind == "unevaluatedProperties" and isinstance(value, dict):
            return [_UnknownKey(path + (k,), self._declared_keys(schema)) for k in self._unevaluated(value, schema)]
        return [SchemaError("CL100", path, "value", self._generic(error, name, description), kind)]

    def _unevaluated(self, value: dict, schema: dict) -> list:
        """The keys `unevaluatedProperties` rejects, as jsonschema finds them:
        not evaluated by any applicator that holds for ``value`` (`allOf`,
        `$ref`, `if`/`then`, `dependentSchemas`, ...) and, when it is a
        schema, not valid against it."""
        from jsonschema._utils import find_evaluated_property_keys_by_schema  # since jsonschema 4.0

        evaluated = set(find_evaluated_property_keys_by_schema(self.validator, value, schema))
        rest = schema.get("unevaluatedProperties")
        check = None if rest is False else self.validator.evolve(schema=rest)
        return [k for k in value if k not in evaluated and (check is None or not check.is_valid(value[k]))]

    def _declared_keys(self, schema: dict) -> frozenset:
        """Every key ``schema`` names in `properties`, its own or through the
        applicators beside it: what an unknown key is compared with."""
        keys: set = set()
        stack, seen = [schema], 0
        while stack and seen < 256:  # a `$ref` loop ends here
            node, seen = self._resolve(stack.pop()), seen + 1
            if isinstance(node.get("properties"), dict):
                keys.update(node["properties"])
            for key in ("allOf", "anyOf", "oneOf"):
                if isinstance(node.get(key), list):
                    stack.extend(part for part in node[key] if isinstance(part, dict))
            for key in ("if", "then", "else"):
                if isinstance(node.get(key), dict):
                    stack.append(node[key])
            if isinstance(node.get("dependentSchemas"), dict):
                stack.extend(part for part in node["dependentSchemas"].values() if isinstance(part, dict))
        return frozenset(keys)

    @staticmethod
    def _generic(error: exceptions.ValidationError, name: str, description: str) -> str:
        kind, expected, value = error.validator, error.validator_value, error.instance
        if kind in _SIZE_WORDS:  # ours: jsonschema's words differ between its releases
            bound, alone, words, unit = _SIZE_WORDS[kind]
            what = alone if expected == bound else f"{words} {expected} {unit}{'' if expected == 1 else 's'}"
            return f"`{name}` {what}{description}"
        if kind == "pattern":
            own = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
            return _pattern_message(name, value, expected, own if isinstance(own, str) else "",
                                    description.removeprefix(": "))
        if kind == "enum":
            return f"`{name}` must be one of {', '.join(map(repr, expected))}, not {value!r}{description}"
        if kind == "const":
            return f"`{name}` must be {expected!r}, not {value!r}{description}"
        if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            return f"`{name}` {error.message}{description}"
        if kind == "uniqueItems":
            return f"`{name}`: {error.message}{description}"
        return f"`{name}`: {error.message}"


if __name__ == "__main__":  # regenerate contentlint/shipped_validator.py
    with open(SHIPPED_VALIDATOR, "w", encoding="utf-8", newline="\n") as out:
        out.write(shipped_validator_source())
