"""Every option of the network checks, with defaults, and its config table.

``OnlineSettings.from_mapping(table)`` reads the ``[online]`` table (``[tool.contentlint.online]`` in pyproject.toml)
(kebab-case keys). Durations are seconds, given as numbers or as strings with
a unit (``"500ms"``, ``"30s"``, ``"5m"``, ``"12h"``, ``"7d"``).

Which non-public networks the SSRF guard lets through is not among them: a
config file lives in the checkout, which whoever wrote the records may
control. ``NetworkAccess`` holds that choice and is built only from the
operator's command line and environment (``NetworkAccess.from_operator``);
the config keys that once set it are ignored with a warning.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Iterable, Mapping

from contentlint import __version__


# Dotted JSON paths (list indices are numbers; fnmatch patterns) of the URL
# fields checked by default. cdnAmpWebUrl is left out: it is derived from
# ampWebUrl (checked offline by CL401) and would send thousands of requests
# to one host, Google's AMP cache.
DEFAULT_FIELDS = (
    "webUrl",
    "originalUrl",
    "ampWebUrl",
    "images.*.url",
    "provider.images.*.url",
    "related.*.webUrl",
    "related.*.ampWebUrl",
    "related.*.images.*.url",
)

DAY = 86_400.0
# Upper bounds: a config file is data from the checkout, and `deadline = inf`
# (or retries = 10**9) would make `--online` wait for a silent server for ever.
MAX_REQUEST_SECONDS = 300.0  # connect-timeout, read-timeout, deadline
MAX_WAIT_SECONDS = 300.0  # per-host-interval, backoff-base, backoff-cap, retry-after-cap
MAX_TTL_SECONDS = 366 * DAY
MAX_RETRIES = 10
MAX_REDIRECTS = 30
UPPER_BOUNDS = {
    **dict.fromkeys(("connect_timeout", "read_timeout", "deadline"), MAX_REQUEST_SECONDS),
    **dict.fromkeys(("per_host_interval", "backoff_base", "backoff_cap", "retry_after_cap"), MAX_WAIT_SECONDS),
    **dict.fromkeys(("ttl_ok", "ttl_redirect", "ttl_broken", "ttl_unverifiable"), MAX_TTL_SECONDS),
    "retries": MAX_RETRIES, "max_redirects": MAX_REDIRECTS,
}


@dataclass(frozen=True)
class OnlineSettings:
    concurrency: int = 16  # requests in flight, all hosts together
    per_host_concurrency: int = 2  # requests in flight to one host
    per_host_interval: float = 0.2  # minimum seconds between request starts to one host
    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # between two reads of the socket
    deadline: float = 20.0  # wall clock for one request: connect, headers and body
    retries: int = 2  # extra attempts after 5xx/408/429/connection resets
    backoff_base: float = 0.5  # first backoff; doubles per attempt
    backoff_cap: float = 8.0
    retry_after_cap: float = 30.0  # a longer Retry-After means: give up now
    max_redirects: int = 5
    max_body_bytes: int = 1_048_576  # raw and decompressed bytes read from a page
    max_image_prefix_bytes: int = 65_536  # bytes of an image fetched to measure it
    accepted_statuses: frozenset[int] = frozenset(range(200, 300))
    exclude: tuple[str, ...] = ()  # regexes searched in each URL (as lychee does)
    fields: tuple[str, ...] = DEFAULT_FIELDS
    user_agent: str = f"contentlint/{__version__} (+https://github.com/contentlint/contentlint)"
    cache_path: str | None = ".contentlint_cache/online.sqlite3"  # None: no cache
    refresh: bool = False  # ignore cached results (still store fresh ones)
    ttl_ok: float = 7 * DAY
    ttl_redirect: float = 7 * DAY
    ttl_broken: float = 1 * DAY
    ttl_unverifiable: float = 1 * DAY  # bot walls and 401/403; never timeouts or 429
    _exclude_re: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("concurrency", "per_host_concurrency", "max_body_bytes", "max_image_prefix_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("retries", "max_redirects", "per_host_interval", "backoff_base",
                     "backoff_cap", "retry_after_cap", "ttl_ok", "ttl_redirect",
                     "ttl_broken", "ttl_unverifiable"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name, bound in UPPER_BOUNDS.items():
            if not getattr(self, name) <= bound:  # NaN too
                raise ValueError(f"{name} must be at most {bound:g}")
        object.__setattr__(self, "_exclude_re", tuple(_compiled(p) for p in self.exclude))

    # -- helpers used by the checks ------------------------------------------

    def excluded(self, url: str) -> bool:
        return any(p.search(url) for p in self._exclude_re)

    def with_(self, **changes: Any) -> "OnlineSettings":
        """A copy with some options changed (CLI flags over the config file)."""
        return replace(self, **changes)

    # -- the config table ------------------------------------------------------

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> "OnlineSettings":
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key in OPERATOR_KEYS:
                continue  # never from a config file: see ignored_keys
            spec = _KEYS.get(key)
            if spec is None:
                raise ValueError(f"unknown key `online.{key}`")
            name, convert = spec
            try:
                values[name] = convert(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"`online.{key}`: {exc}") from None
            if name in UPPER_BOUNDS and not values[name] <= UPPER_BOUNDS[name]:  # named by its key, not its field
                raise ValueError(f"`online.{key}`: must be at most {UPPER_BOUNDS[name]:g}, got {value!r}")
        try:
            return cls(**values)
        except (TypeError, ValueError, re.error) as exc:
            raise ValueError(f"`online`: {exc}") from None


# Config keys that only the operator may set, and where the operator sets them.
OPERATOR_KEYS = {
    "allow-networks": "--allow-network CIDR or CONTENTLINT_ALLOW_NETWORKS",
    "resolve-override": "--resolve-override HOST=IP or CONTENTLINT_RESOLVE_OVERRIDE",
}
ENV_NETWORKS = "CONTENTLINT_ALLOW_NETWORKS"
ENV_OVERRIDES = "CONTENTLINT_RESOLVE_OVERRIDE"


def ignored_keys(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    """A warning for each operator-only key in a config table (which has no effect)."""
    return [f"`{prefix}{key}` is ignored: a config file cannot widen the SSRF guard; "
            f"the operator sets it with {OPERATOR_KEYS[key]} (see docs/online.md)"
            for key in table if key in OPERATOR_KEYS]


@dataclass(frozen=True)
class NetworkAccess:
    """The operator's exceptions to the SSRF guard (never from a config file).

    ``allow_networks``: CIDRs of non-public networks to let through (cloud
    metadata addresses stay refused whatever they say). ``resolve_override``:
    host -> IP, like ``curl --resolve``; the IP is still checked by the guard.
    """

    allow_networks: tuple[str, ...] = ()
    resolve_override: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for network in self.allow_networks:
            ipaddress.ip_network(network, strict=False)
        for _host, address in self.resolve_override:
            ipaddress.ip_address(address)

    @property
    def overrides(self) -> dict[str, str]:
        return {host.lower(): ip for host, ip in self.resolve_override}

    @classmethod
    def from_operator(cls, networks: Iterable[str] = (), overrides: Iterable[str] = (),
                      environ: Mapping[str, str] | None = None) -> "NetworkAccess":
        """The environment's lists plus the command line's (which wins for a host).

        ``networks``: CIDRs; ``overrides``: ``HOST=IP``. The environment
        variables hold the same, separated by commas or whitespace. A bad
        entry raises ValueError naming where it came from.
        """
        environ = {} if environ is None else environ
        allowed = [(ENV_NETWORKS, n) for n in _items(environ.get(ENV_NETWORKS, ""))]
        allowed += [("--allow-network", n) for n in networks]
        pairs = [(ENV_OVERRIDES, o) for o in _items(environ.get(ENV_OVERRIDES, ""))]
        pairs += [("--resolve-override", o) for o in overrides]
        for source, network in allowed:
            _operator_value(source, network, _network)
        resolved: dict[str, str] = {}
        for source, pair in pairs:
            host, address = _operator_value(source, pair, _host_ip)
            resolved[host] = address
        return cls(tuple(dict.fromkeys(n for _, n in allowed)), tuple(sorted(resolved.items())))


def _items(text: str) -> list[str]:
    return [item for item in re.split(r"[\s,]+", text) if item]


def _operator_value(source: str, text: str, convert: Callable[[str], Any]) -> Any:
    try:
        return convert(text)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def _host_ip(text: str) -> tuple[str, str]:
    host, sep, address = text.partition("=")
    if not sep or not host.strip():
        raise ValueError(f"expected HOST=IP, got {text!r}")
    ipaddress.ip_address(address.strip())  # raises ValueError with the text
    return host.strip().lower(), address.strip()


# -- converters: each raises ValueError naming what it expected ----------------


def _int(minimum: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"expected an integer >= {minimum}, got {value!r}")
        return value
    return convert


_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*\Z")


def _seconds(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNITS[match.group(2) or "s"]
    raise ValueError(f"expected seconds (a number, or a string such as \"30s\" or \"7d\"), got {value!r}")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _header(value: Any) -> str:
    """A header value HTTP can send: visible ASCII, spaces and tabs (RFC 9110
    field-value; a CR or LF would make every request fail, reported as links
    that are broken)."""
    value = _str(value)
    if not all(c == "\t" or " " <= c <= "~" for c in value):
        raise ValueError(f"expected printable ASCII for an HTTP header, got {value!r}")
    return value


def _strings(check: Callable[[str], Any] | None = None) -> Callable[[Any], tuple[str, ...]]:
    def convert(value: Any) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of strings, got {value!r}")
        for item in value:
            if check is not None:
                check(item)
        return tuple(value)
    return convert


def _compiled(pattern: str):
    """``pattern`` compiled by RE2, as lychee's exclude patterns are (Rust's
    regex): linear time, as the pattern comes from a config file in the checkout."""
    from contentlint.linear_regex import compile_linear

    try:
        return compile_linear(pattern)
    except ValueError as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc} (RE2 syntax, as lychee's: "
                         "no lookaround, no backreferences)") from None


def _regex(pattern: str) -> None:
    _compiled(pattern)


def _network(text: str) -> None:
    ipaddress.ip_network(text, strict=False)  # raises ValueError with the text


_RANGE = re.compile(r"\s*(\d{3})\s*(?:(?:-|\.\.=?)\s*(\d{3})\s*)?\Z")


def _statuses(value: Any) -> frozenset[int]:
    """A list of codes and ranges: ``[200, 204, "200..=299", "300-308"]``."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"expected a list of status codes or ranges, got {value!r}")
    codes: set[int] = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
            codes.add(item)
            continue
        match = _RANGE.match(item) if isinstance(item, str) else None
        if not match:
            raise ValueError(f"expected a status code or a range like \"200..=299\", got {item!r}")
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if not 100 <= low <= high <= 999:
            raise ValueError(f"bad status range {item!r}")
        codes.update(range(low, high + 1))
    return frozenset(codes)


def _optional_path(value: Any) -> str | None:
    if value is False or value == "":
        return None  # `cache-path = false` turns the cache off
    if isinstance(value, str) and "\0" in value:
        raise ValueError("a path holds no NUL character")
    return _str(value)


_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "concurrency": ("concurrency", _int(1)),
    "per-host-concurrency": ("per_host_concurrency", _int(1)),
    "per-host-interval": ("per_host_interval", _seconds),
    "connect-timeout": ("connect_timeout", _seconds),
    "read-timeout": ("read_timeout", _seconds),
    "deadline": ("deadline", _seconds),
    "retries": ("retries", _int(0)),
    "backoff-base": ("backoff_base", _seconds),
    "backoff-cap": ("backoff_cap", _seconds),
    "retry-after-cap": ("retry_after_cap", _seconds),
    "max-redirects": ("max_redirects", _int(0)),
    "max-body-bytes": ("max_body_bytes", _int(1)),
    "max-image-prefix-bytes": ("max_image_prefix_bytes", _int(1)),
    "accepted-statuses": ("accepted_statuses", _statuses),
    "exclude": ("exclude", _strings(_regex)),
    "fields": ("fields", _strings()),
    "user-agent": ("user_agent", _header),
    "cache-path": ("cache_path", _optional_path),
    "refresh": ("refresh", _bool),
    "ttl-ok": ("ttl_ok", _seconds),
    "ttl-redirect": ("ttl_redirect", _seconds),
    "ttl-broken": ("ttl_broken", _seconds),
    "ttl-unverifiable": ("ttl_unverifiable", _seconds),
}

# Every public option has a key (a test keeps the table complete).
OPTION_NAMES = tuple(f.name for f in fields(OnlineSettings) if f.init)
