"""Image sizes an image URL states outright (CL502).

Only *strong* hints count, where the URL itself fixes the exact size of the
image it serves:

- imgix-style query ``w=W&h=H`` with ``fit=crop`` (imgix crops to exactly
  W x H; every other ``fit`` keeps the aspect ratio, so one side may differ);
- a WordPress-style ``-WxH.ext`` file name suffix (the size of the
  generated thumbnail), unless a query string or a resizing service in the
  path asks for another rendition of that file;
- a thumbor ``/WxH/`` size segment (after the ``unsafe`` or signature
  segment) without ``fit-in`` (which only bounds the size) and without the
  ``no_upscale``/``proportion`` filters (which change it).

Everything else — a lone ``w=``/``width=``, ``resize=``, other CDNs' size
folders that are bounding boxes — returns None, as does a 0 in a hint or two
strong hints that disagree.
"""

from __future__ import annotations

import functools

import re
from urllib.parse import parse_qsl, unquote, urlsplit

_SUFFIX = re.compile(
    r"-([1-9][0-9]{0,4})x([1-9][0-9]{0,4})\.(?i:jpe?g|png|gif|webp|avif|bmp|tiff?)\Z"
)
# Query parameters that leave the pixel size alone: cache busters and
# encoding options. Any other parameter may ask for another rendition.
_NEUTRAL_QUERY_KEYS = frozenset(
    {"ssl", "v", "ver", "version", "cb", "t", "ts", "itok"}
    | {"quality", "q", "strip", "lossy", "format", "fm", "auto"}
)
# The file may be the *source* of a resizing service, which serves another
# size: a size/crop folder, a thumbor key, Cloudinary-style options (w_300,
# c_fill), or the image URL nested in the path of a proxy.
_TRANSFORMED = re.compile(
    r"/-?[0-9]*x-?[0-9]+(?::[0-9]+x[0-9]+)?(?=/|\Z)|/-?[0-9]+x(?=/|\Z)|fit-in"
    r"|/(?:unsafe|[A-Za-z0-9_-]{27}[A-Za-z0-9_=-])(?=/|\Z)"
    r"|[/,][a-z]{1,2}_[^/,]+,",
    re.IGNORECASE,
)
_NESTED_URL = re.compile(r"https?:/|%3A%2F", re.IGNORECASE)
_POSITIVE = re.compile(r"[1-9][0-9]{0,4}\Z")
# A thumbor URL starts with `unsafe` or an HMAC-SHA1 signature: 28 base64url
# characters, the last one `=` as generated (the thumbor docs' example has none).
_THUMBOR_KEY = re.compile(r"unsafe\Z|[A-Za-z0-9_-]{27}[A-Za-z0-9_=-]\Z")
_THUMBOR_SIZE = re.compile(r"(-?[0-9]*)x(-?[0-9]*)\Z")
_THUMBOR_CROP = re.compile(r"[0-9]+x[0-9]+:[0-9]+x[0-9]+\Z")


@functools.lru_cache(maxsize=1 << 11)  # records repeat related entries: values recur
def strong_size_hint(url: str) -> tuple[int, int] | None:
    """(width, height) the URL fixes for its image, or None when it does not."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    hints = {
        hint
        for hint in (_imgix(query), _suffix(parts.path, query), _thumbor(parts.path))
        if hint is not None
    }
    return hints.pop() if len(hints) == 1 else None


def _imgix(query: list[tuple[str, str]]) -> tuple[int, int] | None:
    params: dict[str, set[str]] = {}
    for key, value in query:
        params.setdefault(key, set()).add(value)
    if params.get("fit") != {"crop"}:
        return None
    w, h = params.get("w", set()), params.get("h", set())
    if len(w) != 1 or len(h) != 1:
        return None
    # dpr multiplies the output size; only the default (1) keeps w x h.
    if params.get("dpr", {"1"}) != {"1"}:
        return None
    (w,), (h,) = w, h
    if not (_POSITIVE.match(w) and _POSITIVE.match(h)):
        return None  # absent, zero, or a fraction (imgix: relative size)
    return int(w), int(h)


def _suffix(path: str, query: list[tuple[str, str]]) -> tuple[int, int] | None:
    if any(key not in _NEUTRAL_QUERY_KEYS for key, _ in query):
        return None  # e.g. Jetpack `?resize=`, Sanity `?w=&h=`: another size
    folders, _, name = path.rpartition("/")
    m = _SUFFIX.search(name)
    if not m or _TRANSFORMED.search(folders) or _NESTED_URL.search(path):
        return None
    return int(m.group(1)), int(m.group(2))


def _thumbor(path: str) -> tuple[int, int] | None:
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if _THUMBOR_KEY.match(segment):
            return _thumbor_size(segments[i + 1 :])
    return None


def _thumbor_size(options: list[str]) -> tuple[int, int] | None:
    # Options come in a fixed order: [meta/][trim/][AxB:CxD/][fit-in/]
    # [-]WxH/[halign/][valign/][smart/][filters:.../]image
    size = None
    for j, option in enumerate(options):
        if option == "meta" or option.startswith("trim") or _THUMBOR_CROP.match(option):
            continue
        if option.endswith("fit-in"):  # fit-in, full-fit-in, adaptive-fit-in
            return None
        m = _THUMBOR_SIZE.match(option)
        if m and (m.group(1) or m.group(2)):
            size, rest = m, options[j + 1 :]
        break
    if size is None:
        return None
    tail = unquote("/".join(rest))  # filters may come percent-encoded
    filters = tail[tail.find("filters:") :] if "filters:" in tail else ""
    if "no_upscale(" in filters or "proportion(" in filters:
        return None
    w, h = (g.lstrip("-") for g in size.groups())  # `-` flips, size unchanged
    if not (_POSITIVE.match(w) and _POSITIVE.match(h)):
        return None  # 0 or empty: that side follows the aspect ratio
    return int(w), int(h)
