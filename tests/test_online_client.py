"""The client against a real HTTP server on 127.0.0.1 (started and stopped here)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time

import httpx
import pytest

from contentlint.online.client import Fetcher, Probe
from contentlint.online.guard import DnsError
from contentlint.online.outcome import classify
from contentlint.online.transport import PinnedTransport
from tests.test_online_support import Server, fast_settings, local_access

PAGE = b'<html><head><link rel="alternate amphtml" href="https://www.example.com/a/amp"></head><body></body></html>'
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


def probe(url: str, mode: str = "head", resolver=None, resolve_override=(), **changes) -> tuple[Probe, object]:
    settings = fast_settings(**changes)

    async def main():
        async with Fetcher(settings, resolver, access=local_access(resolve_override)) as fetcher:
            return await fetcher.probe(url, mode)

    result = asyncio.run(main())
    return result, classify(result, settings)


# -- statuses and retries ----------------------------------------------------------


@pytest.mark.parametrize("status, kind", [(200, "ok"), (204, "ok"), (404, "broken"), (410, "broken"),
                                          (400, "broken"), (401, "unverifiable"), (403, "unverifiable")])
def test_final_statuses(server, status, kind):
    url = server.respond("/s", status)
    result, outcome = probe(url)
    assert outcome.kind == kind
    assert server.hits("/s") == 1 and server.log[0][0] == "HEAD"


def test_404_message_and_cacheability(server):
    _, outcome = probe(server.respond("/gone", 404))
    assert outcome.message == "answered 404 Not Found" and outcome.ttl is not None


def test_5xx_is_retried_then_broken_and_never_cached(server):
    url = server.respond("/err", 500)
    result, outcome = probe(url, retries=2)
    assert server.hits("/err") == 3 and result.final.attempts == 3
    assert outcome.kind == "broken" and outcome.ttl is None
    assert outcome.message == "answered 500 Internal Server Error after 3 attempts"


def test_a_retry_can_succeed(server):
    url = server.sequence("/flaky", [(503, b"", {}), (200, b"", {})])
    result, outcome = probe(url, retries=2)
    assert outcome.kind == "ok" and server.hits("/flaky") == 2 and result.final.attempts == 2


def test_a_connection_reset_is_retried(server):
    state = {"n": 0}

    def reset_once(h):
        state["n"] += 1
        if state["n"] == 1:
            h.close_connection = True  # hang up without answering
            return
        h.reply(200)

    url = server.route("/reset", reset_once)
    result, outcome = probe(url, retries=2)
    assert outcome.kind == "ok" and result.final.attempts == 2 and server.hits("/reset") == 2


def test_retry_after_as_an_http_date(server):
    import email.utils

    soon = email.utils.formatdate(time.time() + 1, usegmt=True)
    url = server.sequence("/date", [(503, b"", {"Retry-After": soon}), (200, b"", {})])
    _, outcome = probe(url, retries=1, backoff_base=30, backoff_cap=30)  # a backoff would blow the test's time
    assert outcome.kind == "ok" and server.hits("/date") == 2


def test_head_rejected_falls_back_to_get(server):
    url = server.route("/nohead", lambda h: h.reply(405 if h.command == "HEAD" else 200))
    _, outcome = probe(url)
    assert outcome.kind == "ok"
    assert [m for m, p, _ in server.log] == ["HEAD", "GET"]


def test_429_honours_retry_after_in_seconds(server):
    url = server.sequence("/busy", [(429, b"", {"Retry-After": "1"}), (200, b"", {})])
    result, outcome = probe(url, retries=2)
    assert outcome.kind == "ok" and server.hits("/busy") == 2
    first, second = [t for t, p in server.times if p == "/busy"]
    assert second - first >= 0.9  # it waited as asked (a lower bound: sleeps never end early)


def test_429_with_retry_after_over_the_cap_gives_up_at_once(server):
    url = server.respond("/later", 429, headers={"Retry-After": "3600"})
    result, outcome = probe(url, retries=3, retry_after_cap=5)
    assert server.hits("/later") == 1
    assert outcome.kind == "unverifiable" and outcome.ttl is None
    assert outcome.message == "answered 429 Too Many Requests; asked to retry after 3600s, over the 5s cap"


def test_429_after_all_retries_is_unverifiable(server):
    url = server.respond("/limit", 429, headers={"Retry-After": "0"})
    _, outcome = probe(url, retries=2)
    assert server.hits("/limit") == 3
    assert outcome.kind == "unverifiable" and "after 3 attempts" in outcome.message


def test_bot_wall_is_unverifiable_and_not_retried(server):
    url = server.respond("/wall", 403, headers={"cf-mitigated": "challenge", "Server": "cloudflare"})
    url2 = server.respond("/wall503", 503, headers={"cf-mitigated": "challenge"})
    _, outcome = probe(url, retries=2)
    assert outcome.kind == "unverifiable" and outcome.message == "behind a bot wall (403, cf-mitigated: challenge)"
    _, outcome = probe(url2, retries=2)
    assert outcome.kind == "unverifiable" and server.hits("/wall503") == 1


def test_connection_refused_is_broken_after_retries():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result, outcome = probe(f"http://127.0.0.1:{port}/", retries=1)
    assert result.final.error == "connection" and result.final.attempts == 2
    assert outcome.kind == "broken" and outcome.ttl is None


def test_dns_failure_is_broken():
    async def resolver(host, port):
        raise DnsError(f"host {host} does not resolve (Name or service not known)", True)

    result, outcome = probe("https://nowhere.test/a", resolver=resolver)
    assert outcome.kind == "broken" and outcome.message == "host nowhere.test does not resolve (Name or service not known)"


# -- redirects ---------------------------------------------------------------------


def redirect(server, path, status, target):
    return server.respond(path, status, headers={"Location": target})


def test_permanent_redirect_chain(server):
    redirect(server, "/a", 301, "/b")
    redirect(server, "/b", 308, server.url("/c"))
    server.respond("/c", 200)
    result, outcome = probe(server.url("/a"))
    assert [h.status for h in result.hops] == [301, 308, 200]
    assert outcome.kind == "redirected" and outcome.target == server.url("/c")
    assert outcome.message == f"permanently redirects (301) to {server.url('/c')}"


def test_a_temporary_hop_ends_the_suggested_target(server):
    redirect(server, "/a", 301, "/b")
    redirect(server, "/b", 302, "/login")
    server.respond("/login", 200)
    _, outcome = probe(server.url("/a"))
    assert outcome.target == server.url("/b")
    assert outcome.message.endswith(f"then on to {server.url('/login')}")


def test_temporary_redirects_are_fine(server):
    redirect(server, "/t", 302, "/ok")
    server.respond("/ok", 200)
    _, outcome = probe(server.url("/t"))
    assert outcome.kind == "ok"


def test_redirect_to_a_broken_page(server):
    redirect(server, "/moved", 301, "/gone")
    server.respond("/gone", 404)
    _, outcome = probe(server.url("/moved"))
    assert outcome.kind == "broken"
    assert outcome.message == f"redirects to {server.url('/gone')}, which answered 404 Not Found"


def test_redirect_loop(server):
    redirect(server, "/x", 301, "/y")
    redirect(server, "/y", 301, "/x")
    result, outcome = probe(server.url("/x"))
    assert outcome.kind == "broken"
    assert outcome.message == f"redirect loop: {server.url('/x')} -> {server.url('/y')} -> {server.url('/x')}"
    assert server.hits("/x") == 1 and server.hits("/y") == 1


def test_a_temporary_redirect_to_itself_is_a_cookie_wall_not_a_dead_link(server):
    redirect(server, "/cookie", 302, "/cookie?set=1")
    redirect(server, "/cookie?set=1", 302, "/cookie")
    _, outcome = probe(server.url("/cookie"))
    assert outcome.kind == "unverifiable" and outcome.message.endswith("(a cookie or login wall?)")


def test_too_many_redirects(server):
    for i in range(5):
        redirect(server, f"/r{i}", 301, f"/r{i + 1}")
    server.respond("/r5", 200)
    _, outcome = probe(server.url("/r0"), max_redirects=3)
    assert outcome.kind == "broken" and outcome.message == "more than 3 redirects"
    assert server.hits("/r4") == 0


@pytest.mark.parametrize("target, reason", [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
    ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is the IPv4-mapped form of a cloud metadata address"),
    ("http://127.0.0.2/", "127.0.0.2 is a loopback address"),
    ("file:///etc/passwd", "the scheme 'file' is not http or https"),
])
def test_redirects_to_forbidden_addresses_are_refused(server, target, reason):
    url = redirect(server, "/evil", 302, target)
    result, outcome = probe(url)
    assert outcome.kind == "refused"
    assert outcome.message.endswith(f"refused by the SSRF guard: {reason}")
    assert result.final.error == "refused" and len(server.log) == 1


def test_a_host_resolving_to_a_private_address_is_refused(server):
    _, outcome = probe(f"http://intranet.test:{server.port}/", resolve_override=(("intranet.test", "192.168.0.10"),))
    assert outcome.kind == "refused" and server.log == []


# -- the connection goes to the checked address ---------------------------------------


def test_connections_go_to_the_pinned_address_with_the_real_host_header(server):
    server.respond("/p", 200)
    # pinned.test exists in no DNS: only the guard's pin can get the request there.
    _, outcome = probe(server.url("/p", host="pinned.test"), resolve_override=(("pinned.test", "127.0.0.1"),))
    assert outcome.kind == "ok"
    assert server.log[0][2]["Host"] == f"pinned.test:{server.port}"
    assert server.log[0][2]["Accept-Encoding"] == "identity"
    assert server.log[0][2]["User-Agent"].startswith("contentlint/")


def test_the_transport_refuses_hosts_the_guard_did_not_check(server):
    server.respond("/p", 200)

    async def main():
        async with httpx.AsyncClient(transport=PinnedTransport({}, 2)) as client:
            await client.get(server.url("/p"))

    with pytest.raises(httpx.ConnectError, match="its address was not checked"):
        asyncio.run(main())
    assert server.log == []


# -- deadlines and caps ------------------------------------------------------------


def drip(handler, head: bytes, piece: bytes, count: int = 100, delay: float = 0.1) -> None:
    handler.close_connection = True
    try:
        handler.wfile.write(head)
        for _ in range(count):
            time.sleep(delay)
            handler.wfile.write(piece)
    except OSError:
        return  # the client hung up: that is the point


def test_slow_drip_body_is_cut_by_the_deadline(server):
    url = server.route("/drip", lambda h: drip(
        h, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><head>", b" "))
    started = time.monotonic()
    result, outcome = probe(url, "page", deadline=1.0, read_timeout=2.0)
    assert time.monotonic() - started < 5  # each byte beat the read timeout; the deadline did not wait
    assert result.final.error == "timeout" and outcome.kind == "unverifiable"
    assert outcome.message == "timed out (no complete answer within the 1s deadline)"
    assert outcome.ttl is None and server.hits("/drip") == 1  # timeouts are not retried


def test_slow_drip_headers_are_cut_by_the_deadline(server):
    url = server.route("/driphead", lambda h: drip(h, b"HTTP/1.1 200 OK\r\n", b"X-Drip: 1\r\n"))
    started = time.monotonic()
    result, outcome = probe(url, "head", deadline=1.0)
    assert time.monotonic() - started < 5
    assert outcome.kind == "unverifiable" and result.final.error == "timeout"


def test_gzip_bomb_is_decoded_only_up_to_the_cap(server):
    head = b"<html><head>" + b" " * 20_000_000 + b'<link rel="amphtml" href="/amp"></head>'
    bomb = gzip.compress(head, compresslevel=6)
    url = server.respond("/bomb", 200, bomb, {**HTML, "Content-Encoding": "gzip"})
    result, outcome = probe(url, "page", max_body_bytes=65_536)
    assert outcome.kind == "ok"
    assert result.final.capped and result.final.read == 65_536 and result.final.amp is None


def test_a_gzipped_page_sent_despite_identity_is_still_read(server):
    url = server.respond("/gz", 200, gzip.compress(PAGE), {**HTML, "Content-Encoding": "gzip"})
    result, _ = probe(url, "page")
    assert result.final.amp == "https://www.example.com/a/amp"
    assert server.log[0][2]["Accept-Encoding"] == "identity"


def test_oversized_body_is_not_read_past_the_cap(server):
    def huge(h):
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(200_000_000))
        h.end_headers()
        try:
            h.wfile.write(b"<html><head>")
            for _ in range(200_000_000 // 65_536):
                h.wfile.write(b" " * 65_536)
        except OSError:
            return

    url = server.route("/huge", huge)
    started = time.monotonic()
    result, outcome = probe(url, "page", max_body_bytes=100_000)
    assert time.monotonic() - started < 5
    assert outcome.kind == "ok" and result.final.capped and result.final.read == 100_000


def test_page_reading_stops_at_the_end_of_the_head(server):
    body = PAGE.replace(b"<body>", b"<body>" + b"x" * 500_000)
    url = server.respond("/page", 200, body, HTML)
    result, _ = probe(url, "page")
    assert result.final.amp == "https://www.example.com/a/amp"
    assert result.final.read < 100_000 and not result.final.capped


def test_non_html_pages_are_not_read(server):
    url = server.respond("/pdf", 200, b"%PDF-1.4 <link rel=amphtml href=/x>", {"Content-Type": "application/pdf"})
    result, outcome = probe(url, "page")
    assert outcome.kind == "ok" and result.final.amp is None and result.final.read == 0


# -- limits ------------------------------------------------------------------------------


def slow_ok(handler):
    time.sleep(0.1)
    handler.reply(200)


def run_many(urls, mode="head", resolve_override=(), **changes):
    settings = fast_settings(**changes)

    async def main():
        async with Fetcher(settings, access=local_access(resolve_override)) as fetcher:
            probes = await asyncio.gather(*(fetcher.probe(u, mode) for u in urls))
            return probes, fetcher.requests

    return asyncio.run(main())


def test_per_host_concurrency_is_never_exceeded(server):
    urls = [server.route(f"/c{i}", slow_ok) for i in range(12)]
    overrides = (("one.test", "127.0.0.1"),)
    urls = [u.replace("127.0.0.1", "one.test") for u in urls]
    probes, requests = run_many(urls, concurrency=10, per_host_concurrency=2, resolve_override=overrides)
    assert all(classify(p, fast_settings()).kind == "ok" for p in probes)
    assert server.max_active[f"one.test:{server.port}"] == 2
    assert requests == {"one.test": 12}


def test_global_concurrency_is_never_exceeded(server):
    hosts = [f"h{i}.test" for i in range(4)]
    for i in range(4):
        server.route(f"/g{i}", slow_ok)
    urls = [server.url(f"/g{i}", host=h) for h in hosts for i in range(4)]
    run_many(urls, concurrency=3, per_host_concurrency=4, resolve_override=tuple((h, "127.0.0.1") for h in hosts))
    assert server.max_total == 3 and len(server.log) == 16


def test_per_host_interval_spaces_request_starts(server):
    urls = [server.respond(f"/i{i}", 200) for i in range(4)]
    run_many(urls, per_host_concurrency=4, per_host_interval=0.2)
    starts = sorted(t for t, _ in server.times)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(g >= 0.12 for g in gaps), gaps  # lower bounds only (sleeps never end early)


def test_each_url_is_requested_once_per_run(server):
    url = server.respond("/once", 200)
    redirect(server, "/to-once", 301, "/once")
    probes, _ = run_many([url] * 5 + [server.url("/to-once")] * 3)
    assert server.hits("/once") == 1 and server.hits("/to-once") == 1
    assert [classify(p, fast_settings()).kind for p in probes] == ["ok"] * 5 + ["redirected"] * 3


# -- TLS: SNI and certificate checks use the host name, the socket the pinned address ---


@pytest.fixture
def tls_server(tmp_path):
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "2", "-subj", "/CN=tls.test", "-addext", "subjectAltName=DNS:tls.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=30)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    names: list = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    srv = Server(tls=context)
    srv.sni = names
    srv.ca = str(cert)
    yield srv
    srv.close()


def tls_probe(url, ssl_context=None):
    settings = fast_settings()
    access = local_access((("tls.test", "127.0.0.1"),))

    async def main():
        async with Fetcher(settings, ssl_context=ssl_context, access=access) as fetcher:
            return await fetcher.probe(url, "head")

    result = asyncio.run(main())
    return result, classify(result, settings)


def test_https_to_a_pinned_address_verifies_the_real_host_name(tls_server):
    import ssl

    tls_server.respond("/secure", 200)
    trusting = ssl.create_default_context(cafile=tls_server.ca)
    _, outcome = tls_probe(tls_server.url("/secure", host="tls.test"), trusting)
    assert outcome.kind == "ok"
    assert tls_server.sni == ["tls.test"] and tls_server.log[0][2]["Host"] == f"tls.test:{tls_server.port}"


def test_an_untrusted_certificate_is_a_tls_failure(tls_server):
    tls_server.respond("/secure", 200)
    result, outcome = tls_probe(tls_server.url("/secure", host="tls.test"))  # certifi does not know it
    assert result.final.error == "tls" and outcome.kind == "broken"
    assert outcome.message.startswith("TLS handshake failed") and tls_server.log == []
