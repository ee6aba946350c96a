"""CL300, CL301, CL601: the `related` list as a whole.

Entries are compared by ``webUrl`` after `urls.normalize_for_compare`
(scheme/host case, IDN form, default port, one trailing slash), so
`https://Example.com/a/` and `https://example.com:443/a` are one link. Fixes
remove or move whole entry blocks (`blocks.py`), so every other byte of the
file stays as it was.
"""

from __future__ import annotations

from typing import Iterator

from contentlint import blocks
from contentlint.model import Applicability, Fix, Severity, Violation
from contentlint.registry import rule
from contentlint.urls import normalize_for_compare

RELATED = ("related",)


def related_entries(doc) -> list[tuple[int, dict]]:
    """(index, entry) for every mapping entry of the `related` list."""
    related = doc.data.get("related")
    if not isinstance(related, list):
        return []
    return [(i, e) for i, e in enumerate(related) if isinstance(e, dict)]


def record_and_entries(doc) -> Iterator[tuple[tuple, dict]]:
    """The record itself and each `related` entry, with their paths."""
    yield (), doc.data
    for index, entry in related_entries(doc):
        yield RELATED + (index,), entry


def url_key(value) -> str | None:
    """The comparison form of a URL value; None for non-strings and blanks
    (an empty URL is the schema's finding, and two blanks are not one link)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return normalize_for_compare(value)


def related_keys(doc) -> list[tuple[int, str | None]]:
    """(index, comparison form of its webUrl) per entry; shared by CL300/CL301."""
    if "related_keys" not in doc.memo:
        doc.memo["related_keys"] = [(i, url_key(e.get("webUrl"))) for i, e in related_entries(doc)]
    return doc.memo["related_keys"]


def _remove_fix(doc, index: int, message: str) -> Fix | None:
    edits = blocks.remove_entry(doc, RELATED, index)
    return Fix.of(message, Applicability.UNSAFE, *edits) if edits else None


@rule("CL300", "duplicate-related-url", fix=Applicability.UNSAFE)
def duplicate_related_url(doc, ctx) -> Iterator[Violation]:
    """Finds `related` entries that link to the same address as an earlier entry.

    ## What it does
    Compares the `webUrl` of every `related` entry with those of the entries
    before it, after normalising what does not change the link: scheme and
    host case, IDN (Unicode/punycode) host form, a default port (`:443`,
    `:80`) and one trailing `/`. Reports each later duplicate at its `webUrl`.
    Empty URLs are left to the schema (CL100).

    ## Why is this bad?
    Readers see the same story twice in the related list; scrapers often
    record one article under two headlines.

    ## Example
    ```yaml
    related:
      - title: "Federal agencies worried face masks …"
        webUrl: "https://www.dailymail.co.uk/sciencetech/article-8535491/x.html"
      - title: "Federal agencies in the US worried …"
        webUrl: "https://www.dailymail.co.uk/sciencetech/article-8535491/x.html"
    ```
    The second entry duplicates the first; remove it.

    ## Fix safety
    Unsafe: it removes the later entry, all its lines, and the two entries
    may differ in title, excerpt or images, which would be lost. Keep the
    better one by hand when that matters.
    """
    first: dict[str, int] = {}
    for index, key in related_keys(doc):
        if key is None:
            continue
        if key not in first:
            first[key] = index
            continue
        start, end = doc.value_span(RELATED + (index, "webUrl"))
        # The entries are named by index, never by line: a line number in the
        # message would change the finding's fingerprint when a line is inserted.
        yield Violation(start, end, f"`related[{index}]` links to the same `webUrl` as `related[{first[key]}]`",
                        _remove_fix(doc, index, "Remove the duplicate related entry"))


def own_urls(doc) -> set[str]:
    """Comparison forms of the article's own addresses: `webUrl`, and
    `originalUrl` (the only address a video record has)."""
    keys = (url_key(doc.data.get("webUrl")), url_key(doc.data.get("originalUrl")))
    return {k for k in keys if k is not None}


@rule("CL301", "self-related", fix=Applicability.UNSAFE)
def self_related(doc, ctx) -> Iterator[Violation]:
    """Finds `related` entries that link to the article itself.

    ## What it does
    Reports a `related` entry whose `webUrl` is the record's own `webUrl` (or,
    for video records, its `originalUrl`), compared as in CL300, at that
    entry's `webUrl`.

    ## Why is this bad?
    A "related" link back to the page the reader is on is a dead end and
    takes the place of a real related story.

    ## Example
    ```yaml
    webUrl: "https://www.techspot.com/news/92054-overwatch-2.html"
    related:
      - webUrl: "https://www.techspot.com/news/92054-overwatch-2.html"
    ```
    Remove the entry.

    ## Fix safety
    Unsafe: it removes the entry's lines, including its title, excerpt and
    images.
    """
    own = own_urls(doc)
    if not own:
        return
    for index, key in related_keys(doc):
        if key in own:
            start, end = doc.value_span(RELATED + (index, "webUrl"))
            yield Violation(start, end, "related entry links to the article itself",
                            _remove_fix(doc, index, "Remove the self-referencing related entry"))


def _quality(entry) -> int | None:
    value = entry.get("quality")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@rule("CL601", "related-order", severity=Severity.WARNING, fix=Applicability.SAFE)
def related_order(doc, ctx) -> Iterator[Violation]:
    """Finds a `related` list that is not sorted by `quality`, highest first.

    ## What it does
    Checks that the `quality` of each `related` entry is not higher than the
    one before it, and reports the list at its `related` key, naming the
    first entry out of order. Lists where some entry has no whole-number
    `quality` are skipped (there is no order to check; the schema reports the
    missing field).

    ## Why is this bad?
    The records keep related stories best-first, and the site shows the first
    few; an entry out of order hides a better story or promotes a worse one.

    ## Example
    ```yaml
    related:
      - webUrl: "https://a.example/1"
        quality: 44
      - webUrl: "https://b.example/2"
        quality: 59
    ```
    The second entry belongs first.

    ## Fix safety
    Safe: the entries are reordered by descending `quality` (entries with
    equal quality keep their order) by moving each entry's lines verbatim,
    comments attached to an entry included; no value changes.
    """
    entries = related_entries(doc)
    related = doc.data.get("related")
    if not entries or len(entries) != len(related):
        return
    qualities = [_quality(entry) for _, entry in entries]
    if None in qualities:
        return
    out_of_order = next((i for i in range(1, len(qualities)) if qualities[i] > qualities[i - 1]), None)
    if out_of_order is None:
        return
    span = doc.span(RELATED)
    start, end = (span.key_start, span.key_end) if span and span.key_start is not None else doc.value_span(RELATED)
    message = (f"`related` is not sorted by quality (highest first): `related[{out_of_order}]` "
               f"has quality {qualities[out_of_order]} after {qualities[out_of_order - 1]}")
    order = sorted(range(len(qualities)), key=lambda i: -qualities[i])
    edits = blocks.reorder_entries(doc, RELATED, order)
    fix = Fix.of("Sort `related` by quality, highest first", Applicability.SAFE, *edits) if edits else None
    yield Violation(start, end, message, fix)
