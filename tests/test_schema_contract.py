"""The article schema contract (schemas/article.schema.json, SPEC §4).

What is pinned here:

* the schema is valid JSON Schema 2020-12 and uses only keywords that draft-07
  validators also understand (a draft-07 compiled validator may be the fast
  path), and every field at every level has a plain-words description;
* the format checker really checks `date-time` and `uri` (jsonschema skips
  both silently when rfc3339-validator / rfc3987 are missing);
* crafted records: legitimate variation passes, and each kind of defect gives
  exactly the expected errors (one error per defect);
* the real corpus: the exact number of errors per (keyword, schema path) kind,
  each kind explained in docs/schema.md; both seeds are clean.

Records are loaded the way the linter loads them:
``contentlint.document.load(path, raw_bytes).data``.
"""

from __future__ import annotations

import collections
import copy
import functools
import json
import os
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from contentlint.document import load

REPO = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO / "schemas" / "article.schema.json"
SEEDS = REPO / "seeds"
CORPUS = Path(os.environ.get("CONTENTLINT_CORPUS", REPO.parent / "shared" / "corpus"))

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

# Keywords a draft-07 validator understands with the same meaning. `$defs` is
# only a container: `$ref: "#/$defs/x"` is a plain JSON pointer in draft-07.
ALLOWED_KEYWORDS = {
    "$schema", "$defs", "$ref", "$comment", "title", "description",
    "type", "properties", "required", "additionalProperties", "items",
    "enum", "const", "pattern", "format", "minLength", "if", "then", "allOf",
    "x-single-line",  # an annotation validators ignore: the fields CL202 keeps on one line (docs/schema.md)
}


def errors_of(data) -> set[tuple[str, str, str]]:
    """{(instance path, keyword, schema path)} of every error, paths joined by '/'."""
    return {
        ("/".join(map(str, e.absolute_path)), e.validator, "/".join(map(str, e.absolute_schema_path)))
        for e in VALIDATOR.iter_errors(data)
    }


def load_file(path: Path):
    doc = load(str(path), path.read_bytes())
    assert not doc.problems, (path, doc.problems)
    return doc.data


# -- the schema itself -----------------------------------------------------------


def _walk(schema, where=""):
    """Yield (location, subschema) for every subschema, root included."""
    yield where, schema
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for name, sub in value.items():
                yield from _walk(sub, f"{where}/{key}/{name}")
        elif key in ("items", "if", "then"):
            yield from _walk(value, f"{where}/{key}")
        elif key == "allOf":
            for i, sub in enumerate(value):
                yield from _walk(sub, f"{where}/allOf/{i}")


def _resolve(ref: str):
    assert ref.startswith("#/$defs/"), ref
    return SCHEMA["$defs"][ref[len("#/$defs/"):]]


def test_schema_is_valid_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_schema_uses_only_draft07_compatible_keywords():
    for where, sub in _walk(SCHEMA):
        assert set(sub) <= ALLOWED_KEYWORDS, (where, set(sub) - ALLOWED_KEYWORDS)
        if "$ref" in sub:
            _resolve(sub["$ref"])  # every reference is local and resolves
            # Beside a $ref, draft-07 ignores everything: only annotations may sit there.
            assert set(sub) <= {"$ref", "description", "$comment"}, where
    Draft7Validator.check_schema({**SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"})


def test_every_field_has_a_description():
    """Every property and list-item schema, at every level, says in words what it is."""
    checked = 0
    for where, sub in _walk(SCHEMA):
        is_condition = "/if" in where  # `if` schemas are tests, not fields
        is_field = where.rsplit("/", 2)[-2:-1] == ["properties"] or where.endswith("/items")
        if is_field and not is_condition:
            text = sub.get("description", "")
            assert isinstance(text, str) and len(text.split()) >= 3, where
            checked += 1
        if where.startswith("/$defs/") and where.count("/") == 2:
            assert sub.get("description"), where
    assert checked >= 40
    assert SCHEMA.get("description")


def test_sizes_and_amp_pairs_are_left_to_their_rules():
    """width/height <= 0 is CL500's finding and a half AMP pair CL400's: not the schema's."""
    for name in ("image", "logo"):
        for side in ("width", "height"):
            assert SCHEMA["$defs"][name]["properties"][side] == {
                "description": SCHEMA["$defs"][name]["properties"][side]["description"],
                "type": "integer",
            }
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    for keyword in ("minimum", "exclusiveMinimum", "dependentRequired", "dependencies",
                    "unevaluatedProperties", "prefixItems"):
        assert f'"{keyword}"' not in text


# -- the format checker is real --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "ok"),
    [
        ("2021-12-08T16:33:00Z", "date-time", True),
        ("2021-12-08T16:33:00.5+02:00", "date-time", True),
        ("2021-13-45T00:00:00Z", "date-time", False),
        ("2021-02-30T00:00:00Z", "date-time", False),
        ("2021-12-08", "date-time", False),
        ("https://www.nextgov.com/a/b/?x=1#y", "uri", True),
        ("not a uri", "uri", False),
        ("https://example.com/a b", "uri", False),
        ("https://example.com/pok\u00e9mon", "uri", False),
        ("https://example.com/pok%C3%A9mon", "uri", True),
    ],
)
def test_format_checker_really_checks(value, fmt, ok):
    # jsonschema silently accepts every value when rfc3339-validator (date-time)
    # or rfc3987 / rfc3986-validator (uri) is not installed.
    assert Draft202012Validator.FORMAT_CHECKER.conforms(value, fmt) is ok


def test_format_is_checked_through_the_validator():
    record = minimal_article()
    record["publishedDateTime"] = "2021-13-45T00:00:00Z"
    record["webUrl"] = "https://example.com/a b"
    assert errors_of(record) == {
        ("publishedDateTime", "format", "properties/publishedDateTime/format"),
        ("webUrl", "format", "properties/webUrl/allOf/1/then/format"),
    }


# -- crafted records -------------------------------------------------------------

MINIMAL_ARTICLE = """\
---
category: news
title: "A title"
excerpt: ""
publishedDateTime: 2021-12-08T16:33:00Z
webUrl: "https://example.com/a"
type: article
provider:
  name: Example
  domain: example.com
topics:
  - AI
secured: "abc=="
---
"""

VIDEO = """\
---
category: news
title: "A video"
excerpt: "About it."
publishedDateTime: 2019-08-26T15:00:16Z
originalUrl: "https://youtube.com/watch?v=6NPtZSMH0h4"
type: video
quality: 154
heat: -3
published: true
removed: false

featuredContent: "<iframe width=\\"800\\" height=\\"500\\" src=\\"https://www.youtube.com/embed/6NPtZSMH0h4\\"></iframe>"

provider:
  name: Microsoft
  domain: microsoft.com
  images:
    - url: "https://example.com/microsoft.com-50x50.jpg"
      width: 50
      height: 50

topics:
  - Power Apps

images:
  - url: "http://i.ytimg.com/vi/6NPtZSMH0h4/maxresdefault.jpg"
    width: 1280
    height: 720
    isCached: true

related:
  - title: "Related"
    excerpt: ""
    publishedDateTime: 2021-12-08T03:53:00Z
    webUrl: "https://www3.nhk.or.jp/nhkworld/en/news/20211208_18/"
    ampWebUrl: "https://www3.nhk.or.jp/nhkworld/en/news/20211208_18/amp.html"
    cdnAmpWebUrl: "https://www3-nhk-or-jp.cdn.ampproject.org/c/s/www3.nhk.or.jp/nhkworld/en/news/20211208_18/amp.html"
    type: article
    provider:
      name: NHK
      domain: nhk.or.jp
    quality: 59
    images:
      - url: "https://www3.nhk.or.jp/x.jpg"
        width: 640
        height: 360
        isCached: false

secured: "abc=="
---
"""


def minimal_article() -> dict:
    return load("minimal.md", MINIMAL_ARTICLE.encode()).data


def video() -> dict:
    return load("video.md", VIDEO.encode()).data


def test_minimal_article_is_valid():
    data = minimal_article()
    assert data["publishedDateTime"] == "2021-12-08T16:33:00Z"  # timestamps stay strings
    assert errors_of(data) == set()


def test_video_without_webUrl_with_every_optional_field_is_valid():
    data = video()
    assert "webUrl" not in data
    assert errors_of(data) == set()


def test_crlf_file_is_valid():
    assert errors_of(load("crlf.md", VIDEO.replace("\n", "\r\n").encode()).data) == set()


def _set(path: str, value):
    def change(record):
        *parents, last = _steps(path)
        target = record
        for step in parents:
            target = target[step]
        target[last] = value
    return change


def _delete(path: str):
    def change(record):
        *parents, last = _steps(path)
        target = record
        for step in parents:
            target = target[step]
        del target[last]
    return change


def _steps(path: str):
    return [int(p) if p.isdigit() else p for p in path.split("/")]


# Legitimate variation: each of these changes leaves the record valid.
VALID_VARIANTS = {
    "no quality/heat/published": [_delete("quality"), _delete("heat"), _delete("published")],
    "zero and negative scores": [_set("quality", 0), _set("heat", -1)],
    "removed: true": [_set("removed", True)],
    "no images": [_delete("images")],
    "no related": [_delete("related")],
    "no provider logo": [_delete("provider/images")],
    "related without images or AMP": [_delete("related/0/images"), _delete("related/0/ampWebUrl"),
                                      _delete("related/0/cdnAmpWebUrl")],
    "video also has a webUrl": [_set("webUrl", "https://example.com/v")],
    "article with originalUrl": [_set("type", "article"), _set("webUrl", "https://example.com/v")],
    "empty excerpt": [_set("excerpt", "")],
    "http image URL": [_set("images/0/url", "http://example.com/i.jpg")],
    "uppercase scheme": [_set("originalUrl", "HTTPS://YOUTUBE.COM/watch?v=1")],
    "offset date-time": [_set("publishedDateTime", "2021-12-08T16:33:00.123+02:00")],
    # Each of these is another rule's finding, reported once, there.
    "width 0 (CL500)": [_set("images/0/width", 0)],
    "negative height (CL500)": [_set("related/0/images/0/height", -5)],
    "half AMP pair (CL400)": [_delete("related/0/cdnAmpWebUrl")],
    # related and article providers share one shape, logo list included
    "related provider with a logo": [_set("related/0/provider/images", [
        {"url": "https://example.com/nhk.or.jp-50x50.jpg", "width": 50, "height": 50}])],
    # The news records of the sibling repositories (docs/schema.md, "Sibling repositories").
    "image without isCached": [_delete("images/0/isCached")],
    "image caption": [_set("images/0/title", "Ai Weiwei says new security law is the end of Hong Kong")],
    "related image with a caption and no isCached": [_delete("related/0/images/0/isCached"),
                                                      _set("related/0/images/0/title", "NHK")],
    "empty caption": [_set("images/0/title", "")],
}


@pytest.mark.parametrize("name", VALID_VARIANTS)
def test_legitimate_variation_is_valid(name):
    record = video()
    for change in VALID_VARIANTS[name]:
        change(record)
    assert errors_of(record) == set()


R = "properties/related/items/properties"
IMG = "properties/images/items/properties"

# Defects: change -> exactly these (instance path, keyword, schema path) errors.
DEFECTS = {
    "null topic": (
        _set("topics", [None, "AI"]),
        {("topics/0", "type", "properties/topics/items/type")},
    ),
    "empty topic": (
        _set("topics", ["AI", ""]),
        {("topics/1", "minLength", "properties/topics/items/minLength")},
    ),
    "topics is a string": (
        _set("topics", "AI"),
        {("topics", "type", "properties/topics/type")},
    ),
    "quoted number": (
        _set("quality", "54"),
        {("quality", "type", "properties/quality/type")},
    ),
    "quoted boolean": (
        _set("published", "false"),
        {("published", "type", "properties/published/type")},
    ),
    "removed is not a boolean": (
        _set("removed", "yes"),
        {("removed", "type", "properties/removed/type")},
    ),
    "null title": (
        _set("title", None),
        {("title", "type", "properties/title/type")},
    ),
    "empty title": (
        _set("title", ""),
        {("title", "minLength", "properties/title/minLength")},
    ),
    "bad month": (
        _set("publishedDateTime", "2021-13-45T00:00:00Z"),
        {("publishedDateTime", "format", "properties/publishedDateTime/format")},
    ),
    "date without time": (
        _set("related/0/publishedDateTime", "2021-12-08"),
        {("related/0/publishedDateTime", "format", f"{R}/publishedDateTime/format")},
    ),
    "empty URL": (
        _set("originalUrl", ""),
        {("originalUrl", "minLength", "properties/originalUrl/minLength")},
    ),
    "empty related video URL": (
        _set("related/0/webUrl", ""),
        {("related/0/webUrl", "minLength", f"{R}/webUrl/minLength")},
    ),
    "not http(s)": (
        _set("originalUrl", "ftp://example.com/v"),
        {("originalUrl", "pattern", "properties/originalUrl/allOf/0/then/pattern")},
    ),
    "javascript: URL": (
        _set("related/0/ampWebUrl", "javascript:alert(1)"),
        {("related/0/ampWebUrl", "pattern", f"{R}/ampWebUrl/allOf/0/then/pattern")},
    ),
    "no host": (
        _set("images/0/url", "https:///x.jpg"),
        {("images/0/url", "pattern", f"{IMG}/url/allOf/0/then/pattern")},
    ),
    "not a URI": (
        _set("provider/images/0/url", "https://example.com/a logo.png"),
        {("provider/images/0/url", "format", "properties/provider/properties/images/items/properties/url/allOf/1/then/format")},
    ),
    "URL is a number": (
        _set("cdnAmpWebUrl", 5),
        {("cdnAmpWebUrl", "type", "properties/cdnAmpWebUrl/type")},
    ),
    "width is text": (
        _set("images/0/width", "1280"),
        {("images/0/width", "type", f"{IMG}/width/type")},
    ),
    "height is fractional": (
        _set("related/0/images/0/height", 360.5),
        {("related/0/images/0/height", "type", f"{R}/images/items/properties/height/type")},
    ),
    "logo width is a boolean": (
        _set("provider/images/0/width", True),
        {("provider/images/0/width", "type", "properties/provider/properties/images/items/properties/width/type")},
    ),
    "unknown top-level key": (
        _set("publishDateTime", "2021-12-08T16:33:00Z"),
        {("", "additionalProperties", "additionalProperties")},
    ),
    "unknown provider key": (
        _set("provider/url", "https://microsoft.com"),
        {("provider", "additionalProperties", "properties/provider/additionalProperties")},
    ),
    "unknown image key": (
        _set("images/0/alt", "x"),
        {("images/0", "additionalProperties", "properties/images/items/additionalProperties")},
    ),
    "unknown logo key": (
        _set("provider/images/0/isCached", True),
        {("provider/images/0", "additionalProperties",
          "properties/provider/properties/images/items/additionalProperties")},
    ),
    "unknown related key": (
        _set("related/0/heat", 3),
        {("related/0", "additionalProperties", "properties/related/items/additionalProperties")},
    ),
    "unknown related provider key": (
        _set("related/0/provider/logo", "https://nhk.or.jp/logo.png"),
        {("related/0/provider", "additionalProperties", "properties/related/items/properties/provider/additionalProperties")},
    ),
    "video without originalUrl": (
        _delete("originalUrl"),
        {("", "required", "allOf/1/then/required")},
    ),
    "article without webUrl": (
        _set("type", "article"),
        {("", "required", "allOf/0/then/required")},
    ),
    "missing type: no follow-up error": (
        _delete("type"),
        {("", "required", "required")},
    ),
    "unknown type: no follow-up error": (
        _set("type", "podcast"),
        {("type", "enum", "properties/type/enum")},
    ),
    "other category": (
        _set("category", "blog"),
        {("category", "enum", "properties/category/enum")},
    ),
    "missing provider domain": (
        _delete("provider/domain"),
        {("provider", "required", "properties/provider/required")},
    ),
    "related without quality": (
        _delete("related/0/quality"),
        {("related/0", "required", "properties/related/items/required")},
    ),
    "image without url": (
        _delete("images/0/url"),
        {("images/0", "required", "properties/images/items/required")},
    ),
    "caption is not a string": (
        _set("images/0/title", ["a", "b"]),
        {("images/0/title", "type", f"{IMG}/title/type")},
    ),
    "caption key misspelt": (
        _set("images/0/titel", "A caption"),
        {("images/0", "additionalProperties", "properties/images/items/additionalProperties")},
    ),
    "caption on a logo": (
        _set("provider/images/0/title", "Microsoft"),
        {("provider/images/0", "additionalProperties",
          "properties/provider/properties/images/items/additionalProperties")},
    ),
    "isCached is text": (
        _set("related/0/images/0/isCached", "yes"),
        {("related/0/images/0/isCached", "type", f"{R}/images/items/properties/isCached/type")},
    ),
    "images is a mapping": (
        _set("images", {"url": "https://example.com/i.jpg"}),
        {("images", "type", "properties/images/type")},
    ),
    "provider is a string": (
        _set("provider", "Microsoft"),
        {("provider", "type", "properties/provider/type")},
    ),
}


@pytest.mark.parametrize("name", DEFECTS)
def test_defect_gives_exactly_the_expected_errors(name):
    change, expected = DEFECTS[name]
    record = video()
    change(record)
    assert errors_of(record) == expected


def test_defects_in_yaml_text():
    """The same checks through the real loader: an empty list item is null, `x:` is null."""
    text = MINIMAL_ARTICLE.replace("  - AI\n", "  - \n  - AI\n").replace('excerpt: ""', "excerpt:")
    assert errors_of(load("x.md", text.encode()).data) == {
        ("topics/0", "type", "properties/topics/items/type"),
        ("excerpt", "type", "properties/excerpt/type"),
    }
    text = MINIMAL_ARTICLE.replace("publishedDateTime: 2021-12-08T16:33:00Z", "publishedDateTime: 2021-12-08")
    assert errors_of(load("x.md", text.encode()).data) == {
        ("publishedDateTime", "format", "properties/publishedDateTime/format"),
    }


# -- descriptions reach every message --------------------------------------------


def field_description(error) -> str:
    """The description a message should quote for a jsonschema error.

    Walk the error's absolute schema path from the root (jsonschema leaves
    `$ref` hops out of the path, so follow a `$ref` whenever the next step is
    not in the current schema) and keep the description of the last *field*
    schema passed: one reached through ``properties/<name>`` or ``items``.
    For ``required`` the missing field's own description is used.
    """
    node, described, objects = SCHEMA, SCHEMA.get("description", ""), [SCHEMA]
    path = list(error.absolute_schema_path)
    previous = None
    for step in path[:-1]:
        while step not in node and "$ref" in node:
            node = _resolve(node["$ref"])
        node = node[step]
        if isinstance(node, dict):
            if previous == "properties" or step == "items":
                described = node.get("description", described)
            target = _resolve(node["$ref"]) if "$ref" in node else node
            if "properties" in target:
                objects.append(target)
        previous = step
    if error.validator == "required":
        missing = next(m for m in error.validator_value if m not in error.instance)
        return objects[-1]["properties"][missing]["description"]
    return described


@pytest.mark.parametrize("name", DEFECTS)
def test_every_defect_has_a_field_description(name):
    change, _ = DEFECTS[name]
    record = video()
    change(record)
    for error in VALIDATOR.iter_errors(record):
        assert len(field_description(error).split()) >= 3, (name, error.message)


def test_field_description_is_the_fields_own():
    record = video()
    record["related"][0]["webUrl"] = ""
    (error,) = VALIDATOR.iter_errors(record)
    assert field_description(error) == SCHEMA["$defs"]["relatedEntry"]["properties"]["webUrl"]["description"]
    del record["originalUrl"]
    record["related"][0]["webUrl"] = "https://example.com/r"
    (error,) = VALIDATOR.iter_errors(record)
    assert field_description(error) == SCHEMA["properties"]["originalUrl"]["description"]


# -- the seeds and the real corpus -----------------------------------------------


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_seeds_are_valid(path):
    assert errors_of(load_file(path)) == set()


# The corpus's defects, by (keyword, schema path) -> count. docs/schema.md
# explains each; a change here is a change of the contract: update both.
CORPUS_ERRORS = {
    # 277 related video entries in 97 diablo4 files: `webUrl: ""`, a link to nowhere.
    ("minLength", f"{R}/webUrl/minLength"): 277,
    # 7 diablo4 articles: `topics:` starts with an empty `- ` item (null).
    ("type", "properties/topics/items/type"): 7,
    # 2 diablo4 articles, webUrl and originalUrl each: raw non-ASCII in the URL
    # (one mojibake `â€“`, one unencoded `é`).
    ("format", "properties/webUrl/allOf/1/then/format"): 2,
    ("format", "properties/originalUrl/allOf/1/then/format"): 2,
}
CORPUS_FILES = 2477
CORPUS_FILES_WITH_ERRORS = 106


@pytest.fixture(scope="module")
def corpus_errors():
    """{path: (data, [errors])} for every corpus record."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present")
    files = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
    result = {}
    for path in files:
        data = load_file(path)
        result[path] = (data, list(VALIDATOR.iter_errors(data)))
    return result


def test_corpus_error_kinds_and_counts(corpus_errors):
    assert len(corpus_errors) == CORPUS_FILES
    kinds = collections.Counter(
        (e.validator, "/".join(map(str, e.absolute_schema_path)))
        for _, errors in corpus_errors.values() for e in errors
    )
    assert dict(kinds) == CORPUS_ERRORS
    assert sum(1 for _, errors in corpus_errors.values() if errors) == CORPUS_FILES_WITH_ERRORS


def test_corpus_defects_are_the_documented_ones(corpus_errors):
    """Look at the values, not just the counts."""
    empty_video_urls = 0
    for data, errors in corpus_errors.values():
        for e in errors:
            where = list(e.absolute_path)
            if e.validator == "minLength":
                assert where[0] == "related" and where[2:] == ["webUrl"] and e.instance == ""
                assert data["related"][where[1]]["type"] == "video"
                empty_video_urls += 1
            elif e.validator == "type":
                assert where[0] == "topics" and e.instance is None
            else:
                assert e.validator == "format" and where in (["webUrl"], ["originalUrl"])
                assert any(ord(c) > 127 for c in e.instance), e.instance
    related_videos = [
        entry for data, _ in corpus_errors.values() for entry in data.get("related") or [] if entry["type"] == "video"
    ]
    assert empty_video_urls == len(related_videos) == 277


def test_docs_list_every_corpus_error_kind():
    docs = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    for (keyword, schema_path), count in CORPUS_ERRORS.items():
        assert f"`{schema_path}`" in docs, schema_path
        assert f"| {count} |" in docs, (schema_path, count)


# -- a draft-07 compiled fast path agrees ------------------------------------------


def test_draft07_validator_gives_the_same_errors():
    """The schema means the same under draft-07 rules (the fast-path promise)."""
    schema07 = {**SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"}
    v07 = Draft7Validator(schema07, format_checker=Draft7Validator.FORMAT_CHECKER)
    for name in DEFECTS:
        change, _ = DEFECTS[name]
        record = video()
        change(record)
        assert {(tuple(e.absolute_path), e.validator) for e in v07.iter_errors(record)} == \
            {(tuple(e.absolute_path), e.validator) for e in VALIDATOR.iter_errors(record)}, name


def test_fastjsonschema_agrees_when_given_real_format_checks(corpus_errors):
    """fastjsonschema compiles the schema; its own `uri`/`date-time` regexes are
    laxer than rfc3987/rfc3339 (it accepts raw non-ASCII URLs), so a fast path
    must pass jsonschema's format checks in as `formats`."""
    fastjsonschema = pytest.importorskip("fastjsonschema")
    checker = Draft202012Validator.FORMAT_CHECKER
    fast = fastjsonschema.compile(
        copy.deepcopy(SCHEMA),
        formats={name: (lambda value, name=name: checker.conforms(value, name)) for name in ("uri", "date-time")},
    )

    def fast_ok(data) -> bool:
        try:
            fast(data)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    for name, (change, expected) in DEFECTS.items():
        record = video()
        change(record)
        assert fast_ok(record) is (not expected), name
    for path, (data, errors) in corpus_errors.items():
        assert fast_ok(data) is (not errors), path


# -- messages (contentlint.validation) -----------------------------------------------


@functools.lru_cache(maxsize=None)
def _linter_schema(path: str | None):
    from contentlint.validation import load_schema

    return load_schema(path)


def messages(data, schema_path=None) -> dict[str, tuple[str, str]]:
    """{instance path: (code, message)} of what the linter reports (the shipped schema by default)."""
    from contentlint.validation import describe_path

    schema = _linter_schema(str(schema_path) if schema_path else None)
    return {describe_path(e.path): (e.code, e.message) for e in schema.errors(data)}


IMAGE_KEYS = "height, isCached, title, url, width"
TOP_KEYS = ("ampWebUrl, category, cdnAmpWebUrl, excerpt, featuredContent, heat, images, originalUrl, provider, "
            "published, publishedDateTime, quality, related, removed, secured, title, topics, type, webUrl")


def test_unknown_keys_suggest_the_nearest_and_list_the_allowed_once():
    text = (VIDEO
            .replace("    isCached: true\n", "    isCached: true\n    titel: A caption\n")
            .replace("        isCached: false\n", "        isCached: false\n        alt: NHK\n")
            .replace('secured: "abc=="\n', 'secured: "abc=="\npublishDateTime: 2019-08-26T15:00:16Z\n'
                                           'WEBURL: https://example.com/v\ntags: [a]\n'))
    assert messages(load("x.md", text.encode()).data) == {
        # In file order: the first unknown key in a picture lists the picture's keys ...
        "images[0].titel": ("CL104", f"unknown field `titel` in `images[0]`; did you mean `title`? "
                                     f"Expected one of: {IMAGE_KEYS}"),
        # ... a later one in a picture does not.
        "related[0].images[0].alt": ("CL104", "unknown field `alt` in `related[0].images[0]`; "
                                              "no allowed field has a similar name"),
        # The top level is another kind of mapping: its first unknown key lists its keys.
        "publishDateTime": ("CL104", "unknown field `publishDateTime` at the top level; "
                                     f"did you mean `publishedDateTime`? Expected one of: {TOP_KEYS}"),
        "WEBURL": ("CL104", "unknown field `WEBURL` at the top level; did you mean `webUrl`?"),
        "tags": ("CL104", "unknown field `tags` at the top level; no allowed field has a similar name"),
    }


def test_first_unknown_key_without_a_suggestion_lists_the_allowed():
    record = video()
    record["provider"]["url"] = "https://microsoft.com"
    assert messages(record) == {
        "provider.url": ("CL104", "unknown field `url` in `provider`; expected one of: domain, images, name"),
    }


HUGO_KEYS = "Expected one of: linkTitle, title, weight"


@pytest.mark.parametrize(("key", "expected"), [
    ("linktitle", f"did you mean `linkTitle`? {HUGO_KEYS}"),  # case-insensitive first
    ("LINK_TITLE", f"did you mean `linkTitle`? {HUGO_KEYS}"),
    ("wieght", f"did you mean `weight`? {HUGO_KEYS}"),
    ("titel", f"did you mean `title`? {HUGO_KEYS}"),
    ("tags", "expected one of: linkTitle, title, weight"),  # another word, not a typo
    ("link", "expected one of: linkTitle, title, weight"),
])
def test_suggestion_cutoff(tmp_path, key, expected):
    path = tmp_path / "hugo.json"
    path.write_text(json.dumps({"type": "object", "additionalProperties": False, "properties": {
        "title": {"type": "string"}, "linkTitle": {"type": "string"}, "weight": {"type": "integer"}}}))
    assert messages({key: "x"}, path) == {key: ("CL104", f"unknown field `{key}` at the top level; {expected}")}


def test_the_suggestion_is_difflibs_closest_match():
    """_nearest prunes with quick_ratio's bound before difflib's ratio: the
    answer is get_close_matches(n=1) on the case-folded keys, on real keys
    and their typos, ties included."""
    import difflib
    import random

    from contentlint.validation import _SUGGEST_CUTOFF, _nearest

    schema = json.loads((REPO / "schemas" / "article.schema.json").read_text())
    known = set(schema["properties"]) | {"linkTitle", "title", "weight", "ab", "ba", "abc", "acb", "T1", "t2"}
    rng = random.Random(17)
    keys = ["ab", "ba", "bca", "cab", "T2", "t1", "k00001", "", "x"]
    for word in sorted(known):
        for _ in range(20):
            chars = list(word)
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(chars) + 1)
                rng.choice([lambda: chars.insert(at, rng.choice("aeirtlnsUD_")),
                            lambda: chars.pop(min(at, len(chars) - 1)) if chars else None,
                            lambda: chars.reverse()])()
            keys.append("".join(chars))
    for size in (3, 8, len(known)):
        subset = frozenset(sorted(known)[:size])
        folded = {k.casefold(): k for k in sorted(subset)}
        for key in keys:
            text = key.casefold()
            match = difflib.get_close_matches(text, list(folded), n=1, cutoff=_SUGGEST_CUTOFF)
            expected = folded[text] if text in folded else folded[match[0]] if match else None
            assert _nearest(key, subset) == expected, key


def test_pattern_properties_are_not_unknown(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"type": "object", "additionalProperties": False,
                                "properties": {"title": {"type": "string"}},
                                "patternProperties": {"^x-": {"type": "string"}}}))
    assert messages({"title": "t", "x-team": "a", "tilte": "b"}, path) == {
        "tilte": ("CL104", "unknown field `tilte` at the top level; did you mean `title`? Expected one of: title"),
    }


def test_pattern_failures_are_explained_in_words():
    record = video()
    record["originalUrl"] = "ftp://example.com/v"
    record["images"][0]["url"] = "//i.ytimg.com/vi/x.jpg"
    assert messages(record) == {
        "originalUrl": ("CL100", "`originalUrl` does not have the expected form ('ftp://example.com/v'): A web "
                                 "address must start with http:// or https:// followed by a host name. The address "
                                 "the item was first found at; required for videos, which have no webUrl."),
        "images[0].url": ("CL100", "`images[0].url` does not have the expected form ('//i.ytimg.com/vi/x.jpg'): A "
                                   "web address must start with http:// or https:// followed by a host name. The "
                                   "address of the picture file."),
    }


def test_format_failures_are_explained_in_words():
    record = video()
    record["publishedDateTime"] = "2021-13-45T00:00:00Z"
    record["related"][0]["webUrl"] = "https://example.com/pok\u00e9mon"
    assert messages(record) == {
        "publishedDateTime": ("CL103", "`publishedDateTime` must be an RFC 3339 date and time such as "
                                       "2021-12-08T16:33:00Z, not '2021-13-45T00:00:00Z': When the source published "
                                       "the item: an RFC 3339 date and time such as 2021-12-08T16:33:00Z."),
        "related[0].webUrl": ("CL103", "`related[0].webUrl` must be an absolute URI (RFC 3986: ASCII only, spaces "
                                       "and other special characters percent-encoded), not "
                                       "'https://example.com/pok\u00e9mon': The address readers are sent to when "
                                       "they click the related item; must not be empty, also for videos."),
    }


@pytest.mark.parametrize("name", DEFECTS)
def test_no_message_shows_a_regular_expression(name):
    change, _ = DEFECTS[name]
    record = video()
    change(record)
    for code, message in messages(record).values():
        assert "[Hh]" not in message and "^" not in message, message


@pytest.mark.parametrize(("field", "expected"), [
    # A bare pattern: said in words; the pattern only as a labelled afterthought.
    ({"type": "string", "pattern": "^[a-z0-9-]+$"},
     "'Hello World' does not have the expected form for `slug` "
     "(the schema gives no description, only the pattern `^[a-z0-9-]+$`)"),
    # The field's description says what is expected: it is used instead.
    ({"type": "string", "pattern": "^[a-z0-9-]+$", "description": "Lowercase letters, digits and dashes."},
     "`slug` does not have the expected form ('Hello World'): Lowercase letters, digits and dashes."),
    # A described subschema holding the pattern, then the field's own words.
    ({"description": "The page's address name.",
      "allOf": [{"description": "Only lowercase letters, digits and dashes.", "pattern": "^[a-z0-9-]+$"}]},
     "`slug` does not have the expected form ('Hello World'): Only lowercase letters, digits and dashes. "
     "The page's address name."),
])
def test_user_schema_pattern_messages(tmp_path, field, expected):
    _assert_slug_message(tmp_path, field, expected)


def test_the_date_patterns_init_writes_are_worded(tmp_path):
    from contentlint.infer import DATE_OR_DATETIME

    _assert_slug_message(tmp_path, {"type": "string", "pattern": DATE_OR_DATETIME},
                         "`slug` must be a date such as `2016-10-06`, or a date and time such as "
                         "`2016-10-06 11:10:38 -0700`, not 'Hello World'")


def _assert_slug_message(tmp_path, field, expected):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"type": "object", "properties": {"slug": field}}))
    assert messages({"slug": "Hello World"}, path) == {"slug": ("CL100", expected)}
