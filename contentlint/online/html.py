"""AMP discovery: ``<link rel="amphtml" href="...">`` in a page's head.

Only the head is read (the reader stops at ``</head`` or ``<body``), so the
parser is a small tolerant scan rather than a full HTML parser: any attribute
order, double, single or no quotes, any case, ``rel`` with several tokens
(``rel="alternate amphtml"``), entities in ``href`` and commented-out tags.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

_HEAD_END = re.compile(rb"</head\b|<body\b", re.IGNORECASE)
_SKIP = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_LINK = re.compile(r"<link\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>?", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")


def head_end(buffer: bytes | bytearray, start: int = 0) -> int:
    """Offset where the head ends in ``buffer`` (searching from ``start``), or -1."""
    match = _HEAD_END.search(buffer, start)
    return match.start() if match else -1


def attributes(tag_body: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in _ATTR.findall(tag_body):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        found.setdefault(name.lower(), html.unescape(value))
    return found


def find_amp_link(head: str, base_url: str) -> str | None:
    """The absolute URL of the page's AMP version, or None."""
    text = _SKIP.sub(" ", head)
    for match in _LINK.finditer(text):
        attrs = attributes(match.group(1))
        if "amphtml" in attrs.get("rel", "").lower().split() and attrs.get("href", "").strip():
            url = urljoin(base_url, attrs["href"].strip())
            if url.startswith(("http://", "https://")):
                return url
    return None


def decode(body: bytes, content_type: str | None) -> str:
    charset = "utf-8"
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        charset = match.group(1)
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")
