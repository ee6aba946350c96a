"""CL400, CL401, CL403: the AMP address pair `ampWebUrl` / `cdnAmpWebUrl`.

`cdnAmpWebUrl` is a function of `ampWebUrl` (`amp_cache.amp_cache_url`), so one
can be derived from the other: a missing half is inserted and a wrong cache
address rewritten, both safely.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Iterator

from contentlint import blocks
from contentlint.amp_cache import CACHE_DOMAIN, amp_cache_url
from contentlint.model import Applicability, Fix, Severity, Violation
from contentlint.registry import rule
from contentlint.rules.related import record_and_entries
from contentlint.urls import url_problems

AMP, CDN = "ampWebUrl", "cdnAmpWebUrl"


@cache  # compiled on first use: only a cdnAmpWebUrl without its ampWebUrl asks (re is Python: ~0.3 ms)
def _cache_url_pattern() -> re.Pattern:
    return re.compile(r"https://[a-z0-9-]+\." + re.escape(CACHE_DOMAIN) + r"/c/(s/)?(.+)\Z", re.IGNORECASE | re.DOTALL)


def _cache_url(amp: str) -> str | None:
    try:
        return amp_cache_url(amp)
    except ValueError:
        return None  # not a URL the cache serves; CL303 reports malformed ones


def amp_url_of(cache_url: str) -> str | None:
    """The AMP page a `/c/` cache URL serves, when the cache URL is exactly
    the one derived from it (otherwise there is nothing trustworthy to insert)."""
    match = _cache_url_pattern().match(cache_url)
    if not match:
        return None
    amp = ("https://" if match.group(1) else "http://") + match.group(2)
    return amp if _cache_url(amp) == cache_url else None


def _usable(url) -> bool:
    return isinstance(url, str) and bool(url.strip()) and not url_problems(url)


def _key_span(doc, path) -> tuple[int, int]:
    span = doc.span(path)
    if span is not None and span.key_start is not None:
        return span.key_start, span.key_end
    return doc.value_span(path)


@rule("CL400", "incomplete-amp-variant", fix=Applicability.SAFE)
def incomplete_amp_variant(doc, ctx) -> Iterator[Violation]:
    """Finds `ampWebUrl` without `cdnAmpWebUrl`, or the other way round.

    ## What it does
    For the record and each `related` entry, reports a present `ampWebUrl`
    or `cdnAmpWebUrl` whose partner is missing, at the present key.

    ## Why is this bad?
    The site links AMP readers to the cache address and search engines to the
    AMP page; with half the pair recorded one of them gets the slow page or
    no AMP page at all.

    ## Example
    ```yaml
        ampWebUrl: "https://www.theverge.com/platform/amp/2020/7/17/masks"
        type: article
    ```
    Add, right after it:
    ```yaml
        cdnAmpWebUrl: "https://www-theverge-com.cdn.ampproject.org/c/s/www.theverge.com/platform/amp/2020/7/17/masks"
    ```

    ## Fix safety
    Safe: the missing address is computed from the present one with the AMP
    Cache URL algorithm (amp.dev: host to one DNS label, `/c/`, `s/` for
    https), which every recorded pair follows, and inserted on the line right
    after the present key with the same indentation and quoting. A cache
    address is turned back into an AMP page address only when deriving the
    cache address from that page gives exactly the recorded one. No fix when
    the present address is malformed.
    """
    for path, entry in record_and_entries(doc):
        amp, cdn = entry.get(AMP), entry.get(CDN)
        if (AMP in entry) == (CDN in entry):
            continue
        present, missing = (AMP, CDN) if AMP in entry else (CDN, AMP)
        value = amp if present == AMP else cdn
        derived = None
        if _usable(value):
            derived = _cache_url(value) if present == AMP else amp_url_of(value)
        fix = None
        if derived is not None:
            edit = blocks.insert_key_after(doc, path, present, missing, derived)
            if edit is not None:
                fix = Fix.of(f"Insert the derived `{missing}`", Applicability.SAFE, edit)
        start, end = _key_span(doc, path + (present,))
        yield Violation(start, end, f"`{present}` is recorded without `{missing}`", fix)


@rule("CL401", "amp-cache-url-mismatch", fix=Applicability.SAFE)
def amp_cache_url_mismatch(doc, ctx) -> Iterator[Violation]:
    """Finds a `cdnAmpWebUrl` that is not the AMP Cache address of `ampWebUrl`.

    ## What it does
    Derives the Google AMP Cache address of `ampWebUrl`
    (`https://<host as one label>.cdn.ampproject.org/c/s/<host><path>?<query>`;
    no `s/` for http; IDN hosts in punycode; a hash label for hosts too long
    for one DNS label) and reports `cdnAmpWebUrl` when it differs.

    ## Why is this bad?
    The cache address is what AMP readers are sent to; a stale or hand-edited
    one serves another page or a 404.

    ## Example
    ```yaml
    ampWebUrl: "https://www.engadget.com/amp/disneys-new-ai.html"
    cdnAmpWebUrl: "https://engadget-com.cdn.ampproject.org/c/s/www.engadget.com/amp/disneys-new-ai.html"
    ```
    The label must be `www-engadget-com`.

    ## Fix safety
    Safe: `cdnAmpWebUrl` is rewritten to the derived address, in the same
    quoting style. No fix when `ampWebUrl` itself is malformed (the derived
    address would repeat the defect).
    """
    for path, entry in record_and_entries(doc):
        amp, cdn = entry.get(AMP), entry.get(CDN)
        if not (isinstance(amp, str) and isinstance(cdn, str) and amp.strip() and cdn.strip()):
            continue
        expected = _cache_url(amp)
        if expected is None or expected == cdn:
            continue
        fix = None
        if _usable(amp):
            edit = blocks.replace_scalar(doc, path + (CDN,), expected)
            if edit is not None:
                fix = Fix.of("Rewrite `cdnAmpWebUrl` to the AMP Cache address of `ampWebUrl`", Applicability.SAFE, edit)
        start, end = doc.value_span(path + (CDN,))
        message = f"`cdnAmpWebUrl` is not the AMP Cache address of `ampWebUrl` (expected `{expected}`)"
        yield Violation(start, end, message, fix)


@rule("CL403", "amp-variant-absent", severity=Severity.INFO, default=False)
def amp_variant_absent(doc, ctx) -> Iterator[Violation]:
    """Finds articles with no AMP address at all (opt-in).

    ## What it does
    Reports the record and each `related` entry that has a `webUrl` but
    neither `ampWebUrl` nor `cdnAmpWebUrl`, at its `webUrl`. Off by default:
    most publishers have no AMP page (68% of real related entries have none),
    so this is only for teams that require AMP. Enable it with
    `select = ["CL403"]` or `extend-select`.

    ## Why is this bad?
    For a team that serves AMP, an entry without AMP addresses sends mobile
    readers to the slow page. `contentlint check --online` (CL402) finds the
    entries whose page does declare an AMP version.

    ## Example
    ```yaml
      - webUrl: "https://www.npr.org/2020/07/17/892433132/judge-facebooks"
        type: article
    ```
    """
    for path, entry in record_and_entries(doc):
        if isinstance(entry.get("webUrl"), str) and AMP not in entry and CDN not in entry:
            start, end = doc.value_span(path + ("webUrl",))
            yield Violation(start, end, "no AMP address (`ampWebUrl`, `cdnAmpWebUrl`) is recorded")
