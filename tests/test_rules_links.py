"""CL302 provider-domain-mismatch, CL303 malformed-url, CL305 duplicate-article."""

from __future__ import annotations

import pytest

from contentlint import engine, parallel
from contentlint.model import Position
from contentlint.config import Settings
from tests.conftest import SEEDS, collect, findings
from tests.test_rules_related import apply, crlf, fix_command, fix_once, lint, summary


def record(web_url: str, domain: str, related: str = "") -> str:
    return (f"---\ntitle: \"T\"\nwebUrl: \"{web_url}\"\n"
            f"provider:\n  name: P\n  domain: {domain}\n"
            + (f"related:\n{related}" if related else "")
            + "---\n")


# -- CL302 -------------------------------------------------------------------------------

@pytest.mark.parametrize("url, domain", [
    ("https://theverge.com/a", "theverge.com"),
    ("https://www.theverge.com/a", "theverge.com"),
    ("https://markets.businessinsider.com/n", "businessinsider.com"),
    ("https://theverge.com/a", "www.theverge.com"),
    ("https://WWW.TheVerge.com/a", "theverge.COM"),
    ("https://bücher.example/a", "xn--bcher-kva.example"),
])
def test_domain_matches_host_or_parent(url, domain):
    assert lint(record(url, domain), "CL302")[1] == []


def test_domain_mismatch_reported_at_domain_of_record_and_related():
    related = ("  - webUrl: \"https://www.engadget.com/x.html\"\n"
               "    provider:\n      name: The Verge\n      domain: \"theverge.com\"\n")
    doc, diagnostics = lint(record("https://notverge.com/a", "verge.com", related), "CL302")
    assert summary(diagnostics) == [("CL302", 6, 11, 6, 20), ("CL302", 11, 15, 11, 29)]
    assert diagnostics[0].message == ("provider domain `verge.com` is not the host `notverge.com` of `webUrl` "
                                      "or a parent domain of it")
    assert diagnostics[1].fix is None


def test_video_without_web_url_is_not_compared():
    text = "---\noriginalUrl: \"https://youtube.com/watch?v=X\"\nprovider:\n  name: M\n  domain: microsoft.com\n---\n"
    assert lint(text, "CL302")[1] == []


def test_seeds_have_no_domain_mismatch(capsys):
    assert findings([SEEDS], capsys, "--select", "CL302") == []


# -- CL303 -------------------------------------------------------------------------------

def url_record(line: str) -> str:
    return f"---\ntitle: \"T\"\n{line}\nimages:\n  - url: \"https://i.example/p.jpg\"\n    width: 1\n    height: 1\n---\n"


@pytest.mark.parametrize("convert", [str, crlf])
def test_surrounding_junk_is_stripped_safely_in_the_same_quoting(convert):
    text = convert(url_record("webUrl: \"<https://a.example/x>\""))
    doc, diagnostics = lint(text, "CL303")
    assert summary(diagnostics) == [("CL303", 3, 10, 3, 31)]
    assert diagnostics[0].fix.applicability.label == "safe"
    assert apply(doc.text, diagnostics[0].fix.edits) == convert(url_record("webUrl: \"https://a.example/x\""))
    assert fix_once(url_record("webUrl: '\"https://a.example/x\"'"), "CL303") == url_record("webUrl: 'https://a.example/x'")


def test_inner_space_is_anchored_at_the_space_and_percent_encoded_unsafely():
    text = url_record("originalUrl: https://a.example/a b")
    doc, diagnostics = lint(text, "CL303")
    assert summary(diagnostics) == [("CL303", 3, 33, 3, 34)]
    assert diagnostics[0].fix.applicability.label == "unsafe"
    assert apply(doc.text, diagnostics[0].fix.edits) == url_record("originalUrl: https://a.example/a%20b")


def test_nested_image_url_with_illegal_characters():
    text = url_record("webUrl: \"https://a.example/\"").replace("p.jpg", "p|1.jpg")
    doc, diagnostics = lint(text, "CL303")
    assert summary(diagnostics) == [("CL303", 5, 30, 5, 31)]
    assert apply(doc.text, diagnostics[0].fix.edits) == text.replace("p|1.jpg", "p%7C1.jpg")


@pytest.mark.parametrize("value, where", [
    ("\"ftp://a.example/x\"", (3, 10, 3, 14)),
    ("\"https:///x\"", (3, 9, 3, 21)),
])
def test_scheme_and_host_problems_have_no_fix(value, where):
    doc, diagnostics = lint(url_record(f"webUrl: {value}"), "CL303")
    assert summary(diagnostics) == [("CL303", *where)]
    assert diagnostics[0].fix is None


@pytest.mark.parametrize("value", [
    "\"https://a.example/x?q=1&r=%20#frag\"",
    "\" https://a.example/x \"",          # CL203's: surrounding whitespace
    "\"https://a.example/a\\u2028b\"",    # CL202's: a raw line separator
    "\"https://a.example/a\\u200bb\"",    # CL202's: a zero-width space
    "\"\"",                               # the schema's: empty
])
def test_clean_urls_and_other_rules_defects_are_not_reported(value):
    assert lint(url_record(f"webUrl: {value}"), "CL303")[1] == []


@pytest.mark.parametrize("convert", [str, crlf])
def test_fix_command_repairs_urls(tmp_path, capsys, convert):
    text = url_record("webUrl: \"<https://a.example/a b>\"")
    # Pass 1 strips the brackets (the encoding fix overlaps it), pass 2 encodes.
    expected = url_record("webUrl: \"https://a.example/a%20b\"")
    assert fix_command(tmp_path, capsys, convert(text), "CL303") == convert(expected)


def test_simple_url_check_accepts_only_urls_without_problems():
    from jsonschema import Draft202012Validator

    from contentlint.urls import _full_problems, is_simple_url

    uri = Draft202012Validator.FORMAT_CHECKER
    simple = ["https://a.example/", "HTTP://A.example:8080/x?y=1&z=%20#f", "https://a.example/'(y)'*!~",
              "https://a.example/path;p=1,2@x", "https://a.example/a//b??c#d/?", "https://a.b"]
    other = ["https://a.example/%zz", "https://a.example/%2", "https://a.example/a|b", "https://a.example/ä",
             "https://user@a.example/", "https://a.example/a b", "ftp://a.example/", "https:/a.example",
             "https://[::1]/", "'https://a.example/'", "https://a.example/a#b#c", "https://a.example/[x]",
             "https://a_b.example/", "https://-a.example/", "https://a.example:99999/", "https://a.example/a\n"]
    assert [u for u in simple if not is_simple_url(u)] == []
    assert [u for u in other if is_simple_url(u)] == []
    assert all(_full_problems(u) == [] and uri.conforms(u, "uri") for u in simple)


def test_seeds_have_no_malformed_url(capsys):
    assert findings([SEEDS], capsys, "--select", "CL303") == []


# -- CL305 -------------------------------------------------------------------------------

def settings_for(code: str) -> tuple[Settings, list]:
    settings = Settings(select=(code,))
    return settings, engine.enabled_rules(settings)


def test_duplicate_articles_across_files_report_each_file(tmp_path):
    (tmp_path / "a.md").write_text(record("https://News.example/story/", "news.example"))
    (tmp_path / "b.md").write_text(record("https://news.example/story", "news.example"))
    (tmp_path / "c.md").write_text(record("https://news.example/other", "news.example"))
    (tmp_path / "d.md").write_text("---\ntitle: \"V\"\noriginalUrl: \"https://youtube.com/watch?v=X\"\n---\n")
    (tmp_path / "e.md").write_text("---\ntitle: \"V\"\noriginalUrl: \"https://youtube.com/watch?v=X\"\n---\n")
    settings, rules = settings_for("CL305")
    diagnostics, _, errors = collect([str(tmp_path)], settings, rules, jobs=1)
    assert errors == []
    got = [(d.path.rsplit("/", 1)[1], d.code, d.start.line, d.start.column, d.end.column, d.message)
           for d in diagnostics]
    a, b, d, e = (str(tmp_path / n) for n in ("a.md", "b.md", "d.md", "e.md"))
    assert got == [
        ("a.md", "CL305", 3, 9, 38, f"another file records the same article (`webUrl`): {b}"),
        ("b.md", "CL305", 3, 9, 37, f"another file records the same article (`webUrl`): {a}"),
        ("d.md", "CL305", 3, 14, 45, f"another file records the same article (`originalUrl`): {e}"),
        ("e.md", "CL305", 3, 14, 45, f"another file records the same article (`originalUrl`): {d}"),
    ]


def test_duplicate_articles_same_result_in_parallel_workers(tmp_path):
    # 3 x MIN_FILES_PER_WORKER files so that jobs=2 really uses two workers.
    total = 3 * parallel.MIN_FILES_PER_WORKER
    for i in range(total):
        story = i % 40  # stories 0..15 appear three times, 16..39 twice
        (tmp_path / f"{i:03}.md").write_text(record(f"https://news.example/{story}", "news.example"))
    settings, rules = settings_for("CL305")
    serial = collect([str(tmp_path)], settings, rules, jobs=1)
    in_parallel = collect([str(tmp_path)], settings, rules, jobs=2)
    assert in_parallel == serial
    diagnostics = serial[0]
    assert len(diagnostics) == total
    first = diagnostics[0]
    assert (first.path, first.start.line) == (str(tmp_path / "000.md"), 3)
    assert first.message == (f"another file records the same article (`webUrl`): {tmp_path / '040.md'} "
                             "(and 1 more)")


def test_single_file_and_distinct_articles_have_no_duplicate(tmp_path):
    (tmp_path / "a.md").write_text(record("https://news.example/1", "news.example"))
    (tmp_path / "b.md").write_text(record("https://news.example/2", "news.example"))
    settings, rules = settings_for("CL305")
    assert collect([str(tmp_path)], settings, rules, jobs=1)[0] == []
    assert collect([str(SEEDS)], settings, rules, jobs=1)[0] == []


@pytest.mark.parametrize("text", [
    "---\nwebUrl: https://a.example/1  # canonical\n---\n",
    "---\nwebUrlOld: \"https://x.example/\"\nwebUrl: 'https://a.example/1'\n---\n",
    "---\ntitle: \"T\"\nwebUrl: \"https://a.example/\\u0031\"\n---\n",   # escaped: falls back to the index
    "---\ntitle: \"a\nwebUrl: b\"\nwebUrl: \"https://a.example/1\"\n---\n",  # `webUrl:` inside a quoted value
])
def test_duplicate_article_position_is_the_values_span(text):
    from contentlint.document import load
    from contentlint.rules.links import _IDENTITY_FIELDS, _article_identity

    doc = load("t.md", text.encode())
    span = load("t.md", text.encode()).span(("webUrl",))
    digest, field, *where = _article_identity(doc, None)
    other = _article_identity(load("u.md", text.replace("https://a.example/1", "HTTPS://A.EXAMPLE:443/1/").encode()), None)
    assert _IDENTITY_FIELDS[field] == "webUrl" and other[0] == digest  # the same address, normalised
    assert (Position(*where[:2]), Position(*where[2:])) == (doc.position(span.start), doc.position(span.end))


def test_a_template_expression_in_a_url_is_one_finding_that_names_it(write, capsys):
    from tests.conftest import check_json

    write("s.json", '{"type": "object", "properties": {"url": {"type": "string", "format": "uri-reference"}}}')
    config = write("contentlint.toml", '[[kinds]]\nname = "p"\ninclude = ["*.md"]\nschema = "s.json"\n')
    record = write("a.md", '---\nurl: "{{ site.baseurl }}/services/"\nimage_url: "{% link a.png %}"\n---\n')
    found = check_json([record], capsys, "--config", config)[1]
    assert [(f["code"], f["line"], f["column"], f["end_column"]) for f in found] == [
        ("CL303", 2, 7, 25), ("CL303", 3, 13, 29)]
    assert found[0]["message"].startswith("URL holds the template expression `{{ site.baseurl }}`: front matter")
