"""What the one-file run (`check --no-cache FILE`) no longer pays for at
start (docs/performance.md, "Seventh round"): each rewritten pattern is held
to the one it replaces over every code point, each deferred import to the
behaviour that needs it."""

from __future__ import annotations

import re

from contentlint import scalars

# Every code point once: a character class is a set of code points, so two
# classes are equal when they match the same positions of this string.
ALL_CODE_POINTS = "".join(map(chr, range(0x110000)))


def _positions(pattern: re.Pattern) -> list[int]:
    return [match.start() for match in pattern.finditer(ALL_CODE_POINTS)]


def test_nonprintable_equals_the_negated_c_printable_class():
    negated = re.compile("[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    assert _positions(scalars._nonprintable()) == _positions(negated)
    # The class the YAML spec names: C0 controls but tab (line breaks included),
    # DEL and C1 (NEL too), surrogates, the BOM and the two non-characters at FFFE.
    assert len(_positions(negated)) == 9 + 22 + 33 + 2048 + 3


def test_report_context_is_defined_without_dataclasses_codegen():
    # A NamedTuple (~0.1 ms to define, a dataclass ~0.6 ms): emit() builds it
    # whole, the summary's notes included.
    from contentlint.report import ReportContext

    ctx = ReportContext(files_checked=2)._replace(summary_notes=("1 baselined",))
    assert (ctx.files_checked, ctx.checked_paths, ctx.summary_notes, ctx.fix_command) == \
        (2, (), ("1 baselined",), "contentlint fix")
    assert "__dataclass_fields__" not in vars(ReportContext)


def _after_importing_cli(before: str) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    import contentlint

    code = before + "\nimport gc, contentlint.cli\nprint(gc.isenabled(), gc.get_freeze_count() > 0)"
    env = {**os.environ, "PYTHONPATH": str(Path(contentlint.__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env).stdout.split()


def test_the_command_lines_imports_are_frozen_out_of_collection():
    # What the command line's modules allocate lives as long as the process:
    # the collector skips it, and is on again for the run.
    assert _after_importing_cli("") == ["True", "True"]


def test_a_collector_switched_off_before_stays_off():
    assert _after_importing_cli("import gc\ngc.disable()") == ["False", "True"]


def test_help_is_formatted_for_the_terminal(monkeypatch):
    # The parsers are built with a set width (no shutil), yet print help at
    # the terminal's width (COLUMNS here), as argparse's own formatter does.
    from contentlint.cli import build_parser

    def widest_line(columns: str) -> int:
        monkeypatch.setenv("COLUMNS", columns)
        check = build_parser("check")._subparsers._group_actions[0].choices["check"]
        return max(map(len, check.format_help().splitlines()))

    assert widest_line("200") > 100 and widest_line("60") <= 60


def test_suppression_is_a_record_with_its_own_used_set():
    import pickle

    from contentlint.model import Position
    from contentlint.rules.suppressions import Suppression

    positions = {4: Position(2, 5)}
    first, second = (Suppression(False, ("CL2",), 2, (4, 30), (3, 30), positions) for _ in range(2))
    first.used.add("CL2")
    assert (first.used, second.used) == ({"CL2"}, set())  # never a shared default
    assert pickle.loads(pickle.dumps(first)) == first  # as workers hand it back
    assert Suppression(True, (), 1, (0, 1), (0, 1), {}, {"CL0"}).used == {"CL0"}  # as the cache rebuilds it
    assert "__dataclass_fields__" not in vars(Suppression)


def test_every_character_the_report_escapes_is_one_isprintable_refuses():
    # printable() returns text that str.isprintable() accepts without asking its pattern.
    from contentlint.report import escape

    escaped = _positions(escape._unsafe())
    assert escaped and all(not ALL_CODE_POINTS[i].isprintable() for i in escaped)
    assert escape.printable("caf\u00e9 \u2014 ok") == "caf\u00e9 \u2014 ok"
    assert escape.printable("a\tb\u202ec\udcff", keep="\t") == "a\tb\\u202ec\\udcff"
