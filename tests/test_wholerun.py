"""The whole-run stage keeps packed rows, not results, and reduces them in file order."""

from __future__ import annotations

import pytest

from contentlint import registry
from contentlint.engine import FileResult
from contentlint.wholerun import FactTable, WholeRun


def test_fact_table_packs_rows_and_iterates_twice():
    paths = ["a.md", "b.md", "c.md"]
    table = FactTable("<QBIIII", paths)
    table.add(0, (2**64 - 1, 1, 3, 9, 3, 40))
    table.add(2, (7, 0, 1, 1, 1, 2))
    assert len(table) == 2
    expected = [("a.md", (2**64 - 1, 1, 3, 9, 3, 40)), ("c.md", (7, 0, 1, 1, 1, 2))]
    assert list(table) == expected
    assert list(table) == expected  # a finish may read the table twice


def test_fact_table_refuses_a_row_of_another_shape():
    table = FactTable("<QBIIII", ["a.md"])
    with pytest.raises(Exception):
        table.add(0, ("not a digest", 0, 1, 1, 1, 1))


def test_whole_run_keeps_rows_and_only_needed_suppressions():
    rules = [r for r in registry.all_rules() if r.code in ("CL305", "CL009")]
    paths = ["a.md", "b.md", "c.md"]
    run = WholeRun(paths, rules)
    run.add(0, FileResult("a.md", [], {"CL305": (5, 0, 2, 9, 2, 30)}))
    run.add(1, FileResult("b.md", [], {"CL305": None}))  # no address: no row
    suppression = object()  # kept as it is, for the late findings of c.md
    run.add(2, FileResult("c.md", [], {"CL305": (5, 0, 3, 9, 3, 30)}, suppressions=[suppression]))
    assert list(run.tables["CL305"]) == [("a.md", (5, 0, 2, 9, 2, 30)), ("c.md", (5, 0, 3, 9, 3, 30))]
    assert run.suppressions == {"c.md": [suppression]}


def test_a_whole_run_rule_must_declare_its_row_format():
    with pytest.raises(ValueError, match="collect, facts and finish"):
        registry.rule("CL999", "x", collect=lambda doc, ctx: None, finish=lambda table, ctx: ())(lambda doc, ctx: ())
