"""The Google AMP Cache URL of an AMP page (CL400, CL401).

Follows the documented algorithm (amp.dev "AMP Cache URL Format and Request
Handling", and the reference implementation ampproject/amp-toolbox
packages/cache-url):

    https://<prefix>.cdn.ampproject.org/c/[s/]<host><path>[?query]

The prefix is the host made into one DNS label: punycode-decoded, every `-`
doubled, every `.` made a `-`, wrapped as `0-…-0` when characters 3–4 are
`--` (they would read as an IDNA `xn--`-style tag), punycode-encoded again.
When that is not a valid DNS label (longer than 63, say) the prefix is the
unpadded lowercase base32 SHA-256 of the host instead.
"""

from __future__ import annotations

import base64
import codecs
import functools
import re
import unicodedata
from urllib.parse import urlsplit

from contentlint.digests import sha256

CACHE_DOMAIN = "cdn.ampproject.org"
_MAX_LABEL = 63
_DEFAULT_PORT = {"http": 80, "https": 443}
# RFC 1123 host label: letters, digits, hyphens; no hyphen at either end.
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")


@functools.lru_cache(maxsize=1 << 11)  # a few hundred publishers' hosts recur (IDNA costs ~50 us)
def cache_prefix(host: str) -> str:
    """The AMP Cache subdomain for ``host`` (``www.example.com`` -> ``www-example-com``).

    ``host`` may be given in Unicode or punycode form, in any case.
    """
    host = host.lower()
    labels = [_label_to_unicode(label) for label in host.split(".")]
    unicode_host = ".".join(labels)
    ascii_host = ".".join(_label_to_ascii(label) for label in labels)
    # Without a dot the prefix could not be told apart from a hash prefix (the
    # reverse mapping needs a `-`); the reference implementation falls back.
    if "." in unicode_host and not _mixes_directions(unicode_host):
        prefix = unicode_host.replace("-", "--").replace(".", "-")
        if prefix[2:4] == "--":
            prefix = f"0-{prefix}-0"
        prefix = _label_to_ascii(prefix)
        if _DNS_LABEL.match(prefix):
            return prefix
    return _hash_prefix(ascii_host)


def amp_cache_url(amp_url: str) -> str:
    """The Google AMP Cache (``/c/`` content) URL of the AMP page ``amp_url``.

    Raises ValueError for a URL the cache cannot serve: not http(s), no host,
    credentials, or a non-default port (the cache always fetches the origin on
    the scheme's default port).
    """
    parts = urlsplit(amp_url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORT:
        raise ValueError(f"not an http(s) URL: {amp_url!r}")
    host = parts.hostname  # lowercased, without port or credentials
    if not host:
        raise ValueError(f"URL has no host: {amp_url!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"URL has credentials: {amp_url!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"URL has an invalid port: {amp_url!r}") from None
    if port is not None and port != _DEFAULT_PORT[scheme]:
        raise ValueError(f"AMP Cache serves only default ports: {amp_url!r}")
    prefix = cache_prefix(host)
    secure = "s/" if scheme == "https" else ""
    if ":" in host:  # an IPv6 literal keeps its brackets in the path
        host = f"[{host}]"
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{prefix}.{CACHE_DOMAIN}/c/{secure}{host}{parts.path}{query}"


def _label_to_unicode(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return codecs.decode(label[4:].encode("ascii"), "punycode")
        except (UnicodeError, ValueError):
            return label  # not valid punycode: keep it as written
    return label


def _label_to_ascii(label: str) -> str:
    if label.isascii():
        return label
    return "xn--" + codecs.encode(label, "punycode").decode("ascii")


def _mixes_directions(text: str) -> bool:
    # A label may not mix right-to-left and left-to-right letters (RFC 5893).
    kinds = {unicodedata.bidirectional(ch) for ch in text}
    return "L" in kinds and bool(kinds & {"R", "AL"})


def _hash_prefix(ascii_host: str) -> str:
    digest = sha256(ascii_host.encode("ascii", "replace")).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()
