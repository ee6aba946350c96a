"""The structure rules (CL300-CL601) on the real records in ../shared/corpus.

Pins the number of findings per code (each kind was reviewed by hand; see
docs/rules-structure.md), and checks that applying every fix, unsafe ones
included, leaves each file parseable with only the edited `related` entries
changed: the result must equal the original data minus exactly the
duplicate and self-referencing entries, and the text must differ from the
original only by deleted lines.
"""

from __future__ import annotations

import difflib
import shutil
from collections import Counter
from pathlib import Path

import pytest

from contentlint import engine
from contentlint.config import Settings
from contentlint.discover import discover
from contentlint.document import load
from contentlint.rules.related import own_urls, related_entries, url_key
from contentlint.wholerun import WholeRun
from tests.conftest import lint_files

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")

CODES = ("CL300", "CL301", "CL302", "CL303", "CL305", "CL400", "CL401", "CL403",
         "CL500", "CL501", "CL502", "CL601")

EXPECTED = {
    "CL300": 29,   # 29 files list one related story twice (empty webUrls are left to CL100)
    "CL301": 7,    # related entry == the article's own webUrl
    "CL302": 0,    # every webUrl host is the provider domain or a subdomain of it
    "CL303": 2,    # the raw `é` (an IRI) of one record's webUrl and originalUrl (mojibake in URLs is CL200's)
    "CL305": 418,  # 204 groups; 190 span two sites (the same Power Apps posts), 14 within one
    "CL400": 0, "CL401": 0,  # all 2,164 AMP pairs are complete and follow the cache format
    "CL403": 5441,  # opt-in: 3,615 related entries and 1,826 records without AMP
    "CL500": 0, "CL501": 0,  # pictures at most 2.9:1, sides <= 4,912; logos all 50x50
    "CL502": 0,    # 1,209 images carry a strong size hint; all agree with the declared size
    "CL601": 0,    # every related list is sorted by quality
}
# CL305 when each source repository is checked on its own (the usual case).
EXPECTED_CL305_PER_REPO = {"SmartableAI__diablo4": 31, "SmartableAI__microsoft-power-apps": 2,
                           "everyday-cc__powerapps": 8}


SETTINGS = Settings(select=CODES)


@pytest.fixture(scope="module")
def corpus_results():
    """Per-file results (diagnostics and CL305 facts) of one pass over the corpus."""
    files = list(discover([str(CORPUS)], SETTINGS))
    results = list(lint_files(files, SETTINGS))
    assert [r.error for r in results if r.error] == []
    return results


def _whole_run(results, rules) -> WholeRun:
    run = WholeRun([r.path for r in results], rules)
    for index, result in enumerate(results):
        run.add(index, result)
    return run


@pytest.fixture(scope="module")
def corpus_run(corpus_results):
    rules = engine.enabled_rules(SETTINGS)
    late = _whole_run(corpus_results, rules).finish(engine.Context(SETTINGS))
    return [d for r in corpus_results for d in r.diagnostics] + list(late)


def test_counts_per_code(corpus_run):
    counts = Counter(d.code for d in corpus_run)
    assert {code: counts.get(code, 0) for code in CODES} == EXPECTED


def test_duplicate_articles_per_repository(corpus_results):
    rules = engine.enabled_rules(SETTINGS)
    counts = {}
    for repo in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        subset = [r for r in corpus_results if r.path.startswith(str(repo) + "/")]
        counts[repo.name] = len(list(_whole_run(subset, rules).finish(engine.Context(SETTINGS))))
    assert counts == EXPECTED_CL305_PER_REPO


def _fix_all(text: str, settings: Settings) -> str:
    """Apply every fix (unsafe too) the way the fixer does: per pass, the
    non-overlapping edits of each finding, back to front; then re-check."""
    rules = engine.enabled_rules(settings)
    ctx = engine.Context(settings)
    for _ in range(20):
        doc, result = engine.lint_bytes("t.md", text.encode("utf-8"), rules, ctx)
        assert result.error is None
        edits, taken_until = [], None
        for diagnostic in sorted((d for d in result.diagnostics if d.fix), key=lambda d: d.fix.edits[-1].start,
                                 reverse=True):
            fix_edits = diagnostic.fix.edits
            if taken_until is not None and fix_edits[-1].end > taken_until:
                continue  # overlaps a fix already taken in this pass
            edits.extend(fix_edits)
            taken_until = fix_edits[0].start
        if not edits:
            return text
        for edit in sorted(edits, reverse=True):
            text = text[:edit.start] + edit.content + text[edit.end:]
    raise AssertionError("fixes did not converge")


def _expected_data(data: dict) -> dict:
    """The record without later duplicate and self-referencing related entries."""
    doc = load("x", b"")
    doc.data = data
    own, seen, kept = own_urls(doc), set(), []
    for _, entry in related_entries(doc):
        key = url_key(entry.get("webUrl"))
        if key is not None and (key in own or key in seen):
            continue
        seen.add(key)
        kept.append(entry)
    return {**data, "related": kept} if "related" in data else data


def test_every_fix_keeps_files_parseable_and_other_data_unchanged(corpus_run):
    # CL303's encoding of the IRI record rewrites a line (tests/test_urls.py).
    fixable = sorted({d.path for d in corpus_run if d.fix is not None and d.code != "CL303"})
    assert len(fixable) == 36  # the CL300 and CL301 files
    for path in fixable:
        raw = Path(path).read_bytes()
        before = load(path, raw)
        after_text = _fix_all(before.text, SETTINGS)
        after = load(path, after_text.encode("utf-8"))
        assert after.ok, path
        assert after.data == _expected_data(before.data), path
        # Whole lines were deleted, nothing rewritten or reordered; except that
        # removing a list's only entry leaves `related: []`.
        old_lines, new_lines = before.text.splitlines(True), after_text.splitlines(True)
        opcodes = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
        for op, i1, i2, j1, j2 in opcodes:
            if op == "replace":
                assert old_lines[i1].startswith("related:") and new_lines[j1:j2] == ["related: []" + before.newline]
            else:
                assert op in ("equal", "delete"), path


def test_fix_command_on_a_copy(tmp_path, corpus_run):
    pytest.importorskip("contentlint.fixer")
    from contentlint.cli import main

    fixable = sorted({d.path for d in corpus_run if d.fix is not None and d.code != "CL303"})
    originals = {}
    for i, path in enumerate(fixable):
        target = tmp_path / f"{i:02}.md"
        shutil.copyfile(path, target)
        originals[target] = load(path, Path(path).read_bytes())
    main(["fix", "--unsafe-fixes", "--no-cache", "--select", ",".join(CODES), str(tmp_path)])
    for target, before in originals.items():
        after = load(str(target), target.read_bytes())
        assert after.ok, target
        assert after.data == _expected_data(before.data), target
        assert after.text.endswith(before.text[before.fm_end:])  # the closing fence and body untouched
