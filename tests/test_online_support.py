"""Shared helpers for the online tests: a real threaded HTTP server on 127.0.0.1,
tiny valid images built with struct/zlib, and settings for fast tests.

(Named test_online_*.py to sit with the tests it serves; it holds no tests.)
"""

from __future__ import annotations

import http.server
import struct
import threading
import time
import zlib
from collections import Counter
from typing import Callable

from contentlint.document import Document, load
from contentlint.online.settings import NetworkAccess, OnlineSettings

ALL_CODES = ("CL402", "CL503", "CL900", "CL901", "CL902")


def local_access(resolve_override=()) -> NetworkAccess:
    """The guard stays on; only 127.0.0.1 is allowed (as an operator would allow it)."""
    return NetworkAccess(allow_networks=("127.0.0.1/32",), resolve_override=tuple(resolve_override))


def fast_settings(**changes) -> OnlineSettings:
    """Short timeouts and backoffs (the guard's exceptions are local_access)."""
    base = dict(cache_path=None, per_host_interval=0.0,
                connect_timeout=2.0, read_timeout=2.0, deadline=3.0, retries=1,
                backoff_base=0.01, backoff_cap=0.05, retry_after_cap=2.0)
    base.update(changes)
    return OnlineSettings(**base)


def document(text: str, path: str = "a.md") -> Document:
    doc = load(path, text.encode("utf-8"))
    assert doc.ok, doc.problems
    return doc


def apply(text: str, edits) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.content + text[edit.end:]
    return text


# -- the server ------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_HTTPServer"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.server.owner._dispatch(self)

    do_HEAD = do_POST = do_GET

    def reply(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        # No longer active once it answers: the client may start its next
        # request as soon as the answer arrives, before this thread returns.
        self.server.owner._finished(self)
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: "Server"


class Server:
    """Routes are ``path -> fn(handler)``; the log and per-Host concurrency are recorded."""

    def __init__(self, tls=None) -> None:
        self.routes: dict[str, Callable[[Handler], None]] = {}
        self.log: list[tuple[str, str, dict]] = []
        self.times: list[tuple[float, str]] = []
        self.active: Counter = Counter()
        self.max_active: Counter = Counter()
        self.total_active = 0
        self.max_total = 0
        self.lock = threading.Lock()
        self.httpd = _HTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        if tls is not None:  # an ssl.SSLContext for the server side
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.port = self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, fn: Callable[[Handler], None]) -> str:
        self.routes[path] = fn
        return self.url(path)

    def respond(self, path: str, status: int = 200, body: bytes = b"", headers: dict | None = None) -> str:
        return self.route(path, lambda h: h.reply(status, body, headers))

    def sequence(self, path: str, replies: list[tuple[int, bytes, dict]]) -> str:
        """Answer with each reply in turn; the last one repeats."""
        state = {"n": 0}

        def fn(h: Handler) -> None:
            with self.lock:
                index = min(state["n"], len(replies) - 1)
                state["n"] += 1
            h.reply(*replies[index])
        return self.route(path, fn)

    def hits(self, path: str, method: str | None = None) -> int:
        return sum(1 for m, p, _ in self.log if p == path and (method is None or m == method))

    def _dispatch(self, handler: Handler) -> None:
        host = handler.headers.get("Host", "")
        with self.lock:
            self.log.append((handler.command, handler.path, dict(handler.headers)))
            self.times.append((time.monotonic(), handler.path))
            self.active[host] += 1
            self.total_active += 1
            self.max_active[host] = max(self.max_active[host], self.active[host])
            self.max_total = max(self.max_total, self.total_active)
            handler.counted_host = host
        try:
            fn = self.routes.get(handler.path) or self.routes.get(handler.path.split("?")[0])
            if fn is None:
                handler.reply(404, b"not found")
            else:
                fn(handler)
        finally:
            self._finished(handler)

    def _finished(self, handler: Handler) -> None:
        """The request no longer counts as active (once, at its answer or its end)."""
        with self.lock:
            host = getattr(handler, "counted_host", None)
            if host is not None:
                handler.counted_host = None
                self.active[host] -= 1
                self.total_active -= 1

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- tiny valid images -------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))  # grey, filter 0
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def gif(width: int, height: int) -> bytes:
    """A GIF89a canvas with one 1x1 black pixel image in it."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return header + image + b"\x3b"


def jpeg(width: int, height: int, padding: int = 0) -> bytes:
    """A baseline JPEG header (SOI, APP0, an optional COM segment of ``padding``
    bytes before the frame, DQT, SOF0, DHT, SOS), one empty-ish scan, EOI."""
    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data
    out = b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    while padding > 0:
        size = min(padding, 65000)
        out += segment(0xFE, b"c" * size)
        padding -= size
    out += segment(0xDB, b"\x00" + bytes([1] * 64))
    out += segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += segment(0xC4, b"\x00" + bytes([0, 1] + [0] * 14) + b"\x00")
    out += segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x00" + b"\xff\xd9"
    return out


def webp(width: int, height: int) -> bytes:
    """A lossless (VP8L) WebP header: 14-bit width-1 and height-1."""
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_extended(width: int, height: int) -> bytes:
    """An extended (VP8X) WebP: 24-bit canvas width-1 and height-1."""
    payload = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


__all__ = ["ALL_CODES", "Server", "apply", "document", "fast_settings", "local_access",
           "gif", "jpeg", "png", "webp", "webp_extended"]
