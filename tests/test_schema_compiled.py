"""The compiled validators' generator (validation._generator): same verdicts
as fastjsonschema's own compile, without naming each `$ref`'d value."""

from __future__ import annotations

import json
import pathlib

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentlint import validation
from contentlint.document import load
from tests.conftest import CORPUS, needs_corpus

needs_release = pytest.mark.skipif(fastjsonschema.VERSION not in validation._QUIET_REFS_RELEASES,
                                   reason="compiled by fastjsonschema's own compile on this release")


def _plain(document):
    """fastjsonschema's own compile, as _fastjsonschema_compile did before _QuietRefs."""
    return fastjsonschema.compile(validation._const_as_enum(document), formats=validation.format_checks(document),
                                  detailed_exceptions=False)


def _verdict(check, data):
    try:
        check(data)
        return True
    except Exception:  # JsonSchemaValueException, or a format check's own error
        return False


@needs_release
def test_a_refd_item_is_checked_without_building_its_name(monkeypatch):
    # Building "data[1]" per item was a str.format(**locals()) for every list
    # entry of every record; only "valid?" is read from these validators.
    document = {"type": "array", "items": {"$ref": "#/$defs/entry"}, "$defs": {"entry": {"type": "string"}}}
    check = validation._fastjsonschema_compile(document, validation.format_checks(document))
    check(["a", "b"])
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        check(["a", 1])
    assert caught.value.message == "data must be string"
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        _plain(document)(["a", 1])
    assert caught.value.message == "data[1] must be string"
    with open(validation.SHIPPED_VALIDATOR, encoding="utf-8") as handle:
        assert "format(**locals()))\n" not in handle.read()  # no call builds a name


def test_another_release_compiles_as_fastjsonschema_does(monkeypatch):
    monkeypatch.setattr(fastjsonschema, "VERSION", "0.0.1")
    calls = []
    real = fastjsonschema.compile
    monkeypatch.setattr(fastjsonschema, "compile", lambda *a, **k: calls.append(a) or real(*a, **k))
    document = {"type": "array", "items": {"$ref": "#/$defs/entry"}, "$defs": {"entry": {"type": "string"}}}
    check = validation._fastjsonschema_compile(document, validation.format_checks(document))
    assert len(calls) == 1 and _verdict(check, ["a"]) and not _verdict(check, [1])


# $refs in every place a generator emits a call: items, properties,
# additionalProperties, patternProperties, anyOf/oneOf/allOf, if/then/else, not,
# nested refs, and a 2020-12 and a draft-07 `$schema`.
REFS = {
    "type": "object",
    "properties": {
        "list": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
        "one": {"$ref": "#/$defs/entry"},
        "either": {"anyOf": [{"$ref": "#/$defs/url"}, {"type": "integer", "minimum": 3}]},
        "exactly": {"oneOf": [{"$ref": "#/$defs/short"}, {"$ref": "#/$defs/url"}]},
        "not": {"not": {"$ref": "#/$defs/short"}},
        "cond": {"if": {"$ref": "#/$defs/short"}, "then": {"$ref": "#/$defs/url"}, "else": {"type": "string"}},
        "when": {"type": "string", "format": "date-time"},
    },
    "patternProperties": {"^x-": {"$ref": "#/$defs/short"}},
    "additionalProperties": {"allOf": [{"$ref": "#/$defs/entry"}]},
    "$defs": {
        "entry": {"type": "object", "required": ["u"], "additionalProperties": False,
                  "properties": {"u": {"$ref": "#/$defs/url"}, "n": {"type": "array", "items": {"$ref": "#/$defs/short"}}}},
        "url": {"type": "string", "pattern": "^https?://", "format": "uri"},
        "short": {"type": "string", "maxLength": 3},
    },
}
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                     st.sampled_from(["", "ab", "abcd", "https://example.com/a", "https://exa mple.com", "http://",
                                      "2021-12-08T16:33:00Z", "2021-02-29T00:00:00Z", "ftp://x.org"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["u", "n", "list", "one", "x-a", "z"]), inner, max_size=4)), max_leaves=12)
_RECORDS = st.dictionaries(st.sampled_from(list(REFS["properties"]) + ["x-y", "other"]), _VALUES, max_size=6)


@pytest.mark.parametrize("draft", ["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#"])
@settings(max_examples=400, deadline=None)
@given(record=_RECORDS)
def test_verdicts_equal_fastjsonschemas_own_compile(draft, record):
    document = {"$schema": draft, **REFS}
    ours = validation._fastjsonschema_compile(document, validation.format_checks(document))
    assert _verdict(ours, record) == _verdict(_plain(document), record)


@needs_corpus
def test_verdicts_equal_on_the_corpus_and_its_parts():
    """The shipped schema whole, and the part validators the explanation
    compiles (one per field or item schema), on every corpus record."""
    document = json.loads(pathlib.Path(validation.default_schema_path()).read_bytes())
    formats = validation.format_checks(document)
    records = [load(str(p), p.read_bytes()).data for p in sorted(pathlib.Path(CORPUS).rglob("*")) if p.is_file()]
    records = [r for r in records if isinstance(r, dict)]
    broken = [{**r, "related": [{**e, "webUrl": "https://a b"} for e in r.get("related", [])]} for r in records]
    whole = validation._compile_fast(document)
    plain = _plain(document)
    verdicts = [_verdict(whole, r) for r in records + broken]
    assert True in verdicts and False in verdicts
    assert verdicts == [_verdict(plain, r) for r in records + broken]
    for pointer, values in (("/$defs/relatedEntry", "related"), ("/$defs/image", "images"), ("/$defs/provider", None)):
        part = {**document, "$ref": "#" + pointer}
        ours, theirs = validation._fastjsonschema_compile(part, formats), _plain(part)
        for record in records + broken:
            for value in (record.get(values) or []) if values else [record.get("provider")]:
                assert _verdict(ours, value) == _verdict(theirs, value), value
