"""Records' front matter -> a JSON Schema that says what the records agree on.

Pure: data in, schema out, no I/O (`contentlint init` reads and writes). One
tolerance drives every "nearly all": a kind of n records may hold n // 50
records that disagree with the rest (2%, so none below 50 records) and the
rule still holds; those records are the outliers `init` lists. The thresholds
are properties of the data's shape, never of one repository (docs/init.md).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from contentlint.spelling import one_edit
from contentlint.validation import json_type

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A note to the team, not a description: messages quote a field's description,
# so a placeholder there would reach every finding until someone replaced it.
DESCRIPTION_TODO = 'TODO: add a "description" of this field; contentlint quotes it in its messages'

# Enums: a small closed set, seen often enough to be a vocabulary, of short values.
ENUM_MIN_VALUES = 20
ENUM_MAX_DISTINCT = 10
ENUM_MIN_SUPPORT = 3
ENUM_MAX_LENGTH = 40
# Below this many records a key seen once is no evidence of a typo.
TYPO_MIN_RECORDS = 10
# A resource bound, not a tuning: comparing every rare key with every common
# one is quadratic; past this many pairs (only hostile front matter has tens
# of thousands of keys) no key is taken as a typo.
TYPO_MAX_PAIRS = 1_000_000
# Likewise a resource bound: a validator tries every pattern on every key, so
# a mapping with more distinct keys than this (hostile front matter) keeps
# its keys case-sensitive instead of getting one pattern per key.
ANY_CASE_MAX_KEYS = 1_000

_TYPE_ORDER = ("string", "integer", "number", "boolean", "array", "object", "null")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
# A date-time as sites write it outside RFC 3339 (Jekyll: `2016-10-06 11:10:38 -0700`).
# Inference takes the shape; the pattern written also rejects impossible
# months, days and times (2016-02-30, 13:61), as `format: date` does. A
# pattern cannot know leap years: 02-29 passes in every year.
# The offset may give hours alone (`+02`, ISO 8601's `±hh`).
_LOOSE_SHAPE = r"\d{4}-\d{2}-\d{2}[ Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:[Zz]|[+-]\d{2}(?::?\d{2})?))?"
_MONTH_DAY = r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2\d))"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d+)?)?"
_OFFSET = r"(?: ?(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?))?"
LOOSE_DATETIME = r"^\d{4}-" + _MONTH_DAY + r"[ Tt]" + _TIME + _OFFSET + "$"
# A date alone, or a date and time as above: Jekyll and Hugo read a bare
# date as that day, so a record that gives no time is no defect.
DATE_OR_DATETIME = r"^\d{4}-" + _MONTH_DAY + r"(?:[ Tt]" + _TIME + _OFFSET + ")?$"
# What those patterns ask, in words (a finding quotes them, not the pattern),
# with the patterns earlier releases of `init` wrote (offsets of hours and minutes).
_OLD_OFFSET = r"(?: ?(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d))?"
_DATETIME_WORDS = ("a date and time such as `2016-10-06 11:10:38 -0700` or `2021-12-08T16:33:00Z` "
                   "(a real date and time; seconds and the offset are optional)")
_DATE_WORDS = "a date such as `2016-10-06`, or a date and time such as `2016-10-06 11:10:38 -0700`"
PATTERN_WORDS = {
    LOOSE_DATETIME: _DATETIME_WORDS, DATE_OR_DATETIME: _DATE_WORDS,
    r"^\d{4}-" + _MONTH_DAY + r"[ Tt]" + _TIME + _OLD_OFFSET + "$": _DATETIME_WORDS,
    r"^\d{4}-" + _MONTH_DAY + r"(?:[ Tt]" + _TIME + _OLD_OFFSET + ")?$": _DATE_WORDS,
}
_LOOSE_DATETIME = re.compile(_LOOSE_SHAPE)
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*")
_SITE_PATH = re.compile(r"/(?!/)[^\s]*")


def tolerance(n: int) -> int:
    """How many of n values may disagree with a rule that still holds."""
    return n // 50




def infer_schema(records: list[dict], title: str = "", description: str = "", any_case: bool = False) -> dict:
    """The schema of a kind: an object schema with a dialect, title and description.

    ``any_case``: the site's generator reads keys in any case (Hugo), so
    `linktitle` is `linkTitle`: spellings that differ only in case are one
    key, declared as its most common spelling, and a closed mapping also
    accepts the key's other casings (`patternProperties` to the same schema)."""
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT}
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    schema.update(infer_values(records, any_case=any_case))
    return schema


def infer_values(values: list, required: bool = True, any_case: bool = False, pointer: str = "",
                 listed: bool = False) -> dict:
    """The schema of one field from every value it has across the records.

    ``required``: the field is in nearly all records, so keys inside it may
    be required too. Inside an optional mapping nothing is required: the
    records that have it may use it in different ways. ``pointer``: where the
    schema sits in the kind's schema (JSON Pointer), for `$ref`s to it.
    ``listed``: the values are a list's items (`tags`, `authors`,
    `categories`): labels that grow with the site, never an enum."""
    counts = Counter(json_type(v) for v in values)
    if "number" in counts and "integer" in counts:  # 1 and 1.5: both numbers
        counts["number"] += counts.pop("integer")
    kept = _common(counts, len(values)) if len(counts) > 1 else set(counts)
    kept |= _one_or_many(values, counts, kept)
    types = [t for t in _TYPE_ORDER if t in kept]
    schema: dict[str, Any] = {}
    if types:
        schema["type"] = types[0] if len(types) == 1 else types
    of = {t: [v for v in values if json_type(v) == t or (t == "number" and json_type(v) == "integer")] for t in types}
    if "string" in of:  # a value or a list of them (`categories`) is a label that grows: no enum
        schema.update(_strings(of["string"], enum=not listed and "array" not in of))
    if "array" in of:
        schema.update(_arrays(of["array"], required, any_case, pointer))
    if "object" in of:
        schema.update(_objects(of["object"], required, any_case, pointer))
    return schema


def _one_or_many(values: list, counts: Counter, kept: set) -> set:
    """A value or a list of such values, however rare the other form: MDN's
    `browser-compat: api.X` or a list of them, Jekyll's `categories: news`
    or `[news, tech]`. The rare form is kept when each list holds only
    items of the scalar's type."""
    arrays = [v for v in values if isinstance(v, list)]
    items = {_number_as_one(json_type(item)) for a in arrays for item in a}
    scalars = {_number_as_one(t) for t in counts if t not in ("array", "object", "null")}
    if not arrays or len(items) != 1 or not items <= scalars or not all(arrays):
        return set()
    scalar = next(iter(items))
    same = {t for t in counts if _number_as_one(t) == scalar}
    if "array" in kept and not same & kept:
        return same  # lists mostly, a single value sometimes
    if same & kept and "array" not in kept:
        return {"array"}  # a value mostly, a list sometimes
    return set()


def _common(counts: Counter, n: int) -> set:
    """The values seen more often than the tolerance (the rest are outliers)."""
    return {value for value, count in counts.items() if count > tolerance(n)}


def _strings(values: list[str], enum: bool = True) -> dict:
    schema: dict[str, Any] = {}
    allowed = tolerance(len(values))
    if sum(1 for v in values if v == "") <= allowed:
        schema["minLength"] = 1
    if sum(1 for v in values if "\n" in v or "\r" in v) > allowed:
        schema["x-single-line"] = False  # line breaks are the field's convention (a summary, a body): CL202 keeps them
    for keyword, value, matches in _FORMATS:
        misses = [v for v in values if not matches(v)]
        if len(misses) <= allowed:
            if value in ("date-time", LOOSE_DATETIME) and any(_is_date(v) for v in misses):
                keyword, value = "pattern", DATE_OR_DATETIME  # a date without a time among date-times: no defect
            elif value in _IRI_OF and sum(1 for v in values if not v.isascii() and matches(v)) > allowed:
                value = _IRI_OF[value]  # raw non-ASCII addresses are the site's convention, not outliers
            schema[keyword] = value
            break
    vocabulary = _enum(values) if enum else None
    if vocabulary:
        schema["enum"] = vocabulary
    return schema


def _is_date(value: str) -> bool:
    """The shape of a date: an impossible one (2023-02-30) is still a date field's outlier."""
    return _DATE.fullmatch(value) is not None


_FORMATS = (
    ("format", "date", _is_date),
    ("format", "date-time", lambda v: _RFC3339.fullmatch(v) is not None),
    ("pattern", LOOSE_DATETIME, lambda v: _LOOSE_DATETIME.fullmatch(v) is not None),
    ("pattern", DATE_OR_DATETIME, lambda v: _is_date(v) or _LOOSE_DATETIME.fullmatch(v) is not None),
    ("format", "uri", lambda v: _URL.fullmatch(v) is not None),
    ("format", "uri-reference", lambda v: _SITE_PATH.fullmatch(v) is not None),
)


# Addresses written with raw non-ASCII characters (`/été-à-paris/`, an IDN
# host) in more records than the tolerance: the IRI form of the format.
_IRI_OF = {"uri": "iri", "uri-reference": "iri-reference"}


def _enum(values: list[str]) -> list[str] | None:
    """A closed vocabulary: a choice among few short one-line values, each seen
    often (one value everywhere is a convention, not a choice)."""
    if len(values) < ENUM_MIN_VALUES:
        return None
    counts = Counter(values)
    if not 2 <= len(counts) <= ENUM_MAX_DISTINCT or min(counts.values()) < ENUM_MIN_SUPPORT:
        return None
    if any(len(v) > ENUM_MAX_LENGTH or "\n" in v or not v.strip() for v in counts):
        return None
    return sorted(counts)


def _arrays(arrays: list[list], required: bool, any_case: bool, pointer: str) -> dict:
    schema: dict[str, Any] = {}
    if sum(1 for a in arrays if not a) <= tolerance(len(arrays)):
        schema["minItems"] = 1
    items = [item for a in arrays for item in a]
    if items:
        schema["items"] = infer_values(items, required, any_case, pointer + "/items", listed=True)
    return schema


def _objects(objects: list[dict], required_here: bool, any_case: bool, pointer: str) -> dict:
    """Keys, required keys, and a closed key set where the records agree.

    Every key seen is allowed, except a key seen in one record only that is a
    near-spelling of a key other records use: a typo, reported as an outlier.
    A mapping is closed (`additionalProperties: false`) when some key is
    shared by most of its occurrences: a record shape, not a free-form bag.
    """
    n = len(objects)
    spellings = Counter(key for obj in objects for key in obj) if any_case else Counter()
    any_case = any_case and len(spellings) <= ANY_CASE_MAX_KEYS
    if any_case:
        spelling = _usual_spellings(spellings)
        objects = [{spelling[key]: value for key, value in obj.items()} for obj in objects]
    counts = Counter(key for obj in objects for key in obj)
    typos = _typos(objects, counts, n)
    keys = sorted(k for k in counts if k not in typos)
    required = [k for k in keys if required_here and n - counts[k] <= tolerance(n)]
    properties = {}
    for key in keys:
        field = {"$comment": DESCRIPTION_TODO}
        field.update(infer_values([obj[key] for obj in objects if key in obj], key in required, any_case,
                                  f"{pointer}/properties/{_pointer_token(key)}"))
        properties[key] = field
    schema: dict[str, Any] = {"properties": properties}
    # Any case: a required key written in another case is there (`Title:` is
    # `title`), so it is required only when no other casing of it is present.
    casings = {key: _other_casings(key) for key in required} if any_case else {}
    if any(casings.values()):
        schema["allOf"] = [{"if": {"propertyNames": {"not": {"pattern": casings[key]}}}, "then": {"required": [key]}}
                           for key in required if casings[key]]
    required = [key for key in required if not casings.get(key)]
    if required:
        schema["required"] = required
    if n >= 2 and any(counts[k] * 2 > n for k in keys):
        schema["additionalProperties"] = False
        if any_case:
            other_casings = {_other_casings(key): {"$ref": f"#{pointer}/properties/{_pointer_token(key)}"}
                             for key in keys if _other_casings(key)}
            if other_casings:
                schema["patternProperties"] = other_casings
    return schema


def _usual_spellings(counts: Counter) -> dict[str, str]:
    """Each key -> the most common spelling of the keys equal to it but for
    case (ties: the first in code-point order)."""
    best: dict[str, str] = {}
    for key in sorted(counts):
        folded = key.lower()
        if folded not in best or counts[key] > counts[best[folded]]:
            best[folded] = key
    return {key: best[key.lower()] for key in counts}


def _other_casings(key: str) -> str | None:
    """A pattern (ECMA-262 and Python alike) for ``key`` in any case but its
    own: `^(?!linkTitle$)[lL][iI]...$(?!\\n)`; None when case cannot change it.
    `(?!\\n)`: Python's `$` also matches before a final newline, and
    `"Title\\n"` is not a casing of `title`."""
    parts, cased = [], False
    for char in key:
        lower, upper = char.lower(), char.upper()
        if lower != upper and len(lower) == len(upper) == 1:
            parts.append(f"[{_literal(lower)}{_literal(upper)}]")
            cased = True
        else:
            parts.append(_literal(char))
    own = "".join(_literal(char) for char in key)
    return f"^(?!{own}$){''.join(parts)}$(?!\\n)" if cased else None


def _literal(char: str) -> str:
    return "\\" + char if char in "\\^$.|?*+()[]{}/" else char


def _pointer_token(key: str) -> str:
    """A key as a JSON Pointer token inside a URI fragment (RFC 6901, RFC 3986)."""
    from urllib.parse import quote

    return quote(key.replace("~", "~0").replace("/", "~1"), safe="~!$&'()*+,;=:@")


def _typos(objects: list[dict], counts: Counter, n: int) -> set[str]:
    """Keys seen once that are a near-spelling of a common key whose values
    have the same JSON type: a typo keeps the value's shape, while Hugo's
    `authors: [..]` beside `author: ".."` are two fields."""
    if n < TYPO_MIN_RECORDS:
        return set()
    common = [k for k, c in counts.items() if c >= 2]
    rare = [k for k, c in counts.items() if c == 1]
    if len(rare) * len(common) > TYPO_MAX_PAIRS:
        return set()
    near = {k: [other for other in common if near_spelling(k, other) and not _aliases(k, other)] for k in rare}
    near = {k: others for k, others in near.items() if others}
    if not near:
        return set()
    types: dict[str, set[str]] = {}
    for obj in objects:
        for key, value in obj.items():
            types.setdefault(key, set()).add(_number_as_one(json_type(value)))
    # A null (`descripton:` left empty) has no shape: it agrees with any.
    return {k for k, others in near.items()
            if any(types[k] & types[other] or "null" in types[k] for other in others)}


# Key spellings site generators read as one field: MyST's FRONTMATTER_ALIASES
# (jupyter-book/mystmd, packages/myst-frontmatter/src/site/types.ts) and
# Jekyll's singular `tag`/`category` beside `tags`/`categories`. One record
# using the other spelling is no typo there.
_ALIASES = {
    "author": "authors", "reviewer": "reviewers", "editor": "editors", "contributor": "contributors",
    "affiliation": "affiliations", "export": "exports", "download": "downloads", "part": "parts",
    "acknowledgements": "acknowledgments", "acknowledgment": "acknowledgments",
    "acknowledgement": "acknowledgments", "identifier": "identifiers", "socials": "social",
    "keyPoints": "keypoints", "key_points": "keypoints", "key-points": "keypoints",
    "dataAvailability": "data_availability", "data-availability": "data_availability",
    "tag": "tags", "category": "categories",
}


def _aliases(a: str, b: str) -> bool:
    return _ALIASES.get(a) == b or _ALIASES.get(b) == a or _ALIASES.get(a, a) == _ALIASES.get(b, b)


def _number_as_one(type_name: str) -> str:
    return "number" if type_name == "integer" else type_name


def _folded(key: str) -> str:
    return key.casefold().replace("_", "").replace("-", "")


def near_spelling(a: str, b: str) -> bool:
    """Same key but for case or `_`/`-`, or one edit apart (both 5+ characters)."""
    if a == b:
        return False
    if _folded(a) == _folded(b):
        return True
    return min(len(a), len(b)) >= 5 and one_edit(a, b)

