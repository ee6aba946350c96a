"""CL400 incomplete-amp-variant, CL401 amp-cache-url-mismatch, CL403 amp-variant-absent."""

from __future__ import annotations

import pytest

from contentlint import engine
from contentlint.config import Settings
from contentlint.rules.amp import amp_url_of
from tests.conftest import SEEDS, findings
from tests.test_rules_related import apply, crlf, fix_command, lint, summary

AMP = "https://www.theverge.com/platform/amp/2020/7/17/21328287/face-masks"
CDN = "https://www-theverge-com.cdn.ampproject.org/c/s/www.theverge.com/platform/amp/2020/7/17/21328287/face-masks"


def related(*lines: str) -> str:
    body = "".join(f"{line}\n" for line in lines)
    return f"---\ntitle: \"T\"\nrelated:\n{body}  - webUrl: \"https://x.example/\"\n---\n"


# -- CL400 -------------------------------------------------------------------------------

@pytest.mark.parametrize("convert", [str, crlf])
def test_missing_cdn_inserted_after_amp_with_same_indent_and_quoting(convert):
    text = convert(related("  - webUrl: \"https://www.theverge.com/x\"", f"    ampWebUrl: \"{AMP}\"  # note",
                           "    type: article"))
    doc, diagnostics = lint(text, "CL400")
    assert summary(diagnostics) == [("CL400", 5, 5, 5, 14)]
    assert diagnostics[0].message == "`ampWebUrl` is recorded without `cdnAmpWebUrl`"
    assert diagnostics[0].fix.applicability.label == "safe"
    expected = related("  - webUrl: \"https://www.theverge.com/x\"", f"    ampWebUrl: \"{AMP}\"  # note",
                       f"    cdnAmpWebUrl: \"{CDN}\"", "    type: article")
    assert apply(doc.text, diagnostics[0].fix.edits) == convert(expected)


def test_first_key_of_entry_plain_style_and_http():
    amp = "http://news.example/amp/1"
    text = related(f"  - ampWebUrl: {amp}", "    title: x")
    doc, diagnostics = lint(text, "CL400")
    assert summary(diagnostics) == [("CL400", 4, 5, 4, 14)]
    expected = related(f"  - ampWebUrl: {amp}",
                       "    cdnAmpWebUrl: https://news-example.cdn.ampproject.org/c/news.example/amp/1",
                       "    title: x")
    assert apply(doc.text, diagnostics[0].fix.edits) == expected


def test_missing_amp_derived_back_from_cdn_at_top_level_single_quoted():
    text = f"---\ntitle: \"T\"\ncdnAmpWebUrl: '{CDN}'\n---\n"
    doc, diagnostics = lint(text, "CL400")
    assert summary(diagnostics) == [("CL400", 3, 1, 3, 13)]
    assert apply(doc.text, diagnostics[0].fix.edits) == (
        f"---\ntitle: \"T\"\ncdnAmpWebUrl: '{CDN}'\nampWebUrl: '{AMP}'\n---\n")


@pytest.mark.parametrize("line", [
    "    ampWebUrl: \"https://a.example/amp page\"",                              # malformed: CL303's
    "    cdnAmpWebUrl: \"https://wrong-label.cdn.ampproject.org/c/s/a.example/amp\"",  # not derivable
    "    cdnAmpWebUrl: \"https://a.example/not-a-cache-url\"",
])
def test_no_fix_when_nothing_trustworthy_can_be_derived(line):
    doc, diagnostics = lint(related("  - title: x", line), "CL400")
    assert [d.code for d in diagnostics] == ["CL400"]
    assert diagnostics[0].fix is None


def test_amp_url_of_inverts_only_exact_cache_urls():
    assert amp_url_of(CDN) == AMP
    assert amp_url_of("https://news-example.cdn.ampproject.org/c/news.example/amp/1?x=1") == "http://news.example/amp/1?x=1"
    assert amp_url_of(CDN.replace("www-theverge-com", "theverge-com")) is None


def test_complete_pairs_and_entries_without_amp_are_not_incomplete():
    text = related("  - title: x", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{CDN}\"")
    assert lint(text, "CL400", "CL401")[1] == []


# -- CL401 -------------------------------------------------------------------------------

@pytest.mark.parametrize("convert", [str, crlf])
@pytest.mark.parametrize("wrong", [
    CDN.replace("www-theverge-com", "theverge-com"),      # label without www
    CDN.replace("/c/s/", "/c/"),                          # http form for an https page
    CDN + "?amp=1",                                       # query not in ampWebUrl
])
def test_wrong_cdn_rewritten_in_place(convert, wrong):
    text = convert(related("  - title: x", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{wrong}\"",
                           "    type: article"))
    doc, diagnostics = lint(text, "CL401")
    assert summary(diagnostics) == [("CL401", 6, 19, 6, 21 + len(wrong))]
    assert diagnostics[0].message == f"`cdnAmpWebUrl` is not the AMP Cache address of `ampWebUrl` (expected `{CDN}`)"
    expected = related("  - title: x", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{CDN}\"", "    type: article")
    assert apply(doc.text, diagnostics[0].fix.edits) == convert(expected)


def test_idn_and_hyphenated_hosts_match_their_cache_urls():
    pairs = [
        ("https://xn--bcher-kva.example/amp", "https://xn--bcher-example-wob.cdn.ampproject.org/c/s/xn--bcher-kva.example/amp"),
        ("https://amp-news.example/a?x=1", "https://amp--news-example.cdn.ampproject.org/c/s/amp-news.example/a?x=1"),
        ("https://ab-c.example/a", "https://0-ab--c-example-0.cdn.ampproject.org/c/s/ab-c.example/a"),
    ]
    for amp, cdn in pairs:
        text = related("  - title: x", f"    ampWebUrl: \"{amp}\"", f"    cdnAmpWebUrl: \"{cdn}\"")
        assert lint(text, "CL401")[1] == [], amp


@pytest.mark.parametrize("convert", [str, crlf])
def test_fix_command_completes_and_corrects_pairs(tmp_path, capsys, convert):
    wrong = CDN.replace("www-theverge-com", "theverge-com")
    text = related("  - title: a", f"    ampWebUrl: \"{AMP}\"", "  - title: b", f"    cdnAmpWebUrl: '{CDN}'",
                   "  - title: c", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{wrong}\"")
    expected = related("  - title: a", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{CDN}\"",
                       "  - title: b", f"    cdnAmpWebUrl: '{CDN}'", f"    ampWebUrl: '{AMP}'",
                       "  - title: c", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{CDN}\"")
    assert fix_command(tmp_path, capsys, convert(text), "CL400", "CL401") == convert(expected)


def test_seeds_have_no_amp_finding(capsys):
    assert findings([SEEDS], capsys, "--select", "CL400,CL401") == []


# -- CL403 -------------------------------------------------------------------------------

def test_absent_amp_is_opt_in_info():
    default = [r.code for r in engine.enabled_rules(Settings())]
    assert "CL403" not in default and "CL400" in default
    text = related("  - webUrl: \"https://npr.org/1\"", f"    ampWebUrl: \"{AMP}\"", f"    cdnAmpWebUrl: \"{CDN}\"")
    doc, diagnostics = lint(text, "CL403")
    # Only the last entry (line 7) has neither field; the record has no webUrl.
    assert summary(diagnostics) == [("CL403", 7, 13, 7, 33)]
    assert diagnostics[0].severity.label == "info"
