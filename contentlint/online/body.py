"""Reading a response body with hard caps, decompressing it ourselves.

We ask for ``Accept-Encoding: identity`` and read ``response.aiter_raw()``
(the bytes as they came off the wire). A server that compresses anyway is
decoded here with ``max_length`` on every step, so a gzip bomb costs at most
``limit`` bytes of memory, never its expanded size.
"""

from __future__ import annotations

import zlib


class CappedDecoder:
    """Feeds raw chunks, keeps at most ``limit`` decoded bytes.

    ``done`` turns True when the limit is reached (``capped``) or the
    encoding cannot be decoded (``undecodable``); the caller stops reading.
    """

    def __init__(self, content_encoding: str | None, limit: int):
        self.limit = limit
        self.data = bytearray()
        self.raw_bytes = 0
        self.capped = False
        self.undecodable = False
        self._steps: list = []
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        for coding in reversed(codings):  # the last coding applied is undone first
            if coding in ("identity",):
                continue
            if coding in ("gzip", "x-gzip"):
                self._steps.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
            elif coding == "deflate":
                self._steps.append(_Deflate())
            else:  # br, zstd, compress: we asked for identity and do not guess
                self.undecodable = True

    @property
    def done(self) -> bool:
        return self.capped or self.undecodable

    def feed(self, chunk: bytes) -> bytes:
        """Decode ``chunk``; return the newly decoded bytes (after the cap: none)."""
        if self.done:
            return b""
        chunk = chunk[:self.limit - self.raw_bytes]  # the wire bytes are capped too
        self.raw_bytes += len(chunk)
        room = self.limit - len(self.data)
        out = chunk
        try:
            for step in self._steps:
                # Never ask a step for more than we may keep; input it leaves
                # unconsumed means the cap was hit.
                out = step.decompress(out, room + 1)
                if step.unconsumed_tail:
                    self.capped = True
        except zlib.error:
            self.undecodable = True
            return b""
        if len(out) > room:
            out = out[:room]
            self.capped = True
        self.data += out
        if len(self.data) >= self.limit or self.raw_bytes >= self.limit:
            self.capped = True
        return out


class _Deflate:
    """HTTP "deflate" is zlib-wrapped by the RFC, raw deflate by some servers."""

    def __init__(self):
        self._inner = None

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            raw = not (len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0)
            self._inner = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return self._inner.decompress(data, max_length)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inner.unconsumed_tail if self._inner is not None else b""
