"""Per-file work that is really per-process (issue 17): counted, never timed.

Each test counts the calls of an expensive lookup over a run of many
records and holds it to once per process.
"""

from __future__ import annotations

import shutil
import typing
from importlib import resources
from pathlib import Path

from contentlint import api, cli, registry, schemaindex, wholerun
from contentlint import validation as schema

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
    calls = _counting(monkeypatch, resources, "files")
    runs = [[(f.code, f.start.line) for f in api.check_text(RECORD, f"r{n}.md")] for n in range(5)]
    assert runs[0] and all(run == runs[0] for run in runs)  # CL101s: the record lacks fields
    assert [c for c in calls if c == ("contentlint.schemas",)] == [("contentlint.schemas",)]
    assert schema.default_schema_path() == schema.default_schema_path()


def test_the_facts_format_is_read_once_per_rule(monkeypatch):
    # The cache decodes every cached file's CL305 row with it: typing's
    # get_type_hints per file was a third of a warm run.
    facts = next(r.facts for r in registry.all_rules() if r.code == "CL305")
    getattr(wholerun.packed_format, "cache_clear", lambda: None)()
    calls = _counting(monkeypatch, typing, "get_type_hints")
    formats = {wholerun.packed_format(facts) for _ in range(100)}
    assert formats == {"<QBIIII"} and len(calls) == 1


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
