"""The compiled fast path answers "valid?" exactly as jsonschema does, or is not used."""

from __future__ import annotations

import json

import pytest

from contentlint.schema import load_schema
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
    from contentlint.schema import _PLAIN_URI, _rfc3986

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

    from contentlint import schema

    for name, check in schema._OWN_FORMATS.items():
        for cls in (Draft7Validator, Draft202012Validator):
            assert schema.format_checker(cls).checkers[name][0] is check, name
        assert schema.format_checks({"format": name})[name] is check, name
        assert schema.format_checks({"format": "email"})[name] is check, name
    assert load_schema(None).validator.format_checker.checkers["uri"][0] is schema._is_uri


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
    from contentlint.schema import _OWN_FORMATS

    got = tuple(_OWN_FORMATS[name](value) for name in ("uri", "uri-reference", "iri", "iri-reference"))
    assert got == (uri, uri_reference, iri, iri_reference)
