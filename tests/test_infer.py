"""contentlint.infer: records' data -> JSON Schema, exact output on crafted data."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from contentlint.infer import DESCRIPTION_TODO as TODO
from contentlint.infer import SCHEMA_DIALECT, infer_schema, infer_values, near_spelling, tolerance


def test_tolerance_is_one_record_in_fifty():
    assert [tolerance(n) for n in (1, 10, 49, 50, 99, 100, 157)] == [0, 0, 0, 1, 1, 2, 3]


def test_required_optional_closed_exact_schema():
    records = [{"title": f"T{i}", "weight": i} for i in range(9)] + [{"title": "T9", "draft": True}]
    assert infer_schema(records, title="posts", description="d") == {
        "$schema": SCHEMA_DIALECT,
        "title": "posts",
        "description": "d",
        "type": "object",
        "properties": {
            "draft": {"$comment": TODO, "type": "boolean"},
            "title": {"$comment": TODO, "type": "string", "minLength": 1},
            "weight": {"$comment": TODO, "type": "integer"},
        },
        "required": ["title"],
        "additionalProperties": False,
    }


@pytest.mark.parametrize("n, missing, required", [
    (49, 1, False),  # below 50 records every record must agree
    (50, 1, True),  # one in fifty may be an outlier
    (50, 2, False),
    (100, 2, True),
    (100, 3, False),
])
def test_required_tolerates_one_missing_record_in_fifty(n, missing, required):
    records = [{"a": 1, "b": 2} for _ in range(n - missing)] + [{"a": 1} for _ in range(missing)]
    assert ("b" in infer_values(records).get("required", [])) is required


def test_enum_for_a_small_vocabulary_seen_often():
    values = ["release"] * 10 + ["community"] * 7 + ["team"] * 3
    assert infer_values(values) == {"type": "string", "minLength": 1, "enum": ["community", "release", "team"]}


def test_no_enum_for_a_lists_items_but_for_the_fields_of_its_mappings():
    # Tags, authors, categories are labels that grow with the site; the
    # `type` of a list's entries is a field with a closed set of values.
    records = [{"tags": ["go", "web"], "related": [{"type": "article"}, {"type": "video"}]} for _ in range(12)]
    schema = infer_values(records)["properties"]
    assert "enum" not in schema["tags"]["items"]
    assert schema["related"]["items"]["properties"]["type"]["enum"] == ["article", "video"]


@pytest.mark.parametrize("values", [
    ["release"] * 10 + ["community"] * 7 + ["team"] * 2,  # 19 values: too few to tell
    ["release"] * 10 + ["community"] * 8 + ["team"] * 2,  # `team` seen twice: not established
    ["release"] * 20,  # one value everywhere is a convention, not a choice
    [f"v{i}" for i in range(11)] * 3,  # 11 distinct values: not a small set
    ["A title long enough to be a sentence, not a code"] * 10 + ["b"] * 10,  # long values: titles
])
def test_no_enum(values):
    assert "enum" not in infer_values(values)


@pytest.mark.parametrize("values, keyword, expected", [
    (["2024-01-31", "2023-02-28"], "format", "date"),
    (["2024-01-31T10:00:00Z", "2024-05-26T09:10:33-07:00"], "format", "date-time"),
    (["https://example.com/a", "http://example.org"], "format", "uri"),
    (["/docs/a/", "/b"], "format", "uri-reference"),
])
def test_formats_as_they_appear(values, keyword, expected):
    assert infer_values(values)[keyword] == expected


def test_a_date_time_outside_rfc3339_gets_its_shape_as_a_pattern():
    schema = infer_values(["2016-10-06 11:10:38 -0700", "2013-05-06 02:12:52 +0200"])
    assert "format" not in schema
    validator = Draft202012Validator(schema)
    assert validator.is_valid("2024-09-16 21:34:22 +0530")
    assert not validator.is_valid("2023-01-29 18:30:22 2023 -0800")


@pytest.mark.parametrize("impossible", ["2016-02-30 11:10:38 -0700", "2016-04-31 11:10:38", "2016-13-01 11:10",
                                        "2016-00-10 11:10", "2016-10-06 24:10:38 -0700", "2016-10-06 11:61"])
def test_the_date_time_pattern_rejects_an_impossible_date_or_time(impossible):
    schema = infer_values(["2016-10-06 11:10:38 -0700", "2013-05-06 02:12:52 +0200"])
    validator = Draft202012Validator(schema)
    assert not validator.is_valid(impossible)
    assert validator.is_valid("2016-02-29 11:10:38 -0700") and validator.is_valid("2016-12-31 23:59")


def test_an_impossible_loose_date_time_is_an_outlier_not_a_reason_to_drop_the_pattern():
    schema = infer_values(["2016-10-06 11:10:38 -0700"] * 49 + ["2016-02-30 11:10:38 -0700"])
    assert "pattern" in schema and not Draft202012Validator(schema).is_valid("2016-02-30 11:10:38 -0700")


@pytest.mark.parametrize("values", [
    ["2023-01-05T21:32:14+01:00"] * 59 + ["2023-02-18"],  # Hugo: one post gives its day only
    ["2023-01-05 21:32:14 +0100"] * 59 + ["2023-02-18"],  # Jekyll
    ["2023-01-05 21:32:14 +0100", "2023-02-18"] * 5,  # half and half
])
def test_a_date_alone_among_date_times_is_no_defect(values):
    # Jekyll and Hugo read a bare date as that day: the inferred form accepts both.
    schema = infer_values(values)
    assert "format" not in schema
    validator = Draft202012Validator(schema)
    assert all(validator.is_valid(v) for v in values)
    assert validator.is_valid("2024-02-29") and validator.is_valid("2024-09-16T21:34:22Z")
    assert not validator.is_valid("2023-02-30") and not validator.is_valid("2023-02-18 25:00")
    assert not validator.is_valid("soon")


def test_addresses_written_as_iris_get_the_iri_formats():
    # A French Hugo site writes its paths in its language; a few raw non-ASCII
    # addresses among many ASCII ones stay outliers of the ASCII format.
    paths = ["/articles/vélo-électrique/", "/été-à-paris/"] + [f"/posts/p{i}/" for i in range(8)]
    assert infer_values(paths)["format"] == "iri-reference"
    assert infer_values(["https://www.fürth.de/"] + ["https://example.com/a"] * 11)["format"] == "iri"
    assert infer_values(["https://example.com/é"] + ["https://example.com/a"] * 59)["format"] == "uri"
    assert infer_values([f"/posts/p{i}/" for i in range(10)])["format"] == "uri-reference"


def test_line_breaks_that_are_the_fields_convention_make_it_multi_line():
    # Hugo's `summary: "First.\n\nSecond."` in most records: CL202 must not merge the paragraphs.
    assert infer_values(["First.\n\nSecond.", "One line."] * 6)["x-single-line"] is False
    # One stray line break in 60 titles is an outlier, not the convention: nothing declared.
    assert "x-single-line" not in infer_values(["A title"] * 59 + ["A\ntitle"])


def test_no_format_when_values_disagree_beyond_the_tolerance():
    assert "format" not in infer_values(["2024-01-31", "soon"])
    assert "format" not in infer_values(["/docs/a/", "https://example.com/", "relative/path"])
    # 49 dates and one outlier in 50 values: still a date field.
    assert infer_values(["2024-01-31"] * 49 + ["soon"])["format"] == "date"


def test_an_impossible_date_is_rejected_by_the_inferred_format():
    schema = infer_values(["2024-01-31", "2023-02-28"])
    checker = Draft202012Validator.FORMAT_CHECKER
    assert Draft202012Validator(schema, format_checker=checker).is_valid("2024-02-29")
    assert not Draft202012Validator(schema, format_checker=checker).is_valid("2023-02-30")


def test_mixed_types_integer_number_and_null():
    assert infer_values(["a", 1, "b", 2]) == {"type": ["string", "integer"], "minLength": 1}
    assert infer_values([1, 2.5]) == {"type": "number"}
    assert infer_values(["a", None]) == {"type": ["string", "null"], "minLength": 1}
    assert infer_values([True, False]) == {"type": "boolean"}


def test_a_rare_type_is_an_outlier_not_part_of_the_schema():
    assert infer_values(["1.0"] * 49 + [3.0]) == {"type": "string", "minLength": 1}


def test_empty_values_decide_min_length_and_min_items():
    assert "minLength" not in infer_values(["a", ""])
    assert infer_values([["x"], ["y", "z"]]) == {"type": "array", "minItems": 1,
                                                 "items": {"type": "string", "minLength": 1}}
    assert infer_values([["x"], []]) == {"type": "array", "items": {"type": "string", "minLength": 1}}


def test_nested_objects_and_arrays_of_objects_merged():
    records = [
        {"provider": {"name": "A", "domain": "a.com"}, "images": [{"url": "https://a.com/1.png", "width": 1}]},
        {"provider": {"name": "B"}, "images": [{"url": "https://b.com/2.png", "width": 2}, {"url": "https://b.com/3.png"}]},
    ]
    schema = infer_values(records)
    assert schema["properties"]["provider"] == {
        "$comment": TODO, "type": "object",
        "properties": {"domain": {"$comment": TODO, "type": "string", "minLength": 1},
                       "name": {"$comment": TODO, "type": "string", "minLength": 1}},
        "required": ["name"], "additionalProperties": False,
    }
    assert schema["properties"]["images"]["items"] == {
        "type": "object",
        "properties": {"url": {"$comment": TODO, "type": "string", "minLength": 1, "format": "uri"},
                       "width": {"$comment": TODO, "type": "integer"}},
        "required": ["url"], "additionalProperties": False,
    }


def test_inside_an_optional_mapping_nothing_is_required():
    records = [{"t": 1}, {"t": 2, "params": {"a": 1}}, {"t": 3, "params": {"a": 2}}]
    params = infer_values(records)["properties"]["params"]
    assert "required" not in params and params["additionalProperties"] is False


def test_a_free_form_mapping_stays_open():
    # No key is shared by most of the mappings: a bag of settings, not a shape.
    records = [{"params": {"a": 1}}, {"params": {"b": 1}}, {"params": {"c": 1}}]
    assert "additionalProperties" not in infer_values(records)["properties"]["params"]


def test_a_key_seen_once_that_is_a_near_spelling_of_a_common_key_is_a_typo():
    records = [{"title": "t", "linkTitle": "l"} for _ in range(9)] + [{"title": "t", "linktitle": "l"}]
    schema = infer_values(records)
    assert sorted(schema["properties"]) == ["linkTitle", "title"]
    assert not Draft202012Validator(schema).is_valid(records[-1])
    # A rare key that is no near-spelling of another is allowed.
    records[-1] = {"title": "t", "expiryDate": "2028-01-01"}
    assert sorted(infer_values(records)["properties"]) == ["expiryDate", "linkTitle", "title"]


def test_a_near_spelling_with_values_of_another_type_is_another_field_not_a_typo():
    # Hugo themes read `author` (a name) and `authors` (a list) side by side.
    records = [{"title": "t", "author": "Ann", "image": "a.png"} for _ in range(9)]
    records.append({"title": "t", "authors": ["Ann", "Bo"], "images": ["a.png"]})
    schema = infer_values(records)
    assert sorted(schema["properties"]) == ["author", "authors", "image", "images", "title"]
    assert Draft202012Validator(schema).is_valid(records[-1])
    # The same shape is still a typo; an integer where others wrote 1.5 too.
    records[-1] = {"title": "t", "author": "Ann", "images": "a.png"}
    assert "images" not in infer_values(records)["properties"]
    records = [{"title": "t", "weight": 1.5} for _ in range(9)] + [{"title": "t", "weigth": 2}]
    assert "weigth" not in infer_values(records)["properties"]
    records[-1] = {"title": "t", "weigth": None}  # left empty: no shape to tell it by
    assert "weigth" not in infer_values(records)["properties"]


@pytest.mark.parametrize("usual, once", [
    ("affiliations", "affiliation"), ("exports", "export"), ("acknowledgments", "acknowledgements"),
    ("acknowledgement", "acknowledgements"), ("tags", "tag"), ("categories", "category"), ("authors", "author"),
])
def test_spellings_a_site_generator_reads_as_one_field_are_no_typo(usual, once):
    # MyST's FRONTMATTER_ALIASES; Jekyll reads `tag` and `category` beside the plurals.
    records = [{"title": "t", usual: "x"} for _ in range(11)] + [{"title": "t", once: "x"}]
    assert once in infer_values(records)["properties"]


def test_below_ten_records_a_single_key_is_no_evidence_of_a_typo():
    records = [{"title": "t", "linkTitle": "l"} for _ in range(8)] + [{"title": "t", "linktitle": "l"}]
    assert "linktitle" in infer_values(records)["properties"]


@pytest.mark.parametrize("a, b, near", [
    ("linktitle", "linkTitle", True), ("link_title", "linkTitle", True), ("descripton", "description", True),
    ("keywrods", "keywords", True), ("titel", "title", True), ("tags", "tag", False), ("date", "data", False),
    ("alias", "aliases", False), ("title", "title", False),
])
def test_near_spelling(a, b, near):
    assert near_spelling(a, b) is near


def test_deterministic_whatever_the_order_of_keys():
    a = [{"b": 1, "a": "x"}, {"a": "y", "b": 2}]
    b = [{"a": "y", "b": 2}, {"b": 1, "a": "x"}]
    assert list(infer_schema(a)["properties"]) == list(infer_schema(b)["properties"]) == ["a", "b"]


def test_typo_detection_is_bounded_on_hostile_key_counts():
    common = {f"key{i:05d}": 1 for i in range(1001)}
    records = [dict(common) for _ in range(10)]
    records[0] |= {f"rare{i:04d}": 1 for i in range(999)} | {"key00000x": 1}
    properties = infer_values(records)["properties"]
    assert "key00000x" in properties  # past the bound no key is taken as a typo
    records[0] = dict(common) | {"key00000x": 1}
    assert "key00000x" not in infer_values(records)["properties"]


def test_any_case_keys_are_one_key_with_its_other_casings_accepted():
    """Hugo reads keys in any case: `linktitle` is `linkTitle`, declared as its
    most common spelling; other casings are accepted with the same schema."""
    records = [{"title": f"T{i}", "linkTitle": f"L{i}"} for i in range(11)] + [{"title": "T", "linktitle": "l"}]
    schema = infer_schema(records, any_case=True)
    assert schema["properties"] == {
        "linkTitle": {"$comment": TODO, "type": "string", "minLength": 1},
        "title": {"$comment": TODO, "type": "string", "minLength": 1},
    }
    # required unless written in another case
    assert "required" not in schema and schema["allOf"] == [
        {"if": {"propertyNames": {"not": {"pattern": "^(?!linkTitle$)[lL][iI][nN][kK][tT][iI][tT][lL][eE]$(?!\\n)"}}},
         "then": {"required": ["linkTitle"]}},
        {"if": {"propertyNames": {"not": {"pattern": "^(?!title$)[tT][iI][tT][lL][eE]$(?!\\n)"}}},
         "then": {"required": ["title"]}},
    ]
    assert schema["patternProperties"] == {
        "^(?!linkTitle$)[lL][iI][nN][kK][tT][iI][tT][lL][eE]$(?!\\n)": {"$ref": "#/properties/linkTitle"},
        "^(?!title$)[tT][iI][tT][lL][eE]$(?!\\n)": {"$ref": "#/properties/title"},
    }
    validator = Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors({"title": "t", "LINKTITLE": "x", "linkTitle": "y"})] == []
    assert [e.message for e in validator.iter_errors({"Title": "t", "linktitle": "x"})] == []
    assert [e.message for e in validator.iter_errors({"linktitle": "x"})] == ["'title' is a required property"]
    # another casing gets the key's own schema, and an unknown key is still unknown
    assert sorted((e.validator, tuple(e.path)) for e in validator.iter_errors(
        {"title": "t", "linkTitle": "x", "Title": 3, "linkTitel": "y"})) == [
        ("additionalProperties", ()), ("type", ("Title",))]


def test_without_any_case_a_case_variant_is_a_typo():
    records = [{"title": f"T{i}", "linkTitle": f"L{i}"} for i in range(11)] + [{"title": "T", "linktitle": "l"}]
    schema = infer_schema(records)
    assert sorted(schema["properties"]) == ["linkTitle", "title"] and "patternProperties" not in schema


def test_any_case_nested_mappings_and_keys_with_pattern_and_pointer_characters():
    """`$ref`s point into nested mappings and items (JSON Pointer escaped in a
    URI fragment); regex metacharacters in a key are literal; a key case
    cannot change gets no pattern."""
    records = [{"params": [{"a.b/c~d": i, "Max(1)": i, "_1": i}]} for i in range(12)]
    schema = infer_schema(records, any_case=True)
    items = schema["properties"]["params"]["items"]
    assert items["patternProperties"] == {
        r"^(?!Max\(1\)$)[mM][aA][xX]\(1\)$(?!\n)": {"$ref": "#/properties/params/items/properties/Max(1)"},
        r"^(?!a\.b\/c~d$)[aA]\.[bB]\/[cC]~[dD]$(?!\n)": {"$ref": "#/properties/params/items/properties/a.b~1c~0d"},
    }
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors({"params": [{"A.B/C~D": 1, "max(1)": 2, "_1": 3}]})) == []
    assert items["required"] == ["_1"]  # case cannot change it: plainly required
    assert [(e.validator, tuple(e.path)) for e in validator.iter_errors({"params": [{"A.B/C~D": "x", "MAX(1)": 1, "_1": 1}]})] == [
        ("type", ("params", 0, "A.B/C~D"))]
    assert sorted(e.validator for e in validator.iter_errors({"params": [{"aXb/c~d": 1, "max(1)": 1, "_1": 1}]})) == [
        "additionalProperties", "required"]  # `.` is literal: not `a.b/c~d`, which is then missing


def test_any_case_is_bounded_on_hostile_mappings():
    """One pattern per key is tried on every key: past ANY_CASE_MAX_KEYS
    distinct keys a mapping keeps case-sensitive keys (no quadratic schema)."""
    from contentlint.infer import ANY_CASE_MAX_KEYS

    wide = [{f"k{i}": 1 for i in range(ANY_CASE_MAX_KEYS + 1)}, {"k0": 1}]
    schema = infer_values(wide, any_case=True)
    assert "patternProperties" not in schema and "allOf" not in schema
    assert len(schema["properties"]) == ANY_CASE_MAX_KEYS + 1
    narrow = [{f"k{i}": 1 for i in range(ANY_CASE_MAX_KEYS)}, {"k0": 1}]
    assert len(infer_values(narrow, any_case=True)["patternProperties"]) == ANY_CASE_MAX_KEYS


def test_any_case_pattern_does_not_take_a_key_with_a_trailing_newline():
    """Python's `$` also matches before a final newline (ECMA-262's does not):
    `"Title\\n"` is not another casing of `title`, so it neither satisfies the
    required `title` nor escapes the closed key set."""
    records = [{"title": f"T{i}", "linkTitle": f"L{i}"} for i in range(12)]
    schema = infer_schema(records, any_case=True)
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors({"Title\n": "t", "linkTitle": "x"}), key=lambda e: e.validator)
    assert [e.validator for e in errors] == ["additionalProperties", "required"]
    assert errors[0].message.startswith("'Title\\n' does not match any of the regexes")
    assert errors[1].message == "'title' is a required property"
    assert list(validator.iter_errors({"Title": "t", "LINKTITLE": "x"})) == []


def test_a_value_or_a_list_of_such_values_is_one_field_however_rare_either_form():
    # MDN's `browser-compat: api.X`, or a list of them on an overview page.
    values = [f"api.I{i}" for i in range(80)] + [["api.WakeLock", "api.WakeLockSentinel"]]
    schema = infer_values(values)
    assert schema["type"] == ["string", "array"] and schema["items"]["type"] == "string"
    assert all(Draft202012Validator(schema).is_valid(v) for v in values)
    # Jekyll's `categories: [a, b]` mostly, `categories: news` once.
    values = [["a", "b"]] * 80 + ["news"]
    assert infer_values(values)["type"] == ["string", "array"]
    # A few labels, mostly one at a time: no enum, which would refuse the list form.
    values = ["news", "tech"] * 150 + [["news", "tech"]]
    schema = infer_values(values)
    assert "enum" not in schema and all(Draft202012Validator(schema).is_valid(v) for v in values)
    # A list of another type, or an empty one, is still an outlier.
    for odd in ([1, 2], [], [{"a": 1}]):
        schema = infer_values([f"api.I{i}" for i in range(80)] + [odd])
        assert schema["type"] == "string" and not Draft202012Validator(schema).is_valid(odd)


def test_a_date_with_an_hour_offset_passes_and_the_pattern_is_worded():
    from contentlint.infer import DATE_OR_DATETIME, LOOSE_DATETIME, PATTERN_WORDS

    for pattern in (LOOSE_DATETIME, DATE_OR_DATETIME):
        assert re.search(pattern, "2007-09-20 08:02:00 +02")  # ISO 8601's ±hh
        assert not re.search(pattern, "2007-09-20 08:02:00 +2")
        assert pattern in PATTERN_WORDS
