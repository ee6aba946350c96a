"""Benchmark of the online checks against a local server with a fixed latency.

    python benchmarks/online_bench.py [--urls 1000] [--hosts 20] [--latency 0.05]
                                      [--concurrency 64] [--per-host 4] [--interval 0]

A threaded asyncio HTTP/1.1 server on 127.0.0.1 answers every request after
``latency`` seconds and counts the requests in flight per ``Host``. The URLs
use the names host01.test ... hostNN.test, mapped to 127.0.0.1 by the
operator's ``NetworkAccess`` (as ``--resolve-override``); the guard stays on with
127.0.0.1 allowed.
The documents are real records (related entries with AMP fields, so a plain
link check: one HEAD per URL).

Expected: elapsed close to ceil(URLs / C) x latency, where C is
min(concurrency, hosts x per-host) -- and the per-host maximum observed never
above ``per-host``. Exits 1 if the limit was exceeded or a URL failed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contentlint.document import load  # noqa: E402
from contentlint.online.checks import run_online  # noqa: E402
from contentlint.online.settings import NetworkAccess, OnlineSettings  # noqa: E402


class LatencyServer:
    """HTTP/1.1 with keep-alive; every answer waits ``latency`` seconds.

    Runs in its own process, so that it does not share the client's GIL and
    the measurement is the client's. ``close()`` returns its counters.
    """

    def __init__(self, latency: float):
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(child, latency), daemon=True)
        self.process.start()
        self.port = self.pipe.recv()

    def close(self) -> dict:
        self.pipe.send("stop")
        stats = self.pipe.recv()
        self.process.join(5)
        return stats


def _serve(pipe, latency: float) -> None:
    active: Counter = Counter()
    stats = {"max_active": Counter(), "total": 0, "max_total": 0, "requests": 0, "connections": 0}

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats["connections"] += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                host = ""
                for line in head.split(b"\r\n")[1:]:
                    if line.lower().startswith(b"host:"):
                        host = line[5:].strip().decode()
                stats["requests"] += 1
                active[host] += 1
                stats["total"] += 1
                stats["max_active"][host] = max(stats["max_active"][host], active[host])
                stats["max_total"] = max(stats["max_total"], stats["total"])
                try:
                    await asyncio.sleep(latency)
                finally:
                    active[host] -= 1
                    stats["total"] -= 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/html\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(client, "127.0.0.1", 0, backlog=1024)
        pipe.send(server.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, pipe.recv)  # wait for "stop"
        server.close()

    asyncio.run(main())
    pipe.send({"max_active": dict(stats["max_active"]), "max_total": stats["max_total"],
               "requests": stats["requests"], "connections": stats["connections"]})


def documents(urls: list[str], per_doc: int = 20):
    docs = []
    for n in range(0, len(urls), per_doc):
        entries = "".join(
            f'  - title: "Entry {i}"\n    webUrl: "{u}"\n    ampWebUrl: "{u}/amp"\n'
            f'    cdnAmpWebUrl: "https://example-com.cdn.ampproject.org/c/s/example.com/{i}"\n    type: article\n'
            for i, u in enumerate(urls[n:n + per_doc], start=n))
        text = f'---\ntitle: "Doc {n}"\ntype: article\nrelated:\n{entries}---\nbody\n'
        doc = load(f"doc{n:05d}.md", text.encode())
        assert doc.ok
        docs.append(doc)
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.0, help="per-host interval (seconds)")
    args = parser.parse_args(argv)

    server = LatencyServer(args.latency)
    stats = None
    try:
        hosts = [f"host{h:02d}.test" for h in range(1, args.hosts + 1)]
        urls = [f"http://{hosts[i % len(hosts)]}:{server.port}/article/{i}" for i in range(args.urls)]
        settings = OnlineSettings(
            concurrency=args.concurrency, per_host_concurrency=args.per_host, fields=("related.*.webUrl",),
            per_host_interval=args.interval, cache_path=None, retries=0)
        access = NetworkAccess(allow_networks=("127.0.0.1/32",),
                               resolve_override=tuple((h, "127.0.0.1") for h in hosts))
        docs = documents(urls)
        summary: dict = {}
        started = time.perf_counter()
        cpu = time.process_time()
        found = run_online(docs, settings, ["CL900", "CL901", "CL902"], summary=summary, access=access)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        stats = server.close()

    effective = min(args.concurrency, args.hosts * args.per_host)
    ideal = math.ceil(args.urls / effective) * args.latency
    if args.interval:
        ideal = max(ideal, math.ceil(args.urls / args.hosts) * args.interval)
    worst = max(stats["max_active"].values(), default=0)
    ok = sum(row["ok"] for row in summary.values())
    print(f"URLs: {args.urls} over {args.hosts} hosts; latency {args.latency * 1000:.0f} ms; "
          f"concurrency {args.concurrency}, per host {args.per_host}, interval {args.interval:g}s")
    print(f"requests served:            {stats['requests']} over {stats['connections']} connections")
    print(f"ok:                         {ok}   findings: {len(found)}")
    print(f"elapsed:                    {elapsed:.2f} s   (client CPU {cpu:.2f} s)")
    print(f"ideal ceil(URLs/{effective}) x latency: {ideal:.2f} s   (ratio {elapsed / ideal:.2f})")
    print(f"max concurrent, one host:   {worst} (limit {args.per_host})")
    print(f"max concurrent, all hosts:  {stats['max_total']} (limit {args.concurrency})")
    failed = worst > args.per_host or stats["max_total"] > args.concurrency or found or ok != args.urls
    if failed:
        print("FAILED: a limit was exceeded or a URL did not check out", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
