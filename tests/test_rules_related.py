"""CL300 duplicate-related-url, CL301 self-related, CL601 related-order, and the
entry-block surgery in contentlint/blocks.py they rely on.

The helpers here (lint, apply, fix_once, crlf) are shared by the other
structure-rule test modules.
"""

from __future__ import annotations

import pytest

from contentlint import blocks
from contentlint.document import load
from tests.conftest import SEEDS, findings, lint_text


def lint(text, *codes, options=None):
    """(doc, diagnostics) of ``text`` checked with only ``codes`` enabled."""
    return lint_text(text, *codes, options=options, path="t.md")


def summary(diagnostics):
    """(code, line, column, end_line, end_column) per diagnostic."""
    return [(d.code, d.start.line, d.start.column, d.end.line, d.end.column) for d in diagnostics]


def apply(text: str, edits) -> str:
    for edit in sorted(edits, reverse=True):  # back to front: offsets stay valid
        text = text[:edit.start] + edit.content + text[edit.end:]
    return text


def fix_once(text: str, *codes, index: int = 0, options=None) -> str:
    """``text`` with the fix of its ``index``-th diagnostic applied."""
    doc, diagnostics = lint(text, *codes, options=options)
    return apply(doc.text, diagnostics[index].fix.edits)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def fix_command(tmp_path, capsys, text: str, *codes: str) -> str:
    """The file after the real `contentlint fix --unsafe-fixes --select CODES`."""
    from contentlint.cli import main

    path = tmp_path / "record.md"
    path.write_bytes(text.encode("utf-8"))
    main(["fix", "--unsafe-fixes", "--no-cache", "--select", ",".join(codes), str(path)])
    err = capsys.readouterr().err
    assert "warning" not in err and "Traceback" not in err, err
    return path.read_bytes().decode("utf-8")


def entry(title, url, quality, extra=""):
    return (f"  - title: \"{title}\"\n"
            f"    webUrl: \"{url}\"\n"
            f"{extra}"
            f"    quality: {quality}\n")


HEAD = "---\ntitle: \"T\"\nwebUrl: \"https://self.example/a\"\n"
TAIL = "\nsecured: \"x\"\n---\nbody\n"


# -- blocks ----------------------------------------------------------------------------

BLOCKY = ("---\nrelated:\n"
          "  # about a\n"                 # leading comment: travels with entry 0
          "  - a: 1\n"
          "    b: [1, 2]   # c\n"
          "    # trailing, deeper\n"      # trailing comment: entry 0's
          "\n"
          "  -\n"                         # dash alone on its line
          "    a: 2\n"
          "  - x\n"
          "\n"
          "k: 1\n---\n")


def test_entry_blocks_cover_comments_and_dash_alone():
    doc = load("t.md", BLOCKY.encode())
    found = [doc.text[b.start:b.end] for b in blocks.entry_blocks(doc, ("related",))]
    assert found == ["  # about a\n  - a: 1\n    b: [1, 2]   # c\n    # trailing, deeper",
                     "  -\n    a: 2",
                     "  - x"]


@pytest.mark.parametrize("index, expected", [
    (0, "---\nrelated:\n  -\n    a: 2\n  - x\n\nk: 1\n---\n"),
    (1, "---\nrelated:\n  # about a\n  - a: 1\n    b: [1, 2]   # c\n    # trailing, deeper\n\n  - x\n\nk: 1\n---\n"),
    (2, "---\nrelated:\n  # about a\n  - a: 1\n    b: [1, 2]   # c\n    # trailing, deeper\n\n  -\n    a: 2\n\nk: 1\n---\n"),
])
def test_remove_entry_is_byte_exact(index, expected):
    doc = load("t.md", BLOCKY.encode())
    assert apply(doc.text, blocks.remove_entry(doc, ("related",), index)) == expected
    doc = load("t.md", crlf(BLOCKY).encode())
    assert apply(doc.text, blocks.remove_entry(doc, ("related",), index)) == crlf(expected)


@pytest.mark.parametrize("convert", [str, crlf])
def test_remove_only_entry_leaves_empty_list(convert):
    text = convert("---\nrelated:  # links\n  - webUrl: \"https://a.example/\"\n    quality: 1\n\nk: 1\n---\n")
    doc = load("t.md", text.encode())
    after = apply(doc.text, blocks.remove_entry(doc, ("related",), 0))
    assert after == convert("---\nrelated: []  # links\n\nk: 1\n---\n")
    assert load("t.md", after.encode()).data == {"related": [], "k": 1}


def test_indentless_sequence_and_last_entry_without_newline_in_reorder():
    # `related:` entries at the key's own indentation, the last block directly
    # followed by the closing fence's line.
    text = "---\nrelated:\n- q: 1\n- q: 3\n  # note on 3\n- q: 2\n---\n"
    doc = load("t.md", text.encode())
    after = apply(doc.text, blocks.reorder_entries(doc, ("related",), [1, 2, 0]))
    assert after == "---\nrelated:\n- q: 3\n  # note on 3\n- q: 2\n- q: 1\n---\n"


def test_flow_sequence_and_nested_dashes_have_no_blocks():
    doc = load("t.md", b"---\nrelated: [{q: 1}, {q: 2}]\nx:\n  - - 1\n---\n")
    assert blocks.entry_blocks(doc, ("related",)) is None
    assert blocks.entry_blocks(doc, ("x", 0)) is None
    assert blocks.remove_entry(doc, ("related",), 0) is None


def test_render_scalar_keeps_style_or_falls_back_to_double_quotes():
    assert blocks.render_scalar("https://a.example/x", "") == "https://a.example/x"
    assert blocks.render_scalar("https://a.example/x", '"') == '"https://a.example/x"'
    assert blocks.render_scalar("it's", "'") == "'it''s'"
    assert blocks.render_scalar("a: b # c", "") == '"a: b # c"'
    assert blocks.render_scalar("123", None) == '"123"'
    assert blocks.render_scalar('say "hi"\\\u2028', '"') == '"say \\"hi\\"\\\\\\L"'
    assert blocks.render_scalar("tab\there", "'") == '"tab\\there"'


# -- CL300 -------------------------------------------------------------------------------

DUPES = (HEAD + "related:\n"
         + entry("A", "https://News.example/story/", 50)
         + entry("B", "https://b.example/x", 40)
         + entry("A again", "https://news.example:443/story", 30)
         + TAIL)


def test_seed_duplicate_daily_mail_reported_at_later_web_url(capsys):
    result = findings([SEEDS], capsys, "--select", "CL3,CL4,CL5,CL601")
    assert result == [("CL300", 215, 13)]


def test_duplicate_compares_normalised_and_anchors_later_value():
    doc, diagnostics = lint(DUPES, "CL300")
    assert summary(diagnostics) == [("CL300", 12, 13, 12, 45)]
    assert diagnostics[0].message == "`related[2]` links to the same `webUrl` as `related[0]`"
    assert diagnostics[0].fix.applicability.label == "unsafe"


@pytest.mark.parametrize("convert", [str, crlf])
def test_duplicate_fix_removes_later_block_exactly(convert):
    expected = (HEAD + "related:\n"
                + entry("A", "https://News.example/story/", 50)
                + entry("B", "https://b.example/x", 40)
                + TAIL)
    assert fix_once(convert(DUPES), "CL300") == convert(expected)


def test_distinct_paths_blank_urls_and_no_related_are_not_duplicates():
    text = (HEAD + "related:\n"
            + entry("A", "https://a.example/story", 50)
            + entry("B", "https://a.example/story?page=2", 40)
            + entry("C", "", 30) + entry("D", "", 20)
            + TAIL)
    assert lint(text, "CL300")[1] == []
    assert lint(HEAD + TAIL, "CL300")[1] == []


# -- CL301 -------------------------------------------------------------------------------

SELF = (HEAD + "related:\n"
        + entry("Other", "https://other.example/1", 50)
        + entry("Me", "HTTPS://self.example/a/", 40)
        + TAIL)


@pytest.mark.parametrize("convert", [str, crlf])
def test_self_related_reported_and_removed(convert):
    doc, diagnostics = lint(convert(SELF), "CL301")
    assert summary(diagnostics) == [("CL301", 9, 13, 9, 38)]
    expected = HEAD + "related:\n" + entry("Other", "https://other.example/1", 50) + TAIL
    assert apply(doc.text, diagnostics[0].fix.edits) == convert(expected)


def test_video_record_compares_original_url():
    text = ("---\ntitle: \"V\"\noriginalUrl: \"https://youtube.com/watch?v=X\"\nrelated:\n"
            + entry("V", "https://youtube.com/watch?v=X", 5) + entry("W", "https://youtube.com/watch?v=Y", 4)
            + TAIL)
    assert summary(lint(text, "CL301")[1]) == [("CL301", 6, 13, 6, 44)]


def test_no_self_related_when_urls_differ():
    text = HEAD + "related:\n" + entry("Other", "https://self.example/a/b", 50) + TAIL
    assert lint(text, "CL301")[1] == []


# -- CL601 -------------------------------------------------------------------------------

UNSORTED = (HEAD + "related:\n"
            + entry("Q44", "https://a.example/1", 44)
            + entry("Q59a", "https://a.example/2", 59, extra="    images:\n      - url: \"https://i.example/p.jpg\"\n")
            + entry("Q44b", "https://a.example/3", 44)
            + entry("Q59b", "https://a.example/4", 59))


@pytest.mark.parametrize("convert", [str, crlf])
@pytest.mark.parametrize("tail", [TAIL, "---\n", "\n\n\nsecured: \"x\"\n---\n"])
def test_order_fix_moves_whole_blocks_stably(convert, tail):
    doc, diagnostics = lint(convert(UNSORTED + tail), "CL601")
    assert summary(diagnostics) == [("CL601", 4, 1, 4, 8)]
    assert diagnostics[0].message == ("`related` is not sorted by quality (highest first): "
                                      "`related[1]` has quality 59 after 44")
    assert diagnostics[0].fix.applicability.label == "safe"
    expected = (HEAD + "related:\n"
                + entry("Q59a", "https://a.example/2", 59, extra="    images:\n      - url: \"https://i.example/p.jpg\"\n")
                + entry("Q59b", "https://a.example/4", 59)
                + entry("Q44", "https://a.example/1", 44)
                + entry("Q44b", "https://a.example/3", 44)
                + tail)
    after = apply(doc.text, diagnostics[0].fix.edits)
    assert after == convert(expected)
    assert lint(after, "CL601")[1] == []


def test_the_fixer_takes_a_reorder_that_puts_a_list_where_a_null_was(tmp_path, capsys):
    # Item by item, `images: [..]` and `images:` (null) at one index looked
    # like a change outside the edit, and the reorder was refused.
    text = ("---\nrelated:\n  - t: a\n    quality: 1\n  - t: b\n    quality: 2\n    images:\n      - u: x\n"
            "  - t: c\n    quality: 2\n    images:\n---\n")
    assert fix_command(tmp_path, capsys, text, "CL601") == (
        "---\nrelated:\n  - t: b\n    quality: 2\n    images:\n      - u: x\n  - t: c\n    quality: 2\n    images:\n"
        "  - t: a\n    quality: 1\n---\n")


def test_sorted_list_ties_and_missing_quality_are_not_reported():
    text = HEAD + "related:\n" + entry("a", "https://a.example/1", 59) + entry("b", "https://a.example/2", 59) + TAIL
    assert lint(text, "CL601")[1] == []
    text = HEAD + "related:\n" + entry("a", "https://a.example/1", 1) + "  - title: \"no quality\"\n" + TAIL
    assert lint(text, "CL601")[1] == []


def test_seeds_are_sorted(capsys):
    assert findings([SEEDS], capsys, "--select", "CL601") == []


# -- through the real fixer ------------------------------------------------------------------

@pytest.mark.parametrize("convert", [str, crlf])
def test_fix_command_removes_duplicates_and_self_links_then_sorts(tmp_path, capsys, convert):
    text = (HEAD + "related:\n"
            + entry("A", "https://a.example/1", 40)
            + entry("Me", "https://self.example/a", 90)
            + entry("B", "https://b.example/2", 60)
            + entry("A again", "https://A.example/1/", 70)
            + TAIL)
    # The sort (its edit starts first) goes in the first pass; then the
    # self-link and the later duplicate go, which is now the lower-quality one.
    expected = (HEAD + "related:\n"
                + entry("A again", "https://A.example/1/", 70)
                + entry("B", "https://b.example/2", 60)
                + TAIL)
    assert fix_command(tmp_path, capsys, convert(text), "CL300", "CL301", "CL601") == convert(expected)
    # A second run changes nothing.
    assert fix_command(tmp_path, capsys, convert(expected), "CL300", "CL301", "CL601") == convert(expected)
