"""The one pipeline (issue #13): commands over a frozen Options record, one
orchestration for check and fix, one stamping point, in-memory steps."""

from __future__ import annotations

import ast
import json
import os
from typing import NamedTuple

import pytest

from contentlint import pipeline, registry
from contentlint.cli import build_parser
from contentlint.config import Settings
from contentlint.engine import stamp
from contentlint.model import Position, Severity, Violation
from contentlint.options import Options
from contentlint.report import FORMATS
from contentlint.wholerun import U8, U32, U64, FactTable, packed_format
from tests.conftest import REPO, run_cli

# A duplicate key (CL004, per file) and a suppression of a whole-run rule (judged at the end: CL009).
DUPLICATE_KEY = '---\ntitle: "a"  # contentlint: ignore[CL305]\ntitle: "b"\n---\nbody\n'


def test_only_the_cli_knows_argparse():
    importers = []
    for path in sorted((REPO / "contentlint").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if "argparse" in names:
                importers.append(path.relative_to(REPO / "contentlint").as_posix())
    assert importers == ["cli.py"]


def test_options_record_is_frozen_and_built_from_the_parser():
    options = Options.from_namespace(build_parser().parse_args(["fix", "--diff", "-j", "3", "a.md", "b.md"]))
    assert (options.command, options.paths, options.diff, options.jobs, options.format) == \
        ("fix", ("a.md", "b.md"), True, 3, None)
    try:
        options.diff = False
    except AttributeError:
        pass
    else:
        raise AssertionError("Options must be frozen")


def test_format_choices_come_from_the_reporters_table(capsys):
    check = build_parser()._subparsers._group_actions[0].choices["check"]
    action = next(a for a in check._actions if a.dest == "format")
    assert tuple(action.choices) == FORMATS


def test_stamp_turns_offsets_or_positions_into_one_shape():
    rule = registry.get("CL305")
    at = stamp(rule, "a.md", Violation(Position(3, 9), Position(3, 30), "dup"))
    assert (at.path, at.code, at.name, at.severity, at.start, at.end, at.message) == \
        ("a.md", "CL305", "duplicate-article", Severity.ERROR, Position(3, 9), Position(3, 30), "dup")
    by_offset = stamp(rule, "a.md", Violation(4, 6, "dup"), lambda o: Position(1, o + 1))
    assert (by_offset.start, by_offset.end) == (Position(1, 5), Position(1, 7))


class _Facts(NamedTuple):
    digest: U64
    kind: U8
    line: U32


def test_facts_type_gives_the_packed_layout_and_rows_of_that_type():
    assert packed_format(_Facts) == "<QBI"
    table = FactTable(_Facts, ["a.md", "b.md"])
    table.add(1, _Facts(2**64 - 1, 255, 7))
    assert list(table) == [("b.md", _Facts(2**64 - 1, 255, 7))]


def test_check_text_gives_what_check_reports_for_the_same_bytes(write, capsys):
    path = write("x.md", DUPLICATE_KEY)
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache", path], capsys)
    expected = [(f["code"], f["line"], f["column"]) for f in json.loads(out)]
    plan = pipeline.prepare(Settings(), no_cache=True)
    found = pipeline.check_text(str(path), path.read_bytes(), plan)
    assert [(d.code, d.start.line, d.start.column) for d in found] == expected
    assert ("CL004", 3, 1) in expected and ("CL009", 2, 13) in expected and code == 1


def test_fix_text_fixes_in_memory_and_reports_what_remains(tmp_path):
    plan = pipeline.prepare(Settings(), no_cache=True)
    text = '---\ntitle: "Securityâ€™s"\n---\n'
    outcome = pipeline.fix_text(str(tmp_path / "never-written.md"), text, plan)
    assert outcome.fixed == '---\ntitle: "Security’s"\n---\n'.encode()
    assert dict(outcome.applied) == {"CL200": 1}
    assert not (tmp_path / "never-written.md").exists()


def test_read_regular_reads_up_to_its_limit_and_only_regular_files(tmp_path):
    from contentlint.frontmatter import HEAD_BYTES, read_head, read_regular

    data = bytes(range(256)) * 40  # 10,240 bytes
    (tmp_path / "big.md").write_bytes(data)
    (tmp_path / "small.md").write_bytes(data[:5])
    (tmp_path / "empty.md").write_bytes(b"")
    assert read_head(str(tmp_path / "big.md")) == data[:HEAD_BYTES]
    assert read_regular(str(tmp_path / "big.md"), 10_000) == data[:10_000]
    assert read_regular(str(tmp_path / "big.md"), 1 << 20) == data
    assert read_regular(str(tmp_path / "small.md"), HEAD_BYTES) == data[:5]
    assert read_regular(str(tmp_path / "empty.md"), HEAD_BYTES) == b""
    os.mkfifo(tmp_path / "fifo.md")  # never blocks: not a regular file
    assert read_regular(str(tmp_path / "fifo.md"), HEAD_BYTES) is None
    assert read_regular(str(tmp_path), HEAD_BYTES) is None
    assert read_regular(str(tmp_path / "missing.md"), HEAD_BYTES) is None


def test_the_include_patterns_match_as_fnmatch_does(tmp_path):
    from fnmatch import fnmatch

    from contentlint.discover import _included_type

    include = ("*.md", "*.markdown", "[!_]*.txt", "page?.html", "*.MD")
    settings = Settings(root=str(tmp_path), include=include)
    names = ["a.md", "a.mdx", "a.markdown", "x.txt", "_x.txt", "page1.html", "page12.html", "A.MD", "a.Md",
             ".md", "md", "a.md\n", "dir.md/x", "ü.md"]
    for name in names:
        expected = any(fnmatch(name, pattern) for pattern in include)
        assert _included_type(name, str(tmp_path / name), settings) is expected, name
    assert not _included_type("a.md", str(tmp_path / "a.md"), Settings(root=str(tmp_path), include=()))


@pytest.mark.parametrize("changes", [{}, {"include": ("*.md", "[!_]*.txt")}, {"exclude": ("drafts", "*.txt")},
                                     {"include": ("*.md", "news/*.txt")}, {"include": ()}])
def test_the_walks_per_run_file_test_decides_as_included_does(tmp_path, changes):
    # discover._file_test decides once per run what _included decides per file;
    # the two agree, and is_record is asked only of files of the included types.
    from contentlint.discover import _file_test, _included

    settings = Settings(root=str(tmp_path), **changes)
    names = ["a.md", "b.txt", "_c.txt", "d.html", "e.json", "A.MD", ".md", "a.md\n", "ü.md", "f.markdown"]
    for folder in ("", "news", "drafts"):
        for name in names:
            path = str(tmp_path / folder / name) if folder else str(tmp_path / name)
            for answer in (True, False):
                asked, asked_again = [], []
                fast = _file_test(settings, lambda p: asked.append(p) or answer)(name, path)
                slow = _included(name, path, settings, lambda p: asked_again.append(p) or answer)
                assert fast is slow and asked == asked_again, (changes, folder, name, answer)
