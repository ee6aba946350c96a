"""The compiled fast path answers "valid?" exactly as jsonschema does, or is not used."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contentlint import explain
from contentlint.document import load
from contentlint.validation import Schema, load_schema
from tests.conftest import CORPUS, findings


def test_shipped_schema_has_a_fast_path_that_checks_formats():
    schema = load_schema(None)
    assert schema.fast is not None
    base = {"category": "news", "title": "T", "excerpt": "", "publishedDateTime": "2021-12-08T16:33:00Z",
            "type": "video", "originalUrl": "https://example.com/v", "provider": {"name": "N", "domain": "n.com"},
            "topics": ["AI"], "secured": "x"}
    assert schema.is_valid(base) and schema.validator.is_valid(base)
    for bad in ("2021-13-45T00:00:00Z", "2021-02-30T00:00:00Z", "yesterday"):
        record = {**base, "publishedDateTime": bad}
        assert not schema.is_valid(record) and not schema.validator.is_valid(record), bad
    record = {**base, "originalUrl": "https://example.com/pokémon"}
    assert not schema.is_valid(record) and not schema.validator.is_valid(record)


def test_keywords_the_fast_validator_would_ignore_disable_it(write, capsys):
    # unevaluatedProperties does not exist in draft-07: a compiled draft-07
    # validator would call this document valid.
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "properties": {"a": {"type": "integer"}}, "unevaluatedProperties": False}
    path = write("s.json", json.dumps(schema))
    assert load_schema(str(path)).fast is None
    record = write("a.md", "---\na: 1\nb: 2\n---\n")
    assert findings([record], capsys, "--schema", path, "--select", "CL1") == [("CL104", 3, 1)]


def test_ref_with_siblings_disables_it(write):
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$defs": {"s": {"type": "string"}},
              "properties": {"a": {"$ref": "#/$defs/s", "minLength": 3}}}
    assert load_schema(str(write("s.json", json.dumps(schema)))).fast is None


def test_plain_uri_shortcut_agrees_with_rfc3986():
    from contentlint.validation import _PLAIN_URI, _rfc3986

    samples = [
        "https://www.example.com/a/b-c_d.e~f?x=1&y=(2)*3;z=4#frag", "http://u:p@example.com:8080/%20ok",
        "https://a.b", "https://example.com/a b", "https://example.com/%zz", "https://example.com/a[1]",
        "https://example.com/é", "http://a:b:c/", "https://[::1]/", "https://example.com/a#b#c",
        "https://example.com/?q=a|b", "mailto:x@example.com", "https://example.com/a\u2028b",
    ]
    if CORPUS.is_dir():
        import re

        for path in sorted(CORPUS.rglob("*.md"))[:400]:
            samples += re.findall(r'(?:Url|url): "([^"]*)"', path.read_text(encoding="utf-8"))
    for value in samples:
        if _PLAIN_URI.fullmatch(value):
            assert _rfc3986(value, "URI"), value
    assert sum(1 for v in samples if _PLAIN_URI.fullmatch(v)) >= 3


def test_uri_formats_are_ours_whatever_is_installed():
    # jsonschema checks `uri` with rfc3987 when that happens to be installed
    # and `iri` only then (or with rfc3987-syntax): both validators of a
    # schema use our checks instead.
    from jsonschema import Draft7Validator, Draft202012Validator

    from contentlint import validation

    for name, check in validation._OWN_FORMATS.items():
        for cls in (Draft7Validator, Draft202012Validator):
            assert validation.format_checker(cls).checkers[name][0] is check, name
        assert validation.format_checks({"format": name})[name] is check, name
        assert validation.format_checks({"format": "email"})[name] is check, name
    assert load_schema(None).validator.format_checker.checkers["uri"][0] is validation._is_uri


@pytest.mark.parametrize("value, uri, uri_reference, iri, iri_reference", [
    ("https://example.com/a?b#c", True, True, True, True),
    ("https://[::1]/", True, True, True, True),
    ("/a/b?c", False, True, False, True),
    ("https://example.com/pokémon", False, False, True, True),
    ("/pokémon", False, False, False, True),
    ("https://example.com/?\ue000", False, False, True, True),  # iprivate: only in a query
    ("https://example.com/\ue000", False, False, False, False),
    ("https://example.com/#\ue000", False, False, False, False),
    ("https://example.com/\ufffe", False, False, False, False),  # a noncharacter
    ("https://example.com/\U0001F600", False, False, True, True),
    ("https://example.com/\U000E0001", False, False, False, False),  # a tag character
    ("https://example.com/a b", False, False, False, False),
    ("https://example.com/%zz", False, False, False, False),
    ("not a uri", False, False, False, False),  # a space is never allowed
    ("no-scheme", False, True, False, True),  # a relative reference
    (5, True, True, True, True),  # formats apply to strings only
])
def test_uri_and_iri_formats(value, uri, uri_reference, iri, iri_reference):
    from contentlint.validation import _OWN_FORMATS

    got = tuple(_OWN_FORMATS[name](value) for name in ("uri", "uri-reference", "iri", "iri-reference"))
    assert got == (uri, uri_reference, iri, iri_reference)


# -- explaining: jsonschema walks only the parts the compiled validator rejects --

CRAFTED = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "sections"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "when": {"type": "string", "format": "date-time"},
        "link": {"$ref": "#/$defs/link"},
        "sections": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["title", "rows"], "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "minLength": 1},
                "rows": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/$defs/cell"}}},
                "owner": {"oneOf": [{"$ref": "#/$defs/person"}, {"type": "string", "pattern": "^@"}]},
            }}},
        "meta": {"type": "object", "additionalProperties": False, "patternProperties": {"^x-": {"type": "string"}},
                 "properties": {"tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}}},
        "choice": {"anyOf": [
            {"type": "null"},
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 0}}},
            {"type": "array", "items": {"type": "object", "required": ["b"]}},
        ]},
        "we/ird~key%41": {"type": "object", "required": ["z"], "properties": {"z": {"const": 1}}},
    },
    "allOf": [{"if": {"properties": {"link": {"required": ["rel"]}}, "required": ["link"]},
               "then": {"required": ["when"]}}],
    "$defs": {
        "link": {"type": "object", "required": ["href"], "additionalProperties": False,
                 "properties": {"href": {"type": "string", "format": "uri"}, "rel": {"enum": ["next", "prev"]}}},
        "cell": {"anyOf": [{"type": "integer"}, {
            "type": "object", "required": ["v"],
            "properties": {"v": {"type": "string", "maxLength": 3}, "link": {"$ref": "#/$defs/link"}}}]},
        "person": {"type": "object", "required": ["name", "email"], "additionalProperties": False,
                   "properties": {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}}},
    },
}

CRAFTED_VALID = {
    "id": "123e4567-e89b-12d3-a456-426614174000", "when": "2021-12-08T16:33:00Z",
    "link": {"href": "https://example.com/a", "rel": "next"},
    "sections": [{"title": "S", "rows": [[1, {"v": "ab", "link": {"href": "https://e.com/"}}], []],
                  "owner": {"name": "N", "email": "n@example.com"}},
                 {"title": "T", "rows": [], "owner": "@n"}],
    "meta": {"tags": ["a", "b"], "x-note": "n"}, "choice": [{"b": 1}], "we/ird~key%41": {"z": 1},
}


def _crafted(change) -> dict:
    record = copy.deepcopy(CRAFTED_VALID)
    change(record)
    return record


CRAFTED_INVALID = {
    "nested array cell": lambda r: r["sections"][0]["rows"][0].append({"v": "long"}),
    "nested array cell link": lambda r: r["sections"][0]["rows"][1].append({"v": "a", "link": {"href": "no uri"}}),
    "oneOf: person without email": lambda r: r["sections"][0].update(owner={"name": "N"}),
    "oneOf: neither branch": lambda r: r["sections"][1].update(owner="n"),
    "anyOf: no branch": lambda r: r.update(choice={"a": -1}),
    "anyOf: array branch at depth": lambda r: r.update(choice=[{"b": 1}, {"c": 2}]),
    "additionalProperties at depth": lambda r: r["sections"][1].update(titel="T"),
    "additionalProperties beside patternProperties": lambda r: r["meta"].update(note="n"),
    "required at depth": lambda r: r["sections"][0].pop("rows"),
    "required through $ref": lambda r: r["link"].pop("href"),
    "format uri": lambda r: r["link"].update(href="https://example.com/pokémon"),
    "format email at depth": lambda r: r["sections"][0]["owner"].update(email="nobody"),
    "format uuid": lambda r: r.update(id="not-a-uuid"),
    "format date-time": lambda r: r.update(when="2021-13-45T00:00:00Z"),
    "if/then": lambda r: r.pop("when"),
    "uniqueItems": lambda r: r["meta"].update(tags=["a", "a"]),
    "escaped property name": lambda r: r.update({"we/ird~key%41": {"z": 2}}),
    "wrong types everywhere": lambda r: r.update(sections={"a": 1}, meta=[], link="x"),
    "many defects": lambda r: (r["sections"].extend([{"title": ""}, {"rows": [[None]]}]), r.pop("id")),
}


# The two walks that explain a record: contentlint.explain's (the default
# for the shipped schema) and jsonschema's own (for any schema it does not cover).
WALKS = ["explain", "jsonschema"]


def _full(schema: Schema) -> Schema:
    """The same schema explained by jsonschema alone: no compiled validator
    anywhere, no walk of contentlint.explain."""
    full = Schema(schema.path, schema.document)
    full.fast = None
    full._walker = None
    return full


def _stream(validator, data) -> list:
    """Every jsonschema error, in order, with its anyOf/oneOf context."""
    def flat(e):
        return tuple(e.absolute_path), tuple(e.absolute_schema_path), e.message, tuple(map(flat, e.context))
    return [flat(e) for e in validator.iter_errors(data)]


def _assert_same(schema: Schema, full: Schema, data, where) -> None:
    assert schema.errors(data) == full.errors(data), where
    assert _stream(schema.validator, data) == _stream(full.validator, data), where
    assert schema.is_valid(data) is full.validator.is_valid(data), where


@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "crafted.json"
    path.write_text(json.dumps(CRAFTED), encoding="utf-8")
    schema = load_schema(str(path))
    assert schema.fast is not None
    return schema, _full(schema)


@pytest.mark.parametrize("name", CRAFTED_INVALID)
def test_pruned_explanation_equals_jsonschema_on_crafted_records(crafted, name):
    schema, full = crafted
    record = _crafted(CRAFTED_INVALID[name])
    assert full.errors(record), name  # each one really is invalid
    _assert_same(schema, full, record, name)


def test_crafted_valid_record_is_valid(crafted):
    schema, full = crafted
    assert schema.errors(CRAFTED_VALID) == full.errors(CRAFTED_VALID) == []


_json = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "@a", "ab", "long", "x"]),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["v", "z", "b", "a", "href", "rel", "title", "rows", "x-y"]), inner, max_size=3),
                     max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["sections", "choice", "meta", "link", "cell", "owner"]), _json), max_size=3))
def test_pruned_explanation_equals_jsonschema_on_random_parts(crafted, changes):
    schema, full = crafted
    record = copy.deepcopy(CRAFTED_VALID)
    for field, value in sorted(changes, key=lambda c: c[0] not in ("cell", "owner")):  # inside sections first
        if field == "cell":
            record["sections"][0]["rows"][0].append(value)
        elif field == "owner":
            record["sections"][0]["owner"] = value
        else:
            record[field] = value
    _assert_same(schema, full, record, changes)


def test_pruned_explanation_equals_jsonschema_on_the_contract_defects():
    from tests.test_schema_contract import DEFECTS, video

    schema = load_schema(None)
    full = _full(schema)
    for name, (change, _) in DEFECTS.items():
        record = video()
        change(record)
        _assert_same(schema, full, record, name)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_pruned_explanation_equals_jsonschema_on_every_corpus_record():
    schema = load_schema(None)
    full = _full(schema)
    invalid = 0
    for path in sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md"):
        data = load(str(path), path.read_bytes()).data
        _assert_same(schema, full, data, path)
        invalid += not schema.is_valid(data)
    assert invalid == 106  # tests/test_schema_contract.py: CORPUS_FILES_WITH_ERRORS


@pytest.mark.parametrize("walk", WALKS)
def test_the_walk_descends_only_into_the_failing_related_entry(monkeypatch, walk):
    """The cost of explaining is the defect's, not the record's: with 40 valid
    related entries and one invalid one, the walk descends into the invalid one only."""
    from tests.test_schema_contract import video

    schema = Schema("article.schema.json", load_schema(None).document)
    record = video()
    entry = record["related"][0]
    record["related"] = [copy.deepcopy(entry) for _ in range(41)]
    record["related"][7]["publishedDateTime"] = "2021-12-08T16:33:00"  # no offset
    seen = _descents(monkeypatch, schema, walk)
    errors = schema.errors(record)
    assert [(e.code, e.path) for e in errors] == [("CL103", ("related", 7, "publishedDateTime"))]
    entries = {i for _, instance in seen for i, item in enumerate(record["related"]) if instance is item}
    assert entries == {7}


CONST_SCHEMAS = [
    {"type": "object", "properties": {"kind": {"const": "article"}, "n": {"const": 1}}},
    {"properties": {"const": {"const": [1, {"a": None}]}}},  # a field named `const`, a structured value
    {"properties": {"kind": {"const": "a", "enum": ["a", "b"]}}},  # const beside enum: the detailed compile
    {"anyOf": [{"properties": {"t": {"const": True}}}, {"properties": {"t": {"const": 0}}}]},
]
CONST_RECORDS = [{}, {"kind": "article"}, {"kind": "video"}, {"kind": "a"}, {"kind": "b"}, {"n": 1}, {"n": 1.0},
                 {"n": True}, {"const": [1, {"a": None}]}, {"const": [1, {"a": 0}]}, {"const": "const"},
                 {"t": True}, {"t": 1}, {"t": 0}, {"t": False}, {"t": 0.0}]


@pytest.mark.parametrize("document", CONST_SCHEMAS)
def test_const_written_as_enum_keeps_the_fast_answer_jsonschemas(document):
    # The compiled validator is built without detailed exceptions, `const`
    # rewritten as a one-value `enum`: the answer must stay jsonschema's,
    # booleans against numbers included.
    schema = Schema("s.json", {"$schema": "http://json-schema.org/draft-07/schema#", **document})
    assert schema.fast is not None
    for record in CONST_RECORDS:
        assert schema._fast_valid(record) == schema.validator.is_valid(record), record


def test_shipped_schema_compiles_without_detailed_exceptions():
    # Detailed exceptions embed a copy of the schema in every `raise` of the
    # generated code (~40% of the compile a one-file run pays): off, a
    # rejection carries no definition.
    from fastjsonschema import JsonSchemaValueException

    schema = load_schema(None)
    with pytest.raises(JsonSchemaValueException) as raised:
        schema.fast({"type": "podcast"})
    assert raised.value.definition is None


def _descents(monkeypatch, schema: Schema, walk: str) -> list:
    """Every (path step, instance) the walk descends into while explaining
    (a property or an item its compiled part could not prove valid)."""
    seen = []
    if walk == "explain":
        descend = explain.Walker._descend

        def walking(self, instance, subschema, path, schema_path):
            walked = descend(self, instance, subschema, path, schema_path)
            if walked != ():  # () when the part proved it valid
                seen.append((path[-1], instance))
            return walked

        monkeypatch.setattr(explain.Walker, "_descend", walking)
        return seen
    schema._walker = None
    cls = type(schema.validator)
    descend = cls.descend

    def recording(self, instance, subschema, path=None, *args, **kwargs):
        if path is not None:
            seen.append((path, instance))
        return descend(self, instance, subschema, path, *args, **kwargs)

    monkeypatch.setattr(cls, "descend", recording)
    return seen


def _one_bad_related_entry() -> dict:
    from tests.test_schema_contract import video

    record = video()
    record.update(title="A title", webUrl="https://example.com/a%20b?c=d", quality=3)
    record["related"] = [copy.deepcopy(record["related"][0]) for _ in range(41)]
    record["related"][7]["publishedDateTime"] = "2021-12-08T16:33:00"  # no offset
    return record


@pytest.mark.parametrize("walk", WALKS)
def test_scalars_that_pass_are_not_walked(monkeypatch, walk):
    """A scalar is descended into only when its part of the schema rejects it:
    the record's other fields (URLs behind a `$ref` to `allOf`s and `if`s,
    plain strings, numbers) are proven valid without a walk."""
    schema = Schema("article.schema.json", load_schema(None).document)
    record = _one_bad_related_entry()
    seen = _descents(monkeypatch, schema, walk)
    errors = schema.errors(record)
    assert [(e.code, e.path) for e in errors] == [("CL103", ("related", 7, "publishedDateTime"))]
    scalars = [(path, value) for path, value in seen if not isinstance(value, (dict, list))]
    # the bad date, and the `type` that the top level's `if: {type: {const: article}}` tests
    assert scalars == [("publishedDateTime", "2021-12-08T16:33:00"), ("type", "video")]


@pytest.mark.parametrize("walk", WALKS)
def test_each_related_entry_is_checked_once_while_explaining(monkeypatch, walk):
    """`related` (type, items and a description) is not checked whole first:
    that check would stop at the bad entry, and the walk would check every
    entry before it again. Each entry meets the compiled check once."""
    from contentlint import validation

    calls = []
    part_check = Schema._part_check

    def counting(self, part, known):
        check = part_check(self, part, known)
        if check is None or check is validation._LEAF:
            return check
        pointer = self._part_pointers[id(part)][0]
        return lambda instance: (calls.append((pointer, id(instance))), check(instance))

    monkeypatch.setattr(Schema, "_part_check", counting)
    schema = Schema("article.schema.json", load_schema(None).document)
    if walk == "jsonschema":
        schema._walker = None
    record = _one_bad_related_entry()
    schema.errors(record)
    entries = [id(entry) for entry in record["related"]]
    checked = [instance for pointer, instance in calls if pointer == "/properties/related/items"]
    assert checked == entries
    assert not [pointer for pointer, _ in calls if pointer == "/properties/related"]


LEAVES = {
    "type": "object",
    "properties": {
        "s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^a"},
        "e": {"enum": [1, True, "x", None, [1]]},
        "c": {"const": 0},
        "n": {"type": ["integer", "null"], "minimum": -2, "exclusiveMaximum": 3},  # no multipleOf: no fast path
        "f": {"type": "number", "exclusiveMinimum": 0, "maximum": 2.5},
        "d": {"type": "string", "format": "date-time", "description": "a date"},
        "u": {"type": "string", "format": "uri", "x-single-line": True},
        "list": {"type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": True,
                 "items": {"type": "string", "minLength": 1}},
        "tags": {"type": "array", "uniqueItems": True, "minItems": 1},
        "obj": {"type": "object", "required": ["a"], "minProperties": 2, "maxProperties": 2},
        "ref": {"$ref": "#/$defs/url", "description": "behind a $ref"},
        "any": {"anyOf": [{"type": "integer", "minimum": 5}, {"type": "string", "maxLength": 1}]},
    },
    "$defs": {"url": {"type": "string", "allOf": [{"if": {"minLength": 1}, "then": {"pattern": "^https?://"}}]}},
}
_leaf_value = st.recursive(
    st.none() | st.booleans() | st.integers(-4, 6) | st.sampled_from([0.0, 1.0, 2.5, 3.5, -1.5])
    | st.sampled_from(["", "a", "ab", "abcde", "x", "b", "https://e.com/", "https://e.com/ b", "ftp:x",
                       "2021-12-08T16:33:00Z", "2021-12-08T16:33:00", "2021-02-30T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=6)


@pytest.fixture(scope="module", params=["https://json-schema.org/draft/2020-12/schema",
                                        "http://json-schema.org/draft-07/schema#"])
def leaves(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "leaves.json"
    document = {"$schema": request.param, **LEAVES}
    if "draft-07" in request.param:
        document["definitions"] = document.pop("$defs")
        document["properties"] = {**LEAVES["properties"], "ref": {"$ref": "#/definitions/url"}}
    path.write_text(json.dumps(document), encoding="utf-8")
    schema = load_schema(str(path))
    assert schema.fast is not None
    return schema, _full(schema)


_LEAF_SAMPLES = [None, True, False, 0, 1, 2, 4, -2, -3, 0.0, 1.0, 2.5, 3.5, -1.5, 10**400, "", "a", "ab", "abcde", "x",
                 "b", "https://e.com/", "https://e.com/ b", "ftp:x", "2021-12-08T16:33:00Z", "2021-12-08T16:33:00",
                 "2021-02-30T00:00:00Z", [], [1], ["a", "a"], ["a", "b", "c", "d"], [""], {}, {"a": 1},
                 {"a": 1, "b": 2, "c": 3}, {"b": 1}, {"b": 1, "c": 2}, {"a": 1, "b": 2}]


def test_leaf_checks_and_scalar_parts_equal_jsonschema_on_each_value(leaves):
    schema, full = leaves
    for field in LEAVES["properties"]:
        for value in _LEAF_SAMPLES:
            _assert_same(schema, full, {field: value}, (field, value))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(sorted(LEAVES["properties"])), _leaf_value, max_size=6))
def test_leaf_checks_and_scalar_parts_equal_jsonschema(leaves, record):
    # Parts checked by their keyword functions (strings, numbers, enums with
    # true against 1, formats, lists and objects of leaf keywords) and scalar
    # parts checked compiled (behind a $ref to allOf/if) explain as jsonschema.
    schema, full = leaves
    _assert_same(schema, full, record, record)


@given(st.text(min_size=1).filter(lambda v: not v.isascii()), st.sampled_from(["URI", "URI_reference"]))
@example("https://de.wikipedia.org/wiki/Straße", "URI")
@example("https://example.com/a\u00e9\n", "URI_reference")
@example("//h\u0660/", "URI_reference")
def test_non_ascii_is_no_uri_without_the_validator(value, rule):
    # _rfc3986 answers a non-ASCII value itself; rfc3986-validator agrees.
    from rfc3986_validator import validate_rfc3986

    from contentlint.validation import _rfc3986

    assert _rfc3986(value, rule) is False
    assert validate_rfc3986(value, rule=rule) is None
    ascii_part = "".join(ch for ch in value if ch.isascii())
    assert _rfc3986(ascii_part, rule) is (validate_rfc3986(ascii_part, rule=rule) is not None)
