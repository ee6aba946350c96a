"""CL402, CL503, CL900-CL902: the network checks (``--online``).

These rules need the whole run at once (one request per URL, shared limits,
one cache), so their ``check`` yields nothing and the engine calls
``contentlint.online.checks.run_online`` instead. This module imports no
network code: listing rules or reading their docs never loads httpx.

Severities: a dead link (CL900) and an image whose real size differs from the
record (CL503) are errors — the record is wrong. A permanent redirect
(CL901) and an unrecorded AMP page (CL402) are warnings — the record works
but can be better. CL902 is info: a bot wall, a rate limit or a timeout says
nothing about the record, and must never fail a run.
"""

from __future__ import annotations

from contentlint.model import Applicability, Severity
from contentlint.registry import rule


def _network(doc, ctx):
    return ()


@rule("CL402", "amp-variant-not-recorded", severity=Severity.WARNING, fix=Applicability.SAFE, online=True)
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


@rule("CL503", "image-dimension-mismatch", severity=Severity.ERROR, fix=Applicability.UNSAFE, online=True)
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


@rule("CL900", "broken-link", severity=Severity.ERROR, online=True)
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


@rule("CL901", "redirected-link", severity=Severity.WARNING, fix=Applicability.UNSAFE, online=True)
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


@rule("CL902", "unverifiable-link", severity=Severity.INFO, online=True)
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
