"""URL helpers for the structure rules: comparison (CL300/CL301), provider
domains (CL302) and malformed URLs (CL303).

What counts as malformed follows what browsers actually do (the WHATWG URL
Standard) rather than the strict RFC 3986 grammar: `[`, `]`, `'`, `(`, `)`,
`*`, `!`, `~`, `@`, `,`, `;`, `+`, `=` and `%XX` escapes are accepted; what
the standard calls invalid code points is reported — whitespace, control and
invisible characters, ``"<>\\^`{|}`` and a `%` that starts no escape — plus
a missing host and a scheme other than http/https. One exception to the
standard: raw non-ASCII characters (an IRI) are reported, as the schema's
`format: uri` rejects them (docs/schema.md, "Internationalised URLs").
"""

from __future__ import annotations

import functools

import codecs
import re
import unicodedata
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

# Problem kinds, in the order problems are returned.
JUNK = "surrounding-junk"  # safe: strip it
WHITESPACE = "whitespace"  # unsafe: percent-encode (line breaks/tabs: remove)
INVISIBLE = "invisible-character"  # unsafe: remove (overlaps CL202)
ILLEGAL = "illegal-character"  # unsafe: percent-encode
NON_ASCII = "non-ascii"  # unsafe: percent-encode (in the host: no repair)
BAD_SCHEME = "bad-scheme"  # no repair
NO_HOST = "no-host"  # no repair
BAD_HOST = "invalid-host"  # no repair

_DEFAULT_PORTS = {"http": "80", "https": "443"}

# Visible ASCII characters no URL may contain (WHATWG "invalid URL units").
_ILLEGAL_ASCII = frozenset('"<>\\^`{|}')
# Quotes a value gets wrapped in when pasted from HTML, code or prose.
_QUOTES = frozenset("\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a")
_LEADING_JUNK = _QUOTES | {"<"}
# A trailing `'` is legal in a URL path, so it is junk only when the URL
# also starts with one (checked below).
_TRAILING_JUNK = (_QUOTES - {"'"}) | {">"}
# What a trailing junk character closes: it is junk unless it closes a
# quote (or bracket) opened inside the URL (`?q="x"`, `/“a”`).
_OPENER = {"\u201d": "\u201c", "\u2019": "\u2018", "\u201f": "\u201b", "\u00bb": "\u00ab",
           "\u203a": "\u2039", ">": "<"}
# Browsers drop tabs and line breaks from URLs instead of encoding them.
_DROPPED_SPACE = frozenset("\t\n\r\v\f\x85\u2028\u2029")


# The full checks' patterns compile on first use: most URLs never reach them
# (is_simple_url), and each compiled at import cost every run (re is Python).
@functools.cache
def _scheme() -> re.Pattern:
    return re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


@functools.cache
def _escape() -> re.Pattern:
    return re.compile(r"%[0-9A-Fa-f]{2}")


@functools.cache
def _host_char() -> re.Pattern:
    """What a host name may contain (IDN labels in Unicode are fine)."""
    return re.compile(r"[\w.\-]", re.UNICODE)


# The common URL, proven clean by two linear regexes (~1 us, a fifth of the
# regexes below): http(s), an ASCII host name, a port of up to 4 digits, then
# only unreserved, sub-delim and `:@/?` characters, complete %XX escapes and
# at most one `#`. Such a URL is a valid RFC 3986 URI (`format: uri`) and has
# no CL303 problem, so the schema's format check and CL303 both ask this
# first. Tests hold it to both full checks.
_SIMPLE_URL = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?(?::[0-9]{1,4})?"
    r"(?:[/?][A-Za-z0-9._~!$&'()*+,;=:@/?%\-]*)?(?:#[A-Za-z0-9._~!$&'()*+,;=:@/?%\-]*)?"
)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def is_simple_url(url: str) -> bool:
    # Asked twice of each URL (the schema's `format: uri`, then CL303), and
    # records repeat URLs (logos, related entries): one regex each (~0.7 us
    # a URL) only for a URL not seen lately.
    known = _SIMPLE_URLS.get(url)
    if known is None:
        known = _SIMPLE_URL.fullmatch(url) is not None and ("%" not in url or _BAD_PERCENT.search(url) is None)
        if len(url) <= 2048:  # a hostile record's huge values are not kept: 4,096 entries stay a few MB
            if len(_SIMPLE_URLS) >= 4096:  # bounded, as the other per-value caches
                _SIMPLE_URLS.clear()
            _SIMPLE_URLS[url] = known
    return known


_SIMPLE_URLS: dict[str, bool] = {}  # is_simple_url's answers by URL


# Most URLs are plain ASCII with an ordinary host: this one regex proves they
# have no problem, sparing the per-character scan (the hot path of CL303).
# It must never accept a URL the full check would flag (a test holds it to that).
# Asked only of URLs is_simple_url did not prove clean: compiled on first use.
@functools.cache
def _plain_url() -> re.Pattern:
    return re.compile(
        r"https?://[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?(?::[0-9]{1,4})?"
        r"(?:[/?#](?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*)?",
        re.IGNORECASE,
    )


class UrlProblem(NamedTuple):  # not a frozen dataclass: ~8x cheaper to define
    kind: str
    start: int  # offsets into the URL string, end exclusive
    end: int
    message: str
    repair: str | None  # the URL with this problem repaired; None: no safe guess
    safe: bool  # True: the repair only strips surrounding junk


# -- CL300 / CL301 -----------------------------------------------------------


@functools.lru_cache(maxsize=1 << 11)  # records repeat related entries: values recur
def normalize_for_compare(url: str) -> str:
    """``url`` in the form two URLs are compared in: scheme and host lowercase,
    IDN hosts in punycode, default port dropped, one trailing `/` of the path
    dropped. Path, query and fragment are otherwise kept as written."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    host = parts.hostname
    if host is not None:
        userinfo = netloc.rpartition("@")[0]
        netloc = _ascii_host(host)
        if ":" in host:
            netloc = f"[{netloc}]"
        if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
            netloc += f":{port}"
        if userinfo:
            netloc = f"{userinfo}@{netloc}"
    path = parts.path[:-1] if parts.path.endswith("/") else parts.path
    return urlunsplit((scheme, netloc, path, parts.query, parts.fragment))


# -- CL302 -------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 11)  # records repeat related entries: values recur
def host_of(url: str) -> str | None:
    """The host of ``url`` in lowercase (as written: Unicode stays Unicode),
    without credentials or port; None when there is none."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host or None


def domain_matches(host: str, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or a subdomain of it.

    Case-insensitive, IDN-aware (Unicode and punycode forms are equal), a
    trailing root dot is ignored, and a ``www.`` in front of ``domain`` is not
    required of the host (``example.com`` matches domain ``www.example.com``).
    """
    host = _ascii_host(host.strip().rstrip(".").lower())
    domain = _ascii_host(domain.strip().rstrip(".").lower())
    if not host or not domain:
        return False
    if domain.startswith("www.") and domain.count(".") >= 2:
        domain = domain[4:]
    return host == domain or host.endswith("." + domain)


def _ascii_host(host: str) -> str:
    """``host`` lowercased with its non-ASCII labels punycode-encoded (IDNA)."""
    host = host.lower()
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        # Imported here: encodings.idna loads stringprep (~1.3 ms), and most hosts are ASCII.
        import encodings.idna

        try:  # IDNA 2003 ToASCII: nameprep (case fold, NFKC) then punycode
            labels.append(encodings.idna.ToASCII(label).decode("ascii"))
        except UnicodeError:
            labels.append("xn--" + codecs.encode(label, "punycode").decode("ascii"))
    return ".".join(labels)


# -- CL303 -------------------------------------------------------------------


def url_problems(url: str) -> list[UrlProblem]:
    """What is wrong with ``url`` as a link (CL303); ``[]`` when nothing is.

    The empty string is left to the schema. Leading/trailing junk is one
    problem whose repair strips it; each other kind of inner defect is one
    problem spanning its first to last occurrence, repaired (unsafely) by
    percent-encoding, or not at all when no repair can be trusted.
    """
    if url == "" or is_simple_url(url) or _plain_url().fullmatch(url):
        return []
    return list(_cached_problems(url))


@functools.lru_cache(maxsize=1 << 12)
def _cached_problems(url: str) -> tuple[UrlProblem, ...]:
    return tuple(_full_problems(url))


def _full_problems(url: str) -> list[UrlProblem]:
    start, end = _core(url)
    problems: list[UrlProblem] = []
    if (start, end) != (0, len(url)):
        sides = []
        if start:
            sides.append(f"leading {url[:start]!r}")
        if end < len(url):
            sides.append(f"trailing {url[end:]!r}")
        problems.append(
            UrlProblem(
                JUNK,
                0 if start else end,
                len(url) if end < len(url) else start,
                f"URL has {' and '.join(sides)}",
                url[start:end] or None,
                True,
            )
        )
    core = url[start:end]
    if not core:
        return problems
    structure = _structure_problems(url, start, end)
    # Percent-encoding cannot make a URL without a valid scheme and host
    # usable: inner problems of such a URL get no repair.
    problems.extend(_inner_problems(url, start, end, repairable=not structure))
    problems.extend(structure)
    return problems


def _is_invisible(ch: str) -> bool:
    # Controls and format characters (zero-width, BOM, bidi marks); tab and
    # line breaks are whitespace instead.
    return not ch.isspace() and unicodedata.category(ch) in ("Cc", "Cf")


def _core(url: str) -> tuple[int, int]:
    """The span of ``url`` left after stripping surrounding junk."""
    start, end = 0, len(url)
    while start < end and (
        url[start].isspace() or _is_invisible(url[start]) or url[start] in _LEADING_JUNK
    ):
        start += 1
    unclosed = Counter(url[:start])  # the leading quotes and brackets, each closed once at the end
    while end > start:
        last = url[end - 1]
        if last.isspace() or _is_invisible(last):
            end -= 1
            continue
        opener = _OPENER.get(last, last)
        if (last in _TRAILING_JUNK or last == "'") and unclosed[opener]:
            unclosed[opener] -= 1  # closes a leading one
        elif last not in _TRAILING_JUNK or _closes_one_inside(url, start, end, opener):
            break
        end -= 1
    return start, end


def _closes_one_inside(url: str, start: int, end: int, opener: str) -> bool:
    """Whether the quote or bracket at ``end - 1`` closes one opened inside
    ``url[start:end - 1]`` (`?q="x"`, `/“a”`): part of the URL, not junk.
    A trailing `'` is legal in a path: junk only as a leading one's pair."""
    inside = url.count(opener, start, end - 1)
    return inside % 2 == 1 if opener == url[end - 1] else inside > 0


def _inner_problems(url: str, start: int, end: int, repairable: bool) -> list[UrlProblem]:
    found: dict[str, list[int]] = {WHITESPACE: [], INVISIBLE: [], ILLEGAL: [], NON_ASCII: []}
    for i in range(start, end):
        ch = url[i]
        if ch.isspace():
            found[WHITESPACE].append(i)
        elif _is_invisible(ch):
            found[INVISIBLE].append(i)
        elif ch in _ILLEGAL_ASCII or (ch == "%" and not _escape().match(url, i)):
            found[ILLEGAL].append(i)
        elif not ch.isascii():
            found[NON_ASCII].append(i)
    authority_end = _authority_span(url, start, end)[1]
    problems = []
    for kind, where in found.items():
        if not where:
            continue
        chars = ", ".join(repr(c) for c in sorted({url[i] for i in where}))
        noun = {WHITESPACE: "whitespace", INVISIBLE: "invisible character",
                ILLEGAL: "illegal character", NON_ASCII: "non-ASCII character"}[kind]
        message = f"URL contains {noun} {chars}" + (
            f" ({len(where)} times)" if len(where) > 1 else ""
        )
        # Encoding a character of the host would make another host, and an
        # IDN host's punycode differs between IDNA 2003 and 2008 (`ß`): no guess.
        in_host = authority_end is not None and where[0] < authority_end
        repair = _repair(url, set(where)) if repairable and not in_host else None
        problems.append(UrlProblem(kind, where[0], where[-1] + 1, message, repair, False))
    return problems


def _repair(url: str, positions: set[int]) -> str:
    out = []
    for i, ch in enumerate(url):
        if i not in positions:
            out.append(ch)
        elif ch in _DROPPED_SPACE or _is_invisible(ch):
            continue  # what a browser does with a pasted line break
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _authority_span(url: str, start: int, end: int) -> tuple[int | None, int | None]:
    """Offsets of the authority (``host:port``) part, or (None, None) if absent."""
    m = _scheme().match(url, start, end)
    if not m or not url.startswith("//", m.end()):
        return None, None
    a = m.end() + 2
    b = a
    while b < end and url[b] not in "/?#":
        b += 1
    return a, b


def _structure_problems(url: str, start: int, end: int) -> list[UrlProblem]:
    m = _scheme().match(url, start, end)
    if not m:
        message = "URL has no scheme (expected http:// or https://)"
        return [UrlProblem(BAD_SCHEME, start, end, message, None, False)]
    if m.group(1).lower() not in _DEFAULT_PORTS:
        message = f"URL scheme {m.group(1)!r} is not http or https"
        return [UrlProblem(BAD_SCHEME, start, m.end(), message, None, False)]
    a, b = _authority_span(url, start, end)
    if a is None:
        message = "URL has no host (expected '//' after the scheme)"
        return [UrlProblem(NO_HOST, start, m.end(), message, None, False)]
    authority = url[a:b]
    host_start = a + authority.rfind("@") + 1  # credentials end at the last '@'
    host_port = url[host_start:b]
    if host_port.startswith("["):  # IPv6 literal
        close = host_port.find("]")
        if close < 0:
            host, port = host_port, ""
        else:
            host, port = host_port[: close + 1], host_port[close + 1 :]
        bad_host = not re.fullmatch(r"\[[0-9A-Fa-f:.]+\]", host)
    else:
        host, colon, port = host_port.partition(":")
        port = colon + port
        # Characters reported as whitespace/invisible/illegal/non-ASCII are
        # not repeated.
        bad_host = any(
            not _host_char().match(ch)
            and ch.isascii()
            and not ch.isspace()
            and not _is_invisible(ch)
            and ch not in _ILLEGAL_ASCII
            and ch != "%"
            for ch in host
        )
    if not host:
        return [UrlProblem(NO_HOST, a, b, "URL has an empty host", None, False)]
    if bad_host:
        message = f"URL host {host!r} is not a valid host name"
        return [UrlProblem(BAD_HOST, host_start, host_start + len(host), message, None, False)]
    if port and not (re.fullmatch(r":[0-9]{0,5}", port) and int(port[1:] or 0) <= 65535):
        message = f"URL port {port[1:]!r} is not a port number"
        return [UrlProblem(BAD_HOST, host_start + len(host), b, message, None, False)]
    return []
