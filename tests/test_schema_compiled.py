"""The shipped validator's generator (validation._generator): same verdicts
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
    return fastjsonschema.compile(validation._for_fastjsonschema(document), formats=validation.format_checks(document),
                                  detailed_exceptions=False)


def _verdict(check, data):
    try:
        check(data)
        return True
    except Exception:  # JsonSchemaValueException, or a format check's own error
        return False


def _quiet(document):
    """The validator validation._generator's code defines (what shipped_validator.py holds
    for the shipped schema), loaded here as fastjsonschema.compile loads its code."""
    formats = validation.format_checks(document)
    generator = validation._generator(validation._for_fastjsonschema(document), formats)
    state = generator.global_state
    exec(generator.func_code, state)  # the test's own load: the package never execs
    return lambda data: state["validate"](data, custom_formats=formats)


BASE = {"category": "news", "title": "T", "excerpt": "", "publishedDateTime": "2021-12-08T16:33:00Z",
        "type": "article", "webUrl": "https://example.com/a", "provider": {"name": "N", "domain": "n.com"},
        "topics": ["AI"], "secured": "x"}


@needs_release
def test_a_refd_item_is_checked_without_building_its_name():
    # Building "data.images[1]" per item was a str.format(**locals()) for
    # every list entry of every record; only "valid?" is read from it.
    from contentlint import shipped_validator

    document = json.loads(pathlib.Path(validation.default_schema_path()).read_bytes())
    fast = validation._compile_fast(document)
    assert fast.func is shipped_validator.validate
    image = {"url": "https://example.com/i.png", "width": 1, "height": 1}
    record = {**BASE, "images": [image, "not an image"]}
    fast({**BASE, "images": [image, image]})
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        fast(record)
    assert caught.value.message == "data must be object"
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        _plain(document)(record)
    assert caught.value.message == "data.images[1] must be object"
    with open(validation.SHIPPED_VALIDATOR, encoding="utf-8") as handle:
        assert "format(**locals()))\n" not in handle.read()  # no call builds a name


def test_another_release_generates_as_fastjsonschema_does(monkeypatch):
    document = json.loads(pathlib.Path(validation.default_schema_path()).read_bytes())
    monkeypatch.setattr(fastjsonschema, "VERSION", "0.0.1")
    assert validation._generator(document, validation.format_checks(document)) is None
    source = validation.shipped_validator_source()
    assert 'VERSION = "0.0.1"' in source and "format(**locals()))\n" in source


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
        "pair": {"$ref": "#/$defs/pair"},
    },
    "patternProperties": {"^x-": {"$ref": "#/$defs/short"}},
    "additionalProperties": {"allOf": [{"$ref": "#/$defs/entry"}]},
    "$defs": {
        "entry": {"type": "object", "required": ["u"], "additionalProperties": False,
                  "properties": {"u": {"$ref": "#/$defs/url"}, "n": {"type": "array", "items": {"$ref": "#/$defs/short"}}}},
        "url": {"type": "string", "pattern": "^https?://", "format": "uri"},
        "short": {"type": "string", "maxLength": 3},
        # `required` with keys that need quoting in the generated code
        "pair": {"type": "object", "required": ["u", "it's", 'a"b', "x\ny"], "properties": {"u": {"$ref": "#/$defs/url"}}},
    },
}
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                     st.sampled_from(["", "ab", "abcd", "https://example.com/a", "https://exa mple.com", "http://",
                                      "2021-12-08T16:33:00Z", "2021-02-29T00:00:00Z", "ftp://x.org"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["u", "n", "list", "one", "x-a", "z", "it's", 'a"b', "x\ny"]), inner, max_size=4)),
    max_leaves=12)
_RECORDS = st.dictionaries(st.sampled_from(list(REFS["properties"]) + ["x-y", "other"]), _VALUES, max_size=6)


@needs_release
@pytest.mark.parametrize("draft", ["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#"])
@settings(max_examples=400, deadline=None)
@given(record=_RECORDS)
def test_verdicts_equal_fastjsonschemas_own_compile(draft, record):
    document = {"$schema": draft, **REFS}
    assert _verdict(_quiet(document), record) == _verdict(_plain(document), record)


@needs_corpus
def test_verdicts_equal_on_the_corpus():
    """The shipped validator against fastjsonschema's own compile, on every
    corpus record and on copies with a bad related entry, image or logo."""
    document = json.loads(pathlib.Path(validation.default_schema_path()).read_bytes())
    records = [load(str(p), p.read_bytes()).data for p in sorted(pathlib.Path(CORPUS).rglob("*")) if p.is_file()]
    records = [r for r in records if isinstance(r, dict)]
    broken = [{**r, "related": [{**e, "webUrl": "https://a b"} for e in r.get("related", [])]} for r in records]
    broken += [{**r, "images": [{**i, "width": "1"} for i in r.get("images", [])]} for r in records]
    broken += [{**r, "provider": {**r["provider"], "images": [{"url": "x"}]}} for r in records
               if isinstance(r.get("provider"), dict)]
    whole, plain = validation._compile_fast(document), _plain(document)
    verdicts = [_verdict(whole, r) for r in records + broken]
    assert verdicts.count(True) > 2000 and verdicts.count(False) > 2000
    assert verdicts == [_verdict(plain, r) for r in records + broken]


@needs_release
def test_required_builds_no_set():
    # `set([...]) - data.keys()` for every object with `required` was ~0.8 us
    # of a related entry's ~13 us check; membership tests need no set.
    source = validation.shipped_validator_source()
    assert "__missing_keys = set(" not in source
    assert "data__missing_keys = 'name' not in data or 'domain' not in data\n" in source
    pair = {"u": "https://example.com/", "it's": 1, 'a"b': 2, "x\ny": 3}
    document = REFS
    for record in ({"pair": pair}, *({"pair": {k: v for k, v in pair.items() if k != gone}} for gone in pair)):
        assert _verdict(_quiet(document), record) == _verdict(_plain(document), record) == (len(record["pair"]) == 4)
