"""Output a record cannot forge (docs/reliability.md, "Output a record cannot forge").

Records with a workflow command, a screen-clearing ESC sequence, bidi and C1
controls in a key, a value and a body line, and files whose names hold a
newline or ESC, through every human-readable output of the real CLI: no raw
control character but the line-ending LF, no line starting with `::`, every
finding one `path:line:col: CODE message` line with the escaped path. The
github format must decode to exactly one workflow command per finding, and
junit must stay well-formed XML.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from contentlint import fixer
from contentlint import progress as progress_module
from contentlint.model import Diagnostic, Position, Severity
from contentlint.progress import Progress
from contentlint.report import ReportContext, junit
from contentlint.report.escape import printable
from contentlint.report.text import format_line
from contentlint.commands import SCHEMA_NOTE, host_summary
from tests.conftest import run_cli
from tests.test_report_formats import decode_workflow_command

SELECT = ("--no-cache", "--select", "CL104,CL202,CL203")
# Every control character a terminal or a log viewer acts on, except LF.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                         "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

KEY = (b'---\ntitle: x\n'
       b'"evil\\n::error file=a.md,line=1::pwned": 1\n'
       b'"\\e[2J\\e[HAll checks passed": 2\n'
       b'"\\u202Egnp\\u2028\\x9b2J": 3\n'
       b'---\nbody\n')
# CRLF; the body line after the closing `---` holds raw ESC and a form feed.
VALUE = (b'---\r\ntitle: "x\\u200b\\n::error file=b.md::pwned\\e[31m"\r\n---\r\n'
         b'\x1b[2J\x1b[HAll checks passed\x0cpage 2\r\n')
NAMED = b'---\ntitle: "x "\nbogus: 1\n---\nbody\n'
NEWLINE_NAME, ESC_NAME = "new\nline.md", "esc\x1b[2J.md"
# How each path must be shown (written out by hand, not by the code under test).
SHOWN = {"recs/esc\x1b[2J.md": "recs/esc\\x1b[2J.md", "recs/key.md": "recs/key.md",
         "recs/new\nline.md": "recs/new\\nline.md", "recs/value.md": "recs/value.md"}
# Later unknown keys in the same mapping only get a suggestion (the list is given once).
CL104_NEXT = " at the top level; no allowed field has a similar name"
CL104_TAIL = (" at the top level; expected one of: ampWebUrl, category, cdnAmpWebUrl, excerpt, "
              "featuredContent, heat, images, originalUrl, provider, published, publishedDateTime, "
              "quality, related, removed, secured, title, topics, type, webUrl")
FINDING = re.compile(r"(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?:error|warning|info): (?P<code>CL\d{3}) ")


@pytest.fixture
def recs(tmp_path, monkeypatch):
    folder = tmp_path / "recs"
    folder.mkdir()
    (folder / "key.md").write_bytes(KEY)
    (folder / "value.md").write_bytes(VALUE)
    (folder / NEWLINE_NAME).write_bytes(NAMED)
    (folder / ESC_NAME).write_bytes(NAMED)
    monkeypatch.chdir(tmp_path)
    return folder


def assert_printable(text: str) -> None:
    assert RAW_CONTROL.search(text) is None, repr(text)
    assert not any(line.startswith("::") for line in text.split("\n")), text


def json_findings(capsys) -> list[dict]:
    code, out, _ = run_cli(["check", *SELECT, "--format", "json", "recs"], capsys)
    assert code == 1
    return json.loads(out)


def assert_finding_lines(lines: list[str], findings: list[dict]) -> None:
    """One line per finding, in order, with the escaped path and the exact position."""
    assert len(lines) == len(findings)
    for line, f in zip(lines, findings):
        match = FINDING.match(line)
        assert match, line
        assert (match["path"], int(match["line"]), int(match["column"]), match["code"]) == (
            SHOWN[f["path"]], f["line"], f["column"], f["code"])


KEY_LINES = [
    "recs/key.md:3:1: error: CL104 unknown field `evil\\n::error file=a.md,line=1::pwned`" + CL104_TAIL,
    "recs/key.md:4:1: error: CL104 unknown field `\\x1b[2J\\x1b[HAll checks passed`" + CL104_NEXT,
    "recs/key.md:5:1: error: CL104 unknown field `\\u202egnp\\u2028\\x9b2J`" + CL104_NEXT,
]


# -- check ---------------------------------------------------------------------------


def test_text_format_and_statistics(recs, capsys):
    findings = json_findings(capsys)
    code, out, err = run_cli(["check", *SELECT, "--statistics", "recs"], capsys)
    assert (code, err) == (1, SCHEMA_NOTE + "\n")  # no config file: the article schema judged them
    assert_printable(out)
    lines = out.split("\n")
    assert_finding_lines(lines[:len(findings)], findings)
    assert [line for line in lines if line.startswith("recs/key.md")] == KEY_LINES
    assert "recs/value.md:2:10: warning: CL202 `title` contains U+200B ZERO WIDTH SPACE, line break, " \
           "U+001B control character [*]" in lines
    assert lines[len(findings):] == [
        "", "     5  CL104  error    unknown-field", "     2  CL203  warning  surrounding-whitespace  [*]",
        "     1  CL202  warning  invisible-character  [*]", "Found 8 findings in 4 files (4 checked): 5 errors, 3 warnings.",
        "[*] 3 fixable with `contentlint fix`.", ""]


def test_color_codes_are_the_only_escape_sequences():
    d = Diagnostic("a\x1b[2J.md", "CL104", "unknown-field", Severity.ERROR, Position(1, 1), Position(1, 2),
                   "unknown field `\x1b[2J\x1b[H\r\x9b`")
    line = format_line(d, color=True)
    assert RAW_CONTROL.search(re.sub("\x1b\\[[0-9;]*m", "", line)) is None
    assert "a\\x1b[2J.md" in line and "`\\x1b[2J\\x1b[H\\r\\x9b`" in line


def test_github_format_is_one_command_per_finding(recs, capsys):
    findings = json_findings(capsys)
    code, out, err = run_cli(["check", *SELECT, "--format", "github", "recs"], capsys)
    assert (code, err) == (1, "")
    assert RAW_CONTROL.search(out) is None
    lines = out.split("\n")
    assert lines.pop() == ""
    assert len(lines) == len(findings)
    for line, f in zip(lines, findings):
        command, props, data = decode_workflow_command(line)
        assert command == {"error": "error", "warning": "warning"}[f["severity"]]
        # CR/LF decode back exactly; ESC, C1 and bidi controls the runner cannot decode stay escaped.
        path = f["path"].replace("\x1b", "\\x1b")
        message = (f["message"].replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
                   .replace("\u2028", "\\u2028").replace("\x9b", "\\x9b"))
        assert props["file"] == path and props["line"] == str(f["line"])
        assert data.startswith(f"{path}:{f['line']}:{f['column']}: {f['code']} {message}\n")
    assert "file=recs/new%0Aline.md," in out
    assert "unknown field `evil%0A::error file=a.md,line=1::pwned`" in out


def test_junit_is_well_formed_with_controls_and_a_non_utf8_name(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "recs"
    folder.mkdir()
    (folder / "key.md").write_bytes(KEY)
    with open(os.path.join(os.fsencode(folder), b"bad\xff\x1b.md"), "wb") as handle:
        handle.write(NAMED)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", *SELECT, "--format", "junit", "recs"], capsys)
    assert (code, err) == (1, "")
    root = ET.fromstring(out)
    assert [s.get("name") for s in root.findall("testsuite")] == ["recs/bad\ufffd\\x1b.md", "recs/key.md"]
    messages = [f.get("message") for f in root.iter("failure")]
    assert messages[2:] == ["CL104 unknown field `evil\n::error file=a.md,line=1::pwned`" + CL104_TAIL,
                            "CL104 unknown field `\\x1b[2J\\x1b[HAll checks passed`" + CL104_NEXT,
                            "CL104 unknown field `\u202egnp\u2028\x9b2J`" + CL104_NEXT]


def test_junit_message_with_every_c0_control_and_a_lone_surrogate():
    controls = "".join(map(chr, range(0x20)))
    d = Diagnostic("a.md", "CL104", "unknown-field", Severity.ERROR, Position(1, 1), Position(1, 2),
                   f"key `{controls}\ud800`")
    failure = ET.fromstring(junit.render([d], ReportContext())).find("testsuite/testcase/failure")
    kept = {"\t": "\t", "\n": "\n", "\r": "\r"}  # XML 1.0 carries these; the reader gets them back
    expected = "".join(kept.get(c, f"\\x{ord(c):02x}") for c in controls)
    assert failure.get("message") == f"CL104 key `{expected}\\ud800`"
    assert failure.text.startswith(f"a.md:1:1: CL104 key `{expected}\\ud800`\n")


# -- fix -----------------------------------------------------------------------------


EXPECTED_DIFF = (
    "--- a/recs/esc\\x1b[2J.md\n+++ b/recs/esc\\x1b[2J.md\n@@ -1,5 +1,5 @@\n"
    ' ---\n-title: "x "\n+title: "x"\n bogus: 1\n ---\n body\n'
    "--- a/recs/new\\nline.md\n+++ b/recs/new\\nline.md\n@@ -1,5 +1,5 @@\n"
    ' ---\n-title: "x "\n+title: "x"\n bogus: 1\n ---\n body\n'
    "--- a/recs/value.md\n+++ b/recs/value.md\n@@ -1,4 +1,4 @@\n"
    " ---\\r\n"
    '-title: "x\\u200b\\n::error file=b.md::pwned\\e[31m"\\r\n'
    '+title: "x ::error file=b.md::pwned[31m"\\r\n'
    " ---\\r\n"
    " \\x1b[2J\\x1b[HAll checks passed\\x0cpage 2\\r\n")


def test_fix_diff_escapes_headers_and_lines(recs, capsys):
    before = {p.name: p.read_bytes() for p in recs.iterdir()}
    code, out, err = run_cli(["fix", *SELECT, "--diff", "recs"], capsys)
    assert (code, out, err) == (1, EXPECTED_DIFF, "Would fix 3 findings in 3 files.\n")
    assert {p.name: p.read_bytes() for p in recs.iterdir()} == before


def test_diff_splits_lines_where_contentlint_does():
    # A form feed, U+0085 and U+2028 do not end a line; a lone CR does.
    before = "---\ntitle: x \na: 1\x0c2\x85\u2028\n---\rlast".encode()
    after = before.replace(b"x ", b"x")
    assert fixer.unified_diff("r.md", before, after) == (
        "--- a/r.md\n+++ b/r.md\n@@ -1,5 +1,5 @@\n ---\n-title: x \n+title: x\n"
        " a: 1\\x0c2\\x85\\u2028\n ---\\r\n last\n\\ No newline at end of file\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_of_a_plain_record_applies_with_git(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "recs"
    folder.mkdir()
    (folder / "a.md").write_bytes(NAMED + b"second line\n")
    monkeypatch.chdir(tmp_path)
    _, patch, _ = run_cli(["fix", *SELECT, "--diff", "recs"], capsys)
    subprocess.run(["git", "apply", "-"], input=patch.encode(), cwd=tmp_path, check=True)
    patched = (folder / "a.md").read_bytes()
    (folder / "a.md").write_bytes(NAMED + b"second line\n")
    run_cli(["fix", *SELECT, "recs"], capsys)
    assert patched == (folder / "a.md").read_bytes() == NAMED.replace(b'"x "', b'"x"') + b"second line\n"


def test_fix_summary_lines(recs, capsys):
    code, out, err = run_cli(["fix", *SELECT, "recs"], capsys)
    assert (code, err) == (1, "")
    assert_printable(out)
    lines = out.split("\n")
    assert lines[:3] == ["Fixed recs/esc\\x1b[2J.md (1 fix: CL203)", "Fixed recs/new\\nline.md (1 fix: CL203)",
                         "Fixed recs/value.md (1 fix: CL202)"]
    assert lines[3:] == ["recs/esc\\x1b[2J.md:3:1: error: CL104 unknown field `bogus`" + CL104_TAIL, *KEY_LINES,
                         "recs/new\\nline.md:3:1: error: CL104 unknown field `bogus`" + CL104_TAIL,
                         "Fixed 3 findings in 3 files (4 checked); 5 findings remain.", ""]
    assert (recs / NEWLINE_NAME).read_bytes() == (recs / ESC_NAME).read_bytes() == NAMED.replace(b'"x "', b'"x"')


def test_fix_warning_with_a_hostile_path(recs, monkeypatch, capsys):
    target = recs / NEWLINE_NAME
    real = fixer.fix_bytes

    def deleted_after_fixing(path, raw, *args, **kwargs):  # a real race: the file goes away
        outcome = real(path, raw, *args, **kwargs)
        if os.path.basename(path) == NEWLINE_NAME:
            target.unlink()
        return outcome

    monkeypatch.setattr(fixer, "fix_bytes", deleted_after_fixing)
    code, out, err = run_cli(["fix", *SELECT, "recs"], capsys)
    assert code == 1
    assert err == "contentlint: warning: recs/new\\nline.md: cannot write: No such file or directory\n"
    assert_printable(out)


# -- the other human-readable outputs --------------------------------------------------


def test_cli_errors_escape_what_the_user_or_a_config_gave(recs, capsys):
    assert run_cli(["rule", "\x1b[2J"], capsys) == (
        2, "", "contentlint: error: no rule `\\x1b[2J` (see `contentlint rules`)\n")
    code, out, err = run_cli(["check", "--config", "c\x1b[2J\n::error::x.toml", "recs"], capsys)
    assert (code, out) == (2, "")
    assert err == "contentlint: error: cannot read config file c\\x1b[2J\\n::error::x.toml: No such file or directory\n"
    code, out, err = run_cli(["check", "--schema", "s\x1b.json", "recs"], capsys)
    assert (code, err) == (2, "contentlint: error: --schema: no such file: s\\x1b.json\n")


def test_rule_docs_print_unchanged(capsys):
    code, out, err = run_cli(["rule", "CL104"], capsys)
    assert (code, err) == (0, "")
    assert_printable(out)
    assert out.startswith("# CL104 unknown-field\n\nSeverity: error\n")


def test_host_summary_escapes_the_host():
    summary = {"evil\x1b[2J\n::error::x": {"ok": 2, "failed": 0}, "example.org": {"ok": 1}}
    assert host_summary(summary) == ("network checks per host:\n  evil\\x1b[2J\\n::error::x: ok 2\n"
                                     "  example.org: ok 1")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_label_is_escaped(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_PROGRESS", raising=False)
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    stream = Terminal()
    with Progress("links\x1b[2J\n", stream=stream) as bar:
        bar.update(1, 1)
    assert stream.getvalue() == "\rlinks\\x1b[2J\\n [" + "#" * 30 + "] 1/1 files\r\x1b[K"


# -- the helper ------------------------------------------------------------------------


def test_printable_escapes_exactly_the_controls():
    text = "a\x00\t\n\r\x1b\x7f\x85\x9b\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069\udcff é 日本 \\x1b ok"
    assert printable(text) == ("a\\x00\\t\\n\\r\\x1b\\x7f\\x85\\x9b\\u061c\\u200e\\u200f\\u2028\\u2029"
                               "\\u202a\\u202e\\u2066\\u2069\\udcff é 日本 \\x1b ok")
    assert printable("one\ntwo\x1b\r\n", keep="\n") == "one\ntwo\\x1b\\r\n"
    plain = "seeds/café au lait.md:3:8: CL200 ’s – “quoted” \u00a0 \u200b"
    assert printable(plain) is plain  # printable text is returned as it is


def test_a_path_named_like_a_ci_log_command_never_starts_a_line(tmp_path, monkeypatch, capsys):
    """pre-commit names files as git lists them (no `./`): a file named
    `::error file=README.md::x.md` must not open a GitHub annotation (the
    runner skips leading blanks), nor `##vso[...]` or `##[error]` anywhere in
    a line an Azure or GitHub command."""
    monkeypatch.chdir(tmp_path)
    names = ["::error file=README.md,line=1::pwned.md", " ::error title=p::x.md",
             "##vso[task.complete result=Succeeded]x.md", "a ##[error]z.md"]
    for name in names:
        (tmp_path / name).write_text("no front matter\n")
    code, out, _ = run_cli(["check", "--no-cache", "--quiet", *names], capsys)
    assert code == 1
    shown = {"::error file=README.md,line=1::pwned.md": "./::error file=README.md,line=1::pwned.md",
             " ::error title=p::x.md": "./ ::error title=p::x.md",
             "##vso[task.complete result=Succeeded]x.md": "./##vso\\x5btask.complete result=Succeeded]x.md",
             "a ##[error]z.md": "a ##\\x5berror]z.md"}
    assert sorted(out.splitlines()) == sorted(
        f"{shown[name]}:1:1: error: CL002 file does not start with a `---` front-matter line" for name in names)
    code, out, _ = run_cli(["check", "--show-files", *names], capsys)
    assert sorted(out.splitlines()) == sorted(f"./{shown[name].removeprefix('./')}" if shown[name].startswith("./")
                                              else shown[name] for name in names)


def test_a_diff_context_line_is_no_workflow_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text('---\ndesc: |\n  ::error::pwned\ntitle: "a  "\n---\n')
    code, out, _ = run_cli(["fix", "--no-cache", "--diff", "--select", "CL203", "a.md"], capsys)
    assert "   \\x3a:error::pwned" in out.splitlines()
    assert not any(line.lstrip().startswith("::") for line in out.splitlines())

def test_indented_lines_quoting_the_checkout_are_no_workflow_commands(tmp_path, monkeypatch, capsys):
    """`--show-settings` and `init` print checkout content after two spaces;
    GitHub's runner skips them and would read `::error ...`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contentlint.toml").write_text(
        '[per-file-ignores]\n"::error file=README.md,line=1::forged" = ["CL101"]\n')
    out = run_cli(["check", "--show-settings", "."], capsys)[1]
    assert "  \\x3a:error file=README.md,line=1::forged: CL101" in out.splitlines()
    (tmp_path / "contentlint.toml").unlink()
    (tmp_path / "p.md").write_text('---\n"::error::key": 1\n---\n')
    out = run_cli(["init", "--dry-run", "."], capsys)[1]
    assert any(line.startswith("  \\x3a:error::key: ") for line in out.splitlines())
    assert not any(line.lstrip().startswith("::") for line in out.splitlines())
