"""The polite, bounded HTTP client: what one URL answers, hop by hop.

Politeness and safety, in the order a request meets them:

- the SSRF guard checks each hop's scheme and resolved addresses (guard.py)
  and the transport connects only to the checked address (transport.py);
- a per-host slot (``per_host_concurrency``) and a minimum interval between
  request starts to a host, then a global slot (``concurrency``); slots are
  never held while sleeping for a retry;
- each request (connect, headers, body) runs under connect/read timeouts and
  a wall-clock ``deadline``, so a slow-drip server cannot hold a worker;
- bodies are read raw and capped (body.py), only as far as needed: a page up
  to ``</head>``, an image up to ``max_image_prefix_bytes`` (asked for with a
  ``Range`` header; a server that ignores it is cut off);
- HEAD first for plain link checks, GET when a server rejects HEAD (405/501);
- retries with exponential backoff (and jitter) on 5xx/408/429 and
  connection resets, honouring ``Retry-After``; one longer than
  ``retry_after_cap`` ends the retries at once instead of hammering early;
- redirects are followed by hand, each hop checked again, up to
  ``max_redirects``, loops detected;
- in one run each (URL, mode) is requested once; all hops share the answers.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import ssl
import time
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field, fields
from typing import Callable

import httpx

from contentlint.online.body import CappedDecoder
from contentlint.online.guard import DnsError, Guard, Refused, Resolver
from contentlint.online.html import decode, find_amp_link, head_end
from contentlint.online.image_header import size_from_prefix
from contentlint.online.settings import NetworkAccess, OnlineSettings
from contentlint.online.transport import HostPools

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
RETRY_STATUSES = frozenset({408, 429})
HTML_TYPES = ("text/html", "application/xhtml+xml")

# Modes: "head" only needs the status; "page" also reads the head of the
# HTML (AMP discovery); "image" also reads a prefix of the image bytes.
MODES = ("head", "page", "image")
_ACCEPT = {
    "head": "*/*",
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    # No AVIF/JXL: servers that negotiate (imgix auto=format) then send
    # formats with the same size that every imagesize release reads.
    "image": "image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8,*/*;q=0.5",
}


@dataclass
class Hop:
    """One URL's answer (after retries). Plain data: stored in the cache as JSON."""

    url: str
    status: int | None = None
    location: str | None = None  # absolute redirect target
    # None, or: timeout, connection, tls, dns, dns-temporary, refused, loop,
    # too-many-redirects, bad-location, internal
    error: str | None = None
    detail: str = ""
    attempts: int = 1
    wall: str | None = None  # the bot-wall signature seen, e.g. "cf-mitigated: challenge"
    amp: str | None = None  # page mode: the declared AMP URL
    size: tuple[int, int] | None = None  # image mode: pixels
    read: int = 0  # body bytes kept (decoded)
    capped: bool = False  # the body was longer than the cap
    retry_after: float | None = field(default=None, compare=False)


@dataclass
class Probe:
    url: str
    mode: str
    hops: list[Hop]
    cached: bool = False

    @property
    def final(self) -> Hop:
        return self.hops[-1]

    def to_json(self) -> dict:
        return {"url": self.url, "mode": self.mode,
                "hops": [{k: v for k, v in asdict(h).items()
                          if k == "url" or (k != "retry_after" and v not in (None, "", False))}
                         for h in self.hops]}

    @classmethod
    def from_json(cls, data: dict) -> "Probe":
        known = {f.name for f in fields(Hop)}
        hops = []
        for item in data["hops"]:
            hop = Hop(**{k: v for k, v in item.items() if k in known})
            if hop.size is not None:
                hop.size = tuple(hop.size)
            hops.append(hop)
        if not hops or data["mode"] not in MODES:
            raise ValueError("not a probe")
        return cls(data["url"], data["mode"], hops, cached=True)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def bot_wall(response: httpx.Response) -> str | None:
    """The signature of an anti-bot challenge, if the response is one."""
    headers = response.headers
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "cf-mitigated: challenge"
    if headers.get("x-amzn-waf-action", "").lower() in ("challenge", "captcha"):
        return f"x-amzn-waf-action: {headers['x-amzn-waf-action']}"
    if response.status_code in (403, 405, 429, 503):
        server = headers.get("server", "").lower()
        if "x-datadome" in headers or server == "datadome":
            return "DataDome"
        if "x-sucuri-block" in headers:
            return "Sucuri"
        if response.status_code == 403 and server.startswith("akamaighost"):
            return "Akamai"
    return None


class _HostGate:
    """At most ``limit`` requests in flight to one host, starts spaced by ``interval``."""

    def __init__(self, limit: int, interval: float):
        self.slots = asyncio.Semaphore(limit)
        self.users = 0  # requests in flight or waiting for a slot
        self.interval = interval
        self.lock = asyncio.Lock()
        self.next_start = 0.0

    @asynccontextmanager
    async def slot(self):
        async with self.slots:
            if self.interval:
                async with self.lock:
                    loop = asyncio.get_running_loop()
                    wait = self.next_start - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self.next_start = loop.time() + self.interval
            yield


class Fetcher:
    """Use as ``async with Fetcher(settings) as f: await f.probe(url, mode)``.

    ``access`` is the operator's exceptions to the SSRF guard; it is a
    separate input because ``settings`` may come from a config file.
    """

    def __init__(self, settings: OnlineSettings, resolver: Resolver | None = None,
                 ssl_context: ssl.SSLContext | None = None, *, access: NetworkAccess = NetworkAccess()):
        self.s = settings
        self.guard = Guard(access.allow_networks, access.overrides, resolver)
        self.requests: Counter[str] = Counter()  # HTTP requests sent, per host
        self._gates: dict[str, _HostGate] = {}
        self._global = asyncio.Semaphore(settings.concurrency)
        self._memo: dict[tuple[str, str], asyncio.Future] = {}
        self.pools = HostPools(self.guard.pins, settings.per_host_concurrency, ssl_context)
        self.client = httpx.AsyncClient(
            transport=self.pools,
            timeout=httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                                  write=settings.read_timeout, pool=settings.deadline),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "identity"},
        )

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()

    # -- one URL, following redirects ------------------------------------------

    async def probe(self, url: str, mode: str) -> Probe:
        hops: list[Hop] = []
        seen = {url}
        current = url
        while True:
            hop = await self.hop(current, mode)
            hops.append(hop)
            if hop.status not in REDIRECTS or hop.location is None:
                break
            target = hop.location
            if target in seen:
                hops.append(Hop(target, error="loop", detail="redirect loop: "
                                + " -> ".join([h.url for h in hops] + [target])))
                break
            if len(hops) > self.s.max_redirects:
                hops.append(Hop(target, error="too-many-redirects",
                                detail=f"more than {self.s.max_redirects} redirects"))
                break
            seen.add(target)
            current = target
        return Probe(url, mode, hops)

    async def hop(self, url: str, mode: str) -> Hop:
        """The answer of one URL, requested once per run and mode."""
        key = (url, mode)
        if key not in self._memo:
            self._memo[key] = asyncio.ensure_future(self._checked(url, mode))
        return await asyncio.shield(self._memo[key])

    async def _checked(self, url: str, mode: str) -> Hop:
        try:
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii")
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            await self.guard.check(parsed.scheme, host, port)
        except Refused as exc:
            return Hop(url, error="refused", detail=str(exc))
        except DnsError as exc:
            return Hop(url, error="dns" if exc.permanent else "dns-temporary", detail=str(exc))
        except (httpx.InvalidURL, UnicodeError) as exc:
            return Hop(url, error="bad-location", detail=f"invalid URL: {exc}")
        try:
            return await self._request(parsed, mode)
        except Exception as exc:  # a server must never crash the run
            return Hop(url, error="internal", detail=f"{type(exc).__name__}: {exc}")

    # -- one URL, with retries -----------------------------------------------------

    async def _request(self, url: httpx.URL, mode: str) -> Hop:
        method = "HEAD" if mode == "head" else "GET"
        use_range = mode == "image"
        attempt = 0
        while True:
            hop = await self._exchange(url, method, mode, use_range)
            if method == "HEAD" and hop.status in (405, 501):
                method = "GET"  # the server rejects HEAD: not a failed attempt
                continue
            if use_range and hop.status == 416:
                use_range = False  # an empty file, or a server that dislikes ranges
                continue
            hop.attempts = attempt + 1
            delay = self._retry_delay(hop, attempt)
            if delay is None:
                return hop
            attempt += 1
            await asyncio.sleep(delay)

    def _retry_delay(self, hop: Hop, attempt: int) -> float | None:
        status = hop.status
        transient = hop.error == "connection" or (
            status is not None and (status in RETRY_STATUSES or 500 <= status <= 599) and not hop.wall)
        if not transient or attempt >= self.s.retries:
            return None
        if hop.retry_after is not None:
            if hop.retry_after > self.s.retry_after_cap:
                hop.detail = (f"asked to retry after {hop.retry_after:g}s, "
                              f"over the {self.s.retry_after_cap:g}s cap")
                return None
            return hop.retry_after
        backoff = min(self.s.backoff_cap, self.s.backoff_base * 2 ** attempt)
        return backoff / 2 + random.uniform(0, backoff / 2)

    # -- one HTTP exchange -------------------------------------------------------

    async def _exchange(self, url: httpx.URL, method: str, mode: str, use_range: bool) -> Hop:
        host = url.raw_host.decode("ascii").lower()
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.s.per_host_concurrency, self.s.per_host_interval)
        gate.users += 1
        try:
            async with gate.slot(), self._global:
                self.requests[host] += 1
                return await self._within_deadline(url, method, mode, use_range)
        finally:
            gate.users -= 1
            if gate.users == 0:  # nothing more for this host now: drop its idle connections
                await self.pools.release(host)

    async def _within_deadline(self, url: httpx.URL, method: str, mode: str, use_range: bool) -> Hop:
        try:
            if hasattr(asyncio, "timeout"):  # 3.11+: no extra task per request
                async with asyncio.timeout(self.s.deadline):
                    return await self._send(url, method, mode, use_range)
            return await asyncio.wait_for(self._send(url, method, mode, use_range), self.s.deadline)
        except (TimeoutError, asyncio.TimeoutError):  # distinct types before 3.11
            return Hop(str(url), error="timeout",
                       detail=f"no complete answer within the {self.s.deadline:g}s deadline")
        except httpx.TimeoutException as exc:
            what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for data"
            return Hop(str(url), error="timeout", detail=f"timed out {what}")
        except httpx.HTTPError as exc:
            tls = isinstance(exc.__context__, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc)
            return Hop(str(url), error="tls" if tls else "connection",
                       detail=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    async def _send(self, url: httpx.URL, method: str, mode: str, use_range: bool) -> Hop:
        headers = {"Accept": _ACCEPT[mode]}
        if use_range:
            headers["Range"] = f"bytes=0-{self.s.max_image_prefix_bytes - 1}"
        request = self.client.build_request(method, url, headers=headers)
        response = await self.client.send(request, stream=True)
        try:
            status = response.status_code
            hop = Hop(str(url), status=200 if use_range and status == 206 else status,
                      wall=bot_wall(response),
                      retry_after=parse_retry_after(response.headers.get("retry-after")))
            if status in REDIRECTS:
                location = response.headers.get("location", "").strip()
                if location:
                    try:
                        hop.location = str(url.join(location).copy_with(fragment=None))
                    except (httpx.InvalidURL, UnicodeError) as exc:
                        hop.error, hop.detail = "bad-location", f"invalid Location {location!r}: {exc}"
            if method == "GET" and 200 <= status < 300 and mode != "head":
                await self._read_body(response, hop, mode)
            elif _small(response, method):
                # Reading an empty or tiny body to its end lets the connection
                # be reused (keep-alive); anything larger is cut off instead.
                async for _ in response.aiter_raw():
                    pass
            return hop
        finally:
            await response.aclose()  # an unread body closes the connection: nothing is drained

    async def _read_body(self, response: httpx.Response, hop: Hop, mode: str) -> None:
        content_type = response.headers.get("content-type", "")
        kind = content_type.split(";")[0].strip().lower()
        if mode == "page" and kind and kind not in HTML_TYPES:
            return
        limit = self.s.max_body_bytes if mode == "page" else self.s.max_image_prefix_bytes
        decoder = CappedDecoder(response.headers.get("content-encoding"), limit)
        end = -1
        async for chunk in response.aiter_raw():
            scanned = len(decoder.data)
            decoder.feed(chunk)
            if mode == "page":
                end = head_end(decoder.data, max(0, scanned - 8))
                if end >= 0:
                    break
            if decoder.done:
                break
        hop.read, hop.capped = len(decoder.data), decoder.capped
        body = bytes(decoder.data)
        if mode == "page":
            head = body[:end] if end >= 0 else body
            hop.amp = find_amp_link(decode(head, content_type), str(response.url))
        else:
            hop.size = size_from_prefix(body)


DRAIN_LIMIT = 16_384


def _small(response: httpx.Response, method: str) -> bool:
    if method == "HEAD" or response.status_code in (204, 304):
        return True
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) <= DRAIN_LIMIT


async def probe_all(items: list[tuple[str, str]], settings: OnlineSettings, *,
                    access: NetworkAccess = NetworkAccess(), resolver: Resolver | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    done_before: int = 0, total: int | None = None,
                    ) -> tuple[dict[tuple[str, str], Probe], Counter]:
    """Probe every (url, mode) concurrently; returns the probes and requests per host."""
    total = len(items) + done_before if total is None else total
    done = done_before
    async with Fetcher(settings, resolver, access=access) as fetcher:
        async def one(item):
            nonlocal done
            result = await fetcher.probe(*item)
            done += 1
            if progress is not None:
                progress(done, total)
            return result

        results = await asyncio.gather(*(one(item) for item in items))
    return dict(zip(items, results)), fetcher.requests
