"""Per-file work that is really per-process (issue 17): counted, never timed.

Each test counts the calls of an expensive lookup over a run of many
records and holds it to once per process.
"""

from __future__ import annotations

import shutil
import typing
import importlib.util
import sys
from pathlib import Path

from contentlint import api, cli, registry, schemaindex, wholerun
from contentlint import validation as schema
from tests.conftest import needs_corpus

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "SmartableAI__microsoft-power-apps" / "_news"
RECORD = """---
title: "A record"
webUrl: "https://example.com/a/"
related:
  - title: "Other"
    webUrl: "https://example.com/b/"
---
"""


def _counting(monkeypatch, owner, name):
    calls = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_the_shipped_schema_is_located_once_per_process(monkeypatch):
    # CL303 asks for the shipped schema's path on every record; each lookup
    # through importlib.resources cost ~0.3 ms (10% of a --jobs 1 run).
    getattr(schema.default_schema_path, "cache_clear", lambda: None)()
    callers = []
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda *args: callers.append(
        (sys._getframe(1).f_globals["__name__"], *args)) or real(*args))
    runs = [[(f.code, f.start.line) for f in api.check_text(RECORD, f"r{n}.md")] for n in range(5)]
    assert runs[0] and all(run == runs[0] for run in runs)  # CL101s: the record lacks fields
    assert [c for c in callers if c[0] == "contentlint.validation"] == [("contentlint.validation", "contentlint.schemas")]
    assert schema.default_schema_path() == schema.default_schema_path()


def test_the_facts_format_is_read_once_per_rule(monkeypatch):
    # The cache decodes every cached file's CL305 row with it: typing's
    # get_type_hints per file was a third of a warm run.
    facts = next(r.facts for r in registry.all_rules() if r.code == "CL305")
    getattr(wholerun.packed_format, "cache_clear", lambda: None)()
    calls = _counting(monkeypatch, typing, "get_type_hints")
    formats = {wholerun.packed_format(facts) for _ in range(100)}
    assert formats == {"<QBIIII"} and len(calls) == 1


@needs_corpus
def test_warm_run_reads_the_facts_format_once(tmp_path, monkeypatch, capsys):
    records = tmp_path / "records"
    records.mkdir()
    for path in sorted(CORPUS.glob("*.md"))[:40]:
        shutil.copyfile(path, records / path.name)
    argv = ["check", "--exit-zero", "--jobs", "1", "--cache-dir", str(tmp_path / "cache"), str(records)]
    assert cli.main(argv) == 0
    first = capsys.readouterr().out
    getattr(wholerun.packed_format, "cache_clear", lambda: None)()
    calls = _counting(monkeypatch, typing, "get_type_hints")
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == first and "CL" in first
    assert len(calls) <= 1


def test_field_lookups_agree_with_the_index_for_int_and_str_steps():
    index = schemaindex.SchemaIndex(schema._load(schema.default_schema_path(),
                                                 Path(schema.default_schema_path()).read_bytes()).document)
    assert index.lookup(("related", 3, "webUrl")) == schemaindex.FieldInfo("absolute", True)
    assert index.lookup(("related", 0, "webUrl")) is index.lookup(("related", 7, "webUrl"))
    assert index.lookup(("title",)).url is None


def _lint_records(n: int, ctx, rules):
    from contentlint import engine
    from contentlint.document import load

    return [[(d.code, d.start.line, d.start.column) for d in
             engine.lint_document(load(f"r{i}.md", RECORD.encode()), rules, ctx).diagnostics] for i in range(n)]


def test_the_rule_selection_is_decided_once_per_run_not_per_file(monkeypatch):
    # Which rules run was re-decided per file (two prefix matches per rule:
    # 149,000 calls on the corpus); it depends on the kind and the file's
    # ignores only.
    from contentlint import engine
    from contentlint.config import Settings

    settings = Settings()
    ctx, rules = engine.Context(settings), engine.enabled_rules(settings)
    first = _lint_records(1, ctx, rules)
    calls = _counting(monkeypatch, registry, "matches")
    later = _lint_records(5, ctx, rules)
    assert calls == [] and later == first * 5 and ("CL101", 2, 1) in first[0]


def test_schema_declarations_are_looked_up_once_per_value_path(monkeypatch):
    # CL303 and CL202 ask what the schema declares for every string of every
    # record; the answer depends on the path alone.
    from contentlint import engine
    from contentlint.config import Settings

    settings = Settings()
    ctx, rules = engine.Context(settings), engine.enabled_rules(settings)
    calls = _counting(monkeypatch, schemaindex.SchemaIndex, "lookup")
    _lint_records(1, ctx, rules)
    asked = sorted(path for _, path in calls)
    assert ("related", 0, "webUrl") in asked and len(asked) == len(set(asked))
    _lint_records(4, ctx, rules)
    assert len(calls) == len(asked)
    assert ctx.field_info(("related", 0, "webUrl")) == schemaindex.FieldInfo("absolute", True)
    assert ctx.field_info(["related", 0, "webUrl"]) is ctx.field_info(("related", 0, "webUrl"))
