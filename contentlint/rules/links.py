"""CL302, CL303, CL305: addresses — provider domains, malformed URLs, and
articles recorded twice across the files of a run."""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from contentlint import blocks
from contentlint.digests import blake2b
from contentlint.model import Applicability, Fix, Position, Severity, Violation
from contentlint.registry import rule
from contentlint.rules.related import record_and_entries, url_key
from contentlint.rules.text import is_url_key, mojibake_repair
from contentlint.spelling import one_edit
from contentlint.wholerun import U8, U32, U64
from contentlint.urls import (BAD_HOST, BAD_SCHEME, INVISIBLE, JUNK, NO_HOST, NON_ASCII, WHITESPACE, domain_matches,
                              host_of, url_problems)

# Whitespace that CL202 (invisible-character: control characters and raw line
# breaks in single-line fields) reports; CL303 reports the rest (spaces).
_CL202_SPACE = frozenset("\t\n\r\v\f\x85\u2028\u2029")


@rule("CL302", "provider-domain-mismatch", severity=Severity.WARNING)
def provider_domain_mismatch(doc, ctx) -> Iterator[Violation]:
    """Finds a `provider.domain` that is not the domain of the item's `webUrl`.

    ## What it does
    For the record and each `related` entry, compares `provider.domain` with
    the host of `webUrl`: the host must be the domain or a subdomain of it
    (`www.theverge.com` and `markets.businessinsider.com` match `theverge.com`
    and `businessinsider.com`; `www.` in the domain is optional; case and
    IDN form do not matter). Reports at `domain`. Video records, which have
    only an `originalUrl` on a video platform, are not checked: their
    provider is the channel's owner (a `microsoft.com` video on YouTube).

    ## Why is this bad?
    The site shows the provider's name and logo next to the link; a wrong
    domain credits another publisher, usually because an entry was copied
    and only half edited.

    ## Example
    ```yaml
    webUrl: "https://www.engadget.com/disneys-new-ai.html"
    provider:
      name: The Verge
      domain: theverge.com
    ```
    Set `provider` to Engadget / `engadget.com`, or fix the `webUrl`.
    """
    for path, entry in record_and_entries(doc):
        url, provider = entry.get("webUrl"), entry.get("provider")
        if not isinstance(url, str) or not isinstance(provider, dict):
            continue
        domain = provider.get("domain")
        host = host_of(url)
        if not isinstance(domain, str) or not domain.strip() or host is None:
            continue  # empty or missing values are the schema's findings
        if not domain_matches(host, domain):
            start, end = doc.value_span(path + ("provider", "domain"))
            yield Violation(start, end, f"provider domain `{domain}` is not the host `{host}` of `webUrl` "
                                        "or a parent domain of it")


_STRUCTURE = frozenset({BAD_SCHEME, NO_HOST, BAD_HOST})
_HAS_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.\-]*:|\s*//")


def _url_fields(doc, ctx) -> list[tuple[tuple, str, tuple[bool, bool]]]:
    """(path, value, (relative allowed, non-ASCII allowed)) of every URL: the
    values the schema declares `format: uri` (absolute) or `uri-reference`
    (relative allowed), or their `iri` forms (raw non-ASCII allowed), and
    strings whose key ends in `url`, any case, but English words (`webUrl`, `canonicalurl`, not `curl`: the test CL200-CL203 use
    too, rules/text.py), which the article format requires absolute and
    ASCII, and which elsewhere may be site-relative (`url: /commands/hugo/`)
    and written as IRIs (`/été-à-paris/`, as Hugo and browsers take them).

    The verdict depends on the schema and the path alone, and the same
    paths recur from record to record: one lookup per string in a per-run
    table instead of deciding it again (a record holds ~30 strings)."""
    key = ("CL303 url fields", ctx.current.schema)
    verdicts = ctx.memo.get(key)
    if verdicts is None:
        verdicts = ctx.memo[key] = {}
    found = []
    for path, value in doc.strings():
        verdict = verdicts.get(path, _UNDECIDED)
        if verdict is _UNDECIDED:
            if len(verdicts) >= 4096:  # a record with 25,000 related entries: keep memory flat
                verdicts.clear()
            verdict = verdicts[path] = _url_verdict(path, ctx)
        if verdict is not None:
            found.append((path, value, verdict))
    return found


_UNDECIDED = object()


_ABSOLUTE_ASCII, _ANY_REFERENCE = (False, False), (True, True)


def _url_verdict(path: tuple, ctx) -> tuple[bool, bool] | None:
    """Whether the value at ``path`` is a URL that may be relative, and one
    that may hold raw non-ASCII characters; None: not a URL."""
    info = ctx.field_info(path)
    if info.url is not None:
        return info.url == "relative", info.iri
    if path and path[-1].__class__ is str and is_url_key(path[-1]):
        return _ANY_REFERENCE if ctx.current.schema != _article_schema() else _ABSOLUTE_ASCII
    return None


def _article_schema() -> str:
    from contentlint.validation import default_schema_path

    return default_schema_path()


def url_findings(doc, ctx) -> list[tuple[tuple, Violation]]:
    """CL303's findings with their value paths, computed once per document
    (CL103 gives way to them: one defect, one finding)."""
    if "CL303" not in doc.memo:
        doc.memo["CL303"] = list(_malformed(doc, ctx))
    return doc.memo["CL303"]


def _reported_elsewhere(url: str, problem) -> bool:
    """Whether CL202/CL203 already report this problem (each defect once)."""
    if problem.kind == INVISIBLE:
        return True
    if problem.kind == NON_ASCII:  # mojibake is CL200's: encoding it would keep it
        return mojibake_repair(url) is not None
    if problem.kind == WHITESPACE:
        return all(ch in _CL202_SPACE for ch in url[problem.start:problem.end] if ch.isspace())
    if problem.kind == JUNK and problem.repair is not None:
        at = url.find(problem.repair)
        junk = url[:at] + url[at + len(problem.repair):]
        return all(ch.isspace() or not ch.isprintable() for ch in junk)
    return False


def _char_span(doc, path: tuple, value: str, start: int, end: int) -> tuple[int, int]:
    """Text offsets of ``value[start:end]`` when the scalar is written without
    escapes (the usual case); otherwise the whole value."""
    span = doc.span(path)
    if span is None:
        return doc.value_span(path)
    inner = span.start + (1 if span.style in ('"', "'") else 0)
    if doc.text[inner:inner + len(value)] == value and end > start:
        return inner + start, inner + end
    return span.start, span.end


@rule("CL303", "malformed-url", fix=Applicability.SAFE)
def malformed_url(doc, ctx) -> Iterator[Violation]:
    """Finds URLs that a browser would not follow as written.

    ## What it does
    Checks every URL field (`webUrl`, `originalUrl`, `ampWebUrl`,
    `cdnAmpWebUrl`, image and logo `url`, at any level, any key ending in
    `url`, any case (`imageURL`, `canonicalurl`; not English words such as `curl`), and every value
    the schema declares `format: uri` or `uri-reference`) against what the
    WHATWG URL Standard accepts: no spaces, no ``"<>\\^`{|}`` characters, no
    `%` that starts no `%XX` escape, a host after `//`, and the scheme
    `http` or `https`. Outside the article format a link of another scheme
    (`mailto:`, `tel:`, `ftp:`, `obsidian:`) is its application's business
    and is not checked, but `javascript:`, `vbscript:` and a `data:` page
    or SVG image, which run a script where the link is followed, are
    reported, and so is a web address written wrong: a misspelt scheme
    (`htps:`), a host and port with no scheme (`localhost:4000/a.png`) or a
    Windows path (`C:\\img\\a.png`). Raw non-ASCII characters (an IRI such as
    `https://de.wikipedia.org/wiki/Straße`) are reported where the ASCII
    form is required: in the article format and in a field the schema
    declares `format: uri` or `uri-reference`, and the two checks agree.
    Where the schema declares `iri` or `iri-reference`, or does not declare
    the field and is not the article schema, an IRI is accepted (browsers
    and site generators such as Hugo take `/été-à-paris/` as written). Quotes
    or angle brackets pasted around a URL are reported as surrounding junk.
    A template expression (`{{ site.baseurl }}/a/`, `{% link a.md %}`) is
    one finding that names it: Jekyll and Hugo do not render front matter,
    so the link is that text.
    Reports at the offending characters.
    Characters left to other rules: leading/trailing whitespace (CL203),
    control and zero-width characters and raw line breaks (CL202), mojibake
    (CL200). A site-relative address (`/commands/hugo/`) is not malformed
    in a field the schema declares `uri-reference` or does not declare, and
    a network-path one (`//cdn.example.com/a.js`, which a browser follows
    with the page's scheme) is checked there as its `https:` form; the
    article format's URL fields and `format: uri` ones must be absolute.
    Where this rule reports a value, the schema's CL103 (`format`) or
    CL100 (`pattern`) on the same value is not reported: one defect, one
    finding.

    ## Why is this bad?
    A malformed URL is a broken link or a broken image; browsers and crawlers
    repair some of them in ways that differ from each other.

    ## Example
    ```yaml
    webUrl: "<https://example.com/a b>"
    ```
    The brackets are junk and the space must be written `%20`:
    `https://example.com/a%20b`.

    ## Fix safety
    Safe when the fix only strips surrounding junk (quotes, `<>`). Unsafe when
    it percent-encodes characters inside the URL (a space, `|`, a stray `%`,
    `ß` as `%C3%9F`): the server may have meant something else, so check the
    link. A URL with no host, an invalid or non-ASCII host (its punycode form
    depends on the IDNA version) or a wrong scheme has no fix.
    """
    return [violation for _, violation in url_findings(doc, ctx)]


# Schemes that run code where a link is followed: never an address.
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript"})
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_PORT_THEN_PATH = re.compile(r"[0-9]{1,5}[/?#]")


def _malformed(doc, ctx) -> Iterator[tuple[tuple, Violation]]:
    # The article format's addresses are web pages and images: http(s)
    # only. Elsewhere a link may be `mailto:`, `tel:`, `obsidian:`...: their
    # syntax is their applications' business, so only a script is reported
    # (a web address written wrong is checked as one: _another_application).
    web_only = ctx.current.schema == _article_schema()
    for path, value, (relative_ok, iri_ok) in _url_fields(doc, ctx):
        template = _TEMPLATE.search(value) if "{" in value else None
        if template is not None:  # one finding that says what it is, not one per brace and space
            start, end = _char_span(doc, path, value, template.start(), template.end())
            yield path, Violation(start, end, f"URL holds the template expression `{template.group()}`: "
                                              "front matter is not rendered (Jekyll, Hugo), so the link is "
                                              "this text; write the address, or build the link in the layout")
            continue
        scheme = None if web_only else _SCHEME.match(value)
        if scheme is not None and _another_application(value, scheme):
            if _runs_a_script(value, scheme):
                start, end = _char_span(doc, path, value, scheme.start(1), scheme.end())
                what = "carries a page or an image that can run a script" if scheme.group(1).lower() == "data" \
                    else "runs a script"
                yield path, Violation(start, end, f"URL scheme {scheme.group(1)!r} {what}: not an address")
            continue
        relative = relative_ok and _HAS_SCHEME.match(value) is None
        problems = _network_path_problems(value) if relative_ok and value.startswith("//") else url_problems(value)
        for problem in problems:  # [] at once for the common URL
            if (_reported_elsewhere(value, problem) or relative and problem.kind in _STRUCTURE
                    or iri_ok and problem.kind == NON_ASCII):
                continue
            start, end = _char_span(doc, path, value, problem.start, problem.end)
            fix = None
            if problem.repair is not None:
                edit = blocks.replace_scalar(doc, path, problem.repair)
                if edit is not None:
                    safety = Applicability.SAFE if problem.safe else Applicability.UNSAFE
                    verb = "Strip the surrounding junk" if problem.kind == JUNK else "Percent-encode the URL"
                    fix = Fix.of(verb, safety, edit)
            yield path, Violation(start, end, problem.message, fix)


# A Liquid, Jinja, Nunjucks or Go template expression or tag: `{{ site.baseurl }}`, `{% link a.md %}`.
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _runs_a_script(value: str, scheme: re.Match) -> bool:
    """`javascript:`, `vbscript:`, and `data:` of a page or an image that
    carries one (`data:text/html,<script>...`, SVG)."""
    name = scheme.group(1).lower()
    return name in _SCRIPT_SCHEMES or name == "data" and value[scheme.end():].lstrip().lower().startswith(
        _SCRIPT_MEDIA)


_SCRIPT_MEDIA = ("text/html", "application/xhtml", "image/svg", "text/javascript", "application/javascript")


def _another_application(value: str, scheme: re.Match) -> bool:
    """Whether ``value`` links to another application than the web
    (`mailto:`, `tel:`, `obsidian:`, `javascript:`), not an http(s) address,
    nor a web address written wrong: a host and port without a scheme
    (`localhost:4000/a.png`, `www.example.com:8080/`) or a misspelt
    `http`/`https` (`htps://`), which are checked as web addresses."""
    name = scheme.group(1).lower()
    if name in ("http", "https") or "." in name or len(name) == 1:  # a host; a Windows drive (`C:\\img`)
        return False
    if name == "localhost" or _PORT_THEN_PATH.match(value, scheme.end()):  # `host:4000/a`, not `tel:5551234`
        return False
    return not any(one_edit(name, web) for web in ("http", "https"))  # `ftp` is two edits from `http`


def _network_path_problems(value: str) -> list:
    """``url_problems`` of a network-path reference (`//cdn.example.com/a.js`)
    where a relative address may stand: a browser follows it with the
    page's scheme, so it is judged as its `https:` form (its host too),
    the offsets and repairs taken back to the value as written."""
    problems = []
    for problem in url_problems("https:" + value):
        repair = problem.repair
        if repair is not None:
            repair = repair[6:] if repair.startswith("https:") and repair[6:].startswith("//") else None
        problems.append(problem._replace(start=max(problem.start - 6, 0), end=max(problem.end - 6, 0), repair=repair))
    return problems


# -- CL305: a whole-run rule -----------------------------------------------------------


def _top_level_value(doc, field: str, value: str) -> tuple[int, int]:
    """Offsets of the top-level ``field``'s value.

    Found on its `field: value` line when the value is written there as is
    (plain or quoted without escapes), because ``doc.span`` indexes every
    node of the document, which would cost every clean file ~1 ms for this
    rule alone; otherwise the span index answers.
    """
    text = doc.text
    at = -1 if doc.fm_start < 0 else text.find("\n" + field, doc.fm_start - 1, doc.fm_end)
    if at >= 0:
        found = _written_on_line(text, at + 1 + len(field), doc.fm_end, value)
        if found is not None:
            return found
        match = _KEY_LINE.match(text, at + 1 + len(field), doc.fm_end)
        if match and match.group(1) in (value, f'"{value}"', f"'{value}'"):
            return match.start(1), match.end(1)
    span = doc.span((field,))
    return (span.start, span.end) if span else doc.value_span((field,))


# `: value` after a top-level key, up to a comment or the line's end.
# `.` would cross a lone CR, which is a line break in YAML (and in this project's lines).
_KEY_LINE = re.compile(r"[ \t]*:[ \t]+(\S(?:[^\r\n]*?\S)?)[ \t]*(?:[ \t]#[^\r\n]*)?(?:\r\n|\r|\n|\Z)")
_KEY_COLON = re.compile(r"[ \t]*:[ \t]+")


def _written_on_line(text: str, at: int, end: int, value: str) -> tuple[int, int] | None:
    """``_KEY_LINE``'s answer without its lazy scan (~9 us a URL): the value
    as written (plain or quoted) right after `: `, with no blank or line
    break inside, then only blanks, a comment or the line's end. Where the
    pattern could end the value earlier (a blank inside) or elsewhere, None:
    the pattern decides."""
    colon = _KEY_COLON.match(text, at, end)
    if colon is None:
        return None
    start = colon.end()
    for written in (value, f'"{value}"', f"'{value}'"):
        stop = start + len(written)
        if (not text.startswith(written, start, end) or written[0].isspace() or written[-1].isspace()
                or " " in written or "\t" in written or "\r" in written or "\n" in written):
            continue
        rest = stop
        while rest < end and text[rest] in " \t":
            rest += 1
        if rest == end or text[rest] in "\r\n" or text[rest] == "#" and rest > stop:
            return start, stop
    return None


_IDENTITY_FIELDS = ("webUrl", "originalUrl")


class ArticleIdentity(NamedTuple):
    """CL305's facts about one file, kept by the main process for the whole run."""

    digest: U64  # a 64-bit digest of the address in comparison form
    field: U8  # which of _IDENTITY_FIELDS holds it
    line: U32  # where its value is written
    column: U32
    end_line: U32
    end_column: U32


def _article_identity(doc, ctx):
    """Per file (in the worker): the record's address in comparison form and
    where it is written. Videos are identified by `originalUrl`."""
    for number, field in enumerate(_IDENTITY_FIELDS):
        value = doc.data.get(field)
        key = url_key(value)
        if key is not None:
            start, end = (doc.position(o) for o in _top_level_value(doc, field, value))
            # A 64-bit digest stands for the address (a collision needs ~4
            # billion files): the main process keeps a row per file.
            hashed = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8)
            digest = int.from_bytes(hashed.digest(), "big")
            return ArticleIdentity(digest, number, start.line, start.column, end.line, end.column)
    return None


def _duplicates(table, ctx):
    # Two passes over the packed rows: find the repeated digests (sorting
    # one column), then group only their files. A dict of every file's
    # row would cost more than the whole table.
    digests = sorted(row[0] for _, row in table)
    repeated = {a for a, b in zip(digests, digests[1:]) if a == b}
    del digests
    groups: dict[int, dict[str, tuple]] = {}
    for path, row in table:
        if row[0] in repeated:
            groups.setdefault(row[0], {})[path] = row
    for group in groups.values():
        members = sorted(group.items())
        # Each file names the first other file of the group and counts the
        # rest: linear in the group (a list of the others per file is not). No
        # line number: fingerprints must survive edits.
        more = f" (and {len(members) - 2} more)" if len(members) > 2 else ""
        for index, (path, (_, number, line, column, end_line, end_column)) in enumerate(members):
            other = members[1][0] if index == 0 else members[0][0]
            yield path, Violation(Position(line, column), Position(end_line, end_column),
                                  f"another file records the same article (`{_IDENTITY_FIELDS[number]}`): {other}{more}")


@rule("CL305", "duplicate-article", collect=_article_identity, facts=ArticleIdentity, finish=_duplicates)
def duplicate_article(doc, ctx):
    """Finds two or more files in the checked set that record the same article.

    ## What it does
    Compares the `webUrl` of every file of the run (for video records, which
    have none, the `originalUrl`), normalised as in CL300, and reports each
    file of a group of duplicates at its `webUrl`, naming the other files.
    Works across worker processes: each file's address is collected where the
    file is checked and compared once all files are done. Only the files of
    one run are compared, so checking a single file never reports this.

    ## Why is this bad?
    The same story appears twice on the site, under two dates or headlines,
    and edits to one copy miss the other.

    ## Example
    `_news/2021-02-18-diablo-4-news.md` and `_news/2021-02-19-diablo-4-blizzcon.md`
    both have `webUrl: "https://realsport101.com/misc/diablo-4-news-countdown/"`.
    Keep one file and delete (or redirect) the other.
    """
    return ()
