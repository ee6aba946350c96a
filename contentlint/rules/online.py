"""CL402, CL503, CL900-CL902: the network checks (``--online``).

These rules need the whole run at once (one request per URL, shared limits,
one cache): their ``check`` yields nothing, and each gives an
``OnlineCheck`` instead: which values it checks (``wants``), how the URL
must be fetched (``fetch``), and the finding an answer makes (``judge``).
``contentlint.online.checks.run_online`` gathers the values, fetches each URL
once in the most demanding mode its rules ask for, classifies the answer
(transport, guard, cache and scheduling live in contentlint.online) and
hands it to the judge of every rule that wants the value. This module
imports no network code: listing rules or reading their docs never loads
httpx.

Severities: a dead link (CL900) and an image whose real size differs from the
record (CL503) are errors — the record is wrong. A permanent redirect
(CL901) and an unrecorded AMP page (CL402) are warnings — the record works
but can be better. CL902 is info: a bot wall, a rate limit or a timeout says
nothing about the record, and must never fail a run.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from contentlint.model import Applicability, Edit, Fix, Severity, Violation
from contentlint.registry import rule
from contentlint.scalars import render

# How a URL is fetched, least demanding first: "head" (status and redirects),
# "page" (also reads the HTML head for an AMP link), "image" (also reads the
# start of the image for its size).
FETCH_MODES = ("head", "page", "image")


class Answer(NamedTuple):
    """What a judge is given: one checked value and the answer for its URL."""

    doc: Any  # the Document
    path: tuple  # the value's path in doc.data
    span: Any  # doc.span(path)
    outcome: Any  # contentlint.online.outcome.Outcome: kind, message, target
    final: Any  # the last hop of the probe: .amp (page mode), .size (image mode)


class OnlineCheck(NamedTuple):
    fetch: str  # one of FETCH_MODES
    wants: Callable[[Any, Any], bool]  # (parent of the value, its key) -> checked by this rule
    judge: Callable[[Answer], Violation | None]


def value_at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _any_value(parent, key) -> bool:
    return True  # every value in the checked fields


def _answered(answer: Answer) -> bool:
    """The URL works (possibly after redirects): what it serves can be read."""
    return answer.outcome.kind in ("ok", "redirected")


def _network(doc, ctx):
    return ()


# -- CL402 -----------------------------------------------------------------------


def _page_without_amp(parent, key) -> bool:
    return key == "webUrl" and isinstance(parent, dict) \
        and "ampWebUrl" not in parent and "cdnAmpWebUrl" not in parent


def _amp_cache_url(amp_url: str) -> str | None:
    try:
        from contentlint.amp_cache import amp_cache_url  # imported late: only with a finding
    except ImportError:
        return None
    try:
        return amp_cache_url(amp_url)
    except ValueError:
        return None


def _amp_not_recorded(answer: Answer) -> Violation | None:
    amp_url = answer.final.amp
    if not _answered(answer) or not amp_url:
        return None
    span = answer.span
    message = f"the page declares an AMP version ({amp_url}) but the entry records no ampWebUrl/cdnAmpWebUrl"
    cdn = _amp_cache_url(amp_url)
    fix = None
    if cdn is not None:
        lines = _insert_after(answer.doc, answer.path, span, [("ampWebUrl", amp_url), ("cdnAmpWebUrl", cdn)])
        if lines is not None:
            fix = Fix.of("Insert ampWebUrl and cdnAmpWebUrl", Applicability.SAFE, lines)
    return Violation(span.start, span.end, message, fix)


def _insert_after(doc, path: tuple, span, pairs: list[tuple[str, str]]) -> Edit | None:
    """An Edit adding ``key: value`` lines right after the line of ``path``'s value,
    with the key's indentation and the value's quoting; None where that is unsafe
    (flow mappings, block scalars, tabs, the value's line being the last one)."""
    text = doc.text
    parent = doc.span(path[:-1])
    if span.key_start is None or parent is None or text[parent.start:parent.start + 1] == "{":
        return None
    line_start, _ = doc.line_span(span.key_start)
    prefix = text[line_start:span.key_start]
    if prefix.strip(" -") or "\t" in prefix:
        return None
    _, line_end = doc.line_span(max(span.end - 1, span.start))
    newline = text[line_end:line_end + 2] if text.startswith("\r\n", line_end) else text[line_end:line_end + 1]
    if not newline or line_end + len(newline) > doc.fm_end:
        return None
    indent = " " * len(prefix)
    rendered = []
    for key, value in pairs:
        value_text = render(value, span.style)
        if value_text is None:
            return None
        rendered.append(f"{indent}{key}: {value_text}{newline}")
    at = line_end + len(newline)
    return Edit(at, at, "".join(rendered))


@rule("CL402", "amp-variant-not-recorded", severity=Severity.WARNING, fix=Applicability.SAFE,
      online_check=OnlineCheck("page", _page_without_amp, _amp_not_recorded))
def amp_variant_not_recorded(doc, ctx):
    """Finds entries whose page declares an AMP version the record does not list (online).

    ## What it does
    For the article and each `related` entry that has a `webUrl` but neither
    `ampWebUrl` nor `cdnAmpWebUrl`, fetches the page and reads its HTML head
    (only the head, up to `</head>`, and at most `max-body-bytes`) for
    `<link rel="amphtml" href="...">` — `rel` may hold several tokens
    (`rel="alternate amphtml"`), attributes may come in any order and quoting.
    Reported on the entry's `webUrl`.

    ## Why is this bad?
    Readers on mobile and aggregators use the AMP fields to serve the fast
    version; the record has it available but does not say so. 32% of the real
    related entries carry AMP fields, so a missing pair is often an omission.

    ## Example
    ```yaml
    related:
      - webUrl: "https://www.example.com/a"
        type: article
    ```
    where `https://www.example.com/a` declares
    `<link rel="amphtml" href="https://www.example.com/a/amp">` becomes
    ```yaml
    related:
      - webUrl: "https://www.example.com/a"
        ampWebUrl: "https://www.example.com/a/amp"
        cdnAmpWebUrl: "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/amp"
        type: article
    ```

    ## Fix safety
    Safe: inserts the two lines right after the `webUrl` line, with its
    indentation and quoting; `cdnAmpWebUrl` is derived from `ampWebUrl` by the
    AMP Cache URL algorithm (as CL400 does). Nothing else changes. No fix when
    the entry is a flow mapping, the value is a block scalar, or the AMP URL
    has no AMP Cache form (a non-default port, for instance).
    """
    return _network(doc, ctx)


# -- CL503 -----------------------------------------------------------------------


def _dimension(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _image_with_size(parent, key) -> bool:
    return key == "url" and isinstance(parent, dict) \
        and _dimension(parent.get("width")) and _dimension(parent.get("height"))


def _size_mismatch(answer: Answer) -> Violation | None:
    size = answer.final.size
    if not _answered(answer) or not size:
        return None
    doc, entry_path = answer.doc, answer.path[:-1]
    entry = value_at(doc.data, entry_path)
    declared = (entry["width"], entry["height"])
    if tuple(size) == declared:
        return None
    width = doc.span(entry_path + ("width",))
    height = doc.span(entry_path + ("height",))
    if width is None or height is None:
        return None
    message = (f"the image is {size[0]}\u00d7{size[1]} pixels but the record says "
               f"{declared[0]}\u00d7{declared[1]}")
    fix = None
    if not width.style and not height.style:  # plain numbers
        fix = Fix.of(f"Set width {size[0]} and height {size[1]}", Applicability.UNSAFE,
                     Edit(width.start, width.end, str(size[0])),
                     Edit(height.start, height.end, str(size[1])))
    return Violation(width.start, width.end, message, fix)


@rule("CL503", "image-dimension-mismatch", severity=Severity.ERROR, fix=Applicability.UNSAFE,
      online_check=OnlineCheck("image", _image_with_size, _size_mismatch))
def image_dimension_mismatch(doc, ctx):
    """Finds images whose declared `width`/`height` differ from the real image (online).

    ## What it does
    For every image entry with integer `width` and `height`, fetches only the
    start of the image (`Range: bytes=0-N`, N = `max-image-prefix-bytes`,
    64 KiB by default; a server that ignores the range is cut off after N
    bytes) and reads the size from the header (JPEG, PNG, GIF, WebP, AVIF and
    more), applying the EXIF orientation as browsers do. Reported on `width`
    when the sizes differ. An image whose header does not fit in the prefix is
    not reported.

    ## Why is this bad?
    Pages reserve the declared box before the image loads; a wrong size
    stretches or crops the picture and shifts the layout when it arrives.

    ## Example
    ```yaml
    images:
      - url: "https://cdn.example.com/photo.jpg"   # really 1200×800
        width: 1440
        height: 720
    ```
    Reported as `the image is 1200×800 pixels but the record says 1440×720`.

    ## Fix safety
    Unsafe: replaces `width` and `height` with the measured size. The file at
    the URL may have been replaced, or the CDN may serve a different rendition
    than the one the record describes; review before applying.
    """
    return _network(doc, ctx)


# -- CL900-CL902: the state of every link ------------------------------------------


def _broken(answer: Answer) -> Violation | None:
    if answer.outcome.kind != "broken":
        return None
    return Violation(answer.span.start, answer.span.end, f"broken link: {answer.outcome.message}")


@rule("CL900", "broken-link", severity=Severity.ERROR, online_check=OnlineCheck("head", _any_value, _broken))
def broken_link(doc, ctx):
    """Finds URLs that do not answer, or answer with an error (online).

    ## What it does
    Requests every URL in the checked fields (`fields`; by default `webUrl`,
    `originalUrl`, `ampWebUrl` and image `url`s, of the article and its
    `related` entries) — HEAD first, GET when HEAD is rejected — following
    redirects. Reports it when the answer, after retries, is 404, 410, another
    4xx that is not an access refusal, or 5xx; or the host does not resolve;
    the connection or TLS handshake fails; or permanent redirects loop, or
    redirects exceed `max-redirects`. Statuses in `accepted-statuses` (2xx by default) are fine.

    ## Why is this bad?
    Readers follow these links; a dead one is a broken promise and a sign the
    related entry should be replaced or removed.

    ## Example
    ```yaml
    webUrl: "https://www.example.com/2020/07/removed-story"   # answers 404
    ```
    Reported as `broken link: answered 404 Not Found`.
    """
    return _network(doc, ctx)


def _redirected(answer: Answer) -> Violation | None:
    outcome, span = answer.outcome, answer.span
    if outcome.kind != "redirected":
        return None
    target = outcome.target or ""
    written = value_at(answer.doc.data, answer.path)
    if "#" in written and "#" not in target:
        target += written[written.index("#"):]  # browsers keep the fragment across redirects
    rendered = render(target, span.style)
    fix = None
    if rendered is not None:
        fix = Fix.of(f"Replace with the redirect target {target}", Applicability.UNSAFE,
                     Edit(span.start, span.end, rendered))
    return Violation(span.start, span.end, f"link {outcome.message}", fix)


@rule("CL901", "redirected-link", severity=Severity.WARNING, fix=Applicability.UNSAFE,
      online_check=OnlineCheck("head", _any_value, _redirected))
def redirected_link(doc, ctx):
    """Finds URLs that permanently redirect elsewhere (online).

    ## What it does
    Reports a URL whose first answer is a permanent redirect (301 or 308) and
    whose redirect chain ends at a working page. The suggested target is
    where the permanent redirects lead (a later temporary redirect is not
    followed into the record). Temporary redirects (302, 303, 307) are not
    reported.

    ## Why is this bad?
    Every visit pays an extra round trip, and a redirect kept by a site move
    is one migration away from breaking.

    ## Example
    ```yaml
    webUrl: "http://example.com/story"   # 301 -> https://www.example.com/story
    ```
    The fix writes `webUrl: "https://www.example.com/story"`.

    ## Fix safety
    Unsafe: replaces the URL with the redirect target in the same quoting
    style (a fragment of the old URL is kept). Sites sometimes redirect
    everything to a home page or a login wall; review the target first.
    """
    return _network(doc, ctx)


def _unverifiable(answer: Answer) -> Violation | None:
    if answer.outcome.kind not in ("unverifiable", "refused"):
        return None
    return Violation(answer.span.start, answer.span.end, f"link could not be verified: {answer.outcome.message}")


@rule("CL902", "unverifiable-link", severity=Severity.INFO,
      online_check=OnlineCheck("head", _any_value, _unverifiable))
def unverifiable_link(doc, ctx):
    """Reports URLs whose state could not be established (online, info).

    ## What it does
    Reports, as information, a URL behind a bot wall (a challenge such as
    `cf-mitigated: challenge`, AWS WAF, DataDome), one answering 401/403/451
    to robots, 429 or 408 after retries (or with a `Retry-After` over
    `retry-after-cap`), one that timed out (connect, read, or the per-request
    `deadline`), one caught in a redirect loop through temporary redirects
    (how cookie and login walls greet a client without cookies), and one the
    SSRF guard refused to contact because it (or a redirect) points at a
    loopback, private, link-local, CGNAT, multicast, reserved or
    cloud-metadata address.

    ## Why is this bad?
    It is not necessarily bad: the link may well work in a browser. It is
    listed so that nobody mistakes "not reported as broken" for "checked".
    Info findings never make the run fail.

    ## Example
    ```yaml
    webUrl: "https://www.example.com/story"   # 403 with cf-mitigated: challenge
    ```
    Reported as `link could not be verified: behind a bot wall (403, cf-mitigated: challenge)`.
    """
    return _network(doc, ctx)
