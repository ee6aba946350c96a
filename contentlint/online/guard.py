"""The SSRF guard: which URLs may be fetched, and at which address.

Records come from scrapers and editors; a URL (or a redirect a server sends)
may point at the machine running contentlint, its network, or a cloud
metadata service. Every hop is checked here before a connection is made:

1. the scheme is http or https;
2. the host is resolved once per run (or taken from ``overrides``);
3. *every* resolved address must be public — one private address among
   public ones (DNS rebinding tricks) refuses the host;
4. the first address is *pinned*: the transport (``transport.py``) connects
   to exactly that address and to nothing it was not given here.

An IPv6 address that carries an IPv4 one (IPv4-mapped, -compatible,
-translated, NAT64, 6to4) is judged as that IPv4 address, for every range.
``allowed`` (the operator's ``NetworkAccess``, never a config file) lets
chosen networks through, except cloud metadata addresses, which nothing
lets through; the guard itself cannot be switched off.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Awaitable, Callable, Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud metadata services hand out credentials: refused even when the
# operator allows the network around them.
_METADATA = [ipaddress.ip_network(net) for net in (
    "169.254.169.254/32",  # AWS, GCP, Azure, Oracle, DigitalOcean, ... IMDS
    "169.254.170.2/32",  # AWS ECS task metadata and credentials
    "169.254.170.23/32",  # AWS EKS Pod Identity agent
    "168.63.129.16/32",  # Azure WireServer, a public-looking address
    "100.100.100.200/32",  # Alibaba Cloud
    "fd00:ec2::254/128",  # AWS IMDS over IPv6
    "fd00:ec2::23/128",  # AWS EKS Pod Identity agent over IPv6
)]

# Checked in order; the first match names the reason.
_BLOCKED = [(ipaddress.ip_network(net), reason) for net, reason in (
    ("0.0.0.0/8", "an unspecified address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a CGNAT (shared) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a reserved (IETF protocol) address"),
    ("192.0.2.0/24", "a reserved (documentation) address"),
    ("192.88.99.0/24", "a reserved (6to4 relay) address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a reserved (benchmarking) address"),
    ("198.51.100.0/24", "a reserved (documentation) address"),
    ("203.0.113.0/24", "a reserved (documentation) address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a reserved (discard) address"),
    ("2001::/23", "a reserved (IETF protocol) address"),
    ("2001:db8::/32", "a reserved (documentation) address"),
    ("3fff::/20", "a reserved (documentation) address"),
    ("fc00::/7", "a private (unique local) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a link-local (site-local) address"),
    ("ff00::/8", "a multicast address"),
)]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT IPv4-translated
_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible (:: and ::1 are not)


class Refused(Exception):
    """The URL may not be fetched; ``str(exc)`` says why."""


class DnsError(Exception):
    """The host does not resolve; ``permanent`` is False for a temporary failure."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def embedded_ipv4(ip: IPAddress) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address carried inside an IPv6 one, with the form's name."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip in _TRANSLATED:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-translated"
    if ip in _COMPATIBLE and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip)), "IPv4-compatible"
    return None


def address_problem(ip: IPAddress, allowed: Iterable[ipaddress._BaseNetwork] = ()) -> str | None:
    """Why ``ip`` must not be contacted, or None when it is public (or allowed).

    The decision is made on the IPv4 address inside an IPv6 form, before any
    list is consulted: an allowed ``::/0`` does not let ``::ffff:127.0.0.1``
    through, and no allowed network lets a metadata address through.
    """
    allowed = list(allowed)
    if ip.version == 6 and ip.scope_id:
        ip = ipaddress.ip_address(str(ip).split("%")[0])
    inner = embedded_ipv4(ip)
    if inner is not None:
        problem = address_problem(inner[0], allowed)
        return f"the {inner[1]} form of {problem}" if problem else None
    if any(ip.version == n.version and ip in n for n in _METADATA):
        return "a cloud metadata address"
    if any(ip.version == n.version and ip in n for n in allowed):
        return None
    for network, reason in _BLOCKED:
        if ip.version == network.version and ip in network:
            return reason
    # A backstop for ranges the table misses (the stdlib follows IANA's registries).
    if not ip.is_global or ip.is_multicast:
        return "not a globally routable address"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        permanent = exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        raise DnsError(f"host {host} does not resolve ({exc.strerror})", permanent) from None
    except UnicodeError:
        raise DnsError(f"host {host} is not a valid host name", True) from None
    return list(dict.fromkeys(info[4][0] for info in infos))


class Guard:
    """Checks hosts and remembers, per run, the one address each may use."""

    def __init__(self, allow_networks: Iterable[str] = (), overrides: dict[str, str] | None = None,
                 resolver: Resolver | None = None):
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self.overrides = {k.lower(): v for k, v in (overrides or {}).items()}
        self.resolver = resolver or system_resolver
        self.pins: dict[str, str] = {}  # host (as the transport sees it) -> checked IP
        self._lookups: dict[str, asyncio.Future] = {}

    async def check(self, scheme: str, host: str, port: int) -> str:
        """The pinned address for ``host``; raises Refused or DnsError."""
        if scheme not in ("http", "https"):
            raise Refused(f"the scheme {scheme!r} is not http or https")
        if not host:
            raise Refused("the URL has no host")
        host = host.lower()
        if host not in self._lookups:  # one lookup per host and run, shared by all hops
            self._lookups[host] = asyncio.ensure_future(self._check_host(host, port))
        return await asyncio.shield(self._lookups[host])

    async def _check_host(self, host: str, port: int) -> str:
        literal = _literal(host)
        addresses = [literal] if literal else await self._addresses(host, port)
        if not addresses:
            raise DnsError(f"host {host} has no address", True)
        for text in addresses:
            problem = address_problem(ipaddress.ip_address(text), self.allowed)
            if problem:
                shown = host if literal else f"{host} ({text})"
                raise Refused(f"{shown} is {problem}")
        self.pins[host] = addresses[0]
        return addresses[0]

    async def _addresses(self, host: str, port: int) -> list[str]:
        if host in self.overrides:
            return [self.overrides[host]]
        return await self.resolver(host, port)


def _literal(host: str) -> str | None:
    """The address of an IP-literal host (``[::1]`` or ``::1``, ``10.0.0.1``), else None."""
    try:
        return str(ipaddress.ip_address(host[1:-1] if host.startswith("[") else host))
    except ValueError:
        return None
