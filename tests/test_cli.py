"""`contentlint check` end to end: output shapes, exit codes, config, selection."""

from __future__ import annotations

import os
import json
import subprocess
import sys

import pytest

from contentlint import registry
from tests.conftest import SEEDS, check_json, findings, run_cli

# A small schema for testing the CL10x mechanics independently of the contract.
TEST_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title", "provider"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "description": "The headline."},
        "date": {"type": "string", "format": "date-time", "description": "When it was published."},
        "kind": {"enum": ["article", "video"], "description": "What the item is."},
        "link": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}],
                 "description": "A link."},
        "provider": {
            "type": "object",
            "required": ["name", "domain"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "description": "Publisher name."},
                           "domain": {"type": "string", "description": "Publisher domain."}},
        },
        "topics": {"type": "array", "items": {"type": "string", "description": "A topic."}},
    },
}

GOOD = "---\ntitle: \"Hello\"\nprovider:\n  name: N\n  domain: n.com\n---\n"


@pytest.fixture
def schema(write):
    return write("schema.json", json.dumps(TEST_SCHEMA))


def test_seeds_have_no_schema_finding(capsys):
    code, result = check_json([SEEDS], capsys, "--select", "CL1")
    assert result == []
    assert code == 0


def test_schema_findings_anchored_exactly(write, schema, capsys):
    path = write("a.md", (
        "---\n"
        "title: \"\"\n"                       # 2: CL100 minLength at the value
        "date: 2021-13-45T00:00:00Z\n"        # 3: CL103 at the value
        "kind: podcast\n"                     # 4: CL100 enum
        "link: \"not a uri\"\n"               # 5: `format: uri` fails, and CL303 says why: CL303 only
        "provider:\n"                         # 6: CL101 domain missing, at the mapping's first line
        "  name: N\n"
        "  extra: 1\n"                        # 8: CL104 at the key
        "topics:\n"
        "  - AI\n"
        "  -\n"                               # 11: CL102 null topic
        "titel: x\n"                          # 12: CL104
        "---\n"))
    code, result = check_json([path], capsys, "--schema", schema)
    got = [(f["code"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in result]
    assert got == [
        ("CL100", 2, 8, 2, 10),
        ("CL103", 3, 7, 3, 27),
        ("CL100", 4, 7, 4, 14),
        ("CL303", 5, 8, 5, 17),
        ("CL303", 5, 11, 5, 14),
        ("CL101", 7, 3, 7, 10),
        ("CL104", 8, 3, 8, 8),
        ("CL102", 11, 4, 11, 4),
        ("CL104", 12, 1, 12, 6),
    ]
    messages = {f["line"]: f["message"] for f in result if (f["line"], f["column"]) != (5, 11)}
    assert messages[7] == "missing required field `provider.domain`: Publisher domain."
    assert messages[11] == "`topics[1]` must be a string, not null: A topic."
    assert messages[8] == "unknown field `extra` in `provider`; expected one of: domain, name"
    assert messages[2] == "`title` must not be empty: The headline."
    assert messages[5] == "URL has no scheme (expected http:// or https://)"
    assert code == 1


def test_missing_top_level_field_at_first_key(write, schema, capsys):
    path = write("a.md", "---\ntitle: x\n---\n")
    assert findings([path], capsys, "--schema", schema) == [("CL101", 2, 1)]


def test_crlf_positions(write, schema, capsys):
    path = write("a.md", GOOD.replace("\n", "\r\n").replace("title: \"Hello\"", "title: 5"))
    assert findings([path], capsys, "--schema", schema) == [("CL102", 2, 8)]


def test_json_shape_and_order(write, capsys):
    write("b.md", "\ufeff---\na: 1\na: 2\n---\n")
    path = write("a.md", "\n---\ntitle: x\n---\n")  # front matter after a blank line: a broken record
    write("c.md", "no front matter\n")  # not a record: not a finding when found in a folder
    code, result = check_json([path.parent], capsys, "--select", "CL0")
    assert [(f["path"].rsplit("/", 1)[1], f["code"]) for f in result] == [("a.md", "CL002"), ("b.md", "CL005"), ("b.md", "CL004")]
    bom = result[1]
    assert bom == {
        "path": str(path.parent / "b.md"), "line": 1, "column": 1, "end_line": 1, "end_column": 1,
        "code": "CL005", "name": "byte-order-mark", "severity": "warning",
        "message": "file starts with a UTF-8 byte order mark",
        "fix": {"applicability": "safe", "message": "Remove the byte order mark",
                "edits": [{"start": {"line": 1, "column": 1}, "end": {"line": 1, "column": 1}, "content": ""}]},
    }
    assert result[2]["fix"] is None and result[2]["severity"] == "error"
    assert code == 1


def test_text_format_and_summary(write, capsys):
    path = write("a.md", "\ufeff---\na: 1\na: 2\n---\n")
    code, out, _ = run_cli(["check", "--select", "CL0", "--statistics", path], capsys)
    assert out.splitlines() == [
        f"{path}:1:1: warning: CL005 file starts with a UTF-8 byte order mark [*]",
        f"{path}:3:1: error: CL004 duplicate key `a`: the earlier value is silently overwritten",
        "",
        "     1  CL004  error    duplicate-key",
        "     1  CL005  warning  byte-order-mark  [*]",
        "Found 2 findings in 1 file (1 checked): 1 error, 1 warning.",
        "[*] 1 fixable with `contentlint fix`.",
    ]
    assert code == 1


def test_exit_codes(write, capsys, tmp_path):
    clean = write("clean.md", "---\na: 1\n---\n")
    assert run_cli(["check", "--select", "CL0", clean], capsys)[0] == 0
    warning_only = write("w.md", "\ufeff---\na: 1\n---\n")
    assert run_cli(["check", "--select", "CL0", warning_only], capsys)[0] == 0
    broken = write("b.md", "---\na: [\n---\n")
    assert run_cli(["check", "--select", "CL0", broken], capsys)[0] == 1
    assert run_cli(["check", "--select", "CL0", "--exit-zero", broken], capsys)[0] == 0
    assert run_cli(["check", "--select", "XX9", broken], capsys)[0] == 2
    assert run_cli(["check", "--schema", tmp_path / "nope.json", broken], capsys)[0] == 2
    bad_schema = write("bad.json", '{"type": 12}')
    code, _, err = run_cli(["check", "--schema", bad_schema, clean], capsys)
    assert code == 2 and "not a valid JSON Schema" in err
    with pytest.raises(SystemExit) as exc:
        run_cli(["check", "--format", "xml", clean], capsys)
    assert exc.value.code == 2


def test_select_ignore_prefixes(write, capsys):
    path = write("a.md", "\ufeff---\na: 1\na: 2\n---\n")
    assert findings([path], capsys, "--select", "CL0") == [("CL005", 1, 1), ("CL004", 3, 1)]
    assert findings([path], capsys, "--select", "CL004") == [("CL004", 3, 1)]
    assert findings([path], capsys, "--select", "CL0", "--ignore", "CL004") == [("CL005", 1, 1)]
    assert findings([path], capsys, "--select", "CL00", "--ignore", "CL0") == []


def test_config_file_and_per_file_ignores(write, capsys, tmp_path, monkeypatch):
    write("pyproject.toml", '[tool.contentlint]\nselect = ["CL0"]\nexclude = ["drafts"]\n'
          '[tool.contentlint.per-file-ignores]\n"legacy/*.md" = ["CL004"]\n')
    write("legacy/a.md", "---\na: 1\na: 2\n---\n")
    write("new/a.md", "---\na: 1\na: 2\n---\n")
    write("drafts/a.md", "---\na: [\n---\n")
    monkeypatch.chdir(tmp_path)
    code, result = check_json(["."], capsys)
    assert [(f["path"], f["code"]) for f in result] == [("./new/a.md", "CL004")]
    assert code == 1


def test_a_config_file_hidden_by_another_beside_it_is_named(write, capsys, tmp_path, monkeypatch):
    write(".contentlint.toml", 'select = ["CL0"]\n')
    write("contentlint.toml", 'select = ["CL1"]\n')  # what `init` writes: hidden by the older dotfile
    write("pyproject.toml", '[tool.contentlint]\nselect = ["CL2"]\n')
    write("a.md", "---\ntitle: x\n---\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert code == 0
    assert err == "".join(f"contentlint: warning: {tmp_path / name} is not read: .contentlint.toml beside it comes first\n"
                          for name in ("contentlint.toml", "pyproject.toml"))
    # Named on the command line, a config hides nothing.
    assert run_cli(["check", "--no-cache", "--config", ".contentlint.toml", "."], capsys)[2] == ""


def test_a_config_file_that_cannot_be_one_is_a_usage_error_not_a_hang(write, capsys, tmp_path, monkeypatch):
    write("a.md", "---\ntitle: x\n---\n")
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "fifo.toml")
    (tmp_path / "big.toml").write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    for config, message in (("fifo.toml", "not a regular file"), ("/dev/zero", "not a regular file"),
                            ("big.toml", "larger than 1,048,576 bytes"), (".", "Is a directory")):
        code, out, err = run_cli(["check", "--config", config, "."], capsys)
        assert (code, out) == (2, "") and err == f"contentlint: error: cannot read config file {config}: {message}\n"
    write("contentlint.toml", "x = " + "[" * 2000 + "]" * 2000 + "\n")
    code, out, err = run_cli(["check", "."], capsys)
    assert code == 2 and err.endswith("contentlint.toml: invalid TOML: nested too deeply to read\n")
    # A pyproject.toml that is not readable TOML has no contentlint table: passed over.
    (tmp_path / "contentlint.toml").unlink()
    write("pyproject.toml", "# contentlint\nx = " + "[" * 2000 + "]" * 2000 + "\n")
    assert run_cli(["check", "--select", "CL0", "."], capsys) == (0, "All checks passed (1 file checked).\n", "")


def test_a_report_file_that_cannot_be_one_is_a_usage_error_not_a_hang_or_a_write_outside(
        write, capsys, tmp_path, tmp_path_factory, monkeypatch):
    write("a.md", "---\na: 1\n---\n")
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "dir.json").mkdir()
    outside = tmp_path_factory.mktemp("outside") / "victim"
    outside.write_text("keep\n")
    (tmp_path / "link.json").symlink_to(outside)  # committed in the checkout
    for target, why in (("fifo.json", "No such device or address"), ("dir.json", "Is a directory"),
                        ("no/r.json", "No such file or directory"),
                        ("link.json", "it is in the checkout but leads out of it (a symlink)")):
        for args in (["check", "-o", target, "."], ["check", "--summary-file", target, "."],
                     ["check", "--shard", "1/2", "-o", target, "."]):
            code, out, err = run_cli([*args, "--select", "CL0"], capsys)
            assert code == 2 and err == f"contentlint: error: cannot write {target}: {why}\n", (args, err)
    assert outside.read_text() == "keep\n"
    # A device or a pipe that has a reader is a fine place for a report.
    assert run_cli(["check", "-o", "/dev/null", "--select", "CL0", "."], capsys) == (0, "", "")
    import time

    os.mkfifo(tmp_path / "read.fifo")
    reader = subprocess.Popen(["cat", str(tmp_path / "read.fifo")], stdout=subprocess.PIPE)
    try:
        for _ in range(100):  # until cat has the FIFO open for reading
            code, out, err = run_cli(["check", "-o", "read.fifo", "--format", "json", "--select", "CL0", "."], capsys)
            if code == 0:
                break
            time.sleep(0.05)
        assert (code, err) == (0, "") and reader.communicate(timeout=30)[0] == b"[]\n"
    finally:
        reader.kill()


@pytest.mark.parametrize("config, message", [
    ('ignore = [""]', "`ignore`: an empty code is no rule code"),  # a prefix of every code: all rules off
    ('[per-file-ignores]\n"a/*" = ["XYZ"]', "`per-file-ignores.a/*`: `XYZ` matches no rule code"),
    ("[rules.CL501]\nmax-aspect-ratio = nan", "`rules.CL501.max-aspect-ratio` must be a positive finite number"),
    ("[rules.CL501]\nmax-side = -1", "`rules.CL501.max-side` must be a positive finite number"),
    ("[rules.CL202]\nmultiline-fields = [{a = 1}]", "`rules.CL202.multiline-fields` must be a list of strings"),
    ('[[kinds]]\nname = "k"\ninclude = ["*.md"]\n[kinds.rules.CL203]\nhtml-fields = [1]',
     "kind `k`: `rules.CL203.html-fields` must be a list of strings"),
    # A glob the walk cannot read ended the run in a traceback (exit 1, as findings).
    ('exclude = ["[z-a]"]', "`exclude` has an invalid glob: `[z-a]` is not a glob pattern (bad character range z-a "
                            "at position 10)"),
    ('include = ["*.md", "docs/\\\\"]', "`include` has an invalid glob: `docs/\\` is not a glob pattern "
                                          "(Invalid git pattern: 'docs/\\\\')"),
    ('[per-file-ignores]\n"!" = ["CL2"]', "`per-file-ignores` has an invalid glob: `!` is not a glob pattern "
                                         "(Invalid git pattern: '!')"),
    ('[[kinds]]\nname = "k"\ninclude = ["[z-a]"]', "kind `k`: `include` has an invalid glob: `[z-a]` is not a glob "
                                                 "pattern (bad character range z-a at position 10)"),
])
def test_config_values_that_would_switch_a_check_off_or_fail_every_file_are_usage_errors(
        config, message, write, capsys, tmp_path, monkeypatch):
    write("contentlint.toml", config + "\n")
    write("a.md", "---\ntitle: x\n---\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "."], capsys)
    assert (code, out) == (2, "") and err == f"contentlint: error: {tmp_path / 'contentlint.toml'}: {message}\n"


def test_a_gitignore_line_that_is_no_pattern_is_passed_over_not_the_file(write, capsys, tmp_path, monkeypatch):
    write(".gitignore", "[z-a]\nb.md\n")  # a hostile or broken line: it ended the walk in a traceback
    write("a.md", "---\na: 1\n---\n")
    write("b.md", "---\na: 1\n---\n")
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", "--show-files", "."], capsys) == (0, "./a.md\n", "")


def test_top_level_globs_are_gitignore_style_as_a_kinds_are(write, capsys, tmp_path, monkeypatch):
    write("contentlint.toml", 'select = ["CL0"]\nexclude = ["archive/*.md", "old/", "!old/keep.md", "tmp/**/x.md"]\n'
          '[per-file-ignores]\n"legacy/*.md" = ["CL004"]\n')
    for name in ("archive/a.md", "archive/sub/b.md", "legacy/a.md", "legacy/sub/b.md", "old/a.md", "old/keep.md",
                 "tmp/x.md", "tmp/1/2/x.md", "tmp/1/y.md", "x/archive/a.md"):
        write(name, "---\na: 1\na: 2\n---\n")
    monkeypatch.chdir(tmp_path)
    code, result = check_json(["."], capsys)
    # `*` stays inside its folder, `**` crosses folders, a trailing `/` is a
    # folder, a pattern with `/` is anchored at the config's folder.
    # `!old/keep.md` cannot re-include a file whose folder is excluded (git's
    # rule too).
    assert sorted(f["path"] for f in result) == [
        "./archive/sub/b.md", "./legacy/sub/b.md", "./tmp/1/y.md", "./x/archive/a.md"]


def test_contentlint_toml_wins_and_unknown_keys_fail(write, capsys, tmp_path, monkeypatch):
    write("contentlint.toml", 'select = ["CL0"]\nselct = ["CL1"]\n')
    write("a.md", "---\na: 1\n---\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "."], capsys)
    assert code == 2
    assert err.strip().endswith("contentlint.toml: unknown key `selct`")
    write("contentlint.toml", '[rules.CL004]\nnope = 1\n')
    code, out, err = run_cli(["check", "."], capsys)
    assert code == 2 and "unknown option `nope` for rule CL004" in err
    write("contentlint.toml", 'select = "CL0"\nper-file-ignores = 3\n')
    code, out, err = run_cli(["check", "."], capsys)
    assert code == 2 and "`per-file-ignores` must be a table" in err
    write("contentlint.toml", 'select = [\n')
    code, out, err = run_cli(["check", "."], capsys)
    assert code == 2 and "invalid TOML" in err


def test_explicit_config_option(write, capsys, tmp_path):
    config = write("conf/cl.toml", 'ignore = ["CL004"]\n')
    path = write("a.md", "---\na: 1\na: 2\n---\n")
    assert findings([path], capsys, "--config", config, "--select", "CL0") == []


def test_discovery_extensions_and_skipped_folders(write, capsys, tmp_path):
    for name in ("a.md", "b.markdown", "c.mdx", "d.txt", "e.html", "f.yaml", ".git/g.md",
                 "node_modules/h.md", "venv/i.md"):
        write(name, "---\nnever closed\n")
    write("venv/pyvenv.cfg", "home = /usr\n")
    result = check_json([tmp_path], capsys, "--select", "CL002")[1]
    assert sorted(f["path"].rsplit("/", 1)[1] for f in result) == ["a.md", "b.markdown", "c.mdx", "d.txt", "e.html"]


def test_rules_and_rule_docs(capsys):
    code, out, _ = run_cli(["rules"], capsys)
    assert code == 0
    assert out.splitlines()[0].split() == ["code", "name", "fix", "default", "severity"]
    assert any(line.split()[:3] == ["CL005", "byte-order-mark", "safe"] for line in out.splitlines())
    code, out, _ = run_cli(["rule", "CL101"], capsys)
    assert code == 0 and out.startswith("# CL101 missing-field\n") and "## Why is this bad?" in out
    assert run_cli(["rule", "CL999"], capsys)[0] == 2


def test_every_rule_has_its_doc_sections():
    for rule in registry.all_rules():
        headings = [line[3:].strip() for line in rule.doc.splitlines() if line.startswith("## ")]
        required = list(registry.DOC_SECTIONS) + ([registry.FIX_SECTION] if rule.fix is not None else [])
        assert required[:3] == ["What it does", "Why is this bad?", "Example"]
        assert headings[:len(required)] == required, rule.code
        assert rule.name == rule.name.lower() and " " not in rule.name


def test_module_entry_point_runs_check():
    proc = subprocess.run([sys.executable, "-m", "contentlint", "check", str(SEEDS), "--select", "CL1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "All checks passed (2 files checked)."


def test_force_exclude_applies_exclude_to_named_files(write, capsys, tmp_path, monkeypatch):
    write("contentlint.toml", 'exclude = ["drafts"]\n')
    write("drafts/a.md", "no front matter\n")
    monkeypatch.chdir(tmp_path)
    assert findings(["drafts/a.md"], capsys, "--select", "CL0") == [("CL002", 1, 1)]
    assert findings(["drafts/a.md"], capsys, "--select", "CL0", "--force-exclude") == []
    write("drafts/b.md", "\ufeff---\na: 1\n---\n")  # fixable: a BOM
    code, out, _ = run_cli(["fix", "--force-exclude", "drafts/b.md"], capsys)
    assert (tmp_path / "drafts" / "b.md").read_bytes().startswith(b"\xef\xbb\xbf")  # excluded: untouched


def test_docs_rules_md_is_generated_from_the_rules(capsys):
    code, out, _ = run_cli(["rules", "--markdown"], capsys)
    assert code == 0
    for rule in registry.all_rules():
        assert f'<a id="{rule.code.lower()}"></a>' in out
    # Regenerate with: contentlint rules --markdown > docs/rules.md
    assert (SEEDS.parent / "docs" / "rules.md").read_text(encoding="utf-8") == out


def test_a_thousand_nested_folders_are_walked_in_order_without_recursion(write, capsys, tmp_path, monkeypatch):
    # A 2,000-character path that git can commit ended the walk in a RecursionError.
    deep = "d/" * 1000
    folder = tmp_path
    for _ in range(1000):  # os.makedirs and pathlib's mkdir(parents=True) recurse
        folder = folder / "d"
        folder.mkdir()
    (tmp_path / deep / "a.md").write_text("---\na: 1\na: 2\n---\n")
    write("b.md", "---\na: 1\n---\n")
    write("d/c.md", "---\na: 1\n---\n")
    write("d/d/.gitignore", "z.md\n")
    write("d/d/z.md", "---\na: 1\n---\n")
    monkeypatch.chdir(tmp_path)
    try:
        assert run_cli(["check", "--show-files", "."], capsys)[1].splitlines() == [
            "./b.md", "./d/c.md", "./" + deep + "a.md"]
        assert findings(["."], capsys, "--select", "CL004") == [("CL004", 3, 1)]
    finally:  # shutil.rmtree (pytest's clean-up) recurses too: emptied here, deepest first
        (folder / "a.md").unlink()
        for _ in range(998):
            folder.rmdir()
            folder = folder.parent


def test_hidden_folders_are_not_walked_but_named_ones_are(write, capsys, tmp_path, monkeypatch):
    """`.github` issue templates and `.changeset` notes have front matter but
    are no content (init skips them too); pre-commit's named files follow the walk."""
    template = "---\nname: Bug report\ntitle: \"[BUG] \"\n---\n"
    write(".github/ISSUE_TEMPLATE/bug.md", template)
    write(".changeset/brave-cats.md", "---\n\"@acme/ui\": patch\n---\nFix.\n")
    write("node_modules/pkg/readme.md", template)
    write("posts/a.md", "\ufeff---\ntitle: x\n---\n")
    monkeypatch.chdir(tmp_path)
    args = ["--select", "CL005,CL203"]
    assert findings(["."], capsys, *args) == [("CL005", 1, 1)]
    assert findings([".github"], capsys, *args) == [("CL203", 3, 14)]  # a folder named: walked
    named = [".github/ISSUE_TEMPLATE/bug.md", "node_modules/pkg/readme.md", "posts/a.md"]
    assert findings(named, capsys, *args) == [("CL203", 3, 14), ("CL203", 3, 14), ("CL005", 1, 1)]
    assert findings(named, capsys, *args, "--force-exclude") == [("CL005", 1, 1)]
    code, _, _ = run_cli(["fix", "--force-exclude", *named], capsys)
    assert (tmp_path / ".github/ISSUE_TEMPLATE/bug.md").read_text() == template  # untouched


def test_hidden_files_are_not_walked_but_named_ones_are(write, capsys, tmp_path, monkeypatch):
    """`.#post.md` (an editor's lock), `.draft.md`: hidden like a hidden folder."""
    write("posts/.draft.md", "\ufeff---\ntitle: x\n---\n")
    write("posts/a.md", "---\ntitle: x\n---\n")
    write("contentlint.toml", '[[kinds]]\nname = "posts"\ninclude = ["posts/**/*.md"]\n')
    monkeypatch.chdir(tmp_path)
    assert findings(["."], capsys, "--select", "CL0") == []
    assert findings(["posts/.draft.md"], capsys, "--select", "CL0") == [("CL005", 1, 1)]
    assert findings(["posts/.draft.md"], capsys, "--select", "CL0", "--force-exclude") == []


def test_a_myst_block_marker_on_the_first_line_is_not_front_matter(write, capsys, tmp_path, monkeypatch):
    """`+++ {"part": "abstract"}` marks a MyST block; `+++` alone opens TOML."""
    write("abstract.md", '+++ {"part": "abstract"}\nWe study things.\n')
    write("hugo.md", '+++\ntitle = "x"\n+++\n')
    write("broken.md", "+++\ntitle = \n")
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", "--show-files", "."], capsys)[1].splitlines() == ["./broken.md", "./hugo.md"]
