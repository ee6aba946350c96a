"""The online rules over a whole run: CL900-CL902, CL402 and CL503.

``run_online`` is what the engine calls with ``--online``: it gathers the URL
values of all documents that an enabled online rule wants, asks the cache,
probes the rest concurrently (once per URL, in the most demanding fetch mode
its rules ask for, in one event loop of its own), stores what may be cached,
and hands each answer to the judge of every rule that wants the value. What
makes a finding lives with each rule (contentlint.rules.online).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Callable, Iterable

import httpx

from contentlint import registry
from contentlint.document import Document
from contentlint.model import Violation
from contentlint.online.cache import open_cache
from contentlint.online.client import Probe, probe_all
from contentlint.online.guard import Resolver
from contentlint.online.outcome import classify
from contentlint.online.settings import NetworkAccess, OnlineSettings
from contentlint.rules.online import FETCH_MODES, Answer, value_at

SUMMARY_KEYS = ("requests", "ok", "broken", "redirected", "unverifiable", "refused", "cached")


@dataclass(frozen=True)
class _Use:
    """One checked URL value in one document."""

    doc: Document
    path: tuple
    key: str  # the URL fetched: as written, without its fragment
    mode: str  # how: the most demanding fetch mode of its rules
    rules: tuple  # the enabled online rules that want this value


def run_online(docs: Iterable[Document], settings: OnlineSettings, enabled_codes: Iterable[str],
               progress: Callable[[int, int], None] | None = None,
               summary: dict | None = None, *, access: NetworkAccess = NetworkAccess(),
               resolver: Resolver | None = None) -> list[tuple[str, str, Violation]]:
    """(path, code, Violation) for every online finding, sorted by path and offset.

    ``access``: the operator's exceptions to the SSRF guard (never from a config file)."""
    enabled = {c.upper() for c in enabled_codes}
    rules = [r for r in registry.all_rules() if r.online_check is not None and r.code in enabled]
    uses = _collect([d for d in docs if d.ok], settings, rules)
    modes: dict[str, str] = {}
    for use in uses:  # one request per URL: the most demanding use decides how
        modes[use.key] = max(modes.get(use.key, "head"), use.mode, key=FETCH_MODES.index)
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
        key = (use.key, modes[use.key])
        span = use.doc.span(use.path)
        if span is None:
            continue
        answer = Answer(use.doc, use.path, span, outcomes[key], probes[key].final)
        for rule in use.rules:
            violation = rule.online_check.judge(answer)
            if violation is not None:
                found.append((use.doc.path, rule.code, violation))
    found.sort(key=lambda item: (item[0], item[2].start, item[1]))
    return found


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


def _collect(docs: list[Document], s: OnlineSettings, rules: list[registry.Rule]) -> list[_Use]:
    uses: list[_Use] = []
    for doc in docs:
        for path, value in doc.strings():
            if not path or not any(fnmatchcase(".".join(map(str, path)), p) for p in s.fields):
                continue
            key = fetchable(value)
            if key is None or s.excluded(value):
                continue
            parent = value_at(doc.data, path[:-1])
            wanting = tuple(r for r in rules if r.online_check.wants(parent, path[-1]))
            if wanting:
                mode = max((r.online_check.fetch for r in wanting), key=FETCH_MODES.index)
                uses.append(_Use(doc, path, key, mode, wanting))
    return uses


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
