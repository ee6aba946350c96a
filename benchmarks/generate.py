#!/usr/bin/env python3
"""Deterministic benchmark corpus generator for contentlint (issue 6, item 1).

Writes N synthetic article records (``.txt``, YAML front matter only) that look
byte-for-byte like the real records: every record is recombined, at the text
level, from pieces of real records (the repository's ``seeds/`` plus any
``--source`` folders).  Nothing is parsed and re-dumped with a YAML library;
lines are copied, and only the values that must change are rewritten.

    python benchmarks/generate.py OUT_DIR -n 10000 --seed 1 \\
        [--source ../shared/corpus] [--extract-yaml YAML_DIR] [--manifest F]
    python benchmarks/generate.py --extract-from ../shared/corpus \\
        --extract-yaml YAML_DIR

What a generated corpus contains (per block of 100 consecutive files, so any
prefix of the corpus has the same mix):

* 1 large record with 100-150 related entries (~80-118 KB);
* 12 records of 12.5-28 KB (the size of the largest real records);
* 5 short records without related entries (~1-3 KB);
* 82 records with a few to a dozen related entries (2-12 KB);
  mean file size ~10 KB;
* 3 records with CRLF line endings (the real corpus has 2.3 %);
* 5 records with exactly one injected real-world defect (see DEFECT_KINDS);
  the other 95 are meant to be clean: source pieces that show a known defect
  (mojibake, HTML entities, invisible characters, bad URLs, implausible or
  hint-contradicting image sizes, half AMP pairs, provider/host mismatch, null
  topics) never enter the pools, related entries are sorted by quality
  descending, related URLs are unique within a record and every record's
  ``webUrl`` is unique across the corpus.

The same seed, N and sources give byte-identical output.  Standard library
only: the script must run on a fresh install.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import hashlib
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

RECORD_SUFFIXES = (".md", ".markdown", ".mdx", ".txt", ".html")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".contentlint_cache"}

#: Defect kinds injected round-robin into 5 % of the files.  Each one is a
#: defect found in the real records; the comment names the rule expected to
#: report it (SPEC.md section 5).
DEFECT_KINDS = (
    "mojibake-title",  # CL200: "Securityâ€™s"
    "html-entity-excerpt",  # CL201: "&amp;" in an excerpt
    "duplicate-related-url",  # CL300: a related entry repeated
    "url-trailing-space",  # CL203/CL303: "https://... " inside the quotes
    "missing-cdn-amp-url",  # CL400: ampWebUrl without cdnAmpWebUrl
    "invisible-char-title",  # CL202: U+200B inside a title
    "null-topic",  # CL100/CL102: a "  - " item (null) in topics
)

#: Schema defects for ``--invalid-share``, round-robin: each makes a large
#: record (24-28 KB, many related entries) invalid in one place, so that
#: explaining it walks a long related list, as in repositories where a third
#: of the records break the schema.
SCHEMA_DEFECTS = (
    "related-date-no-offset",  # CL103: a related date without its "Z"
    "related-misspelt-key",  # CL104: "publishDateTime" added to a related entry
    "related-empty-url",  # CL100: webUrl: "" in a related entry
    "null-topic",  # CL102: a null item in topics
    "provider-without-domain",  # CL101: provider.domain missing
)

BLOCK = 100  # the mix is fixed per block of BLOCK consecutive files
BIG_PER_BLOCK = 1  # 100+ related entries, ~60-120 KB
TAIL_PER_BLOCK = 12  # 12.5-28 KB, like the largest real records
SMALL_PER_BLOCK = 5  # no related entries, ~1-3 KB
CRLF_PER_BLOCK = 3
DEFECTS_PER_BLOCK = 5

NAME_RE = re.compile(r"^\d{5,}_[0-9a-f]{16}\.txt$")
DATE_FMT = "%Y-%m-%dT%H:%M:%SZ"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# ---------------------------------------------------------------------------
# Defect detection for the source pieces (conservative: when in doubt, drop).

_C1_AND_CP1252 = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122"
)
_MOJIBAKE_RUN = re.compile("[\u00c0-\u00ff][" + _C1_AND_CP1252 + "]+")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_INVISIBLE = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff"
    "\ufff9-\ufffd]"
)
# In a double-quoted YAML scalar only \" and \\ are kept; any other escape
# (\n, \t, \u2028, \x..) may hide a control or invisible character.
_ODD_ESCAPE = re.compile(r'\\(?!["\\])')
_URL = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
    r"(?::[0-9]{1,5})?"
    r"(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*|/?)"
    r"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?"
)
_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_PLAIN = re.compile(r"^[^\s\"'#&*!|>%@`{}\[\],?:-][^#]*?(?<!\s)$")
_MAX_IMAGE_SIDE = 10000
_MAX_ASPECT = 8.0


def _looks_mojibake(s: str) -> bool:
    if "\ufffd" in s or "\u00c3" in s or "\u00c2" in s or "\u00e2\u20ac" in s:
        return True
    for m in _MOJIBAKE_RUN.finditer(s):
        try:
            m.group().encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return True
    return False


def clean_text(inner: str) -> bool:
    """Is the inside of a double-quoted text value free of known defects?"""
    return bool(
        inner
        and inner == inner.strip()
        and not _looks_mojibake(inner)
        and not _ENTITY.search(inner)
        and not _INVISIBLE.search(inner)
        and not _ODD_ESCAPE.search(inner)
        and not inner.endswith("\\")
    )


def clean_url(inner: str) -> bool:
    return bool(_URL.fullmatch(inner)) and not _PCT.search(inner) and "&amp;" not in inner


def amp_cache_url(amp: str) -> str | None:
    """The AMP-cache URL of ``amp`` (SPEC.md section 5), or None if unsure."""
    parts = urlsplit(amp)
    host = parts.hostname or ""
    if not host or not host.isascii():
        return None
    try:
        decoded = host.encode("ascii").decode("idna") if "xn--" in host else host
        prefix = decoded.replace("-", "--").replace(".", "-")
        if prefix[2:4] == "--":
            prefix = "0-" + prefix + "-0"
        if not prefix.isascii():
            prefix = prefix.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if len(prefix) > 63:
        digest = hashlib.sha256(host.encode("ascii")).digest()
        prefix = base64.b32encode(digest).decode("ascii").lower().rstrip("=")
    rest = amp.split("://", 1)[1]
    secure = "s/" if parts.scheme == "https" else ""
    return f"https://{prefix}.cdn.ampproject.org/c/{secure}{rest}"


def url_key(url: str) -> str:
    """Normalised form for duplicate detection (more aggressive than CL300)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if parts.port not in (None, 80, 443) else None
    path = parts.path.rstrip("/")
    key = host + (f":{port}" if port else "") + path
    return key + ("?" + parts.query if parts.query else "")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def domain_matches(domain: str, url: str) -> bool:
    host = _host(url)
    return host == domain or host.endswith("." + domain)


_HINT_IMGIX_W = re.compile(r"[?&]w=(\d+)(?:&|$)")
_HINT_IMGIX_H = re.compile(r"[?&]h=(\d+)(?:&|$)")
_HINT_SUFFIX = re.compile(r"-(\d+)x(\d+)\.(?:jpe?g|png|gif|webp|avif)$", re.I)
_HINT_THUMBOR = re.compile(r"/(\d+)x(\d+)/")


def image_ok(url: str, width: str, height: str) -> bool:
    """Plausible size that agrees with any size hint in the URL."""
    if not clean_url(url) or not width.isdigit() or not height.isdigit():
        return False
    w, h = int(width), int(height)
    if w <= 0 or h <= 0 or max(w, h) > _MAX_IMAGE_SIDE or max(w / h, h / w) > _MAX_ASPECT:
        return False
    parts = urlsplit(url)
    query = "?" + parts.query
    mw, mh = _HINT_IMGIX_W.search(query), _HINT_IMGIX_H.search(query)
    if mw and mh and (int(mw.group(1)), int(mh.group(1))) != (w, h):
        return False
    m = _HINT_SUFFIX.search(parts.path)
    if m and (int(m.group(1)), int(m.group(2))) != (w, h):
        return False
    for m in () if "/fit-in/" in parts.path else _HINT_THUMBOR.finditer(parts.path + "/"):
        if (int(m.group(1)), int(m.group(2))) != (w, h):
            return False
    return True


# ---------------------------------------------------------------------------
# Text-level record model.

_QUOTED = re.compile(r'^( *(?:- )?[A-Za-z]+): "(.*)"$')


def quoted_value(line: str) -> str | None:
    m = _QUOTED.match(line)
    return m.group(2) if m else None


def with_value(line: str, inner: str) -> str:
    """Replace the inside of a quoted value, keeping the key and indentation."""
    return line[: line.index('"') + 1] + inner + '"'


def plain_value(line: str) -> str:
    return line.split(":", 1)[1].strip()


def _images_ok(lines: list[str], indent: str) -> bool:
    """Check ``- url/width/height`` groups (indent = indent of ``- url``)."""
    i = 0
    while i < len(lines):
        url = quoted_value(lines[i]) if lines[i].startswith(indent + "- url: ") else None
        if url is None or i + 2 >= len(lines):
            return False
        wl, hl = lines[i + 1], lines[i + 2]
        if not (wl.startswith(indent + "  width: ") and hl.startswith(indent + "  height: ")):
            return False
        if not image_ok(url, plain_value(wl), plain_value(hl)):
            return False
        i += 3
        if i < len(lines) and lines[i].startswith(indent + "  isCached: "):
            i += 1
    return True


def _amp_pair_ok(fields: dict[str, str]) -> bool:
    amp, cdn = fields.get("ampWebUrl"), fields.get("cdnAmpWebUrl")
    if amp is None and cdn is None:
        return True
    if amp is None or cdn is None or not clean_url(amp) or not clean_url(cdn):
        return False
    derived = amp_cache_url(amp)
    return derived is None or derived == cdn


class Entry:
    """One related entry: its real lines plus what generation needs.

    ``pre``/``mid``/``post`` are the entry's text around its
    ``publishedDateTime`` and ``quality`` lines, the two lines every use
    rewrites, so rendering an entry is a handful of string concatenations.
    """

    __slots__ = (
        "lines",
        "quality",
        "size",
        "key",
        "amp",
        "iweb",
        "iamp",
        "icdn",
        "iqual",
        "idate",
        "pre",
        "mid",
        "post",
        "web",
    )

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.size = sum(len(x.encode("utf-8")) + 1 for x in lines)
        self.iweb = self.iamp = self.icdn = self.iqual = self.idate = -1
        for n, line in enumerate(lines):
            if line.startswith("    webUrl: "):
                self.iweb = n
            elif line.startswith("    ampWebUrl: "):
                self.iamp = n
            elif line.startswith("    cdnAmpWebUrl: "):
                self.icdn = n
            elif line.startswith("    quality: "):
                self.iqual = n
            elif line.startswith("    publishedDateTime: "):
                self.idate = n
        self.quality = int(plain_value(lines[self.iqual])) if self.iqual >= 0 else 0
        self.web = (quoted_value(lines[self.iweb]) or "") if self.iweb >= 0 else ""
        self.key = url_key(self.web)
        self.amp = self.iamp >= 0 and self.icdn >= 0
        self.pre = self.mid = self.post = ""
        if 0 < self.idate < self.iqual:
            self.pre = "\n".join(lines[: self.idate]) + "\n    publishedDateTime: "
            self.mid = "\n" + "\n".join(lines[self.idate + 1 : self.iqual]) + "\n    quality: "
            self.post = "".join("\n" + x for x in lines[self.iqual + 1 :])

    @property
    def renderable(self) -> bool:
        """Date before quality, and the URL lines between them (for relinking)."""
        inside = [self.iweb] + ([self.iamp, self.icdn] if self.amp else [])
        return bool(self.pre) and all(self.idate < i < self.iqual for i in inside)

    def render(self, date: str, quality: int) -> str:
        return f"{self.pre}{date}{self.mid}{quality}{self.post}"


_ENTRY_KEYS = re.compile(
    r"^(?:  - title: \".*\"|    (?:excerpt|webUrl|ampWebUrl|cdnAmpWebUrl): \".*\""
    r"|    publishedDateTime: \S+|    type: [a-z]+|    provider:|      (?:name|domain): \S.*"
    r"|    quality: -?\d+|    images:|      - url: \".*\"|        (?:width|height): \d+"
    r"|        isCached: (?:true|false))$"
)


def entry_clean(lines: list[str]) -> bool:
    if not lines[0].startswith("  - title: ") or not all(_ENTRY_KEYS.match(x) for x in lines):
        return False
    if not lines[1].startswith("    excerpt: "):
        return False
    fields: dict[str, str] = {}
    for line in lines:
        key = line.strip().lstrip("- ").split(":", 1)[0]
        if key in fields and key not in ("url", "width", "height", "isCached"):
            return False
        fields.setdefault(key, line)
    for key in ("title", "excerpt", "webUrl", "publishedDateTime", "quality", "domain", "name"):
        if key not in fields:
            return False
    values = {k: quoted_value(v) for k, v in fields.items()}
    if not clean_text(values["title"] or "") or not clean_text(values["excerpt"] or ""):
        return False
    web = values["webUrl"] or ""
    if not clean_url(web):
        return False
    if not DATE_RE.match(plain_value(fields["publishedDateTime"])):
        return False
    domain = plain_value(fields["domain"])
    if not _DOMAIN.match(domain) or not domain_matches(domain, web):
        return False
    if not _PLAIN.match(plain_value(fields["name"])) or not clean_text(plain_value(fields["name"])):
        return False
    amp = {k: values[k] for k in ("ampWebUrl", "cdnAmpWebUrl") if k in values}
    if not _amp_pair_ok(amp):  # type: ignore[arg-type]
        return False
    if "images" in fields:
        start = lines.index("    images:") + 1
        if not _images_ok(lines[start:], "      "):
            return False
    return True


class Head:
    """A source record minus its related entries: the frame of new records."""

    __slots__ = (
        "head",
        "featured",
        "provider",
        "topics",
        "images",
        "secured_len",
        "title",
        "excerpt",
        "ytid",
        "source",
        "when",
        "size",
        "pieces",
    )


_HEAD_LINE = re.compile(
    r"^(?:category: [a-z]+|(?:title|excerpt|originalUrl|webUrl|ampWebUrl|cdnAmpWebUrl): \".*\""
    r"|publishedDateTime: \S+|type: [a-z]+|quality: -?\d+|heat: -?\d+|published: (?:true|false))$"
)
_YT_ID = re.compile(r"[?&]v=([A-Za-z0-9_-]{11})(?:&|$)")


def split_record(text: str) -> str | None:
    """Front matter (LF, with its final newline) of a record, or None."""
    text = text.replace("\r\n", "\n")
    if text.startswith("\ufeff") or not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0:
        return None
    return text[4 : end + 1]


def parse_source(fm: str, source: str, seen: set[str] | None = None):
    """Split a record's front matter into a Head (or None) and its entries.

    Returns (head_or_None, clean_entries, clean_titles, clean_excerpts, dropped);
    entries whose text is in ``seen`` are skipped, new ones are added to it.
    """
    if seen is None:
        seen = set()
    blocks = fm[:-1].split("\n\n") if fm.endswith("\n") else fm.split("\n\n")
    titles: list[str] = []
    excerpts: list[str] = []
    entries: list[Entry] = []
    dropped = 0
    named: dict[str, str] = {}
    for block in blocks:
        key = block.split(":", 1)[0]
        if key in named or key not in (
            "category",
            "featuredContent",
            "provider",
            "topics",
            "images",
            "related",
            "secured",
        ):
            return None, [], [], [], 1
        named[key] = block
    if "category" not in named or "secured" not in named or "provider" not in named:
        return None, [], [], [], 1
    order = list(named)
    if order != [k for k in ("category", "featuredContent", "provider", "topics", "images", "related", "secured") if k in named]:
        return None, [], [], [], 1

    # Related entries: each real block is a candidate for the pool.  The same
    # block recurs in many records; ``seen`` makes each one count once.
    if "related" in named:
        blocks_ = named["related"].split("\n  - title: ")
        for n, text in enumerate(blocks_[1:]):
            text = "  - title: " + text
            if text in seen:
                continue
            seen.add(text)
            lines = text.split("\n")
            e = Entry(lines)
            if entry_clean(lines) and e.renderable:
                entries.append(e)
                titles.append(quoted_value(lines[0]) or "")
                excerpts.append(quoted_value(lines[1]) or "")
            else:
                dropped += 1

    head_lines = named["category"].split("\n")
    fields: dict[str, str] = {}
    for line in head_lines:
        if not _HEAD_LINE.match(line):
            return None, entries, titles, excerpts, dropped + 1
        k = line.split(":", 1)[0]
        if k in fields:
            return None, entries, titles, excerpts, dropped + 1
        fields[k] = line
    values = {k: quoted_value(v) for k, v in fields.items()}
    t, x = values.get("title"), values.get("excerpt")
    if t and clean_text(t):
        titles.append(t)
    if x and clean_text(x):
        excerpts.append(x)

    ok = all(k in fields for k in ("title", "excerpt", "publishedDateTime", "type"))
    ok = ok and ("webUrl" in fields or "originalUrl" in fields)
    ok = ok and DATE_RE.match(plain_value(fields["publishedDateTime"])) is not None
    for k in ("originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl"):
        if ok and k in values:
            ok = clean_url(values[k] or "")
    ok = ok and _amp_pair_ok({k: values[k] for k in ("ampWebUrl", "cdnAmpWebUrl") if k in values})  # type: ignore[misc]
    main_url = values.get("webUrl") or values.get("originalUrl") or ""
    prov = named["provider"].split("\n")
    if ok:
        ok = (
            len(prov) >= 3
            and prov[0] == "provider:"
            and prov[1].startswith("  name: ")
            and prov[2].startswith("  domain: ")
            and clean_text(plain_value(prov[1]))
            and _PLAIN.match(plain_value(prov[1])) is not None
            and _DOMAIN.match(plain_value(prov[2])) is not None
            and domain_matches(plain_value(prov[2]), main_url)
        )
        if ok and len(prov) > 3:
            ok = prov[3] == "  images:" and _images_ok(prov[4:], "    ")
    topics = named.get("topics", "").split("\n")
    if ok:
        ok = (
            len(topics) >= 2
            and topics[0] == "topics:"
            and all(
                x.startswith("  - ") and clean_text(x[4:]) and _PLAIN.match(x[4:]) is not None
                for x in topics[1:]
            )
        )
    if ok and "images" in named:
        img = named["images"].split("\n")
        ok = img[0] == "images:" and _images_ok(img[1:], "  ")
    featured = named.get("featuredContent")
    if ok and featured is not None:
        ok = featured.startswith('featuredContent: "') and not _INVISIBLE.search(featured)
    secured = quoted_value(named["secured"])
    if ok:
        ok = secured is not None and ";" in secured
    if not ok:
        return None, entries, titles, excerpts, dropped + 1

    ytid = None
    if "webUrl" not in values:
        m = _YT_ID.search(values.get("originalUrl") or "")
        if m:
            ytid = m.group(1)
    h = Head()
    h.head = head_lines
    h.featured = featured
    h.provider = named["provider"]
    h.topics = named["topics"]
    h.images = named.get("images")
    h.secured_len = len(secured.split(";", 1)[0])  # type: ignore[union-attr]
    h.title = t if t and clean_text(t) else None
    h.excerpt = x if x and clean_text(x) else None
    h.ytid = ytid
    h.source = source
    h.when = parse_date(plain_value(fields["publishedDateTime"]))
    h.size = len(fm.encode("utf-8")) - len(named.get("related", "").encode("utf-8"))
    return h, entries, titles, excerpts, dropped


class Pieces:
    """Titles, excerpts and related entries to draw from."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.excerpts: list[str] = []
        self.entries: list[Entry] = []
        self.amp_entries: list[Entry] = []


#: A source group (one top-level folder of a --source) with at least this many
#: pieces of a kind is drawn from for its own records, so that Diablo records
#: get Diablo titles and related entries; smaller groups use the whole pool.
MIN_GROUP = 50


class Pool(Pieces):
    def __init__(self) -> None:
        super().__init__()
        self.heads: list[Head] = []
        self.groups: dict[str, Pieces] = {}
        self.files = 0
        self.skipped_files = 0
        self.dropped = 0


def iter_record_files(root: Path):
    """Record files under ``root`` (or ``root`` itself), in a stable order."""
    if root.is_file():
        yield root
        return
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            if name.lower().endswith(RECORD_SUFFIXES):
                found.append(Path(dirpath, name))
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    yield from found


def load_pool(sources: list[Path]) -> Pool:
    pool = Pool()
    seen_entries: set[str] = set()
    seen_titles: set[str] = set()
    seen_excerpts: set[str] = set()
    for root in sources:
        for path in iter_record_files(root):
            rel = path.relative_to(root).parts if path != root else ()
            group = pool.groups.setdefault(f"{root}::{rel[0] if len(rel) > 1 else ''}", Pieces())
            try:
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                pool.skipped_files += 1
                continue
            fm = split_record(text)
            if fm is None:
                pool.skipped_files += 1
                continue
            pool.files += 1
            head, entries, titles, excerpts, dropped = parse_source(fm, str(path), seen_entries)
            pool.dropped += dropped
            if head is not None:
                head.pieces = group
                pool.heads.append(head)
            pool.entries.extend(entries)
            group.entries.extend(entries)
            for t in titles:
                if t not in seen_titles:
                    seen_titles.add(t)
                    pool.titles.append(t)
                    group.titles.append(t)
            for x in excerpts:
                if x not in seen_excerpts:
                    seen_excerpts.add(x)
                    pool.excerpts.append(x)
                    group.excerpts.append(x)
    pool.amp_entries = [e for e in pool.entries if e.amp]
    for group in pool.groups.values():  # what each group's records draw from
        if len(group.titles) < MIN_GROUP:
            group.titles = pool.titles
        if len(group.excerpts) < MIN_GROUP:
            group.excerpts = pool.excerpts
        if len(group.entries) < MIN_GROUP:
            group.entries = pool.entries
        group.amp_entries = [e for e in group.entries if e.amp] or pool.amp_entries
    return pool


# ---------------------------------------------------------------------------
# Mutations.

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_YT_CHARS = _B64 + "-_"
_EXTENSION = re.compile(r"^(.*?)(\.(?:html?|php|aspx?|jsp|shtml|cms))$", re.I)


def mutate_url(url: str, token: str) -> tuple[str, list[tuple[str, str]]]:
    """A new, unique URL in the style of ``url``.

    Returns (new_url, edits): applying the first (old, new) edit of ``edits``
    that matches an AMP variant of ``url`` gives that variant's new form.
    """
    parts = urlsplit(url)
    path = parts.path
    segments = path.split("/")
    # index of the last non-empty segment
    idx = max((i for i, s in enumerate(segments) if s), default=-1)
    if idx <= 0:
        new_path = "/" + token + ("/" if path.endswith("/") and path != "/" else "")
        old = url.split("://", 1)[1].split("?", 1)[0]
        new = parts.netloc + new_path
        return url.replace(old, new, 1), [(old, new)]
    seg = segments[idx]
    m = _EXTENSION.match(seg)
    new_seg = f"{m.group(1)}-{token}{m.group(2)}" if m else f"{seg}-{token}"
    head = "/".join(segments[:idx])
    old_frag = head + "/" + seg
    new_frag = head + "/" + new_seg
    new_url = url.replace(parts.netloc + old_frag, parts.netloc + new_frag, 1)
    return new_url, [(old_frag, new_frag), ("/" + seg, "/" + new_seg)]


def fresh_ytid(rng: random.Random) -> str:
    return "".join(rng.choice(_YT_CHARS) for _ in range(11))


def fresh_secured(rng: random.Random, length: int) -> str:
    n = max(4, length) // 4 * 3
    first = base64.b64encode(rng.randbytes(n)).decode("ascii")
    return f'secured: "{first};{base64.b64encode(rng.randbytes(16)).decode("ascii")}"'


def pick_title(rng: random.Random, pool: Pieces, own: str | None) -> str:
    r = rng.random()
    if own and r < 0.35:
        return own
    a = rng.choice(pool.titles)
    if r < 0.8:
        return a
    # splice: the start of one real title with the end of another
    b = rng.choice(pool.titles)
    wa, wb = a.split(" "), b.split(" ")
    if len(wa) < 4 or len(wb) < 4:
        return a
    return " ".join(wa[: rng.randint(2, len(wa) - 2)] + wb[rng.randint(2, len(wb) - 2) :])


def pick_excerpt(rng: random.Random, pool: Pieces, own: str | None) -> str:
    if own and rng.random() < 0.35:
        return own
    return rng.choice(pool.excerpts)


_DAYS: dict[int, str] = {}


def fmt_date(ts: int) -> str:
    """``ts`` (seconds since the epoch, UTC) as the records write dates."""
    day, rest = divmod(ts, 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    hours, rest = divmod(rest, 3600)
    return f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def parse_date(value: str) -> int:
    return calendar.timegm(time.strptime(value, DATE_FMT))


def _fix_amp(lines: list[str], iamp: int, icdn: int, edits: list[tuple[str, str]]) -> bool:
    """Rewrite the AMP pair after a webUrl change; False if it cannot."""
    amp = quoted_value(lines[iamp]) or ""
    for old, new in edits:
        if old in amp:
            break
    else:
        return False
    new_amp = amp.replace(old, new, 1)
    cdn = amp_cache_url(new_amp)
    if cdn is None:
        cdn_old = quoted_value(lines[icdn]) or ""
        if old not in cdn_old:
            return False
        cdn = cdn_old.replace(old, new, 1)
    lines[iamp] = with_value(lines[iamp], new_amp)
    lines[icdn] = with_value(lines[icdn], cdn)
    return True


def _relink_entry(e: Entry, token: str) -> Entry:
    """The entry with a new webUrl (and AMP pair, or none), unique in its record.

    Only the text between the date and quality lines changes, so the copy
    shares the rest with ``e``; its ``key`` is the new URL itself (the token
    makes it unique within the record).
    """
    new, edits = mutate_url(e.web, token)
    lines = e.mid.split("\n")  # ["", ..., "    quality: "]
    lines[e.iweb - e.idate] = f'    webUrl: "{new}"'
    amp = e.amp
    if amp and not _fix_amp(lines, e.iamp - e.idate, e.icdn - e.idate, edits):
        del lines[max(e.iamp, e.icdn) - e.idate]
        del lines[min(e.iamp, e.icdn) - e.idate]
        amp = False
    r = Entry.__new__(Entry)
    r.lines, r.quality, r.amp, r.web, r.key = None, e.quality, amp, new, new
    r.iweb = r.iamp = r.icdn = r.iqual = r.idate = -1
    r.pre, r.post, r.mid = e.pre, e.post, "\n".join(lines)
    r.size = e.size + len(r.mid) - len(e.mid)
    return r


class Plan:
    __slots__ = ("big", "tail", "small", "crlf", "defect", "invalid")

    def __init__(self) -> None:
        self.big = self.tail = self.small = self.crlf = False
        self.defect: str | None = None
        self.invalid: str | None = None  # a SCHEMA_DEFECTS kind (--invalid-share)


def block_plan(seed: int, block: int, invalid_share: float = 0.0) -> list[Plan]:
    """The fixed mix of one block of BLOCK files."""
    rng = random.Random(f"contentlint-bench:{seed}:block:{block}")
    plans = [Plan() for _ in range(BLOCK)]
    special = rng.sample(range(BLOCK), BIG_PER_BLOCK + TAIL_PER_BLOCK + SMALL_PER_BLOCK)
    for i in special[:BIG_PER_BLOCK]:
        plans[i].big = True
    for i in special[BIG_PER_BLOCK : BIG_PER_BLOCK + TAIL_PER_BLOCK]:
        plans[i].tail = True
    for i in special[BIG_PER_BLOCK + TAIL_PER_BLOCK :]:
        plans[i].small = True
    for i in rng.sample(range(BLOCK), CRLF_PER_BLOCK):
        plans[i].crlf = True
    candidates = [i for i in range(BLOCK) if not plans[i].small]
    for j, i in enumerate(rng.sample(candidates, DEFECTS_PER_BLOCK)):
        plans[i].defect = DEFECT_KINDS[(block * DEFECTS_PER_BLOCK + j) % len(DEFECT_KINDS)]
    if invalid_share > 0:  # its own random stream: the other records stay byte-identical
        pick = random.Random(f"contentlint-bench:{seed}:invalid:{block}")
        free = [i for i, p in enumerate(plans) if not (p.big or p.small or p.defect)]
        chosen = pick.sample(free, min(len(free), round(invalid_share * BLOCK)))
        for j, i in enumerate(chosen):
            plans[i].invalid = SCHEMA_DEFECTS[(block * len(chosen) + j) % len(SCHEMA_DEFECTS)]
    return plans


class Record:
    """A generated record as blocks of text, rendered at the end.

    ``head`` and ``topics`` are lists of lines; ``related`` is a list of
    entry texts (lines joined with LF, no final newline).
    """

    __slots__ = ("head", "featured", "provider", "topics", "images", "related", "secured")

    def render(self) -> str:
        blocks = ["\n".join(self.head)]
        if self.featured is not None:
            blocks.append(self.featured)
        blocks.append(self.provider)
        blocks.append("\n".join(self.topics))
        if self.images is not None:
            blocks.append(self.images)
        if self.related:
            blocks.append("related:\n" + "\n".join(self.related))
        blocks.append(self.secured)
        return "---\n" + "\n\n".join(blocks) + "\n---\n\n"


def _find(lines: list[str], prefix: str) -> int:
    for n, line in enumerate(lines):
        if line.startswith(prefix):
            return n
    return -1


def build_record(pool: Pool, seed: int, index: int, plan: Plan) -> tuple[str, str, int, str | None]:
    """Generate record ``index``: (file name, text with LF, related count, defect)."""
    rng = random.Random(f"contentlint-bench:{seed}:file:{index}")
    name = f"{index:05d}_{rng.getrandbits(64):016x}.txt"
    token = f"{index:x}{rng.getrandbits(24):06x}"
    src = pool.heads[rng.randrange(len(pool.heads))]
    rec = Record()

    # --- head: new title/excerpt/date/quality, unique URLs -----------------
    head = list(src.head)
    pieces = src.pieces
    title = pick_title(rng, pieces, src.title)
    excerpt = pick_excerpt(rng, pieces, src.excerpt)
    when = src.when + rng.randint(-180 * 86400, 180 * 86400)
    at = {line[: line.index(":")]: n for n, line in enumerate(head)}
    head[at["publishedDateTime"]] = "publishedDateTime: " + fmt_date(when)
    head[at["title"]] = with_value(head[at["title"]], title)
    head[at["excerpt"]] = with_value(head[at["excerpt"]], excerpt)
    i_q, i_heat = at.get("quality", -1), at.get("heat", -1)
    if i_q >= 0:
        q = int(plain_value(head[i_q]))
        new_q = max(1, q + rng.randint(-15, 15))
        head[i_q] = f"quality: {new_q}"
        if i_heat >= 0 and plain_value(head[i_heat]) == str(q):
            head[i_heat] = f"heat: {new_q}"
    featured, images = src.featured, src.images
    i_web, i_orig = at.get("webUrl", -1), at.get("originalUrl", -1)
    keys: set[str] = set()
    if src.ytid is not None:
        new_id = fresh_ytid(rng)
        head = [x.replace(src.ytid, new_id) for x in head]
        featured = featured.replace(src.ytid, new_id) if featured else featured
        images = images.replace(src.ytid, new_id) if images else images
    elif i_web >= 0:
        web = quoted_value(head[i_web]) or ""
        new_web, edits = mutate_url(web, token)
        head[i_web] = with_value(head[i_web], new_web)
        if i_orig >= 0:
            orig = quoted_value(head[i_orig]) or ""
            new_orig = new_web if orig == web else mutate_url(orig, token)[0]
            head[i_orig] = with_value(head[i_orig], new_orig)
        i_amp, i_cdn = at.get("ampWebUrl", -1), at.get("cdnAmpWebUrl", -1)
        if i_amp >= 0 and i_cdn >= 0 and not _fix_amp(head, i_amp, i_cdn, edits):
            head = [x for n, x in enumerate(head) if n not in (i_amp, i_cdn)]
        keys.add(url_key(new_web))
    else:
        orig = quoted_value(head[i_orig]) or ""
        head[i_orig] = with_value(head[i_orig], mutate_url(orig, token)[0])
    rec.head = head
    rec.featured = featured
    rec.provider = src.provider
    rec.topics = src.topics.split("\n")
    rec.images = images
    rec.secured = fresh_secured(rng, src.secured_len)

    # --- related entries: real blocks drawn from the pool ---------------------
    fixed = src.size + 40
    if plan.big:
        min_count, target = rng.randint(100, 130), rng.randint(60_000, 118_000)
    elif plan.invalid:
        min_count, target = 2, rng.randint(24_000, 28_000)
    elif plan.tail:
        min_count, target = 0, rng.randint(12_500, 28_000)
    elif plan.small:
        min_count, target = 0, 0
    else:
        min_count, target = 0, int(rng.triangular(2_500, 12_500, 11_000))
    if plan.defect == "duplicate-related-url":
        min_count = max(min_count, 2)
    entries = pieces.entries
    chosen: list[Entry] = []
    if entries:
        if plan.defect == "missing-cdn-amp-url" and pieces.amp_entries and rng.random() < 0.7:
            chosen.append(pieces.amp_entries[rng.randrange(len(pieces.amp_entries))])
        size = fixed + sum(e.size for e in chosen)
        count = len(entries)
        rand = rng.random
        while len(chosen) < 400:
            e = entries[int(rand() * count)]
            if len(chosen) >= min_count and size + e.size > target:
                break
            chosen.append(e)
            size += e.size
    related: list[tuple[int, int, str]] = []
    rand = rng.random
    for n, e in enumerate(chosen):
        if e.key in keys:  # the same URL twice in one record: give it a new one
            e = _relink_entry(e, f"{token}{n:x}")
        keys.add(e.key)
        q = max(1, e.quality + int(rand() * 13) - 6)
        date = fmt_date(when + int(rand() * 8 * 86400) - 2 * 86400)
        related.append((-q, n, e.render(date, q)))
    related.sort()  # quality descending, then draw order: the records' own order (CL601)
    rec.related = [text for _, _, text in related]

    defect = inject_defect(rec, plan.defect, rng) if plan.defect else None
    if plan.invalid:
        defect = inject_schema_defect(rec, plan.invalid, rng)
    return name, rec.render(), len(rec.related), defect


# ---------------------------------------------------------------------------
# Defects (one per defective file).

_INVISIBLE_CHARS = ("\u200b", "\u200b", "\u00a0\u200b", "\u2060", "\ufeff")


def inject_defect(rec: Record, kind: str, rng: random.Random) -> str:
    """Inject one defect of ``kind``; returns the kind actually injected."""
    if kind == "duplicate-related-url" and not rec.related:
        kind = "mojibake-title"  # sources without related entries
    if kind == "mojibake-title":
        n = _find(rec.head, "title: ")
        t = quoted_value(rec.head[n]) or ""
        if "\u2019" in t:
            t = t.replace("\u2019", "\u00e2\u20ac\u2122", 1)
        elif "'" in t:
            t = t.replace("'", "\u00e2\u20ac\u2122", 1)
        elif " - " in t:
            t = t.replace(" - ", " \u00e2\u20ac\u201c ", 1)
        else:
            words = t.split(" ")
            k = next((i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()), len(words) - 1)
            words[k] += "\u00e2\u20ac\u2122s"
            t = " ".join(words)
        rec.head[n] = with_value(rec.head[n], t)
    elif kind == "html-entity-excerpt":
        n = _find(rec.head, "excerpt: ")
        x = quoted_value(rec.head[n]) or ""
        for old, new in ((" & ", " &amp; "), (" and ", " &amp; "), ("'", "&#39;"), (", ", " &amp; ")):
            if old in x:
                x = x.replace(old, new, 1)
                break
        else:
            x = "News &amp; updates: " + x
        rec.head[n] = with_value(rec.head[n], x)
    elif kind == "duplicate-related-url":
        j = rng.randrange(len(rec.related))
        lines = rec.related[j].split("\n")
        n = _find(lines, "    webUrl: ")
        url = quoted_value(lines[n]) or ""
        if url.endswith("/") and "?" not in url and rng.random() < 0.5:
            lines[n] = with_value(lines[n], url[:-1])  # equal after normalisation
        rec.related.insert(j + 1, "\n".join(lines))  # same quality: order stays valid
    elif kind == "url-trailing-space":
        targets = [(-1, n) for n, x in enumerate(rec.head) if x.startswith("webUrl: ")]
        targets += [(j, 0) for j in range(len(rec.related))]
        if not targets:
            targets = [(-1, _find(rec.head, "originalUrl: "))]
        j, n = targets[rng.randrange(len(targets))]
        if j < 0:
            rec.head[n] = rec.head[n][:-1] + ' "'
        else:
            lines = rec.related[j].split("\n")
            n = _find(lines, "    webUrl: ")
            lines[n] = lines[n][:-1] + ' "'
            rec.related[j] = "\n".join(lines)
    elif kind == "missing-cdn-amp-url":
        spots = [-1] if _find(rec.head, "cdnAmpWebUrl: ") >= 0 else []
        spots += [j for j, e in enumerate(rec.related) if "\n    cdnAmpWebUrl: " in e]
        if spots:
            j = spots[rng.randrange(len(spots))]
            if j < 0:
                del rec.head[_find(rec.head, "cdnAmpWebUrl: ")]
            else:
                lines = rec.related[j].split("\n")
                del lines[_find(lines, "    cdnAmpWebUrl: ")]
                rec.related[j] = "\n".join(lines)
        else:  # no AMP pair anywhere: record a half pair instead
            n = _find(rec.head, "webUrl: ")
            if n < 0:
                n = _find(rec.head, "originalUrl: ")
            url = quoted_value(rec.head[n]) or ""
            p = urlsplit(url)
            amp = url.replace(p.netloc, p.netloc + "/amp", 1)
            rec.head.insert(n + 1, f'ampWebUrl: "{amp}"')
    elif kind == "invisible-char-title":
        n = _find(rec.head, "title: ")
        words = (quoted_value(rec.head[n]) or "").split(" ")
        k = rng.randrange(1, len(words)) if len(words) > 1 else 1
        ch = _INVISIBLE_CHARS[rng.randrange(len(_INVISIBLE_CHARS))]
        rec.head[n] = with_value(rec.head[n], " ".join(words[:k]) + ch + " " + " ".join(words[k:]))
    elif kind == "null-topic":
        rec.topics.insert(rng.randint(1, len(rec.topics)), "  - ")
    else:  # pragma: no cover - guarded by DEFECT_KINDS
        raise ValueError(kind)
    return kind


def _edit_related_line(rec: Record, rng: random.Random, key: str, edit) -> bool:
    """Apply ``edit(lines, n)`` to the ``key`` line of a random related entry."""
    spots = [j for j, e in enumerate(rec.related) if f"\n    {key}: " in e]
    if not spots:
        return False
    j = spots[rng.randrange(len(spots))]
    lines = rec.related[j].split("\n")
    edit(lines, _find(lines, f"    {key}: "))
    rec.related[j] = "\n".join(lines)
    return True


def inject_schema_defect(rec: Record, kind: str, rng: random.Random) -> str:
    """Make the record break the schema in one place; returns the kind injected."""
    def no_offset(lines, n):
        lines[n] = lines[n].rstrip("Z")

    def misspelt(lines, n):
        lines.insert(n + 1, lines[n].replace("publishedDateTime", "publishDateTime"))

    def empty(lines, n):
        lines[n] = '    webUrl: ""'

    edits = {"related-date-no-offset": ("publishedDateTime", no_offset),
             "related-misspelt-key": ("publishedDateTime", misspelt),
             "related-empty-url": ("webUrl", empty)}
    if kind in edits and _edit_related_line(rec, rng, *edits[kind]):
        return kind
    if kind == "provider-without-domain" and "\n  domain: " in rec.provider:
        rec.provider = "\n".join(x for x in rec.provider.split("\n") if not x.startswith("  domain: "))
        return kind
    return inject_defect(rec, "null-topic", rng)


# ---------------------------------------------------------------------------
# Driver.


def default_source() -> Path:
    return Path(__file__).resolve().parent.parent / "seeds"


def front_matter_bytes(data: bytes) -> bytes | None:
    """The bytes between the opening and closing ``---`` lines."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nl = data.find(b"\n")
    if nl < 0 or data[:nl].rstrip(b"\r") != b"---":
        return None
    pos = nl + 1
    while pos < len(data):
        nxt = data.find(b"\n", pos)
        line = data[pos : (nxt if nxt >= 0 else len(data))]
        if line.rstrip(b"\r").rstrip(b" \t") == b"---":
            return data[nl + 1 : pos]
        if nxt < 0:
            break
        pos = nxt + 1
    return None


# ---------------------------------------------------------------------------
# Worst records (issue 17): one file each, built to make per-record work
# that is super-linear in the record's size show (thousands of findings and
# fixes in one record). Deterministic: no randomness at all.

_WORST_HEAD = (
    "---\n"
    "category: news\n"
    'title: "A record built to be as slow to lint and fix as possible"\n'
    'excerpt: "Thousands of findings in one record."\n'
    "publishedDateTime: 2021-06-01T12:00:00Z\n"
    'webUrl: "https://www.example.com/news/worst-record/"\n'
    "type: article\n"
    "quality: 50\n"
    "provider:\n"
    "  name: Example News\n"
    "  domain: example.com\n"
    'secured: "c2VjdXJlZA=="\n'
)

WORST_TRAILING_KEYS = 60_000
WORST_DUPLICATE_RELATED = 25_000
WORST_UNUSED_SUPPRESSIONS = 30_000


def worst_trailing_spaces(keys: int = WORST_TRAILING_KEYS) -> str:
    """``keys`` extra keys whose values end with a space: one CL203 (safe fix)
    and one CL104 per key; ~830 KB at 60,000 keys."""
    lines = [_WORST_HEAD, "topics:\n  - Benchmarks\n"]
    lines.extend(f'k{i:05d}: "ab "\n' for i in range(keys))
    lines.append("---\n")
    return "".join(lines)


def worst_duplicate_related(duplicates: int = WORST_DUPLICATE_RELATED) -> str:
    """One related entry followed by ``duplicates`` copies of it: one CL300
    (unsafe fix: remove the entry) per copy. The entries hold only a
    `webUrl` (so six CL101 each): complete ones would not fit the front
    matter limit (1,000,000 characters)."""
    entry = "  - webUrl: https://news.example.org/a\n"
    return "".join([_WORST_HEAD, "topics:\n  - Benchmarks\n", "related:\n", entry * (duplicates + 1), "---\n"])


def worst_unused_suppressions(count: int = WORST_UNUSED_SUPPRESSIONS) -> str:
    """``count`` suppression comments, each alone on its line, that suppress
    nothing: one CL009 (safe fix: remove the line) per comment."""
    comment = "# contentlint: ignore[CL200]\n"
    return "".join([_WORST_HEAD, "topics:\n  - Benchmarks\n", comment * count, "---\n"])


WORST_RECORDS = {
    "trailing-spaces.txt": worst_trailing_spaces,
    "duplicate-related.txt": worst_duplicate_related,
    "unused-suppressions.txt": worst_unused_suppressions,
}


def generate_worst(out_dir: Path) -> dict[str, int]:
    """Write the worst records to ``out_dir``; their sizes in bytes by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, build in WORST_RECORDS.items():
        data = build().encode("utf-8")
        (out_dir / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


def _prepare_dir(path: Path, pattern: re.Pattern[str], force: bool) -> None:
    """Create ``path``; delete files a previous run generated there.

    Anything else in the folder is an error (it would end up in the
    benchmark), unless ``force``, which leaves it alone.
    """
    path.mkdir(parents=True, exist_ok=True)
    ours, foreign = [], []
    for p in sorted(path.iterdir()):
        (ours if p.is_file() and pattern.match(p.name) else foreign).append(p)
    if foreign and not force:
        raise SystemExit(
            f"error: {path} holds files this script did not generate (e.g. {foreign[0].name}); "
            "use an empty folder, or --force to keep them and write beside them"
        )
    for p in ours:
        p.unlink()


def generate(
    out_dir: Path,
    n: int,
    seed: int,
    sources: list[Path],
    extract_dir: Path | None = None,
    manifest: Path | None = None,
    force: bool = False,
    invalid_share: float = 0.0,
) -> dict:
    t0 = time.perf_counter()
    pool = load_pool(sources)
    if not pool.heads:
        raise SystemExit("error: no usable source record (need clean front-matter records)")
    if not pool.titles or not pool.excerpts:
        raise SystemExit("error: the sources have no clean title/excerpt")
    _prepare_dir(out_dir, NAME_RE, force)
    if extract_dir is not None:
        _prepare_dir(extract_dir, re.compile(r"^\d{5,}_[0-9a-f]{16}\.yaml$"), force)
    stats = {
        "files": 0,
        "bytes": 0,
        "crlf": 0,
        "big": 0,
        "defects": {k: 0 for k in DEFECT_KINDS + (SCHEMA_DEFECTS if invalid_share else ())},
        "size_buckets": {"<2KB": 0, "2-12KB": 0, "12-60KB": 0, ">=60KB": 0},
    }
    man = manifest.open("w", encoding="utf-8") if manifest else None
    try:
        plans: list[Plan] = []
        for i in range(n):
            if i % BLOCK == 0:
                plans = block_plan(seed, i // BLOCK, invalid_share)
            plan = plans[i % BLOCK]
            name, text, nrel, defect = build_record(pool, seed, i, plan)
            if plan.crlf:
                text = text.replace("\n", "\r\n")
            data = text.encode("utf-8")
            (out_dir / name).write_bytes(data)
            if extract_dir is not None:
                fm = front_matter_bytes(data)
                assert fm is not None
                (extract_dir / (name[:-4] + ".yaml")).write_bytes(fm)
            size = len(data)
            stats["files"] += 1
            stats["bytes"] += size
            stats["crlf"] += plan.crlf
            stats["big"] += plan.big
            if defect:
                stats["defects"][defect] += 1
            bucket = "<2KB" if size < 2048 else "2-12KB" if size < 12288 else "12-60KB" if size < 61440 else ">=60KB"
            stats["size_buckets"][bucket] += 1
            if man:
                row = {"name": name, "bytes": size, "related": nrel, "crlf": plan.crlf, "defect": defect}
                man.write(json.dumps(row) + "\n")
    finally:
        if man:
            man.close()
    stats["mean_bytes"] = round(stats["bytes"] / n) if n else 0
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    stats["pool"] = {
        "source_files": pool.files,
        "skipped_files": pool.skipped_files,
        "heads": len(pool.heads),
        "related_entries": len(pool.entries),
        "amp_entries": len(pool.amp_entries),
        "groups": len(pool.groups),
        "titles": len(pool.titles),
        "excerpts": len(pool.excerpts),
        "dropped_pieces": pool.dropped,
    }
    return stats


def extract_from(src: Path, extract_dir: Path, force: bool = False) -> dict:
    """Write the front matter of existing records under ``src`` to .yaml files."""
    _prepare_dir(extract_dir, re.compile(r".*\.yaml$"), force)
    written = skipped = 0
    for path in iter_record_files(src):
        try:
            fm = front_matter_bytes(path.read_bytes())
        except OSError:
            fm = None
        if fm is None:
            skipped += 1
            continue
        rel = path.relative_to(src) if path != src else Path(path.name)
        flat = "__".join(rel.with_suffix("").parts) + ".yaml"
        (extract_dir / flat).write_bytes(fm)
        written += 1
    return {"written": written, "skipped": skipped}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate a deterministic benchmark corpus of contentlint article records.",
    )
    ap.add_argument("out_dir", nargs="?", type=Path, help="folder for the generated .txt records")
    ap.add_argument("-n", "--count", type=int, default=10_000, help="number of records (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument(
        "--source",
        type=Path,
        action="append",
        default=[],
        help="extra folder (or file) of real records to recombine; repeatable. "
        "The repository's seeds/ folder is always used unless --no-seeds.",
    )
    ap.add_argument("--no-seeds", action="store_true", help="do not use the repository's seeds/ folder")
    ap.add_argument("--extract-yaml", type=Path, metavar="DIR", help="also write each record's front matter to DIR/<name>.yaml")
    ap.add_argument(
        "--extract-from",
        type=Path,
        metavar="SRC",
        help="do not generate: extract the front matter of the records under SRC to --extract-yaml DIR",
    )
    ap.add_argument("--manifest", type=Path, metavar="FILE", help="write one JSON line per generated file (name, bytes, related, crlf, defect)")
    ap.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds other files too (files generated earlier are always replaced)",
    )
    ap.add_argument("--worst", action="store_true",
                    help="write only the worst records (issue 17) to OUT_DIR: " + ", ".join(WORST_RECORDS))
    ap.add_argument(
        "--invalid-share",
        type=float,
        default=0.0,
        metavar="F",
        help="also make this share of the files (0-0.77) 24-28 KB records with one schema defect "
        "(SCHEMA_DEFECTS); default 0: the output is unchanged",
    )
    ap.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)

    if args.worst:
        if args.out_dir is None:
            ap.error("OUT_DIR is required")
        sizes = generate_worst(args.out_dir)
        if not args.quiet:
            print(json.dumps(sizes), file=sys.stderr)
        return 0

    if args.extract_from is not None:
        if args.extract_yaml is None:
            ap.error("--extract-from needs --extract-yaml DIR")
        if not args.extract_from.exists():
            ap.error(f"{args.extract_from} does not exist")
        result = extract_from(args.extract_from, args.extract_yaml, args.force)
        if not args.quiet:
            print(json.dumps(result), file=sys.stderr)
        return 0
    if args.out_dir is None:
        ap.error("OUT_DIR is required")
    if args.count < 0:
        ap.error("-n must be >= 0")
    if not 0 <= args.invalid_share <= 1:
        ap.error("--invalid-share must be between 0 and 1")
    sources = [] if args.no_seeds else [default_source()]
    for s in args.source:
        if not s.exists():
            ap.error(f"--source {s} does not exist")
        sources.append(s)
    if not sources:
        ap.error("no sources (--no-seeds without --source)")
    stats = generate(args.out_dir, args.count, args.seed, sources, args.extract_yaml, args.manifest, args.force,
                     args.invalid_share)
    if not args.quiet:
        print(json.dumps(stats, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
