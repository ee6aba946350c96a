"""The text format and the command line around it: severity, fix marks, the
summary, --quiet, --output-format, --statistics for every format, the empty
run, --show-settings/--show-files, --help; the Markdown summary; fix --diff headers."""

from __future__ import annotations

import argparse
import json

import pytest

from contentlint.cli import build_parser
from contentlint.commands import SCHEMA_NOTE
from contentlint.model import Applicability, Diagnostic, Edit, Fix, Position, Severity
from contentlint.report import ReportContext, renderer
from contentlint.report.summary import markdown_text
from tests.conftest import run_cli

P = Position


def finding(path, line, code, severity, message, applicability=None):
    fix = Fix.of("do it", applicability, Edit(0, 1, "")) if applicability is not None else None
    return Diagnostic(path, code, "name-" + code.lower(), severity, P(line, 2), P(line, 5), message, fix)


FOUND = [
    finding("a.md", 3, "CL200", Severity.ERROR, "bad title", Applicability.SAFE),
    finding("a.md", 5, "CL300", Severity.WARNING, "dup", Applicability.UNSAFE),
    finding("b.md", 1, "CL403", Severity.INFO, "no amp"),
    finding("b.md", 2, "CL200", Severity.ERROR, "guess", Applicability.DISPLAY_ONLY),
]


def test_text_shows_severity_and_marks_only_safe_fixes():
    out = renderer("text")(FOUND, ReportContext(files_checked=7))
    assert out.splitlines() == [
        "a.md:3:2: error: CL200 bad title [*]",
        "a.md:5:2: warning: CL300 dup",
        "b.md:1:2: info: CL403 no amp",
        "b.md:2:2: error: CL200 guess",
        "Found 4 findings in 2 files (7 checked): 2 errors, 1 warning, 1 info.",
        "[*] 1 fixable with `contentlint fix`.",
        "1 more fixable with `contentlint fix --unsafe-fixes`.",
    ]


def test_text_colour_per_severity():
    out = renderer("text")(FOUND[:3], ReportContext(files_checked=2, color=True, quiet=True))
    assert ["\033[31merror:" in line for line in out.splitlines()] == [True, False, False]
    assert "\033[33mwarning:" in out.splitlines()[1] and "\033[34minfo:" in out.splitlines()[2]


def test_text_statistics_and_quiet():
    out = renderer("text")(FOUND, ReportContext(files_checked=2, statistics=True, quiet=True))
    assert out.splitlines()[4:] == [
        "",
        "     2  CL200  error    name-cl200  [*]",
        "     1  CL300  warning  name-cl300",
        "     1  CL403  info     name-cl403",
    ]


def test_text_summary_of_an_empty_and_a_clean_run():
    assert renderer("text")([], ReportContext(files_checked=0)) == "No files to check.\n"
    assert renderer("text")([], ReportContext(files_checked=1)) == "All checks passed (1 file checked).\n"
    assert renderer("text")([], ReportContext(files_checked=1, quiet=True)) == ""


# -- the command line -----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_bytes(b"\xef\xbb\xbf---\ntitle: a\ntitle: b\n---\n")
    (tmp_path / "posts" / "notes.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_files_found_warns_and_exits_zero(folder, capsys):
    (folder / "empty").mkdir()
    code, out, err = run_cli(["check", "--no-cache", "empty"], capsys)
    assert (code, out) == (0, "No files to check.\n")
    assert err == ("contentlint: warning: no files found to check in empty "
                   "(see the paths and the include/exclude settings)\n")
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "empty"], capsys)
    assert (code, json.loads(out)) == (0, []) and "no files found" in err


def test_quiet_prints_the_findings_only(folder, capsys):
    code, out, err = run_cli(["check", "--no-cache", "-q", "--select", "CL0", "posts"], capsys)
    assert (code, err) == (1, "")
    assert out.splitlines() == ["posts/a.md:1:1: warning: CL005 file starts with a UTF-8 byte order mark [*]",
                                "posts/a.md:3:1: error: CL004 duplicate key `title`: the earlier value is silently "
                                "overwritten"]


def test_output_format_is_an_alias_of_format(folder, capsys):
    first = run_cli(["check", "--no-cache", "--select", "CL0", "--output-format", "json", "posts"], capsys)
    second = run_cli(["check", "--no-cache", "--select", "CL0", "--format", "json", "posts"], capsys)
    assert first == second and json.loads(first[1])[0]["code"] == "CL005"


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "junit", "github"])
def test_statistics_go_to_stderr_for_machine_formats(folder, capsys, fmt):
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL0", "--statistics", "--format", fmt, "posts"],
                             capsys)
    assert err.splitlines() == ["     1  CL004  error    duplicate-key", "     1  CL005  warning  byte-order-mark  [*]"]
    assert "CL004  error" not in out  # the document itself is unchanged
    plain = run_cli(["check", "--no-cache", "--select", "CL0", "--format", fmt, "posts"], capsys)
    assert plain == (code, out, "")


def test_show_files_and_show_settings(folder, capsys):
    (folder / "contentlint.toml").write_text('ignore = ["CL104"]\n[per-file-ignores]\n"posts/*" = ["CL200"]\n')
    code, out, err = run_cli(["check", "--show-files", "posts", "posts/notes.json"], capsys)
    assert (code, out, err) == (0, "posts/a.md\nposts/notes.json\n", "")
    code, out, err = run_cli(["check", "--show-settings", "--select", "CL00"], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert f"config file: {folder / 'contentlint.toml'}" in lines
    assert f"root: {folder}" in lines and "select: CL00" in lines and "ignore: CL104" in lines
    assert "  posts/*: CL200" in lines and f"cache dir: {folder / '.contentlint_cache'}" in lines
    enabled = lines[lines.index(next(x for x in lines if x.startswith("enabled rules"))) + 1:]
    assert enabled[:2] == ["  CL001 invalid-encoding", "  CL002 missing-front-matter"]
    assert all(line.startswith("  CL00") for line in enabled)


def test_the_readmes_config_example_loads_and_show_settings_shows_every_key(tmp_path, capsys, monkeypatch):
    import re

    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(\[tool\.contentlint\]\n.*?)```", readme, re.S).group(1)
    (tmp_path / "pyproject.toml").write_text(example, encoding="utf-8")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "article.schema.json").write_bytes((REPO / "schemas" / "article.schema.json").read_bytes())
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "--show-settings"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    for line in ("select: CL", "extend-select: CL403", "ignore: CL601", "include: *.md, *.txt",
                 "exclude: drafts, archive/*.md", f"schema: {tmp_path / 'schemas' / 'article.schema.json'}",
                 "respect-gitignore: true", f"baseline: {tmp_path / '.contentlint-baseline.json'}",
                 f"cache dir: {tmp_path / '.contentlint_cache'}", "jobs: 2", "  legacy/*.md: CL2",
                 "  CL501 image-dimension-implausible (max-aspect-ratio = 8.0, max-logo-aspect-ratio = 10.0, "
                 "max-side = 10000)", "  CL403 amp-variant-absent"):
        assert line in lines, line


def test_show_settings_shows_kinds_and_online(folder, capsys):
    (folder / "contentlint.toml").write_text(
        '[online]\nread-timeout = 5.0\n[[kinds]]\nname = "news"\ninclude = ["posts/*.md"]\nexclude = ["posts/x.md"]\n'
        'schema = "contentlint:article"\nignore = ["CL3"]\n[kinds.rules.CL202]\nmultiline-fields = ["summary"]\n')
    code, out, err = run_cli(["check", "--show-settings"], capsys)
    lines = out.splitlines()
    assert "schema (a file no kind claims): (none)" in lines
    start = lines.index("kinds:")
    assert lines[start:start + 8] == [
        "kinds:", "  news: include posts/*.md", "    schema: contentlint:article", "    exclude: posts/x.md",
        "    ignore: CL3", "    rules.CL202: multiline-fields = ['summary']", "online:", "  read-timeout = 5.0"]


def test_without_a_config_file_schema_findings_point_to_init(tmp_path, capsys, monkeypatch):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("---\nlayout: page\ntitle: Team\n---\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert code == 1 and "CL101" in out and err == f"{SCHEMA_NOTE}\n"
    # Text for people only: machine formats and --quiet keep stderr clean.
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    assert err == "" and json.loads(out)
    assert run_cli(["check", "--no-cache", "--quiet", "."], capsys)[2] == ""
    # A config file (or --schema) chose the schema: no note; nor without schema findings.
    (tmp_path / "contentlint.toml").write_text('ignore = ["CL601"]\n', encoding="utf-8")
    assert run_cli(["check", "--no-cache", "."], capsys)[2] == ""
    (tmp_path / "contentlint.toml").unlink()
    assert run_cli(["check", "--no-cache", "--select", "CL2", "."], capsys)[2] == ""


def _enabled(out: str) -> list[str]:
    lines = out.splitlines()
    return [line.split()[0] for line in lines[lines.index(next(x for x in lines if x.startswith("enabled rules"))) + 1:]]


def test_select_on_the_command_line_is_the_whole_selection_and_extend_select_adds(folder, capsys):
    (folder / "contentlint.toml").write_text('select = ["CL20"]\nextend-select = ["CL403"]\n')
    assert _enabled(run_cli(["check", "--show-settings"], capsys)[1]) == ["CL200", "CL201", "CL202", "CL203", "CL403"]
    # --select replaces the config's select and extend-select (as ruff's does).
    assert _enabled(run_cli(["check", "--show-settings", "--select", "CL201"], capsys)[1]) == ["CL201"]
    # --extend-select adds to the config's extend-select.
    assert _enabled(run_cli(["check", "--show-settings", "--extend-select", "CL300"], capsys)[1]) == [
        "CL200", "CL201", "CL202", "CL203", "CL300", "CL403"]
    assert _enabled(run_cli(["check", "--show-settings", "--select", "CL201", "--extend-select", "CL300"],
                            capsys)[1]) == ["CL201", "CL300"]


def test_help_has_examples_exit_codes_and_help_on_every_option(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert "Command line:" not in out
    assert "exit status:" in out and "examples:" in out and "contentlint check --format sarif" in out
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            assert action.help, (name, action.option_strings or action.dest)


# -- the Markdown summary -------------------------------------------------------------


def test_summary_markdown_with_links_and_escaped_content():
    hostile = finding("posts/x|y.md", 4, "CL104", Severity.ERROR, "key `<img src=x>` | [a](http://e) *b*\n# h")
    ctx = ReportContext(files_checked=3, root="", repository_url="https://github.com/o/r/blob/abc")
    out = renderer("summary")([FOUND[0], hostile], ctx)
    assert out == (
        "## contentlint\n\n"
        "Found 2 findings in 2 files \\(3 checked\\): 2 errors\\.\n\n"
        "| code | name | severity | findings | safe fixes |\n|---|---|---|---:|---:|\n"
        "| [CL104](https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104) | name\\-cl104 "
        "| error | 1 | 0 |\n"
        "| [CL200](https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl200) | name\\-cl200 "
        "| error | 1 | 1 |\n\n"
        "### Findings\n\n| location | severity | code | message |\n|---|---|---|---|\n"
        "| [a\\.md:3](https://github.com/o/r/blob/abc/a.md#L3) | error | CL200 | bad title |\n"
        "| [posts/x\\|y\\.md:4](https://github.com/o/r/blob/abc/posts/x%7Cy.md#L4) | error | CL104 | "
        "key \\`&lt;img src=x&gt;\\` \\| \\[a\\]\\(http:\u2060//e\\) \\*b\\*\\\\n\\# h |\n")


def test_the_summary_rendered_by_githubs_markdown_has_only_its_own_links():
    """cmark-gfm (GitHub's renderer): a record's text adds no link, image or
    markup. Its autolinks find `https://`, `www.` and `a@b.c` after escapes
    are read, so escaping alone let `https://evil%2Ecom/login` link."""
    import re

    import cmarkgfm

    texts = ["Login at https://evil%2Ecom/login or mail a@evil.com", "WWW.evil.com http://localhost:8080/a",
             "https://2130706433/x xmpp:a@b.c mailto:x@y.z", "<img src=x onerror=alert(1)> [a](http://e) ![i](x)",
             "`code` **b** <https://e.com> ftp://files.example.com"]
    hostile = [finding(f"posts/www.a{i}@b.md", i + 1, "CL104", Severity.ERROR, text) for i, text in enumerate(texts)]
    ctx = ReportContext(files_checked=3, root="", repository_url="https://github.com/o/r/blob/abc")
    html = cmarkgfm.github_flavored_markdown_to_html(renderer("summary")(hostile, ctx))
    links = re.findall(r'<a href="([^"]*)"', html)
    assert links == ["https://github.com/contentlint/contentlint/blob/main/docs/rules.md#cl104"] + [
        f"https://github.com/o/r/blob/abc/posts/www.a{i}%40b.md#L{i + 1}" for i in range(len(texts))]
    assert "<img" not in html and "<code>" not in html and "<strong>" not in html
    assert html.count("evil%2Ecom/login") == 1  # the text is shown, as text


def test_summary_lists_the_first_findings_only():
    many = [finding("a.md", i, "CL200", Severity.ERROR, "m") for i in range(1, 61)]
    lines = renderer("summary")(many, ReportContext(files_checked=1)).splitlines()
    assert "### First 50 findings" in lines and lines[-1] == "… and 10 more (see the job log)."
    assert "| a\\.md:50 | error | CL200 | m |" in lines and "| a\\.md:51 | error | CL200 | m |" not in lines


def test_markdown_text_escapes_every_meaningful_character():
    assert markdown_text("a_b*c`d|e[f](g)<h>&!#~\\") == "a\\_b\\*c\\`d\\|e\\[f\\]\\(g\\)&lt;h&gt;&amp;\\!\\#\\~\\\\"


def test_summary_file_is_appended_next_to_the_report(folder, capsys):
    summary = folder / "step-summary.md"
    summary.write_text("earlier step\n")
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL0", "--format", "github",
                              "--summary-file", summary, "posts"], capsys)
    assert code == 1 and out.startswith("::warning file=posts/a.md,line=1,")
    text = summary.read_text()
    assert text.startswith("earlier step\n## contentlint\n\nFound 2 findings in 1 file \\(1 checked\\)")
    assert "| posts/a\\.md:3 | error | CL004 |" in text


# -- fix --diff headers -----------------------------------------------------------------


def test_diff_headers_for_relative_and_absolute_paths(folder, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("elsewhere") / "x.md"
    outside.write_bytes(b"\xef\xbb\xbf---\ntitle: a\n---\n")
    code, out, _ = run_cli(["fix", "--no-cache", "--diff", "--select", "CL005", str(outside)], capsys)
    assert out.splitlines()[:2] == [f"--- {outside}", f"+++ {outside}"]
    inside = folder / "posts" / "a.md"
    code, out, _ = run_cli(["fix", "--no-cache", "--diff", "--select", "CL005", str(inside)], capsys)
    assert out.splitlines()[:2] == ["--- a/posts/a.md", "+++ b/posts/a.md"]
