"""The explanation's part checks for the shipped schema are the shipped
module's own `$defs` functions (validation.Schema._shipped_part): nothing is
compiled at run time, and each verdict is the one a compiled part gives."""

from __future__ import annotations

import copy
import json
import pathlib

import fastjsonschema
import pytest

from contentlint import validation
from contentlint.document import load
from contentlint.validation import Schema, load_schema
from tests.conftest import CORPUS, needs_corpus
from tests.test_schema_fastpath import _assert_same, _full

needs_shipped = pytest.mark.skipif(
    fastjsonschema.VERSION not in validation._QUIET_REFS_RELEASES,
    reason="the shipped validator is not used on this fastjsonschema release")


def _document() -> dict:
    return json.loads(pathlib.Path(validation.default_schema_path()).read_bytes())


def _defective() -> list[dict]:
    """A record with a defect behind each `$ref` of the shipped schema."""
    from tests.test_schema_contract import video

    base = video()
    entry = base["related"][0]
    image = {"url": "https://example.com/i.png", "width": 1, "height": 1}
    records = []
    for change in (
        lambda r: r["related"][2].update(publishedDateTime="2021-12-08T16:33:00"),
        lambda r: r["related"][1].update(images=[image, {**image, "width": "1"}]),
        lambda r: r["related"][0].update(provider={"name": "N", "domain": ""}),
        lambda r: r["related"][3].update(webUrl="https://a b", extra=1),
        lambda r: r.update(provider={"name": "N", "domain": "n.com", "images": [{**image, "url": "x"}]}),
        lambda r: r.update(images=[image, {"url": ""}], webUrl="ftp://x"),
    ):
        record = copy.deepcopy(base)
        record["related"] = [copy.deepcopy(entry) for _ in range(5)]
        change(record)
        records.append(record)
    return records


@needs_shipped
def test_explaining_the_shipped_schema_compiles_nothing(monkeypatch):
    # A part compiled per `$ref`'d place cost ~10 ms each in every process
    # that met an invalid record, and its code named every list item.
    schema = Schema("article.schema.json", _document())
    full = _full(schema)
    compiled = []
    real = fastjsonschema.compile
    monkeypatch.setattr(fastjsonschema, "compile", lambda *a, **k: compiled.append(a) or real(*a, **k))
    for record in _defective():
        assert schema.errors(record), record  # each one really is invalid
        _assert_same(schema, full, record, record)
    assert compiled == []
    from contentlint import shipped_validator

    checks = [check for check in schema._parts.values() if check not in (None, validation._LEAF)]
    assert {check.func for check in checks} == set(shipped_validator.REFS.values())
    assert all(check.keywords == schema.fast.keywords for check in checks)


@needs_shipped
def test_a_related_entry_is_checked_by_the_shipped_function():
    from contentlint import shipped_validator

    schema = load_schema(None)
    part = schema.document["properties"]["related"]["items"]
    check = schema._part_check(part, schema.validator.VALIDATORS)
    assert check.func is shipped_validator.validate____defs_relatedentry is shipped_validator.REFS["#/$defs/relatedEntry"]


def _values(node, found: list) -> list:
    found.append(node)
    for value in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        _values(value, found)
    return found


def _verdict(check, value) -> bool:
    try:
        check(value)
        return True
    except Exception:  # JsonSchemaValueException
        return False


@needs_shipped
@needs_corpus
def test_shipped_parts_give_a_compiled_parts_verdicts():
    """Every part the shipped module checks, against fastjsonschema's compile
    of that part, on every value of 200 corpus records and of broken copies."""
    schema = load_schema(None)
    paths = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")[:200]
    records = [load(str(p), p.read_bytes()).data for p in paths]
    values = _values(records + _defective(), [])
    values += [{**v, key: bad} for v in values if isinstance(v, dict) for key in v for bad in ("", 1, None)][::7]
    parts = [(where, part) for where, part in schema._part_pointers.values()
             if schema._shipped_part(part) is not None]
    # every `$ref`: 4 URLs at the top, 3 in a related entry, 1 in an image and in a logo;
    # 2 providers; images at the top and in a related entry, logos, related entries
    assert len(parts) == 15
    for where, part in parts:
        shipped = schema._shipped_part(part)
        compiled = validation._compile_part(schema.document, where, schema._format_checks)
        verdicts = [_verdict(shipped, v) for v in values]
        assert True in verdicts and False in verdicts, where
        assert verdicts == [_verdict(compiled, v) for v in values], where


def test_another_schema_gets_no_shipped_function():
    # The same `$ref`s in a schema that differs: the shipped functions would
    # check the shipped schema's rules, so its parts are compiled.
    document = _document()
    document["$defs"]["relatedEntry"]["properties"]["title"]["minLength"] = 5
    schema = Schema("other.schema.json", document)
    from contentlint import shipped_validator

    assert schema.fast is not None and schema.fast.func is not shipped_validator.validate
    assert all(schema._shipped_part(part) is None for _, part in schema._part_pointers.values())
    record = _defective()[0]
    record["related"][4]["title"] = "abc"
    errors = [(e.code, e.path, e.keyword) for e in schema.errors(record)]
    assert ("CL100", ("related", 4, "title"), "minLength") in errors
    _assert_same(schema, _full(schema), record, "other schema")


@pytest.mark.skipif(fastjsonschema.VERSION not in validation._QUIET_REFS_RELEASES, reason="no _QuietRefs generator")
def test_the_refs_table_leaves_out_a_name_two_refs_share():
    # fastjsonschema folds a `$ref`'s name to lower case: `Foo` and `foo`
    # get one function name, and the module defines it once.
    document = {"properties": {"a": {"$ref": "#/$defs/Foo"}, "b": {"$ref": "#/$defs/foo"},
                               "c": {"$ref": "#/$defs/bar"}},
                "$defs": {"Foo": {"type": "string"}, "foo": {"type": "integer"}, "bar": {"type": "null"}}}
    generator = validation._generator(document, {})
    generator.func_code
    assert generator.ref_functions == {"": "validate", "#/$defs/Foo": "validate____defs_foo",
                                       "#/$defs/foo": "validate____defs_foo", "#/$defs/bar": "validate____defs_bar"}
    assert validation._refs_table(generator.ref_functions) == (
        "\n# Each local `$ref`'s function (validation.Schema._part_check).\n"
        "REFS = {\n    '#/$defs/bar': validate____defs_bar,\n}\n")


@needs_shipped
def test_a_shipped_module_without_refs_gets_its_parts_compiled(monkeypatch):
    # On a release _QuietRefs was not written for, the module is
    # compile_to_code's output: no REFS table, so each part is compiled.
    from contentlint import shipped_validator

    monkeypatch.delattr(shipped_validator, "REFS")
    schema = Schema("article.schema.json", _document())
    assert schema.fast.func is shipped_validator.validate
    record = _defective()[0]
    _assert_same(schema, _full(schema), record, "no REFS")
    checks = [check for check in schema._parts.values() if check not in (None, validation._LEAF)]
    assert checks and all(getattr(check, "func", check).__module__ != "contentlint.shipped_validator"
                          for check in checks)
