"""The online rules over a whole run: CL900-CL902, CL402 and CL503.

``run_online`` is what the engine calls with ``--online``: it gathers the URL
values of all documents, asks the cache, probes the rest concurrently (once
per URL and mode, in one event loop of its own), stores what may be cached,
and turns the answers into violations with fixes on ``doc.text``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Callable, Iterable

import httpx

from contentlint.document import Document
from contentlint.model import Applicability, Edit, Fix, Violation
from contentlint.online.cache import open_cache
from contentlint.online.client import Probe, probe_all
from contentlint.online.guard import Resolver
from contentlint.online.outcome import Outcome, classify
from contentlint.scalars import render
from contentlint.online.settings import NetworkAccess, OnlineSettings

LINK_CODES = frozenset({"CL900", "CL901", "CL902"})
CODES = LINK_CODES | {"CL402", "CL503"}
SUMMARY_KEYS = ("requests", "ok", "broken", "redirected", "unverifiable", "refused", "cached")


@dataclass(frozen=True)
class _Use:
    """One checked URL value in one document."""

    doc: Document
    path: tuple
    key: str  # the URL fetched: as written, without its fragment
    purpose: str  # "link"; "page" (a webUrl without AMP fields: CL402); "image" (CL503)


def run_online(docs: Iterable[Document], settings: OnlineSettings, enabled_codes: Iterable[str],
               progress: Callable[[int, int], None] | None = None,
               summary: dict | None = None, *, access: NetworkAccess = NetworkAccess(),
               resolver: Resolver | None = None) -> list[tuple[str, str, Violation]]:
    """(path, code, Violation) for every online finding, sorted by path and offset.

    ``access``: the operator's exceptions to the SSRF guard (never from a config file)."""
    enabled = CODES & {c.upper() for c in enabled_codes}
    uses = _collect([d for d in docs if d.ok], settings, enabled)
    modes: dict[str, str] = {}
    for use in uses:  # one request per URL: the most demanding purpose decides how
        modes[use.key] = max(modes.get(use.key, "head"), _MODE[use.purpose], key=_RANK.__getitem__)
    keys = sorted(modes.items())

    probes: dict[tuple[str, str], Probe] = {}
    cache = open_cache(settings.cache_path) if keys else None
    if cache is not None and not settings.refresh:
        for key, payload in cache.get_many(keys).items():
            try:
                probes[key] = Probe.from_json(payload)
            except (KeyError, TypeError, ValueError):
                continue  # a row from another version: ask again
    todo = [k for k in keys if k not in probes]
    if progress is not None:
        progress(len(probes), len(keys))
    requests: Counter = Counter()
    if todo:
        fresh, requests = asyncio.run(probe_all(todo, settings, access=access, resolver=resolver,
                                                progress=progress, done_before=len(probes), total=len(keys)))
        probes.update(fresh)
    outcomes = {k: classify(p, settings) for k, p in probes.items()}
    if cache is not None:
        try:
            cache.put_many((url, mode, probes[(url, mode)].to_json(), outcomes[(url, mode)].ttl)
                           for url, mode in todo if outcomes[(url, mode)].ttl is not None)
        finally:
            cache.close()
    if summary is not None:
        _summarise(summary, probes, outcomes, requests)

    found: list[tuple[str, str, Violation]] = []
    for use in uses:
        mode = modes[use.key]
        found.extend((use.doc.path, code, v)
                     for code, v in _violations(use, probes[(use.key, mode)], outcomes[(use.key, mode)], enabled))
    found.sort(key=lambda item: (item[0], item[2].start, item[1]))
    return found


_MODE = {"link": "head", "page": "page", "image": "image"}
_RANK = {"head": 0, "page": 1, "image": 2}


# -- which values are checked ----------------------------------------------------


def fetchable(url: str) -> str | None:
    """The URL to request for a value, or None when it cannot be checked online.

    Values with whitespace or control characters, or that are not absolute
    http(s) URLs, are left to the offline rules (CL202, CL203, CL303).
    """
    if not url.lower().startswith(("http://", "https://")):
        return None
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None
    if not parsed.host:
        return None
    return str(parsed.copy_with(fragment=None))


def _collect(docs: list[Document], s: OnlineSettings, enabled: set[str]) -> list[_Use]:
    uses: list[_Use] = []
    for doc in docs:
        for path, value in doc.strings():
            if not path or not any(fnmatchcase(".".join(map(str, path)), p) for p in s.fields):
                continue
            key = fetchable(value)
            if key is None or s.excluded(value):
                continue
            parent = _at(doc.data, path[:-1])
            if "CL402" in enabled and path[-1] == "webUrl" and isinstance(parent, dict) \
                    and "ampWebUrl" not in parent and "cdnAmpWebUrl" not in parent:
                purpose = "page"
            elif "CL503" in enabled and path[-1] == "url" and isinstance(parent, dict) \
                    and _dimension(parent.get("width")) and _dimension(parent.get("height")):
                purpose = "image"
            elif enabled & LINK_CODES:
                purpose = "link"
            else:
                continue
            uses.append(_Use(doc, path, key, purpose))
    return uses


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _dimension(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- answers -> violations -------------------------------------------------------


def _violations(use: _Use, probe: Probe, outcome: Outcome, enabled: set[str]):
    span = use.doc.span(use.path)
    if span is None:
        return
    if outcome.kind == "broken" and "CL900" in enabled:
        yield "CL900", Violation(span.start, span.end, f"broken link: {outcome.message}")
    elif outcome.kind in ("unverifiable", "refused") and "CL902" in enabled:
        yield "CL902", Violation(span.start, span.end, f"link could not be verified: {outcome.message}")
    elif outcome.kind == "redirected" and "CL901" in enabled:
        yield "CL901", _redirected(use, span, outcome)
    if outcome.kind not in ("ok", "redirected"):
        return
    final = probe.final
    if use.purpose == "page" and "CL402" in enabled and final.amp:
        yield "CL402", _amp_not_recorded(use, span, final.amp)
    if use.purpose == "image" and "CL503" in enabled and final.size:
        violation = _size_mismatch(use, span, final.size)
        if violation is not None:
            yield "CL503", violation


def _redirected(use: _Use, span, outcome: Outcome) -> Violation:
    target = outcome.target or ""
    written = _at(use.doc.data, use.path)
    if "#" in written and "#" not in target:
        target += written[written.index("#"):]  # browsers keep the fragment across redirects
    message = f"link {outcome.message}"
    rendered = render(target, span.style)
    fix = None
    if rendered is not None:
        fix = Fix.of(f"Replace with the redirect target {target}", Applicability.UNSAFE,
                     Edit(span.start, span.end, rendered))
    return Violation(span.start, span.end, message, fix)


def _amp_cache_url(amp_url: str) -> str | None:
    try:
        from contentlint.amp_cache import amp_cache_url  # written beside this package; imported late
    except ImportError:
        return None
    try:
        return amp_cache_url(amp_url)
    except ValueError:
        return None


def _amp_not_recorded(use: _Use, span, amp_url: str) -> Violation:
    message = f"the page declares an AMP version ({amp_url}) but the entry records no ampWebUrl/cdnAmpWebUrl"
    cdn = _amp_cache_url(amp_url)
    fix = None
    if cdn is not None:
        lines = _insert_after(use.doc, use.path, span, [("ampWebUrl", amp_url), ("cdnAmpWebUrl", cdn)])
        if lines is not None:
            fix = Fix.of("Insert ampWebUrl and cdnAmpWebUrl", Applicability.SAFE, lines)
    return Violation(span.start, span.end, message, fix)


def _insert_after(doc: Document, path: tuple, span, pairs: list[tuple[str, str]]) -> Edit | None:
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


def _size_mismatch(use: _Use, span, size: tuple[int, int]) -> Violation | None:
    entry_path = use.path[:-1]
    entry = _at(use.doc.data, entry_path)
    declared = (entry["width"], entry["height"])
    if tuple(size) == declared:
        return None
    width = use.doc.span(entry_path + ("width",))
    height = use.doc.span(entry_path + ("height",))
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


def _summarise(summary: dict, probes: dict, outcomes: dict, requests: Counter) -> None:
    def row(host: str) -> dict:
        return summary.setdefault(host, dict.fromkeys(SUMMARY_KEYS, 0))

    for (url, mode), outcome in outcomes.items():
        counts = row(httpx.URL(url).raw_host.decode("ascii").lower())
        counts[outcome.kind] += 1
        if probes[(url, mode)].cached:
            counts["cached"] += 1
    for host, count in requests.items():  # hosts as the client saw them: ASCII, lowercase
        row(host)["requests"] += count
