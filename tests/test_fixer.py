"""The fixer: edits, scalar rendering, verification, the fix loop, writing, the CLI."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from contentlint import engine, fixer, scalars
from contentlint.cli import main
from contentlint.config import Settings
from contentlint.document import load
from contentlint.model import Applicability, Edit, Fix, Severity, Violation
from contentlint.registry import Rule
from contentlint.yamlparse import compose
from tests.conftest import fm

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE


def doc_of(text: str):
    return load("x.md", text.encode("utf-8"))


def make_rule(code: str, check) -> Rule:
    """A real Rule object outside the registry, for fixes no shipped rule makes."""
    return Rule(code, f"test-{code.lower()}", Severity.ERROR, True, SAFE, check, "")


def run_fix_bytes(text: str, rules, applicability=SAFE):
    settings = Settings()
    return fixer.fix_bytes("x.md", text.encode("utf-8"), rules, engine.Context(settings), applicability)


def raw_edit(make_edit, applicability=SAFE):
    """A rule whose fix is the edit ``make_edit(doc)`` returns (None: no finding)."""
    def check(doc, ctx):
        edit = make_edit(doc)
        if edit is not None:
            yield Violation(edit.start, edit.end, "raw", Fix.of("raw edit", applicability, edit))
    return check


# -- apply_edits / conflicts / selection ------------------------------------------------


def test_apply_edits_copies_untouched_text_verbatim():
    text = "ab\r\ncd\r\nef"
    assert fixer.apply_edits(text, []) == text
    assert fixer.apply_edits(text, [Edit(4, 6, "CD"), Edit(0, 0, ">"), Edit(10, 10, "!")]) == ">ab\r\nCD\r\nef!"
    assert fixer.apply_edits(text, [Edit(0, 2, "x"), Edit(2, 4, "y")]) == "xycd\r\nef"  # adjacent


@pytest.mark.parametrize("edits", [[Edit(0, 3), Edit(2, 4)], [Edit(5, 20)], [Edit(3, 2)]])
def test_apply_edits_refuses_overlap_and_bad_ranges(edits):
    with pytest.raises(ValueError):
        fixer.apply_edits("0123456789", edits)


@pytest.mark.parametrize("a,b,expected", [
    (Edit(0, 3), Edit(3, 5), False),  # adjacent replacements
    (Edit(0, 3), Edit(2, 5), True),
    (Edit(3, 3, "x"), Edit(3, 3, "y"), True),  # two insertions at one point: order unknown
    (Edit(3, 3, "x"), Edit(3, 5), True),  # insertion at a replacement's start
    (Edit(5, 5, "x"), Edit(3, 5), False),  # insertion at its end
    (Edit(4, 4, "x"), Edit(3, 5), True),  # insertion inside
])
def test_conflicts(a, b, expected):
    assert fixer.conflicts(a, b) is expected
    assert fixer.conflicts(b, a) is expected


def test_select_fixes_by_position_then_code_and_applicability():
    text = fm('title: "Tom &amp; Jerry "', 'webUrl: "https://x.com/a\\Lb"')
    settings = Settings(select=("CL2",))
    _, result = engine.lint_bytes("x.md", text.encode(), engine.enabled_rules(settings), engine.Context(settings))
    assert [d.code for d in result.diagnostics] == ["CL201", "CL203", "CL202"]
    chosen = fixer.select_fixes(text, result.diagnostics, SAFE)
    assert [d.code for d in chosen] == ["CL201"]  # CL203 rewrites the same scalar: next pass
    chosen = fixer.select_fixes(text, result.diagnostics, UNSAFE)
    assert [d.code for d in chosen] == ["CL201", "CL202"]


def test_identical_fixes_are_applied_once_and_both_count():
    def strip_title(doc, ctx):
        span = doc.span(("title",))
        yield Violation(span.start, span.end, "strip", Fix.of("strip", SAFE, scalars.replacement(doc, ("title",), "x")))
    text = fm('title: "x "')
    outcome = run_fix_bytes(text, [make_rule("CL991", strip_title), make_rule("CL992", strip_title)])
    assert outcome.fixed.decode() == fm('title: "x"')
    assert outcome.applied == {"CL991": 1, "CL992": 1}
    assert outcome.warnings == []  # the rules still report, but a no-op edit is no fix


# -- rendering a scalar in the style of the old one --------------------------------------


def read_back(source: str):
    node = compose(f"k: {source}").value[0][1]
    return node.value, node.style


@pytest.mark.parametrize("value", [
    "Security’s", "a\"b\\c", "tab\there", "line\nbreak\r\n", "\x00\x07\x1b\x7f", "\x85 \u2028 \u2029",
    "bom\ufeff", "😀", "\u00a0nbsp\u00a0", "", "   ", "yes", "1:20", "# not a comment", "- item",
])
@pytest.mark.parametrize("style", ['"', "'", ""])
def test_render_reads_back_as_the_same_string(value, style):
    source = scalars.render(value, style)
    got, got_style = read_back(source)
    assert got == value
    expected_style = style if (style == '"' or (style == "'" and scalars.single_quoted_ok(value))
                               or (style == "" and scalars.plain_ok(value))) else '"'
    assert (got_style or "") == expected_style
    assert "\n" not in source and "\r" not in source


@pytest.mark.parametrize("value,plain", [
    ("Homeland Security’s", True), ("key:value", True), ("-1 point", True), ("a#b", True),
    ("yes", False), ("No", False), ("on", False), ("~", False), ("null", False), ("12", False), ("1_000", False),
    ("0o17", False), ("0x1F", False), ("1:20", False), (".5", False), (".inf", False), ("2021-12-08", False),
    ("2021-12-08 16:33:00", False), ("<<", False), ("=", False), ("a: b", False), ("a #b", False),
    ("end:", False), ("- x", False), ("[x]", False), ("'q'", False), ("&anchor", False), ("*alias", False),
    ("!tag", False), ("|", False), (">", False), ("%x", False), ("@x", False), ("`x", False), ("---", False),
    (" lead", False), ("trail ", False), ("a\tb", False), ("a\u2028b", False), ("\u00a0", False),
    # Ruby's Psych (Jekyll): `1,000` is the integer 1000, `1,5` a float, `:sym` a Symbol.
    ("1,000", False), ("1,5", False), ("12,345.5", False), (":sym", False), ("1,000 km", True), ("a:b", True),
])
def test_plain_only_when_every_reader_agrees(value, plain):
    assert scalars.plain_ok(value) is plain


def test_plain_in_flow_context_avoids_flow_indicators():
    assert scalars.plain_ok("a,b") and not scalars.plain_ok("a,b", flow=True)
    assert scalars.plain_ok("http://x") and not scalars.plain_ok("http://x", flow=True)
    doc = doc_of(fm("tags: [a, 'b']", "map: {k: v}", "block:", "  - c"))
    assert scalars.in_flow(doc, ("tags", 0)) and scalars.in_flow(doc, ("map", "k"))
    assert not scalars.in_flow(doc, ("block", 0))
    assert scalars.replacement(doc, ("tags", 0), "x, y").content == '"x, y"'


def test_ascii_only_scalars_stay_ascii():
    doc = doc_of(fm('t: "caf\\u00e9"'))
    assert scalars.replacement(doc, ("t",), "café’").content == '"caf\\xE9\\u2019"'
    assert scalars.render("café", '"') == '"café"'


def test_block_tagged_and_anchored_scalars_are_not_rewritten():
    doc = doc_of(fm("a: |", "  text", "b: !!str x", "c: &x y"))
    assert scalars.replacement(doc, ("a",), "t") is None
    assert scalars.replacement(doc, ("b",), "t") is None
    assert scalars.replacement(doc, ("c",), "t") is None
    assert scalars.render("x", "|") is None and scalars.render("x", ">") is None


def test_source_offsets_follow_escapes_and_quotes():
    doc = doc_of(fm('d: "a\\u00e9\\"b"', "s: 'it''s'", "p: plain", 'm: "two\n  lines"'))
    d = scalars.source_offsets(doc, ("d",))
    assert [doc.text[o] for o in d[:-1]] == ["a", "\\", "\\", "b"]
    s = scalars.source_offsets(doc, ("s",))
    assert [doc.text[o] for o in s[:-1]] == ["i", "t", "'", "s"]
    assert scalars.source_offsets(doc, ("p",))[0] == doc.text.index("plain")
    assert scalars.source_offsets(doc, ("m",)) is None


# -- verification ---------------------------------------------------------------------------

RECORD = fm(
    'title: "Title"',
    "related:",
    '  - title: "A"',
    '    webUrl: "https://a.example/"',
    '  - title: "B"',
    '    webUrl: "https://b.example/"',
    '  - title: "C"',
    '    webUrl: "https://c.example/"',
    "quality: 5",
)


def remove_line_range(doc, first: str, last: str) -> Edit:
    start = doc.text.index(first)
    start = doc.text.rfind("\n", 0, start) + 1
    end = doc.text.index(last) + len(last) + 1
    return Edit(start, end, "")


def test_structural_edit_may_remove_the_entry_it_covers():
    old = doc_of(RECORD)
    edit = remove_line_range(old, '- title: "B"', '"https://b.example/"')
    new = doc_of(fixer.apply_edits(old.text, [edit]))
    assert [r["title"] for r in new.data["related"]] == ["A", "C"]
    assert fixer.verify(old, new, [edit]) is None


def test_removing_an_entry_the_edit_does_not_cover_is_refused():
    old = doc_of(RECORD)
    edit = remove_line_range(old, '- title: "B"', '"https://b.example/"')
    other = doc_of(RECORD.replace('  - title: "C"\n    webUrl: "https://c.example/"\n', ""))
    assert fixer.verify(old, other, [edit]) == "the result changes data outside the edited values"


def test_value_rewrite_may_change_only_its_value():
    old = doc_of(RECORD)
    span = old.span(("related", 1, "title"))
    ok = Edit(span.start, span.end, '"B2"')
    assert fixer.verify(old, doc_of(fixer.apply_edits(old.text, [ok])), [ok]) is None
    # The same range rewritten into two lines: a new key appears in related[1].
    sneaky = Edit(span.start, span.end, '"B2"\n    extra: 1')
    new = doc_of(fixer.apply_edits(old.text, [sneaky]))
    assert new.ok and new.data["related"][1]["extra"] == 1
    assert fixer.verify(old, new, [sneaky]) == "the result changes data outside the edited values"
    # A string that turns into a number.
    numeric = Edit(span.start, span.end, "12")
    assert fixer.verify(old, doc_of(fixer.apply_edits(old.text, [numeric])), [numeric]) is not None


def test_insertion_after_a_value_may_add_a_key_to_its_mapping_only():
    old = doc_of(RECORD)
    at = old.span(("related", 0, "webUrl")).end
    edit = Edit(at, at, '\n    ampWebUrl: "https://a.example/amp"')
    new = doc_of(fixer.apply_edits(old.text, [edit]))
    assert fixer.verify(old, new, [edit]) is None
    changed_elsewhere = doc_of(new.text.replace('title: "C"', 'title: "Z"'))
    assert fixer.verify(old, changed_elsewhere, [edit]) is not None


def test_reordering_entries_covered_by_the_edits_is_allowed():
    old = doc_of(RECORD)
    a = remove_line_range(old, '- title: "A"', '"https://a.example/"')
    c = remove_line_range(old, '- title: "C"', '"https://c.example/"')
    edits = [Edit(a.start, a.end, old.text[c.start:c.end]), Edit(c.start, c.end, old.text[a.start:a.end])]
    new = doc_of(fixer.apply_edits(old.text, edits))
    assert [r["title"] for r in new.data["related"]] == ["C", "B", "A"]
    assert fixer.verify(old, new, edits) is None


def test_a_fix_that_breaks_the_yaml_is_dropped_with_a_warning():
    def unterminated(doc):
        span = doc.span(("title",))
        return Edit(span.start, span.end, '"broken') if doc.data["title"] == "x" else None
    text = fm('title: "x"', "quality: 1")
    outcome = run_fix_bytes(text, [make_rule("CL993", raw_edit(unterminated))])
    assert outcome.fixed is None and not outcome.applied
    assert len(outcome.warnings) == 1
    assert outcome.warnings[0].startswith("x.md: skipped CL993 fix (raw edit): the result has CL003 at 4:1 (YAML syntax error: ")


def test_a_failing_fix_is_singled_out_and_the_others_applied():
    def breaks(doc):
        span = doc.span(("a",))
        return Edit(span.start, span.end, "[") if doc.data["a"] == "x" else None
    text = fm('a: "x"', 'b: "y "')
    rules = [make_rule("CL994", raw_edit(breaks))] + engine.enabled_rules(Settings(select=("CL203",)))
    outcome = run_fix_bytes(text, rules)
    assert outcome.fixed.decode() == fm('a: "x"', 'b: "y"')
    assert outcome.applied == {"CL203": 1}
    assert [w.split(":")[1].strip() for w in outcome.warnings] == ["skipped CL994 fix (raw edit)"]


def test_edits_in_the_body_are_refused():
    def body(doc):
        at = doc.text.index("body")
        return Edit(at, at + 4, "BODY") if "body" in doc.text else None
    text = fm('title: "x"') + "body\n"
    outcome = run_fix_bytes(text, [make_rule("CL995", raw_edit(body))])
    assert outcome.fixed is None
    assert outcome.warnings == ["x.md: skipped CL995 fix (raw edit): it edits the body"]


def test_a_cycle_stops_and_leaves_the_file_alone():
    def flip(doc):
        span = doc.span(("t",))
        return Edit(span.start, span.end, '"b"' if doc.data["t"] == "a" else '"a"')
    outcome = run_fix_bytes(fm('t: "a"'), [make_rule("CL996", raw_edit(flip))])
    assert outcome.fixed is None
    assert outcome.warnings == ["x.md: fixes undo each other (a cycle); stopped"]


def test_a_fix_that_never_ends_stops_after_the_pass_limit():
    def grow(doc):
        span = doc.span(("t",))
        return Edit(span.start, span.end, f'"{doc.data["t"]}x"')
    outcome = run_fix_bytes(fm('t: ""'), [make_rule("CL997", raw_edit(grow))])
    assert outcome.fixed.decode() == fm('t: "' + "x" * fixer.MAX_PASSES + '"')
    assert outcome.warnings == [f"x.md: still changing after {fixer.MAX_PASSES} passes; stopped"]


def test_a_rule_that_crashes_while_fixing_is_an_internal_error_and_nothing_is_written():
    def crash_after_fix(doc, ctx):
        if doc.data["t"] == "y":
            raise RuntimeError("boom")
        span = doc.span(("t",))
        yield Violation(span.start, span.end, "m", Fix.of("m", SAFE, Edit(span.start, span.end, '"y"')))
    outcome = run_fix_bytes(fm('t: "x"'), [make_rule("CL998", crash_after_fix)])
    assert outcome.fixed is None and "RuntimeError: boom" in outcome.error


@pytest.mark.parametrize("text,code", [
    (fm('title: "x "', "bad: [") + "", "CL003"),
    ("\ufefftitle: x \n", "CL002"),
])
def test_files_that_do_not_parse_are_never_touched(text, code):
    outcome = run_fix_bytes(text, engine.enabled_rules(Settings()))
    assert outcome.blocked and outcome.fixed is None
    assert code in [d.code for d in outcome.remaining]


# -- writing ---------------------------------------------------------------------------------


def test_write_atomic_keeps_permissions_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.md"
    target.write_bytes(b"old")
    target.chmod(0o640)
    assert fixer.write_atomic(str(target), b"new", b"old") is None
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_write_atomic_refuses_a_file_that_changed_since_it_was_read(tmp_path):
    target = tmp_path / "a.md"
    target.write_bytes(b"changed by someone else")
    reason = fixer.write_atomic(str(target), b"new", b"old")
    assert reason == "the file changed while it was being fixed; not written"
    assert target.read_bytes() == b"changed by someone else"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_write_atomic_does_not_wait_on_a_fifo_swapped_in_for_the_file(tmp_path):
    """The re-read before the rename opens without blocking: a FIFO put in the
    record's place mid-run made `fix` hang with its signals blocked."""
    import threading

    target = tmp_path / "a.md"
    os.mkfifo(target)
    done = []
    worker = threading.Thread(target=lambda: done.append(fixer.write_atomic(str(target), b"new", b"old")),
                              daemon=True)
    worker.start()
    worker.join(10)
    waited = worker.is_alive()
    if waited:  # unblock the thread before failing: open the FIFO for writing
        os.close(os.open(target, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
    assert not waited
    assert done == ["the file changed while it was being fixed; not written"]
    assert stat.S_ISFIFO(os.lstat(target).st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_write_atomic_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.md"
    real.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert fixer.write_atomic(str(link), b"new", b"old") is None
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_write_atomic_reports_a_file_deleted_meanwhile(tmp_path):
    assert fixer.write_atomic(str(tmp_path / "gone.md"), b"new", b"old") == "cannot write: No such file or directory"
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_reports_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "a.md"
    target.write_bytes(b"old")
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        assert fixer.write_atomic(str(target), b"new", b"old").startswith("cannot write:")
        assert target.read_bytes() == b"old"
    finally:
        folder.chmod(0o700)


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config file above a temporary folder
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every record file's bytes (the schema cache folder is not a record)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".contentlint_cache" not in p.parts}


def changed_lines(before: bytes, after: bytes) -> list[tuple[int, bytes, bytes]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(i + 1, a, b) for i, (a, b) in enumerate(zip(old, new)) if a != b]


def test_fix_seeds_changes_exactly_the_mojibake_title(work, capsys):
    before = snapshot(work / "seeds")
    assert main(["fix", "seeds"]) == 1  # CL300 (unsafe) remains, at error severity
    after = snapshot(work / "seeds")
    assert after["000_b69a69cbeae9117f.txt"] == before["000_b69a69cbeae9117f.txt"]
    assert changed_lines(before["004_55d079596040aeb8.txt"], after["004_55d079596040aeb8.txt"]) == [
        (3, b'title: "ACLU Calls for Halt of Homeland Security\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s Use Of Facial '
            b'Recognition Technology"\n',
         'title: "ACLU Calls for Halt of Homeland Security’s Use Of Facial Recognition Technology"\n'.encode())]
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Fixed seeds/004_55d079596040aeb8.txt (1 fix: CL200)"
    assert out[1].startswith("seeds/000_b69a69cbeae9117f.txt:215:13: error: CL300 ")
    assert out[-1] == ("Fixed 1 finding in 1 file (2 checked); 1 finding remains "
                       "(1 fixable with `contentlint fix --unsafe-fixes`).")
    # Idempotent: a second run changes nothing.
    assert main(["fix", "seeds"]) == 1
    assert snapshot(work / "seeds") == after
    assert capsys.readouterr().out.splitlines()[-1].startswith("Fixed 0 findings in 0 files")


def test_a_diff_with_tabs_applies_with_git_apply_and_escapes_other_controls(tmp_path, capsys):
    # Tabs (Go code in a Hugo record) were shown as `\t`, and the diff did not apply.
    import subprocess

    record = tmp_path / "a.md"
    record.write_text('---\ntitle: "x\t y "\n---\nfunc main() {\n\tfmt.Println("C:\\\\temp")\n}\n')
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert main(["fix", "--diff", "--no-cache", "--select", "CL2", str(record)]) == 1
    diff = capsys.readouterr().out
    assert "\n \tfmt.Println" in diff
    (tmp_path / "d.patch").write_text(diff.replace(str(record).lstrip("/"), "a.md"))
    subprocess.run(["git", "apply", "d.patch"], cwd=tmp_path, check=True, capture_output=True)
    assert record.read_text() == '---\ntitle: "x  y"\n---\nfunc main() {\n\tfmt.Println("C:\\\\temp")\n}\n'
    # Any other control is still shown escaped: it could move the cursor back.
    record.write_text('---\ntitle: "x "\n---\n\x1b[2Jbody\r\n')
    assert main(["fix", "--diff", "--no-cache", "--select", "CL2", str(record)]) == 1
    diff = capsys.readouterr().out
    assert "\x1b" not in diff and "\r" not in diff.replace("\r\n", "") and " \\x1b[2Jbody\\r\n" in diff


def test_diff_prints_the_change_and_writes_nothing(work, capsys):
    before = snapshot(work / "seeds")
    assert main(["fix", "seeds", "--diff"]) == 1
    assert snapshot(work / "seeds") == before
    captured = capsys.readouterr()
    assert captured.out.splitlines()[:2] == ["--- a/seeds/004_55d079596040aeb8.txt",
                                             "+++ b/seeds/004_55d079596040aeb8.txt"]
    assert [line for line in captured.out.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        '-title: "ACLU Calls for Halt of Homeland Securityâ€™s Use Of Facial Recognition Technology"',
        '+title: "ACLU Calls for Halt of Homeland Security’s Use Of Facial Recognition Technology"']
    assert captured.err == "Would fix 1 finding in 1 file.\n"
    main(["fix", "seeds"])
    capsys.readouterr()
    assert main(["fix", "seeds", "--diff"]) == 0
    assert capsys.readouterr() == ("", "No fixes available.\n")


def test_exit_status_when_everything_is_fixed(work, capsys):
    path = work / "a.md"
    clean_after = fm('title: "Tom & Jerry"')
    path.write_text(fm('title: "Tom &amp; Jerry "'))
    assert main(["fix", "a.md", "--select", "CL2"]) == 0
    assert path.read_text() == clean_after
    path.write_text(fm('title: "Tom &amp; Jerry "'))
    assert main(["fix", "a.md", "--select", "CL2", "--exit-non-zero-on-fix"]) == 1
    assert main(["fix", "a.md", "--select", "CL2", "--exit-non-zero-on-fix"]) == 0  # nothing left to change
    assert capsys.readouterr().out.splitlines()[-1] == "Fixed 0 findings in 0 files (1 checked); no findings remain."


def test_selection_and_unsafe_fixes(work, capsys):
    path = work / "a.md"
    text = fm('title: "x "', 'url: "https://i2.wp.com/a.png?w=1&#038;ssl=1"')
    path.write_text(text)
    assert main(["fix", "a.md", "--select", "CL201"]) == 1
    assert path.read_text() == text  # the URL's entity is an unsafe fix
    assert main(["fix", "a.md", "--select", "CL201", "--unsafe-fixes"]) == 0
    assert path.read_text() == fm('title: "x "', 'url: "https://i2.wp.com/a.png?w=1&ssl=1"')
    out = capsys.readouterr().out
    # An unsafe fix: not marked `[*]`, which promises that plain `contentlint fix` applies it.
    assert "a.md:3:34: error: CL201 HTML entity `&#038;` in `url`\n" in out


def test_crlf_bom_and_body_are_kept(work):
    path = work / "a.md"
    raw = ("\ufeff" + fm('title: "x\u200b "', "quality: 1", newline="\r\n") + "body  \r\n&amp;\r\n").encode()
    path.write_bytes(raw)
    assert main(["fix", "a.md", "--select", "CL2"]) == 0
    assert path.read_bytes() == raw.replace('"x\u200b "'.encode(), b'"x"')
    assert main(["fix", "a.md"]) == 1  # all rules: the BOM goes; schema findings remain
    assert path.read_bytes() == raw.replace('"x\u200b "'.encode(), b'"x"')[3:]


def test_broken_files_are_reported_and_never_written(work, capsys):
    broken = work / "broken.md"
    broken.write_bytes(b"\xef\xbb\xbf---\ntitle: \"x \"\nbad: [\n---\n")
    invalid = work / "latin1.md"
    invalid.write_bytes(b"---\ntitle: \"caf\xe9 \"\n---\n")
    before = snapshot(work)
    assert main(["fix", "broken.md", "latin1.md", "missing.md"]) == 1
    assert snapshot(work) == before
    out = capsys.readouterr().out
    assert ("broken.md:4:1: error: CL003 " in out and "latin1.md:2:12: error: CL001 " in out
            and "missing.md:1:1: error: CL008 " in out)
    assert "Traceback" not in out


# -- work linear in the record (issue 17): counted calls, no timing ---------------------


def count_calls(monkeypatch, owner, name):
    """Count the calls of ``owner.name`` (the real function still runs)."""
    real = getattr(owner, name)
    calls = [0]

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, name, counted)
    return calls


def test_selecting_thousands_of_fixes_compares_no_pair_of_them(monkeypatch):
    text = fm(*(f'k{i:04d}: "ab "' for i in range(2000)))
    settings = Settings(select=("CL203",))
    _, result = engine.lint_bytes("x.md", text.encode(), engine.enabled_rules(settings), engine.Context(settings))
    pairs = count_calls(monkeypatch, fixer, "conflicts")
    chosen = fixer.select_fixes(text, result.diagnostics, SAFE)
    assert len(chosen) == 2000 and [d.code for d in chosen] == ["CL203"] * 2000
    assert pairs[0] == 0  # the quadratic selection made 1,999,000 here


def test_verifying_thousands_of_entry_removals_looks_only_near_each_edit(monkeypatch):
    entry = '  - webUrl: "https://a.example/"\n    quality: 1\n'
    text = "---\ntitle: x\nrelated:\n" + entry * 1001 + "---\n"
    settings = Settings(select=("CL300",))
    outcome_rules = engine.enabled_rules(settings)
    doc, result = engine.lint_bytes("x.md", text.encode(), outcome_rules, engine.Context(settings))
    edits = fixer._edits_of(fixer.select_fixes(text, result.diagnostics, UNSAFE))
    # The last entry goes with the line break before it, which the one
    # before ends with: a conflict, left to the next pass.
    assert len(edits) == 999
    meets = count_calls(monkeypatch, fixer, "_meets")
    touched, opened = fixer.touched_paths(doc, edits)
    assert opened == {(), ("related",)} | {("related", i) for i in range(1, 1000)}
    assert ("related", 0) not in touched and ("related", 1000) not in touched
    assert ("related", 999, "quality") in touched
    assert meets[0] <= 10 * len(edits)  # every edit against every value: 999 x 3005
    new = doc_of(fixer.apply_edits(text, edits))
    assert new.data["related"] == [{"webUrl": "https://a.example/", "quality": 1}] * 2
    assert fixer.verify(doc, new, edits) is None


def test_a_failing_fix_among_many_is_found_by_halving(monkeypatch):
    def breaks(doc):
        span = doc.span(("a",))
        return Edit(span.start, span.end, "[") if doc.data["a"] == "x" else None
    values = [f'v{i:02d}: "y "' for i in range(63)]
    rules = [make_rule("CL994", raw_edit(breaks))] + engine.enabled_rules(Settings(select=("CL203",)))
    attempts = count_calls(monkeypatch, fixer, "_attempt")
    outcome = run_fix_bytes(fm('a: "x"', *values), rules)
    assert outcome.fixed.decode() == fm('a: "x"', *(v.replace('y "', 'y"') for v in values))
    assert outcome.applied == {"CL203": 63}
    assert [w.split(":")[1].strip() for w in outcome.warnings] == ["skipped CL994 fix (raw edit)"]
    # 1 failing pass + 2 per halving level (6 levels for 64 fixes) + the pass that
    # then succeeds; trying each fix alone took 64 more.
    assert attempts[0] <= 1 + 2 * 6 + 1


def test_a_fix_of_a_group_that_fails_only_together_is_verified_alone(monkeypatch):
    """Four fixes that fail as a group while each half passes: the first one
    was applied unverified. F1 adds a key (`e: 5`) when applied alone."""
    from contentlint import engine, fixer
    from contentlint.document import load
    from contentlint.model import Applicability, Diagnostic, Edit, Fix, Position, Severity

    doc = load("x.md", b"---\na: 1\nb: 2\nc: 3\nd: 4\n---\nbody\n")
    text = doc.text

    def finding(code, start, length, content):
        at = text.index(start)
        return Diagnostic("x.md", code, "n", Severity.WARNING, Position(1, 1), Position(1, 1), "m",
                          Fix("f", (Edit(at, at + length, content),), Applicability.SAFE))

    fixes = [finding("CL201", "1\n", 1, "1\ne: 5"), finding("CL202", "b: 2", 5, "b:  2\n"),
             finding("CL203", "3\n", 1, "3\ne: 6"), finding("CL200", "d: 4", 5, "d:  4\n")]
    assert fixer._attempt(doc, fixes[0].fix.edits)[1] is not None  # F1 alone fails verification

    class Lint:
        diagnostics = fixes

    monkeypatch.setattr(engine, "lint_document", lambda doc, rules, ctx: Lint)  # selection and verification only
    outcome = fixer.FileOutcome("x.md")
    done = fixer._one_pass(doc, Lint, [], None, Applicability.SAFE, set(), outcome)
    assert done is None or "e: 5" not in done[0].text
    assert any("skipped CL201 fix" in warning for warning in outcome.warnings)
