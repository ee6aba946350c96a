"""httpx transports that connect only to addresses the guard checked.

httpx/httpcore resolve host names themselves when they open a connection; a
second lookup could answer differently from the one the guard checked (DNS
rebinding). So each connection pool gets a network backend that never
resolves: ``connect_tcp(host, port)`` looks the host up in the guard's pins
and connects to that IP, or refuses. The URL keeps its host name, so the
``Host`` header, TLS SNI and certificate verification all use the real name.
Proxies from the environment are not used (``trust_env=False``): a proxy
would make its own lookups.

Pools are per origin (``HostPools``): httpcore scans its whole pool, with a
syscall per idle connection, on every request, so one pool shared by a run
over many hosts costs O(connections) per request. Small per-origin pools keep
keep-alive cheap; the client releases a host's pools when no request for it
is in flight or waiting, so idle connections do not pile up.
"""

from __future__ import annotations

import ssl

import httpcore
import httpx


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, pins: dict[str, str]):
        self.pins = pins
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = self.pins.get(host.lower())
        if address is None:
            raise httpcore.ConnectError(f"refusing to connect to {host}: its address was not checked")
        return await self.inner.connect_tcp(address, port, timeout=timeout,
                                            local_address=local_address, socket_options=socket_options)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request/response mapping, errors) over a pinned pool."""

    def __init__(self, pins: dict[str, str], max_keepalive: int, ssl_context: ssl.SSLContext | None = None):
        # verify=False only keeps httpx from loading a CA bundle for the pool
        # it builds and we throw away; our pool below verifies with ssl_context
        # (httpcore makes a verifying default context when it is None).
        super().__init__(verify=False, trust_env=False)
        # httpx builds its pool in __init__ without a way to pass a network
        # backend; replace it (tests prove connections go to the pinned address).
        assert isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            # In-flight requests are bounded by the client's own semaphores;
            # the pool only bounds the idle keep-alive connections.
            max_connections=None,
            max_keepalive_connections=max_keepalive,
            keepalive_expiry=5.0,
            network_backend=PinnedBackend(pins),
        )


class HostPools(httpx.AsyncBaseTransport):
    """One small PinnedTransport per origin (scheme, host, port)."""

    def __init__(self, pins: dict[str, str], max_keepalive: int, ssl_context: ssl.SSLContext | None = None):
        self.pins = pins
        self.max_keepalive = max_keepalive
        self.pools: dict[tuple[bytes, str, int | None], PinnedTransport] = {}
        self._ssl = ssl_context  # None: certifi's CA bundle, as httpx uses, loaded on first use

    def _pool(self, url: httpx.URL) -> PinnedTransport:
        key = (url.raw_scheme, url.raw_host.decode("ascii").lower(), url.port)
        pool = self.pools.get(key)
        if pool is None:
            if self._ssl is None and url.scheme == "https":  # loading the CA bundle costs tens of ms
                self._ssl = httpx.create_ssl_context(trust_env=False)
            context = self._ssl if url.scheme == "https" else None
            pool = self.pools[key] = PinnedTransport(self.pins, self.max_keepalive, context)
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool(request.url).handle_async_request(request)

    async def release(self, host: str) -> None:
        """Close the pools (idle connections) of ``host``."""
        for key in [k for k in self.pools if k[1] == host]:
            await self.pools.pop(key).aclose()

    async def aclose(self) -> None:
        pools, self.pools = list(self.pools.values()), {}
        for pool in pools:
            await pool.aclose()
