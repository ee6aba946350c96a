"""The pure parts of the client: capped decoding, AMP discovery, image sizes, rendering."""

from __future__ import annotations

import gzip
import zlib

import pytest
from tests.test_online_support import gif, jpeg, png, webp, webp_extended

from contentlint.online.body import CappedDecoder
from contentlint.online.client import parse_retry_after
from contentlint.online.html import find_amp_link, head_end
from contentlint.online.image_header import size_from_prefix
from contentlint.scalars import render

# -- capped decoding ---------------------------------------------------------------


def feed_all(decoder: CappedDecoder, data: bytes, chunk: int = 4096) -> None:
    for i in range(0, len(data), chunk):
        decoder.feed(data[i:i + chunk])
        if decoder.done:
            break


def test_gzip_bomb_is_cut_at_the_cap():
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)  # ~20 KB on the wire
    decoder = CappedDecoder("gzip", 65_536)
    feed_all(decoder, bomb)
    assert decoder.capped and len(decoder.data) == 65_536
    assert decoder.raw_bytes < len(bomb)  # it stopped reading, too


@pytest.mark.parametrize("encoding, encode", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),  # RFC: zlib-wrapped
    ("deflate", lambda d: zlib.compress(d)[2:-4]),  # what some servers send: raw deflate
    ("identity", lambda d: d),
    (None, lambda d: d),
])
def test_small_bodies_decode_in_full(encoding, encode):
    body = b"<html><head><title>x</title></head>" * 10
    decoder = CappedDecoder(encoding, 1_000_000)
    feed_all(decoder, encode(body), chunk=7)
    assert bytes(decoder.data) == body and not decoder.done


def test_raw_bytes_are_capped_too():
    decoder = CappedDecoder(None, 10)
    decoder.feed(b"x" * 25)
    assert decoder.capped and bytes(decoder.data) == b"x" * 10 and decoder.raw_bytes == 10


def test_unknown_or_corrupt_encodings_stop_reading():
    assert CappedDecoder("br", 100).undecodable
    decoder = CappedDecoder("gzip", 100)
    decoder.feed(b"this is not gzip at all")
    assert decoder.undecodable and decoder.data == b""


# -- AMP discovery -----------------------------------------------------------------

BASE = "https://www.example.com/a"


@pytest.mark.parametrize("head, expected", [
    ('<link rel="amphtml" href="https://www.example.com/a/amp">', "https://www.example.com/a/amp"),
    ('<LINK HREF="/a/amp" REL="amphtml"/>', "https://www.example.com/a/amp"),
    ("<link href='amp.html' rel='alternate amphtml'>", "https://www.example.com/amp.html"),
    ('<link rel=amphtml href=https://m.example.com/a?x=1&amp;y=2>', "https://m.example.com/a?x=1&y=2"),
    ('<link\n  data-x="a>b"\n  rel="canonical amphtml"\n  href="/amp/a">', "https://www.example.com/amp/a"),
    ('<link rel="alternate" hreflang="de" href="/de/a"><link rel="amphtml" href="/a.amp">',
     "https://www.example.com/a.amp"),
    ('<!-- <link rel="amphtml" href="/old"> --><link rel="amphtml" href="/new">', "https://www.example.com/new"),
    ('<script>var s = \'<link rel="amphtml" href="/js">\';</script>', None),
    ('<link rel="amphtml-not" href="/x"><link rel="canonical" href="/c">', None),
    ('<link rel="amphtml" href="">', None),
    ('<link rel="amphtml" href="javascript:alert(1)">', None),
])
def test_find_amp_link(head, expected):
    assert find_amp_link(f"<html><head>{head}</head>", BASE) == expected


def test_head_end_finds_the_end_of_the_head_or_the_start_of_the_body():
    assert head_end(b"<html><HEAD><title>t</title></Head ><body>") == 28
    assert head_end(b"<html><title>t</title><BODY class=x>") == 22
    assert head_end(bytearray(b"<html><head><title>t")) == -1


# -- image sizes ---------------------------------------------------------------------


@pytest.mark.parametrize("make", [png, gif, jpeg, webp, webp_extended])
def test_sizes_from_headers(make):
    assert size_from_prefix(make(1440, 720)) == (1440, 720)
    assert size_from_prefix(make(1440, 720)[:4096]) == (1440, 720)  # a prefix is enough


def test_unreadable_prefixes_have_no_size():
    assert size_from_prefix(b"") is None
    assert size_from_prefix(b"<html>not an image</html>") is None
    assert size_from_prefix(jpeg(640, 360, padding=100_000)[:65_536]) is None  # frame after the prefix


# -- Retry-After ---------------------------------------------------------------------


def test_retry_after_seconds_and_http_dates():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# -- rendering values in the old quoting style (scalars.render) -----------------------------------


@pytest.mark.parametrize("value, style, expected", [
    ("https://e.com/a", '"', '"https://e.com/a"'),
    ('https://e.com/"q"\\', '"', '"https://e.com/\\"q\\"\\\\"'),
    ("https://e.com/it's", "'", "'https://e.com/it''s'"),
    ("https://e.com/a", None, "https://e.com/a"),
    ("https://e.com/a #b", None, '"https://e.com/a #b"'),
    ("https://e.com/a,b", None, "https://e.com/a,b"),  # commas are fine in a block plain scalar
    ("https://e.com/a\x07", "'", '"https://e.com/a\\a"'),
    ("https://e.com/a", "|", None),
])
def test_render(value, style, expected):
    assert render(value, style) == expected
