"""`check --format html`: one self-contained page, escaped everywhere, no network.

The pure-Python tests pin the markup of excerpts and diffs and parse the page
back with html.parser; the browser tests load the page from disk in headless
Chromium (skipped only when no Chromium binary is found) and read the DOM
after its script ran: the counts, the filter taken from the address, and that
hostile record content stayed text.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from contentlint.model import Applicability, Diagnostic, Edit, Fix, FixEdit, Position, Severity
from contentlint.report import FORMATS, ReportContext, renderer, source_lines
from contentlint.report.html import CSP, fix_diff
from tests.conftest import check_json, run_cli

P = Position
HOSTILE = '<script>alert(1)</script>'

# A valid record (no findings); the tests below spoil copies of it.
RECORD = """---
category: news
title: "Masks and facial recognition"
excerpt: "Everyone is covering their faces."
publishedDateTime: 2020-07-16T19:15:00Z
webUrl: "https://example.org/2020/07/16/masks/"
type: article
quality: 27
heat: -1
published: false
secured: "abc"
provider:
  name: Example
  domain: example.org
topics:
  - AI
images:
  - url: "{image}"
    width: 1440
    height: 720
    isCached: true
---
Body text.
"""


def render(diagnostics, lines_by_path=None, **kw) -> str:
    source = (lambda path: (lines_by_path or {}).get(path))
    return renderer("html")(diagnostics, ReportContext(files_checked=3, tool_version="0.1.0",
                                                       source=source, **kw))


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with their attributes,
    the text outside <script>/<style>, and the bodies of those two."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        {"script": self.scripts, "style": self.styles}.get(self._in, self.text).append(data)

    def all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_id(self, ident: str) -> str:
        """The text of the element with id ``ident`` (a leaf element)."""
        finder = _TextOf(ident)
        finder.feed(self.rawsource)
        return finder.found


class _TextOf(HTMLParser):
    def __init__(self, ident: str):
        super().__init__(convert_charrefs=True)
        self.ident, self.depth, self.found = ident, 0, ""

    def handle_starttag(self, tag, attrs):
        if self.depth or dict(attrs).get("id") == self.ident:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found += data


def parse(markup: str) -> Page:
    page = Page(markup)
    page.rawsource = markup
    return page


# -- escaping, no network, determinism ----------------------------------------


def hostile_findings():
    path = 'posts/<b>"quoted" & \'single\'</b>/a.md'
    lines = ["---", f"title: \"{HOSTILE} </script><script>alert(2)</script>\"", "---", ""]
    message = f"mojibake in `title`: {HOSTILE}"
    found = [
        Diagnostic(path, "CL200", f"name{HOSTILE}", Severity.ERROR, P(2, 9), P(2, 34), message,
                   Fix.of(f"Repair {HOSTILE}", Applicability.SAFE, Edit(13, 38, "x")),
                   (FixEdit(P(2, 9), P(2, 34), f"</script>{HOSTILE}"),)),
    ]
    return found, {path: lines}


def test_record_content_is_text_never_markup():
    found, lines = hostile_findings()
    markup = render(found, lines)
    page = parse(markup)
    assert markup.count("<script") == 1  # the page's own script, nothing from the record
    assert "<script>alert" not in markup and "</script><script>" not in markup
    assert [t for t, _ in page.tags].count("script") == 1
    shown = "".join(page.text)
    assert f"mojibake in `title`: {HOSTILE}" in shown  # the message, as text
    assert f"Repair {HOSTILE}" in shown  # the fix message
    assert f'title: "{HOSTILE} </script><script>alert(2)</script>"' in shown  # the source line
    assert f'+title: "</script>{HOSTILE}' in shown.replace("\n", "")  # the fixed line
    row = page.all("tbody")[0]
    assert row["data-folder"] == 'posts/<b>"quoted" & \'single\'</b>'  # an attribute that stays one
    assert page.all("option", value='posts/<b>"quoted" & \'single\'</b>')


def test_controls_and_bidi_in_content_are_shown_escaped():
    path = "a\u202eb.md"
    found = [Diagnostic(path, "CL202", "invisible-character", Severity.WARNING, P(2, 8), P(2, 9),
                        "`title` holds U+202E")]
    markup = render(found, {path: ["---", "title: \u202e\x1b[2Jx", "---"]})
    assert "\u202e" not in markup and "\x1b" not in markup
    assert "a\\u202eb.md" in markup
    assert '<mark>\\u202e</mark>\\x1b[2Jx' in markup


def test_no_request_can_leave_the_page():
    found, lines = hostile_findings()
    lines = {p: [*ls[:-1], 'image: "https://example.org/x.png"', "url: //example.org/y"]
             for p, ls in lines.items()}
    page = parse(render(found, lines))
    csp = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert [m["content"] for m in csp] == [CSP]
    assert CSP.startswith("default-src 'none'; ") and "script-src 'sha256-" in CSP
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in ("src", "href", "action", "srcset", "poster", "data", "formaction", "xlink:href"):
                pytest.fail(f"<{tag} {name}={value!r}>: the page links out")
            assert "://" not in (value or "")
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    code = "".join(page.scripts + page.styles)
    for needle in ("http:", "https:", "//example", "url(", "@import", "fetch(", "XMLHttpRequest", "innerHTML"):
        assert needle not in code


def test_the_page_is_deterministic(write, tmp_path, capsys):
    write("posts/a.md", RECORD.format(image="http://127.0.0.1:9/a.jpg").replace("Masks and", "Masks &amp;"))
    write("news/b.md", RECORD.format(image="http://127.0.0.1:9/b.jpg").replace("heat: -1", "heat: hot")
          .replace("/masks/", "/b/"))
    out1, out2 = tmp_path / "r1.html", tmp_path / "r2.html"
    for out in (out1, out2):
        code, stdout, _ = run_cli(["check", "--no-cache", "--format", "html", "-o", out, tmp_path / "posts",
                                   tmp_path / "news"], capsys)
        assert code == 1 and stdout == ""
    assert out1.read_bytes() == out2.read_bytes()
    page = parse(out1.read_text("utf-8"))
    assert [(a["data-code"], a["data-severity"]) for a in page.all("tbody")] == [
        ("CL102", "error"), ("CL201", "error")]
    assert page.by_id("shown") == "2" and page.by_id("total") == "2"


def test_html_is_a_registered_format(write, capsys):
    assert "html" in FORMATS
    clean = write("clean.md", RECORD.format(image="http://127.0.0.1:9/a.jpg"))
    code, out, _ = run_cli(["check", "--format", "html", "--no-cache", clean], capsys)
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert "All checks passed (1 file checked)." in out and "<table" not in out


def test_each_finding_names_its_rule_documentation(write, capsys):
    record = write("a.md", RECORD.format(image="http://127.0.0.1:9/a.jpg").replace("title: ", "title: Caf\u00c3\u00a9 "))
    code, out, _ = run_cli(["check", "--format", "html", "--no-cache", record], capsys)
    cells = parse(out).all("td", **{"class": "code"})
    assert code == 1 and cells and [c["title"] for c in cells] == ["documentation: contentlint rule CL200"]


# -- excerpts and diffs --------------------------------------------------------


LINES = ["---", "category: news", 'title: "Securityâ€™s masks &amp; faces"', "heat: -1",
         "published: false", "type: article", "---", "Body."]


def test_excerpt_shows_numbered_context_with_the_span_marked():
    d = Diagnostic("a.md", "CL201", "html-entity", Severity.ERROR, P(3, 28), P(3, 33), "entity `&amp;`")
    markup = render([d], {"a.md": LINES})
    assert ('<div class="src"><div><span class="ln">1</span><span class="t">---</span></div>'
            '<div><span class="ln">2</span><span class="t">category: news</span></div>'
            '<div class="hit"><span class="ln">3</span><span class="t">title: &quot;Securityâ€™s masks '
            '<mark>&amp;amp;</mark> faces&quot;</span></div>'
            '<div><span class="ln">4</span><span class="t">heat: -1</span></div>'
            '<div><span class="ln">5</span><span class="t">published: false</span></div></div>') in markup


def test_zero_width_and_multi_line_spans():
    caret = Diagnostic("a.md", "CL101", "missing-field", Severity.ERROR, P(2, 1), P(2, 1), "missing")
    block = Diagnostic("a.md", "CL300", "dup", Severity.ERROR, P(2, 11), P(4, 1), "block")
    markup = render([caret, block], {"a.md": LINES})
    assert ('<div class="hit"><span class="ln">2</span><span class="t"><mark class="caret"></mark>'
            "category: news</span></div>") in markup
    # Lines 2-3 are the block's; line 4 (the span ends at its column 1) is context.
    assert ('<div class="hit"><span class="ln">2</span><span class="t">category: <mark>news</mark></span></div>'
            '<div class="hit"><span class="ln">3</span><span class="t"><mark>title: &quot;Securityâ€™s masks '
            '&amp;amp; faces&quot;</mark></span></div>'
            '<div><span class="ln">4</span><span class="t">heat: -1</span></div>') in markup


def test_a_long_span_shows_its_first_lines_then_how_many_more():
    lines = ["---", *[f"k{i}: v" for i in range(40)], "---"]
    d = Diagnostic("a.md", "CL100", "x", Severity.ERROR, P(2, 1), P(41, 6), "long")
    markup = render([d], {"a.md": lines})
    numbers = re.findall(r'<span class="ln">([^<]*)</span>', markup)
    assert numbers == [str(n) for n in range(1, 10)] + ["&hellip;"]
    assert "32 more lines of this finding" in markup
    assert "k7: v" in markup and "k8: v" not in markup


def test_a_long_line_is_clipped_around_the_span():
    line = "title: " + "a" * 4000 + "NEEDLE" + "b" * 4000
    d = Diagnostic("a.md", "CL202", "x", Severity.WARNING, P(2, 4008), P(2, 4014), "here")
    markup = render([d], {"a.md": ["---", line, "---"]})
    assert "<mark>NEEDLE</mark>" in markup
    assert len(markup) < 20_000 and markup.count('<span class="clip">&hellip;</span>') == 2


def test_missing_or_changed_source_shows_the_finding_without_context():
    d = Diagnostic("gone.md", "CL100", "x", Severity.ERROR, P(30, 1), P(30, 4), "msg",
                   Fix.of("f", Applicability.SAFE, Edit(0, 1, "")), (FixEdit(P(30, 1), P(30, 4), "y"),))
    for lines in (None, ["---", "a: 1", "---"]):  # unreadable now; or shorter than when checked
        page = parse(render([d], {"gone.md": lines} if lines else {}))
        assert len(page.all("tbody", **{"data-code": "CL100"})) == 1
        assert not page.all("div", **{"class": "src"}) and not page.all("div", **{"class": "diff"})


def rows(markup_rows: list[str]) -> list[tuple[str, str, str]]:
    """(number, sign, text) of each diff row."""
    out = []
    for row in markup_rows:
        page = parse(row)
        number, sign, *rest = page.text
        out.append((number, sign, "".join(rest)))
    return out


def test_fix_diff_replaces_within_a_line():
    edit = FixEdit(P(3, 8), P(3, 41), '"Security’s masks & faces"')
    assert rows(fix_diff(LINES, [edit])) == [
        ("2", " ", "category: news"),
        ("3", "-", 'title: "Securityâ€™s masks &amp; faces"'),
        ("3", "+", 'title: "Security’s masks & faces"'),
        ("4", " ", "heat: -1"),
    ]


def test_fix_diff_deletes_a_block_where_the_edit_is():
    # The line before the block repeats the block's last line: a plain
    # difflib diff pairs them and shows the wrong lines deleted.
    lines = ["related:", "  - a: 1", "    cached: true", "  - a: 2", "    cached: true", "  - a: 3"]
    edit = FixEdit(P(4, 1), P(6, 1), "")
    assert rows(fix_diff(lines, [edit])) == [
        ("3", " ", "    cached: true"),
        ("4", "-", "  - a: 2"),
        ("5", "-", "    cached: true"),
        ("6", " ", "  - a: 3"),
    ]


def test_fix_diff_inserts_lines_and_applies_several_edits():
    edits = [FixEdit(P(4, 1), P(4, 1), "secured: \"abc\"\n"), FixEdit(P(2, 11), P(2, 15), "tech")]
    assert rows(fix_diff(LINES, edits)) == [
        ("1", " ", "---"),
        ("2", "-", "category: news"),
        ("2", "+", "category: tech"),
        ("3", " ", 'title: "Securityâ€™s masks &amp; faces"'),
        ("4", "+", 'secured: "abc"'),
        ("4", " ", "heat: -1"),
        ("5", " ", "published: false"),
    ]


def test_a_fix_with_no_visible_change_says_so():
    bom = Diagnostic("a.md", "CL005", "byte-order-mark", Severity.WARNING, P(1, 1), P(1, 1), "BOM",
                     Fix.of("Remove the byte order mark", Applicability.SAFE, Edit(0, 1, "")),
                     (FixEdit(P(1, 1), P(1, 1), ""),))
    assert fix_diff(LINES, bom.fix_edits) == []
    text = "".join(parse(render([bom], {"a.md": LINES})).text)
    assert "safe fix: Remove the byte order mark" in text and "invisible here" in text


# -- reading the lines -----------------------------------------------------------


def test_source_lines_number_lines_as_positions_do(write, capsys):
    raw = "\ufeff---\r\ncategory: news\rtitle: \"Securityâ€™s\"\n---\r\n".encode("utf-8")
    path = write("crlf.md", raw)
    lines = source_lines(str(path))
    assert lines == ["---", "category: news", 'title: "Securityâ€™s"', "---", ""]
    _, found = check_json([path], capsys, "--select", "CL200")
    [mojibake] = found
    assert lines[mojibake["line"] - 1][mojibake["column"] - 1:mojibake["end_column"] - 1] == "â€™"


def test_source_lines_of_what_cannot_be_read(write, tmp_path):
    assert source_lines(str(tmp_path / "missing.md")) is None
    assert source_lines(str(tmp_path)) is None  # a folder
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert source_lines(str(fifo)) is None  # refused, not waited on
    bad = write("latin1.md", b"---\ntitle: caf\xe9\n---\n")
    assert source_lines(str(bad))[1] == "title: caf\udce9"


# -- in a real browser -------------------------------------------------------------


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


needs_browser = pytest.mark.skipif(chromium() is None, reason="no chromium binary on PATH (see .ci/run)")


def dump_dom(page: Path, fragment: str, profile: Path) -> str:
    """The DOM after the page's script ran, as headless Chromium serialises it."""
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", page.as_uri() + fragment],
        capture_output=True, text=True, timeout=180, check=True)
    return result.stdout


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        CountingHandler.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def report(write, tmp_path, capsys, local_server):
    """A report on records in two folders (one with `&`, `"` and a space in its
    name), with findings of several codes; record values point at a local
    server, and one title tries to run script when shown."""
    image = f"{local_server}/masks.jpg"
    attack = ("<img src='" + local_server + "/img' onerror='document.body.dataset.pwned=1'>"
              "</script><script>document.title=\\\"pwned\\\"</script>")
    write("posts/a.md", RECORD.format(image=image).replace("Masks and", f"Securityâ€™s {attack} &amp;"))
    write("posts/b.md", RECORD.format(image=image).replace("heat: -1", "heat: hot")
          .replace("/masks/", "/b/"))
    write('news & "views"/c.md', RECORD.format(image=image).replace("/masks/", "/c/")
          .replace('excerpt: "Every', 'excerpt: "  Every').replace("width: 1440", "width: 0"))
    paths = [tmp_path / "posts", tmp_path / 'news & "views"']
    _, found = check_json(paths, capsys)
    out = tmp_path / "report.html"
    run_cli(["check", "--no-cache", "--format", "html", "-o", out, *paths], capsys)
    return out, found


def visible_rows(dom: str) -> list[dict]:
    return [a for a in parse(dom).all("tbody") if "hidden" not in a]


@needs_browser
def test_browser_renders_counts_and_applies_the_filter_from_the_address(report, tmp_path):
    page, found = report
    codes = sorted({f["code"] for f in found})
    assert {"CL200", "CL201", "CL102", "CL203", "CL500"} <= set(codes)

    dom = dump_dom(page, "", tmp_path / "profile")
    parsed = parse(dom)
    assert parsed.all("body", **{"data-ready": "1"})  # the script ran
    assert parsed.by_id("shown") == parsed.by_id("total") == str(len(found))
    assert len(visible_rows(dom)) == len(found)

    for key, value in [("code", "CL201"), ("severity", "warning"), ("folder", str(page.parent / 'news & "views"'))]:
        expected = [f for f in found if {"code": f["code"], "severity": f["severity"],
                                         "folder": os.path.dirname(f["path"])}[key] == value]
        assert expected
        dom = dump_dom(page, f"#{key}={quote(value, safe='')}", tmp_path / "profile")
        assert parse(dom).by_id("shown") == str(len(expected))
        assert [r["data-code"] for r in visible_rows(dom)] == [f["code"] for f in expected]

    combined = dump_dom(page, "#code=CL200&folder=" + quote(str(page.parent / "posts"), safe=""),
                        tmp_path / "profile")
    assert [r["data-code"] for r in visible_rows(combined)] == ["CL200"]
    unknown = dump_dom(page, "#code=%3Cimg%3E", tmp_path / "profile")  # not offered: shows all
    assert parse(unknown).by_id("shown") == str(len(found))


@needs_browser
def test_browser_never_runs_record_content_and_sends_no_request(report, tmp_path):
    page, _ = report
    dom = dump_dom(page, "", tmp_path / "profile")
    parsed = parse(dom)
    body = parsed.all("body")[0]
    assert "data-pwned" not in body
    shown = "".join(parsed.text)
    assert "onerror='document.body.dataset.pwned=1'></script><script>document.title" in shown
    assert re.search(r"<title>(.*?)</title>", dom).group(1) == "contentlint report"
    assert not parsed.all("img")
    assert CountingHandler.hits == []  # record URLs point here: nothing was fetched
