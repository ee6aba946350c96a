"""Inline suppressions and CL009 unused-suppression."""

from __future__ import annotations

from tests.conftest import check_json, findings

SEL = ["--select", "CL0"]


def test_line_suppression(write, capsys):
    path = write("a.md", "---\na: 1\na: 2  # contentlint: ignore[CL004]\nb: 1\nb: 2\n---\n")
    assert findings([path], capsys, *SEL) == [("CL004", 5, 1)]


def test_line_suppression_by_prefix_and_list(write, capsys):
    path = write("a.md", "---\na: 1\na: 2  # contentlint: ignore[CL1, CL00]\n---\n")
    assert findings([path], capsys, *SEL) == []


def test_file_suppression(write, capsys):
    path = write("a.md", "---\n# contentlint: ignore-file[CL004]\na: 1\na: 2\nb: 1\nb: 2\n---\n")
    assert findings([path], capsys, *SEL) == []


def test_wrong_code_does_not_suppress_and_is_reported(write, capsys):
    path = write("a.md", "---\na: 1\na: 2  # contentlint: ignore[CL005]\n---\n")
    code, result = check_json([path], capsys, *SEL)
    assert [(f["code"], f["line"], f["column"]) for f in result] == [("CL004", 3, 1), ("CL009", 3, 7)]
    assert result[1]["message"] == "unused suppression: `CL005` suppressed nothing"
    assert result[1]["fix"]["edits"] == [{"start": {"line": 3, "column": 5}, "end": {"line": 3, "column": 35},
                                          "content": ""}]


def test_unknown_code_is_reported(write, capsys):
    path = write("a.md", "---\na: 1  # contentlint: ignore[CL777]\n---\n")
    code, result = check_json([path], capsys, *SEL)
    assert [(f["code"], f["message"]) for f in result] == [("CL009", "unused suppression: `CL777` matches no rule")]


def test_unused_file_suppression_removes_its_line(write, capsys):
    path = write("a.md", "---\r\na: 1\r\n# contentlint: ignore-file[CL004]\r\nb: 2\r\n---\r\n")
    code, result = check_json([path], capsys, *SEL)
    assert [(f["code"], f["line"], f["column"]) for f in result] == [("CL009", 3, 1)]
    assert result[0]["fix"]["edits"] == [{"start": {"line": 3, "column": 1}, "end": {"line": 4, "column": 1},
                                          "content": ""}]


def test_an_unused_suppression_goes_with_the_reason_written_after_it(write, capsys, tmp_path):
    # The rest of the line is the comment's: removing only `# ...]` left
    # `x and more` as the value, which the fixer refused (the finding stayed [*]).
    from tests.conftest import run_cli

    path = write("a.md", "---\ntitle: x # contentlint: ignore[CL004] and more\n"
                         "# contentlint: ignore[CL005] because reasons\nb: y\n---\nbody\n")
    code, result = check_json([path], capsys, *SEL)
    assert [(f["code"], f["line"], f["column"]) for f in result] == [("CL009", 2, 10), ("CL009", 3, 1)]
    assert run_cli(["fix", "--no-cache", *SEL, str(path)], capsys)[0] == 0
    assert path.read_text() == "---\ntitle: x\nb: y\n---\nbody\n"


def test_partly_used_suppression_keeps_the_used_code(write, capsys):
    path = write("a.md", "---\na: 1\na: 2 # contentlint: ignore[CL004, CL005]\n---\n")
    code, result = check_json([path], capsys, *SEL)
    assert [(f["code"], f["line"], f["column"]) for f in result] == [("CL009", 3, 6)]
    assert result[0]["fix"]["edits"][0]["content"] == "# contentlint: ignore[CL004]"


def test_codes_of_rules_not_enabled_are_not_judged(write, capsys):
    path = write("a.md", "---\na: 1  # contentlint: ignore[CL100]\n---\n")
    assert findings([path], capsys, "--select", "CL0") == []


def test_comment_text_inside_a_quoted_value_is_not_a_suppression(write, capsys):
    path = write("a.md", "---\na: \"x # contentlint: ignore[CL004]\"\na: 2\n---\n")
    assert findings([path], capsys, *SEL) == [("CL004", 3, 1)]


def test_many_suppressions_walk_the_scalars_once_and_each_finding_meets_its_own(write, capsys, monkeypatch):
    from contentlint.document import Document

    walks = [0]
    real = Document.scalar_ranges

    def counted(self):
        walks[0] += 1
        return real(self)
    monkeypatch.setattr(Document, "scalar_ranges", counted)
    lines = [f'k{i}: "x # contentlint: ignore[CL004]"  # contentlint: ignore[CL0, CL2]' for i in range(300)]
    lines += ["a: 1", "a: 2  # contentlint: ignore[CL00]", "b: 1  # contentlint: ignore[CL004]", "b: 2"]
    path = write("a.md", "---\n" + "\n".join(lines) + "\n---\n")
    code, result = check_json([path], capsys, *SEL)
    # Line 302 holds the second `a` (suppressed by its prefix CL00); the
    # second `b` on line 305 is not suppressed by line 304's comment.
    assert [(f["code"], f["line"]) for f in result if f["code"] != "CL009"] == [("CL004", 305)]
    unused = [(f["line"], f["message"]) for f in result if f["code"] == "CL009"]
    assert unused == [(i + 2, "unused suppression: `CL0` suppressed nothing") for i in range(300)] + [
        (304, "unused suppression: `CL004` suppressed nothing")]
    assert walks[0] == 1  # once per suppression comment, 600 times here, before


def test_an_unused_whole_run_code_keeps_the_used_per_file_code(write, capsys):
    # CL004 (per file) is used, CL305 (whole run, no duplicate here) is not: the
    # fix removes CL305 only, never the comment that still suppresses CL004.
    path = write("a.md", "---\n# contentlint: ignore-file[CL004, CL305]\na: 1\na: 2\n---\n")
    code, result = check_json([path], capsys, "--select", "CL0,CL305")
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in result] == [
        ("CL009", 2, 1, "unused suppression: `CL305` suppressed nothing")]
    assert result[0]["fix"]["edits"] == [{"start": {"line": 2, "column": 1}, "end": {"line": 2, "column": 41},
                                          "content": "# contentlint: ignore-file[CL004]"}]


def test_a_suppression_another_fix_makes_used_is_kept(write, capsys):
    # Decoding `&nbsp;` writes the trailing no-break space `ignore[CL203]`
    # keeps: the comment was removed as unused in the same pass, and the
    # next pass stripped the space it was there for.
    from tests.conftest import run_cli

    path = write("a.md", '---\ntitle: "x&nbsp;"  # contentlint: ignore[CL203]\nb: "y"  # contentlint: ignore[CL203]\n'
                         "---\nbody\n")
    assert run_cli(["fix", "--no-cache", "--select", "CL0,CL2", str(path)], capsys)[0] == 0
    assert path.read_text() == '---\ntitle: "x\u00a0"  # contentlint: ignore[CL203]\nb: "y"\n---\nbody\n'


def test_an_unused_suppression_leaves_a_used_one_on_its_line(write, capsys):
    # Removing to the line's end swallowed the used comment after it, and
    # CL203 then stripped the space it was there for.
    from tests.conftest import run_cli

    path = write("a.md", '---\ntitle: "keep my space " # contentlint: ignore[CL202] # contentlint: ignore[CL203]\n'
                         "# contentlint: ignore-file[CL201] reason # contentlint: ignore-file[CL203]\nb: x\n---\nbody\n")
    assert run_cli(["fix", "--no-cache", "--select", "CL2,CL009", str(path)], capsys)[0] == 0
    assert path.read_text() == ('---\ntitle: "keep my space " # contentlint: ignore[CL203]\n'
                                "# contentlint: ignore-file[CL203]\nb: x\n---\nbody\n")


def test_front_matter_that_does_not_parse_suppresses_nothing(write, capsys):
    # The "comment" is inside an unclosed string: the file was never checked.
    broken = write("a.md", '---\ntitle: "unclosed\n# contentlint: ignore-file[CL]\n---\n')
    assert findings([broken], capsys) == [("CL003", 4, 1)]
    listed = write("b.md", "---\n- a\n# contentlint: ignore-file[CL006]\n---\n")
    assert findings([listed], capsys) == [("CL006", 1, 1)]
