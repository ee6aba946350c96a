"""Per-record work done once (issue 17, seventh round): counted or compared,
never timed.

- The builder lists every value with its path while it builds the data, so
  the rules' ``Document.values()`` is not a second walk of the data; the
  list must be exactly the walk's.
- Which strings are URLs for CL303 depends on the schema and the path only:
  decided once per path and run, never per record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contentlint import engine
from contentlint.config import Settings
from contentlint.document import load
from tests.conftest import CORPUS, check_json

CRAFTED = [
    "a: 1\nb: [x, {c: null}, [1, 2.5, '3']]\nc:\n  - d: true\n    e: ~\n  - - f\n    - 0x1F\nd: \"AT & T\"\n",
    "a: !!str 3\nb: ! 4\nc: !!int '7'\nd: !local x\ne: 2021-05-11T08:56:31Z\nf: '-'\ng: .inf\n",
    "? [complex, key]\n: 1\nplain: text\n",
    "a: {}\nb: []\nc: [[]]\nd: {e: {f: {g: [h]}}}\n",
    "t: |\n  block\n  text\nu: >\n  folded\nv: 'single ''quoted'''\nw: \"\\u00e9\"\n",
]


def _walked(doc) -> tuple[list, list]:
    """values() and strings() as the walk of the data finds them."""
    doc.memo.pop("values", None)
    doc.memo.pop("all strings", None)
    return doc.values(), doc.strings()


def _records():
    yield from ((f"crafted{i}.md", f"---\n{block}---\n".encode()) for i, block in enumerate(CRAFTED))
    if CORPUS.is_dir():
        for path in sorted(CORPUS.rglob("*.md"))[:400]:
            yield str(path), path.read_bytes()


def test_the_builder_lists_the_values_the_walk_finds():
    listed = 0
    for name, raw in _records():
        doc = load(name, raw)
        if not doc.ok:
            continue
        assert "values" in doc.memo and "all strings" in doc.memo, name  # listed while building
        built = doc.values(), doc.strings()
        assert built == _walked(load(name, raw)), name
        # Same order and the very objects of the data (rules compare identities too).
        assert [id(v) for _, v in built[0]] == [id(v) for _, v in _walked(doc)[0]], name
        listed += 1
    assert listed >= (300 if CORPUS.is_dir() else len(CRAFTED))


@pytest.mark.parametrize("block", ["a: 1\nb: [x]\na: [y, z]\n", "a: &x [1]\nb: *x\n"])
def test_duplicate_keys_and_aliases_are_walked(block):
    # A duplicate key leaves the last value at the first key's place in the
    # data, and an alias shares a value: only the walk of the data lists them
    # as the rules saw them before.
    doc = load("a.md", f"---\n{block}---\n".encode())
    assert "values" not in doc.memo
    values = doc.values()
    assert values == _walked(load("a.md", f"---\n{block}---\n".encode()))[0]
    if "&x" not in block:
        assert values == [((), {"a": [1, [1]] and ["y", "z"], "b": ["x"]}), (("a",), ["y", "z"]), (("a", 0), "y"),
                          (("a", 1), "z"), (("b",), ["x"]), (("b", 0), "x")]


RECORD = """---
title: "A record"
webUrl: "https://example.com/a b"
imageUrl: images/a.png
related:
  - title: "Other"
    webUrl: "https://example.com/b/"
---
"""


def test_url_fields_are_decided_once_per_path_and_run(monkeypatch):
    settings = Settings()
    ctx, rules = engine.Context(settings), engine.enabled_rules(settings)
    calls = []
    real = engine.Context.field_info

    def counted(self, path):
        calls.append(tuple(path))
        return real(self, path)

    monkeypatch.setattr(engine.Context, "field_info", counted)

    def lint(i):
        result = engine.lint_document(load(f"r{i}.md", RECORD.encode()), rules, ctx)
        return [(d.code, d.start.line, d.start.column) for d in result.diagnostics if d.code == "CL303"]

    first = lint(0)
    asked = len(calls)
    assert ("related", 0, "webUrl") in calls and asked == len(set(calls))
    assert [lint(i) for i in range(1, 5)] == [first] * 4 and len(calls) == asked
    # The article format wants absolute URLs: `imageUrl` (undeclared) is reported too.
    assert first == [("CL303", 3, 31), ("CL303", 4, 11)]


def test_url_fields_are_decided_per_schema(tmp_path, capsys):
    # One run, one path, two schemas: an undeclared `imageUrl` may be
    # site-relative without the article schema, never with it.
    (tmp_path / "contentlint.toml").write_text(
        '[[kinds]]\nname = "free"\ninclude = ["free/*.md"]\n'
        '[[kinds]]\nname = "news"\ninclude = ["*.md"]\nschema = "contentlint:article"\n')
    (tmp_path / "free").mkdir()
    for name in ("free/q.md", "z.md"):
        (tmp_path / name).write_text("---\nimageUrl: images/a.png\n---\n")
    _, found = check_json([tmp_path], capsys, "--config", tmp_path / "contentlint.toml", "--select", "CL303")
    assert [(Path(f["path"]).name, f["line"], f["column"]) for f in found] == [("z.md", 2, 11)]


# -- exact shortcuts before patterns -----------------------------------------------------


def _resolve_by_patterns(value: str) -> str:
    """yamlparse.resolve_plain as the patterns alone decide it (the reference)."""
    from contentlint import yamlparse as y

    if value and value[0] not in y.TYPED_FIRST:
        return y.STR
    if value in ("", "~", "null", "Null", "NULL"):
        return y.NULL
    if value in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return y.BOOL
    if value[:1] in "0123456789-+.":
        if y._INT.fullmatch(value):
            return y.INT
        if y._FLOAT.fullmatch(value):
            return y.FLOAT
    return y.STR


PLAIN = ["0", "007", "1200", "1_000", "٣", "²", "12:30", "2021-05-11T08:56:31Z", "2021-05-11", "-1", "+1",
         ".5", "1e3", "1.5e-3", ".inf", "-.Inf", ".nan", "0x1F", "0o17", "1:2", "1.2.3", "-", ":", "1 2",
         "10\u00a0km", "3am", "null", "true"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789-+._:eExXoOabfinIANT \u00b2\u0663", max_size=12))
def test_plain_scalars_resolve_as_the_patterns_say(value):
    from contentlint.yamlparse import resolve_plain

    assert resolve_plain(value) == _resolve_by_patterns(value)


def test_plain_scalar_examples_resolve_as_the_patterns_say():
    from contentlint import yamlparse as y

    assert [y.resolve_plain(v) for v in PLAIN] == [_resolve_by_patterns(v) for v in PLAIN]
    assert y.resolve_plain("1200") == y.INT and y.resolve_plain("2021-05-11T08:56:31Z") == y.STR
    assert y.resolve_plain("²") == y.STR and y.resolve_plain("1e3") == y.FLOAT


class _CountingPattern:
    def __init__(self, pattern):
        self.pattern, self.calls = pattern, 0

    def fullmatch(self, text):
        self.calls += 1
        return self.pattern.fullmatch(text)


def test_a_url_is_matched_once_while_it_recurs(monkeypatch):
    from contentlint import urls

    counting = _CountingPattern(urls._SIMPLE_URL)
    monkeypatch.setattr(urls, "_SIMPLE_URL", counting)
    monkeypatch.setattr(urls, "_SIMPLE_URLS", {})
    cases = ["https://example.com/a", "https://example.com/a b", "https://example.com/%zz", "https://x.example/%20",
             "ftp://example.com/", "HTTPS://EXAMPLE.COM:8080/?q=1#f"]
    first = [urls.is_simple_url(u) for u in cases]
    assert first == [True, False, False, True, False, True] and counting.calls == len(cases)
    assert [urls.is_simple_url("".join(list(u))) for u in cases] == first and counting.calls == len(cases)
    for i in range(5000):  # bounded: the table never holds more than 4,096 URLs
        urls.is_simple_url(f"https://example.com/{i}")
    assert len(urls._SIMPLE_URLS) <= 4096 and counting.calls == len(cases) + 5000
    huge = "https://example.com/" + "a" * 5000  # answered, never kept
    assert urls.is_simple_url(huge) and huge not in urls._SIMPLE_URLS


# -- CL305: where the record's address is written ------------------------------------------


def _by_pattern(text: str, at: int, end: int, value: str):
    from contentlint.rules.links import _KEY_LINE

    match = _KEY_LINE.match(text, at, end)
    return (match.start(1), match.end(1)) if match and match.group(1) in (value, f'"{value}"', f"'{value}'") else None


LINES = ['webUrl: https://a.example/x\n', 'webUrl: "https://a.example/x"\n', "webUrl:\t'https://a.example/x'  \r\n",
         'webUrl: https://a.example/x # note\n', 'webUrl: https://a.example/x#frag\n', 'webUrl : https://a.example/x',
         'webUrl: "https://a.example/x #y"\n', 'webUrl: https://a.example/x\xa0\n', 'webUrl: https://a.example/x\ry\n',
         'webUrl:https://a.example/x\n', 'webUrl: https://a.example/x y\n', 'webUrl: "https://a.example/x"z\n',
         'webUrl: https://a.example/x\r:', 'webUrl: https://a.example/x #c\rd\n',
         'webUrl: https://a.example/x\t#\n', 'webUrlX: https://a.example/x\n', 'webUrl: \xa0https://a.example/x\n']


@pytest.mark.parametrize("line", LINES)
def test_the_written_value_is_found_as_the_pattern_finds_it(line):
    from contentlint.rules.links import _written_on_line

    for value in ("https://a.example/x", "https://a.example/x #y", "https://a.example/x\xa0", "https://a.example/x y"):
        fast = _written_on_line(line, 6, len(line), value)
        assert fast is None or fast == _by_pattern(line, 6, len(line), value), (line, value)
    assert _written_on_line(LINES[0], 6, len(LINES[0]), "https://a.example/x") == (8, 27)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=' \t\r\n#:"\'ab\xa0', max_size=14), st.sampled_from(["a", "ab", "a b", "a#b", "b\xa0"]))
@example(": a\r:", "a")  # the pattern's `.` took a lone CR (a line break) into the value
def test_the_written_value_never_differs_from_the_pattern(tail, value):
    from contentlint.rules.links import _written_on_line

    line = "webUrl" + tail
    for end in (len(line), max(6, len(line) - 2)):
        fast = _written_on_line(line, 6, end, value)
        assert fast is None or fast == _by_pattern(line, 6, end, value)


def test_the_written_value_is_found_without_the_pattern_on_real_records():
    from contentlint.rules.links import _written_on_line

    fast = 0
    for name, raw in _records():
        doc = load(name, raw)
        value = doc.data.get("webUrl") if doc.ok else None
        at = doc.text.find("\nwebUrl", doc.fm_start - 1, doc.fm_end) if isinstance(value, str) else -1
        if at < 0:
            continue
        found = _written_on_line(doc.text, at + 7, doc.fm_end, value)
        assert found == _by_pattern(doc.text, at + 7, doc.fm_end, value), name
        fast += found is not None
    assert fast >= (250 if CORPUS.is_dir() else 0)  # the common case
