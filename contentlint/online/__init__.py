"""Network checks (``--online``): a safe, polite, cached HTTP client and the online rules.

Importing this package opens no socket and does not import httpx; the client
is loaded with ``contentlint.online.checks`` (``run_online``), which only the
``--online`` path imports. Layout:

- settings.py  OnlineSettings and the ``[tool.contentlint.online]`` table
- guard.py     the SSRF guard: schemes, resolution, public addresses, pins
- transport.py an httpx transport that connects only to pinned addresses
- client.py    limits, retries, deadlines, redirects, capped reads
- body.py      capped raw reads and decompression
- html.py      AMP discovery in a page head
- images.py    image size from a byte prefix
- outcome.py   probe -> ok / redirected / broken / unverifiable / refused
- cache.py     SQLite cache with per-outcome TTLs
- render.py    new values in the quoting style of the old
- checks.py    run_online: documents -> violations with fixes
"""

from contentlint.online.settings import OnlineSettings

__all__ = ["OnlineSettings"]
