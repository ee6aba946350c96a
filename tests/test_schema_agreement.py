"""A record's schema findings do not depend on which validator answered
(the compiled fast path, the walk, jsonschema) and say what jsonschema says;
a schema whose `$ref` points to nothing is refused when it is loaded."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import check_json, run_cli

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def messages(paths, capsys, schema) -> list[tuple[str, str, int, str]]:
    code, found = check_json(paths, capsys, "--schema", schema, "--select", "CL1")
    return [(f["path"].rsplit("/", 1)[-1], f["code"], f["line"], f["message"]) for f in found]


def test_unevaluated_properties_knows_the_keys_its_applicators_evaluate(write, capsys):
    schema = write("s.json", json.dumps({
        "$schema": DRAFT, "type": "object", "$defs": {"base": {"properties": {"title": {"type": "string"}}}},
        "allOf": [{"$ref": "#/$defs/base"}], "properties": {"draft": {"type": "boolean"}},
        "unevaluatedProperties": False}))
    record = write("a.md", "---\ntitle: hello\ndraft: true\nbogus: 1\ntitel: 2\n---\n")
    assert messages([record], capsys, schema) == [
        ("a.md", "CL104", 4, "unknown field `bogus` at the top level; expected one of: draft, title"),
        ("a.md", "CL104", 5, "unknown field `titel` at the top level; did you mean `title`?")]


def test_unevaluated_properties_as_a_schema_rejects_only_the_invalid_keys(write, capsys):
    schema = write("s.json", json.dumps({
        "$schema": DRAFT, "type": "object", "properties": {"title": {}}, "unevaluatedProperties": {"type": "string"}}))
    record = write("a.md", "---\ntitle: 1\nok: text\nbad: 2\n---\n")
    assert [m[:3] for m in messages([record], capsys, schema)] == [("a.md", "CL104", 4)]  # `bad`


def test_additional_properties_beside_a_ref_names_only_its_own_keys(write, capsys):
    # Draft 2020-12: `additionalProperties` sees only the `properties` beside it,
    # not those of the `$ref`: jsonschema calls `title` additional.
    schema = write("s.json", json.dumps({
        "$schema": DRAFT, "type": "object", "$defs": {"base": {"properties": {"title": {}}}},
        "$ref": "#/$defs/base", "additionalProperties": False}))
    record = write("a.md", "---\ntitle: x\n---\n")
    assert messages([record], capsys, schema) == [
        ("a.md", "CL104", 2, "unknown field `title` at the top level; no fields are allowed here")]


def test_multiple_of_is_exact_on_the_number_as_written_whoever_answers(write, capsys):
    # b.md has another error, so jsonschema explains it; a.md is valid on the
    # fast path. Both answer the same for the same price.
    schema = write("s.json", json.dumps({
        "$schema": DRAFT, "type": "object",
        "properties": {"price": {"type": "number", "multipleOf": 0.1}, "title": {"type": "string"}}}))
    a = write("a.md", "---\ntitle: ok\nprice: 0.7\n---\n")
    b = write("b.md", "---\ntitle: 5\nprice: 0.7\n---\n")
    c = write("c.md", "---\ntitle: ok\nprice: 0.75\n---\n")
    assert messages([a, b, c], capsys, schema) == [
        ("b.md", "CL102", 2, "`title` must be a string, not an integer"),
        ("c.md", "CL100", 3, "`price`: 0.75 is not a multiple of 0.1")]


def test_a_dollar_anchor_matches_before_a_final_newline_whoever_answers(write, capsys):
    # `status: |` reads "draft\n"; re.search's `$` matches before that newline.
    schema = write("s.json", json.dumps({
        "$schema": DRAFT, "type": "object",
        "properties": {"status": {"type": "string", "not": {"pattern": "^draft$"}},
                       "slug": {"type": "string", "pattern": "^[a-z$]+$"}, "title": {"type": "string"}}}))
    a = write("a.md", "---\nstatus: |\n  draft\nslug: |\n  a$b\n---\n")
    b = write("b.md", "---\nstatus: |\n  draft\nslug: |\n  a$b\ntitle: 5\n---\n")
    found = [m[:3] for m in messages([a, b], capsys, schema)]
    assert found == [("a.md", "CL100", 2), ("b.md", "CL100", 2), ("b.md", "CL102", 6)]


def test_the_fast_paths_patterns_mean_what_re_search_means():
    from fastjsonschema.draft04 import DOLLAR_FINDER  # what fastjsonschema does to a pattern

    from contentlint.validation import _python_anchors

    patterns = ["^draft$", r"^a\$b$", "[$]x$", "[]$]", "[^]$]$", r"\\$", "x", "a|b$", r"[\]$]$", "^$", "^[^^]$",
                "[^^$]$", "[]^]$", "[x]]$"]
    texts = ["draft", "draft\n", "a$b", "$x", "$", "]", "x\n", "\\", "b\n", "b\n\n", "]\n", "$\n", "", "\n", "a$", "a",
             "^", "x]", "]]"]
    for pattern in patterns:
        compiled = re.compile(DOLLAR_FINDER.sub(r"\\Z", _python_anchors(pattern)))
        for text in texts:
            assert bool(compiled.search(text)) == bool(re.search(pattern, text)), (pattern, text)


@pytest.mark.parametrize("schema, ref", [
    ({"properties": {"title": {"$ref": "#/$defs/titel"}}}, "#/$defs/titel"),
    # a nested `$id` moves the base its `#...` references resolve against
    ({"$defs": {"name": {"type": "string"}},
      "properties": {"author": {"$id": "author.json", "$ref": "#/$defs/name"}}}, "#/$defs/name"),
    ({"properties": {"a": {"$ref": "#missing-anchor"}}}, "#missing-anchor"),
])
def test_a_ref_that_points_to_nothing_is_a_usage_error(write, capsys, schema, ref):
    path = write("s.json", json.dumps({"$schema": DRAFT, "type": "object", **schema}))
    record = write("a.md", "---\ntitle: ok\n---\n")
    code, out, err = run_cli(["check", "--no-cache", "--schema", path, record], capsys)
    assert (code, out) == (2, "")
    assert f"schema {path}: `$ref` {ref!r} points to nothing in the schema" in err and "Traceback" not in err


def test_references_that_resolve_are_accepted(write, capsys):
    path = write("s.json", json.dumps({
        "$schema": DRAFT, "type": "object", "$defs": {"name": {"$anchor": "nm", "type": "string"}},
        "properties": {"author": {"$id": "author.json", "$ref": "#/$defs/x", "$defs": {"x": {"type": "string"}}},
                       "title": {"$ref": "#nm"}, "self": {"$ref": "#"}}}))
    record = write("a.md", "---\ntitle: ok\nauthor: me\n---\n")
    assert run_cli(["check", "--no-cache", "--schema", path, record], capsys)[0] == 0


def test_a_ref_below_an_ignored_sibling_of_a_draft7_ref_is_not_checked(write, capsys):
    # Draft 7 ignores a `$ref`'s siblings: the dangling reference there never runs.
    path = write("s.json", json.dumps({
        "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
        "definitions": {"s": {"type": "string"}},
        "properties": {"title": {"$ref": "#/definitions/s", "items": {"$ref": "#/definitions/gone"}}}}))
    record = write("a.md", "---\ntitle: 5\n---\n")
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL1", "--schema", path, record], capsys)
    assert (code, err) == (1, "") and "CL102 `title` must be a string" in out


def test_a_draft7_root_ref_still_has_its_definitions_checked(write, capsys):
    # The generated layout: `{"$ref": "#/definitions/Article", "definitions": {...}}`.
    path = write("s.json", json.dumps({
        "$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/definitions/Article",
        "definitions": {"Article": {"type": "object", "properties": {
            "title": {"$ref": "#/definitions/Title"}, "tags": {"$ref": "#/definitions/gone"}}},
            "Title": {"type": "string"}}}))
    record = write("a.md", "---\ntitle: x\n---\n")
    code, out, err = run_cli(["check", "--no-cache", "--schema", path, record], capsys)
    assert (code, out) == (2, "")
    assert f"schema {path}: `$ref` '#/definitions/gone' points to nothing in the schema" in err


def test_a_dangling_ref_the_load_check_cannot_reach_is_one_clear_finding(write, capsys):
    # Under a keyword no dialect knows (`x-shared`), reached through a `$ref`: not CL010 "please report".
    path = write("s.json", json.dumps({
        "$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/x-shared/Post",
        "x-shared": {"Post": {"type": "object", "properties": {"title": {"$ref": "#/x-shared/gone"}}}}}))
    record = write("a.md", "---\ntitle: 5\n---\n")
    code, found = check_json([record], capsys, "--schema", path)
    assert [(f["code"], f["line"], f["message"]) for f in found] == [
        ("CL100", 2, f"schema {path} has a `$ref` that points to nothing in it ('#/x-shared/gone'): "
                     "the record is not checked against it")]
