"""check --baseline / --write-baseline (issue #15 item 1): only new findings are reported.

Real corpus copies, real runs through the command line in process.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from contentlint import baseline
from contentlint.document import load
from contentlint.model import Diagnostic, Position, Severity
from tests.conftest import CORPUS, SEEDS, SHARED, needs_corpus, run_cli

NEWS = CORPUS / "SmartableAI__diablo4" / "_news"
pytestmark = needs_corpus


@pytest.fixture
def news(tmp_path, monkeypatch):
    """The first 400 records of a real collection (84 of them with findings), in tmp/news."""
    folder = tmp_path / "news"
    folder.mkdir()
    for path in sorted(NEWS.iterdir())[:400]:
        shutil.copyfile(path, folder / path.name)
    monkeypatch.chdir(tmp_path)
    return folder


def report(capsys, *extra) -> tuple[int, list[tuple[str, str, int]], str]:
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", *extra, "news"], capsys)
    assert "Traceback" not in err
    return code, [(f["path"], f["code"], f["line"]) for f in json.loads(out)], err


def newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def insert_at_top(path) -> None:
    """Two lines (a comment and a blank line) at the top of the front matter: every line moves."""
    text = path.read_bytes().decode()
    nl = newline(text)
    assert text.startswith("---" + nl)
    path.write_bytes(("---" + nl + "# imported from the old site" + nl + nl + text[3 + len(nl):]).encode())


def move_category_last(path) -> None:
    """Reorder keys: the one-line `category:` entry moves to the end of the front matter."""
    text = path.read_bytes().decode()
    nl = newline(text)
    lines = text.split(nl)
    at = next(i for i, line in enumerate(lines) if line.startswith("category: "))
    close = lines.index("---", 1)
    moved = lines.pop(at)
    lines.insert(close - 1, moved)
    path.write_bytes(nl.join(lines).encode())


def reorder_related_entry(path) -> None:
    """Reorder the keys of the first `related` entry: its `quality` line moves up to be its second."""
    text = path.read_bytes().decode()
    nl = newline(text)
    lines = text.split(nl)
    start = lines.index("related:") + 1
    quality = next(i for i in range(start, len(lines)) if lines[i].startswith("    quality: "))
    lines.insert(start + 1, lines.pop(quality))
    path.write_bytes(nl.join(lines).encode())


def insert_topic(path) -> None:
    """A new first topic: the null item `topics[0]` becomes `topics[1]`."""
    text = path.read_bytes().decode()
    nl = newline(text)
    lines = text.split(nl)
    at = lines.index("topics:") + 1
    lines.insert(at, lines[at][:lines[at].index("-")] + "- Diablo IV")
    path.write_bytes(nl.join(lines).encode())


def set_title(path, suffix: str) -> int:
    """Append ``suffix`` inside the double-quoted title; the title's line number."""
    text = path.read_bytes().decode()
    match = re.search(r'^title: "(.*)"$', text, re.MULTILINE)
    path.write_bytes((text[:match.end(1)] + suffix + text[match.end(1):]).encode())
    return text.count("\n", 0, match.start()) + 1


def test_baseline_reports_only_the_new_defects_after_edits_moves_and_reorders(news, capsys):
    code, before, _ = report(capsys)
    assert code == 1 and len(before) > 100
    code, out, _ = run_cli(["check", "--no-cache", "--write-baseline", "base.json", "news"], capsys)
    assert code == 0 and f"Recorded {len(before)} findings" in out
    assert report(capsys, "--baseline", "base.json")[:2] == (0, [])

    with_findings = sorted({path for path, _, _ in before})
    finding_lines = {(path, line) for path, _, line in before}
    for rel in with_findings:
        path = news.parent / rel
        title = set_title(path, "")  # its line, unchanged
        if (rel, title) not in finding_lines:  # edit another field: a title without a finding
            set_title(path, " (updated)")
        move_category_last(path)
        insert_at_top(path)
    reordered = [rel for rel in with_findings if any(p == rel and c == "CL100" for p, c, _ in before)][:5]
    topics = [rel for rel in with_findings if any(p == rel and c == "CL102" for p, c, _ in before)]
    assert len(reordered) == 5 and len(topics) == 7
    for rel in reordered + topics:
        before_data = load(rel, (news.parent / rel).read_bytes()).data
        (reorder_related_entry if rel in reordered else insert_topic)(news.parent / rel)
        after_data = load(rel, (news.parent / rel).read_bytes()).data
        if rel in reordered:  # the edits did what they say
            assert after_data == before_data and list(after_data["related"][0]) != list(before_data["related"][0])
        else:
            assert after_data["topics"] == ["Diablo IV", *before_data["topics"]]

    # New defects: an HTML entity in the title of a clean record, and of a record with findings.
    clean = next(p for p in sorted(news.iterdir()) if f"news/{p.name}" not in with_findings)
    edited = next(rel for rel in with_findings if (rel, set_title(news.parent / rel, "")) not in finding_lines)
    new_defects = []
    for rel in (f"news/{clean.name}", edited):
        line = set_title(news.parent / rel, " Tom &amp; Jerry")
        new_defects.append((rel, "CL201", line))

    code, after, err = report(capsys, "--baseline", "base.json")
    assert (code, after) == (1, sorted(new_defects))
    assert f"{len(before)} findings in the baseline, 0 stale baseline entries." in err
    # Every old finding is still there: only the baseline hides it.
    assert len(report(capsys)[1]) == len(before) + 2


def test_a_fixed_finding_leaves_the_baseline_when_it_is_rewritten(news, capsys):
    _, before, _ = report(capsys)
    run_cli(["check", "--no-cache", "--write-baseline", "base.json", "news"], capsys)
    old = json.loads((news.parent / "base.json").read_text())
    # Fix one CL201 by hand: the entity becomes the character.
    rel, _, line = next(f for f in before if f[1] == "CL201" and sum(g[0] == f[0] for g in before) == 1)
    path = news.parent / rel
    text = path.read_bytes().decode()
    fixed = re.sub(r"&amp;#39;|&#039;|&#038;", lambda m: "'" if "39" in m.group() else "&", text)
    assert fixed != text
    path.write_bytes(fixed.encode())

    code, out, _ = run_cli(["check", "--no-cache", "--baseline", "base.json", "news"], capsys)
    assert code == 0
    assert out.endswith(f"All checks passed (400 files checked).\n"
                        f"{len(before) - 1} findings in the baseline, 1 stale baseline entry "
                        "(rewrite it with --write-baseline).\n")
    run_cli(["check", "--no-cache", "--write-baseline", "base.json", "news"], capsys)
    new = json.loads((news.parent / "base.json").read_text())
    gone = [e for e in old["entries"] if e not in new["entries"]]
    assert [(e["path"], e["code"]) for e in gone] == [(rel, "CL201")]
    assert [e for e in old["entries"] if e not in gone] == new["entries"]
    code, out, _ = run_cli(["check", "--no-cache", "--baseline", "base.json", "news"], capsys)
    assert code == 0 and out.endswith("0 stale baseline entries.\n")


def test_baseline_file_is_sorted_one_entry_a_line_and_counts_repeats(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news").mkdir()
    # Two findings of one rule on lines of the same text in one list: one entry, count 2.
    record = "---\ncategory: news\ntopics:\n  -\n  - Diablo\n  -\n---\n"
    (tmp_path / "news" / "b.md").write_text(record)
    (tmp_path / "news" / "a.md").write_text(record)
    run_cli(["check", "--no-cache", "--select", "CL102", "--write-baseline", "base.json", "news"], capsys)
    text = (tmp_path / "base.json").read_text()
    lines = text.splitlines()
    assert lines[:3] == ["{", ' "version": 1,', ' "entries": [']
    entries = [json.loads(line.rstrip(",")) for line in lines[3:-2]]
    assert [(e["path"], e["code"], e["key"], e["count"]) for e in entries] == [
        ("news/a.md", "CL102", "topics[]", 2), ("news/b.md", "CL102", "topics[]", 2)]
    assert lines[-2:] == [" ]", "}"]
    # A third null item is new; the file is checked from inside its folder: same keys.
    (tmp_path / "news" / "a.md").write_text(record.replace("  - Diablo\n", "  - Diablo\n  -\n"))
    monkeypatch.chdir(tmp_path / "news")
    code, out, _ = run_cli(["check", "--no-cache", "--select", "CL102", "--baseline", "../base.json",
                            "--format", "json", "."], capsys)
    assert [(f["path"], f["line"]) for f in json.loads(out)] == [("./a.md", 7)]


def test_baseline_from_the_config_file_and_write_baseline_ignores_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contentlint.toml").write_text('select = ["CL201"]\nbaseline = "base.json"\n')
    (tmp_path / "a.md").write_text('---\ntitle: "Tom &amp; Jerry"\n---\n')
    code, _, err = run_cli(["check", "--no-cache", "a.md"], capsys)
    assert code == 2 and "baseline" in err and "base.json: no such file" in err
    assert run_cli(["check", "--no-cache", "--write-baseline", "base.json", "a.md"], capsys)[0] == 0
    code, out, _ = run_cli(["check", "--no-cache", "a.md"], capsys)
    assert code == 0 and "1 finding in the baseline, 0 stale baseline entries." in out
    # Rewriting with the config's baseline in force still records every finding.
    assert run_cli(["check", "--no-cache", "--write-baseline", "base.json", "a.md"], capsys)[0] == 0
    assert '"count": 1' in (tmp_path / "base.json").read_text()


GOOD_ENTRY = {"path": "a.md", "code": "CL201", "key": "title", "digest": "0123456789abcdef", "count": 1}


def _with(**changes):
    return json.dumps({"version": 1, "entries": [{**GOOD_ENTRY, **changes}]})


@pytest.mark.parametrize("content, message", [
    (b"{", "base.json:1:2: not valid JSON: Expecting property name enclosed in double quotes"),
    (b"[]", "base.json: top level: must be an object with `version` and `entries`"),
    (b'{"version": 2, "entries": []}', "base.json: version: must be 1"),
    (b'{"version": true, "entries": []}', "base.json: version: must be 1"),
    (b'{"version": 1, "entries": {}}', "base.json: entries: must be a list"),
    (b'{"version": 1, "entries": [], "extra": 1}', "base.json: extra: unknown key"),
    (_with(count=0).encode(), "base.json: entries[0].count: must be a positive integer up to 1,000,000"),
    (_with(count=True).encode(), "base.json: entries[0].count: must be a positive integer up to 1,000,000"),
    (_with(count=1.5).encode(), "base.json: entries[0].count: must be a positive integer up to 1,000,000"),
    (_with(count=10**4000).encode(), "base.json: entries[0].count: must be a positive integer up to 1,000,000"),
    (_with(code="x; rm -rf").encode(), "base.json: entries[0].code: must be a rule code"),
    (_with(digest="ZZ").encode(), "base.json: entries[0].digest: must be 16 lowercase hex digits"),
    (_with(path=None).encode(), "base.json: entries[0].path: must be a string"),
    (json.dumps({"version": 1, "entries": [{"path": "a.md"}]}).encode(), "base.json: entries[0]: must be an object"),
    (b"[" * 100_000 + b"]" * 100_000, "base.json: not valid JSON (a number too long or nesting too deep)"),
    (b'{"version": 1, "entries": [], "n": ' + b"9" * 5000 + b"}", "not valid JSON (a number too long"),
    (b"\xff{}", "base.json: byte 1 is not valid UTF-8"),
])
def test_a_malformed_baseline_is_a_usage_error_naming_the_file_and_position(tmp_path, monkeypatch, capsys,
                                                                             content, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text('---\ntitle: "Tom &amp; Jerry"\n---\n')
    (tmp_path / "base.json").write_bytes(content)
    code, out, err = run_cli(["check", "--no-cache", "--baseline", "base.json", "a.md"], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("contentlint: error: baseline ") and message in err


def test_a_baseline_that_is_not_a_regular_file_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text('---\ntitle: "x"\n---\n')
    (tmp_path / "base.json").mkdir()
    code, _, err = run_cli(["check", "--no-cache", "--baseline", "base.json", "a.md"], capsys)
    assert code == 2 and "baseline base.json: is a directory, not a file" in err


def test_internal_errors_are_never_recorded(tmp_path, monkeypatch):
    from contentlint import baseline
    from contentlint.model import Diagnostic, Position, Severity

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text('---\ntitle: "x"\n---\n')
    bug = Diagnostic("a.md", "CL010", "internal-error", Severity.ERROR, Position(1, 1), Position(1, 1), "bug")
    text, recorded = baseline.render(str(tmp_path / "base.json"), [bug])
    assert (recorded, json.loads(text)) == (0, {"version": 1, "entries": []})
    entry = baseline.key_of(bug, None, "a.md")
    found = baseline.split(baseline.Baseline("base.json", {entry: 1}), [bug], ["a.md"])
    assert (found.new, found.known, found.stale) == ([bug], 0, 1)


def _deepest_by_scan(doc, offset: int) -> tuple:
    """The key's data path as it was first found: every span tried for every
    finding (a record with 25,000 findings did not finish)."""
    best: tuple = ()
    for path, span in doc.spans.items():
        inside = span.start <= offset < span.end or span.start == offset
        on_key = span.key_start is not None and span.key_start <= offset < span.key_end
        if (inside or on_key) and len(path) > len(best):
            best = path
    return best


def _span_index_agrees(doc) -> int:
    index = baseline._SpanIndex(doc)
    for offset in range(doc.fm_start, min(doc.fm_end + 2, len(doc.text) + 1)):
        assert index.deepest(offset) == _deepest_by_scan(doc, offset), (doc.path, offset)
    return doc.fm_end - doc.fm_start


def test_the_span_index_finds_the_data_path_the_scan_found_at_every_offset():
    records = sorted((SHARED / "corpus-siblings").rglob("*.md")) + sorted(SEEDS.glob("*.txt"))
    records += sorted(CORPUS.rglob("*.md"))[::50]
    checked = 0
    for path in records:
        doc = load(str(path), path.read_bytes())
        if doc.ok:
            checked += _span_index_agrees(doc)
    assert checked > 100_000  # characters of front matter, every one an offset


@pytest.mark.parametrize("text", [
    "---\na:\nb: 1\n---\n",  # an empty value
    "---\n{a: [1, {b: }], c: ''}\n---\n",  # flow collections, an empty value in them
    "---\n? [x]\n: y\nz: |\n  block\n  text\n---\n",  # a complex key, a block scalar
    "---\nlist:\n- \n-\n  - a\n- k: v\n  l:\n---\n",  # empty items, nested sequences
    '---\n"quoted key": "v"\n\'single\': w\n---\n',
])
def test_the_span_index_agrees_with_the_scan_on_odd_shapes(text):
    doc = load("x.md", text.encode())
    assert doc.ok
    _span_index_agrees(doc)


def test_a_baseline_of_a_record_with_thousands_of_findings_is_linear(tmp_path):
    # 4,000 duplicate related entries: 4,000 findings, ~40,000 spans.
    entries = "".join(f"  - webUrl: https://example.com/same\n    title: t{i}\n" for i in range(4000))
    record = tmp_path / "r.md"
    record.write_text(f"---\ntitle: x\nrelated:\n{entries}---\n", encoding="utf-8")
    diagnostics = [Diagnostic(str(record), "CL300", "x", Severity.ERROR, Position(4 + 2 * i, 5),
                              Position(4 + 2 * i, 10), "m") for i in range(4000)]
    found = baseline.keys(diagnostics, str(tmp_path))
    assert {key[2] for key in found} == {"related[].webUrl"}
    calls = []
    holds = baseline._SpanIndex._holds
    baseline._SpanIndex._holds = lambda self, path, offset: calls.append(1) or holds(self, path, offset)
    try:
        baseline.keys(diagnostics, str(tmp_path))
    finally:
        baseline._SpanIndex._holds = holds
    assert len(calls) <= 4 * len(diagnostics)  # a few parents each, not every span


def test_a_run_with_a_baseline_reads_each_record_once_warm_runs_none(news, capsys, monkeypatch, tmp_path):
    # The key parts are found beside each document as it is linted and kept
    # in the result cache with it, also where a whole-run finding (CL305)
    # would start: no run reads a file again for them, cold, warm, or warm
    # after an edit (when the cache cannot serve the whole run).
    from contentlint import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)  # the copies were written just now: trust their stat keys
    reread = []
    real = baseline._read
    monkeypatch.setattr(baseline, "_read", lambda path: reread.append(path) or real(path))
    code, _, _ = run_cli(["check", "--no-cache", "--write-baseline", "base.json", "news"], capsys)
    assert code == 0
    set_title(next(iter(sorted(news.iterdir()))), " Tom &amp; Jerry")  # one new finding
    whole_run = {path for path, code, _ in report(capsys)[1] if code == "CL305"}
    plain = report(capsys, "--baseline", "base.json")
    assert plain[0] == 1 and len(plain[1]) == 1 and whole_run
    outputs = []
    for jobs, cache_dir in (("1", "one"), ("2", "two"), ("1", "one")):  # cold, cold with a pool, warm
        reread.clear()
        code, out, err = run_cli(["check", "--format", "json", "--baseline", "base.json", "--cache-dir",
                                  tmp_path / cache_dir, "--jobs", jobs, "news"], capsys)
        outputs.append((code, [(f["path"], f["code"], f["line"]) for f in json.loads(out)], err))
        assert reread == []
    assert outputs == [plain] * 3
    set_title(next(p for p in sorted(news.iterdir()) if f"news/{p.name}" not in whole_run), " (edited)")
    edited = report(capsys, "--baseline", "base.json")
    code, out, err = run_cli(["check", "--format", "json", "--baseline", "base.json", "--cache-dir",
                              tmp_path / "one", "news"], capsys)
    assert (code, [(f["path"], f["code"], f["line"]) for f in json.loads(out)], err) == edited
    assert reread == []  # the other files' rows, CL305's places included


def test_a_cached_result_keeps_its_key_parts_only_as_written(tmp_path):
    from contentlint import cache, engine, registry
    from contentlint.config import Settings

    rules = {r.code: r for r in registry.all_rules()}
    found = [Diagnostic("a.md", "CL201", "html-entity", Severity.ERROR, Position(2, 8), Position(2, 12), "m")]
    result = engine.FileResult("a.md", found, keys=[(2, 8, "title", "0123456789abcdef")])
    data = cache.encode_data(result)
    assert cache.decode_data("a.md", data, 100, rules) == result
    for odd in ([[2, 8, "title", "not a digest"]], [[2, 8, "title", 7]], [[2, 8, "title"]], [[0, 8, "t", "0" * 16]],
                [[2, 102, "t", "0" * 16]], [[True, 8, "t", "0" * 16]], "k"):
        assert cache.decode_data("a.md", {**data, "k": odd}, 100, rules) is None, odd
    assert cache.decode_data("a.md", {**data, "x": 1}, 100, rules) is None
    no_keys = cache.encode_data(engine.FileResult("a.md", found))
    assert "k" not in no_keys and cache.decode_data("a.md", no_keys, 100, rules).keys is None
    settings = Settings(root=str(tmp_path))  # rows with key parts are a setup of their own
    assert cache.setup_key(settings, ["CL201"], None, "c") != cache.setup_key(settings, ["CL201"], None, "c", keyed=True)


def test_whole_run_key_parts_from_a_file_saved_meanwhile_are_not_kept(tmp_path):
    # A whole-run finding at a place no file's row names (an online finding)
    # has its parts read from the file after the run: if it no longer holds
    # the bytes linted (an editor saving it meanwhile), they serve this
    # run's report but parts_for says not to keep them.
    from contentlint.cache import digest

    record = tmp_path / "r.md"
    linted = b"---\ntitle: x\nwebUrl: https://example.com/a\n---\n"
    record.write_bytes(linted)
    found = [Diagnostic(str(record), "CL305", "x", Severity.ERROR, Position(3, 9), Position(3, 30), "m")]
    assert baseline.parts_for(found, {}, {str(record): digest(linted)}) == ([("webUrl", baseline.parts(
        found[0], load(str(record), linted))[1])], True)
    record.write_bytes(linted.replace(b"title: x", b"title: y"))  # saved since it was linted
    parts, same = baseline.parts_for(found, {}, {str(record): digest(linted)})
    assert parts[0][0] == "webUrl" and same is False
    assert baseline.parts_for(found, {(str(record), 3, 9): ("k", "0" * 16)}, {}) == ([("k", "0" * 16)], True)


def test_merge_refuses_a_shard_row_with_baseline_key_parts(news, capsys):
    # `check --shard` never writes key parts: a row with them is not a shard's.
    code, _, err = run_cli(["check", "--no-cache", "--shard", "1/1", "-o", "shard.json", "news"], capsys)
    assert code == 0, err
    data = json.loads(open("shard.json", encoding="utf-8").read())
    assert run_cli(["merge", "shard.json"], capsys)[0] == 1
    first = next(entry for entry in data["files"] if entry[2]["d"])
    first[2]["k"] = [["x", "0" * 16] for _ in first[2]["d"]]
    with open("forged.json", "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    code, out, err = run_cli(["merge", "forged.json"], capsys)
    assert code == 2 and "forged.json" in err and "Traceback" not in err
