"""run_online over real documents against a real server on 127.0.0.1: findings,
spans, fixes (applied and re-parsed), the summary, progress and the cache."""

from __future__ import annotations

import sqlite3
import time

import pytest

from contentlint.cache import sign
from contentlint.document import load
from contentlint.model import Applicability
from contentlint.online.cache import OnlineCache
from contentlint.online.checks import run_online
from contentlint.online.client import Probe
from tests.test_online_support import (ALL_CODES, Server, apply, document, fast_settings, gif, jpeg,
                                       local_access, png, webp)

AMP = "https://www.example.com/a/amp"
CDN_AMP = "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/amp"
HEAD = f'<html><head><title>t</title><link href="{AMP}" rel="alternate amphtml"></head><body>'.encode()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


def run(docs, codes=ALL_CODES, summary=None, progress=None, **changes):
    return run_online(docs, fast_settings(**changes), codes, progress=progress, summary=summary,
                      access=local_access())


def by_code(found):
    return {(code, doc_path, v.message): v for doc_path, code, v in found}


def value_at(doc, v):
    return doc.text[v.start:v.end]


def has_amp_module() -> bool:
    try:
        import contentlint.amp_cache  # noqa: F401
    except ImportError:
        return False
    return True


# -- links ------------------------------------------------------------------------


def test_link_findings_with_spans_and_fixes_in_each_quoting_style(server):
    server.respond("/ok", 200)
    server.respond("/gone", 404)
    server.respond("/wall", 403, headers={"cf-mitigated": "challenge"})
    server.respond("/new", 200)
    for path in ("/old-double", "/old-single", "/old-plain"):
        server.respond(path, 301, headers={"Location": "/new"})
    u = server.url
    text = (f'---\nwebUrl: "{u("/ok")}"\noriginalUrl: "{u("/gone")}"\nrelated:\n'
            f'  - webUrl: "{u("/old-double")}#part"\n    ampWebUrl: x\n    cdnAmpWebUrl: y\n'
            f"  - webUrl: '{u('/old-single')}'\n    ampWebUrl: x\n    cdnAmpWebUrl: y\n"
            f"  - webUrl: {u('/old-plain')}\n    ampWebUrl: x\n    cdnAmpWebUrl: y\n"
            f"  - webUrl: {u('/wall')}\n    ampWebUrl: x\n    cdnAmpWebUrl: y\n---\nbody\n")
    doc = document(text)
    found = run([doc])
    codes = [(code, value_at(doc, v)) for _, code, v in found]
    assert codes == [
        ("CL900", f'"{u("/gone")}"'),
        ("CL901", f'"{u("/old-double")}#part"'),
        ("CL901", f"'{u('/old-single')}'"),
        ("CL901", u("/old-plain")),
        ("CL902", u("/wall")),
    ]
    assert found[0][2].message == "broken link: answered 404 Not Found" and found[0][2].fix is None
    assert found[4][2].message == "link could not be verified: behind a bot wall (403, cf-mitigated: challenge)"
    fixes = [v.fix for _, code, v in found if code == "CL901"]
    assert all(f.applicability == Applicability.UNSAFE for f in fixes)
    fixed = apply(doc.text, [e for f in fixes for e in f.edits])
    assert f'webUrl: "{u("/new")}#part"\n' in fixed  # the fragment survives
    assert f"webUrl: '{u('/new')}'\n" in fixed and f"webUrl: {u('/new')}\n" in fixed
    assert load("a.md", fixed.encode()).ok
    # HEAD is enough for plain link checks; only the article's webUrl (no AMP
    # fields) is read for AMP discovery.
    assert sorted(p for m, p, _ in server.log if m == "GET") == ["/ok"]


def test_unfetchable_values_are_left_to_the_offline_rules(server):
    text = ('---\nwebUrl: " https://e.test/a"\noriginalUrl: "ftp://e.test/file"\n'
            'ampWebUrl: "not a url"\nimages:\n  - url: "http://"\n    width: 1\n    height: 1\n---\n')
    assert run([document(text)]) == []
    assert server.log == []


def test_fields_and_exclude_choose_what_is_requested(server):
    server.respond("/a", 404)
    server.respond("/b", 404)
    server.respond("/c", 404)
    text = (f'---\nwebUrl: "{server.url("/a")}"\noriginalUrl: "{server.url("/b")}"\n'
            f'related:\n  - webUrl: "{server.url("/c")}"\n---\n')
    found = run([document(text)], codes=["CL900"], fields=("webUrl", "related.*.webUrl"), exclude=(r"/c$",))
    assert [(code, v.message) for _, code, v in found] == [("CL900", "broken link: answered 404 Not Found")]
    assert [p for _, p, _ in server.log] == ["/a"]


def test_the_same_url_in_many_documents_is_requested_once(server):
    url = server.respond("/shared", 404)
    docs = [document(f'---\nwebUrl: "{url}"\n---\n', path=f"{i}.md") for i in range(4)]
    found = run(docs, codes=["CL900"])
    assert [p for p, _, _ in found] == ["0.md", "1.md", "2.md", "3.md"]
    assert server.hits("/shared") == 1


def test_documents_that_did_not_parse_are_skipped(server):
    bad = load("bad.md", b"---\n[unclosed\n---\n")
    assert not bad.ok
    assert run([bad]) == []


def test_summary_and_progress(server):
    server.respond("/ok", 200)
    server.respond("/gone", 410)
    server.respond("/err", 503)
    server.respond("/evil", 301, headers={"Location": "http://169.254.169.254/"})
    urls = [server.url(p) for p in ("/ok", "/gone", "/err", "/evil")]
    text = "---\nrelated:\n" + "".join(f'  - webUrl: "{u}"\n    ampWebUrl: x\n    cdnAmpWebUrl: y\n' for u in urls) + "---\n"
    summary: dict = {}
    calls = []
    run([document(text)], summary=summary, progress=lambda done, total: calls.append((done, total)), retries=1)
    assert summary == {"127.0.0.1": {"requests": 5, "ok": 1, "broken": 2, "redirected": 0,
                                     "unverifiable": 0, "refused": 1, "cached": 0}}
    assert calls[0] == (0, 4) and calls[-1] == (4, 4) and len(calls) == 5


# -- CL402 ----------------------------------------------------------------------------


def test_amp_discovery_inserts_both_fields_after_webUrl(server):
    page = server.respond("/story", 200, HEAD, {"Content-Type": "text/html"})
    text = (f'---\ntitle: t\nwebUrl: "{page}"\ntype: article\nrelated:\n'
            f"  - webUrl: '{page}'   # a comment\n    type: article\n"
            f"  - title: x\n    webUrl: {page}\n    ampWebUrl: {AMP}\n    cdnAmpWebUrl: {CDN_AMP}\n---\nbody\n")
    doc = document(text)
    found = run([doc], codes=["CL402"])
    assert [(code, value_at(doc, v)) for _, code, v in found] == [("CL402", f'"{page}"'), ("CL402", f"'{page}'")]
    assert found[0][2].message == (f"the page declares an AMP version ({AMP}) but the entry "
                                   "records no ampWebUrl/cdnAmpWebUrl")
    if not has_amp_module():
        pytest.skip("contentlint.amp_cache (amp_cache_url) is not there yet")
    assert all(v.fix.applicability == Applicability.SAFE for _, _, v in found)
    fixed = apply(doc.text, [e for _, _, v in found for e in v.fix.edits])
    assert fixed == text.replace(
        f'webUrl: "{page}"\n', f'webUrl: "{page}"\nampWebUrl: "{AMP}"\ncdnAmpWebUrl: "{CDN_AMP}"\n').replace(
        f"  - webUrl: '{page}'   # a comment\n",
        f"  - webUrl: '{page}'   # a comment\n    ampWebUrl: '{AMP}'\n    cdnAmpWebUrl: '{CDN_AMP}'\n")
    data = load("a.md", fixed.encode()).data
    assert data["cdnAmpWebUrl"] == CDN_AMP and data["related"][0]["ampWebUrl"] == AMP
    assert server.hits("/story") == 1  # three entries, one GET


def test_amp_fix_keeps_crlf_line_endings(server):
    page = server.respond("/crlf", 200, HEAD, {"Content-Type": "text/html"})
    text = f"---\r\nrelated:\r\n  - title: x\r\n    webUrl: {page}\r\n    type: article\r\n---\r\n"
    doc = document(text)
    [(_, code, v)] = run([doc], codes=["CL402"])
    if not has_amp_module():
        pytest.skip("contentlint.amp_cache (amp_cache_url) is not there yet")
    fixed = apply(doc.text, v.fix.edits)
    assert fixed == text.replace(f"{page}\r\n", f"{page}\r\n    ampWebUrl: {AMP}\r\n    cdnAmpWebUrl: {CDN_AMP}\r\n")


def test_amp_in_a_flow_mapping_is_reported_without_a_fix(server):
    page = server.respond("/flow", 200, HEAD, {"Content-Type": "text/html"})
    doc = document(f'---\nrelated:\n  - {{webUrl: "{page}", type: article}}\n---\n')
    [(_, code, v)] = run([doc], codes=["CL402"])
    assert code == "CL402" and v.fix is None


def test_no_amp_link_no_finding(server):
    page = server.respond("/plain", 200, b"<html><head><link rel=canonical href=/x></head>", {"Content-Type": "text/html"})
    assert run([document(f'---\nwebUrl: "{page}"\n---\n')], codes=["CL402"]) == []
    assert server.log[0][0] == "GET"


# -- CL503 ----------------------------------------------------------------------------


def ranged(body: bytes):
    """A handler that honours `Range: bytes=0-N` with 206, as most CDNs do."""
    def fn(h):
        header = h.headers.get("Range", "")
        if header.startswith("bytes=0-"):
            end = min(int(header[len("bytes=0-"):]), len(body) - 1)
            h.reply(206, body[:end + 1], {"Content-Type": "image/x", "Content-Range": f"bytes 0-{end}/{len(body)}"})
        else:
            h.reply(200, body, {"Content-Type": "image/x"})
    return fn


IMAGES = [("jpg", jpeg(1200, 800, padding=20_000) + b"\0" * 300_000), ("png", png(1200, 800)),
          ("webp", webp(1200, 800)), ("gif", gif(1200, 800))]


@pytest.mark.parametrize("kind, body", IMAGES)
def test_image_sizes_from_a_ranged_prefix(server, kind, body):
    url = server.route(f"/img.{kind}", ranged(body))
    text = f'---\nimages:\n  - url: "{url}"\n    width: 1440\n    height: 720\n    isCached: true\n---\n'
    doc = document(text)
    [(_, code, v)] = run([doc], codes=["CL503"])
    assert code == "CL503" and value_at(doc, v) == "1440"
    assert v.message == "the image is 1200\u00d7800 pixels but the record says 1440\u00d7720"
    assert v.fix.applicability == Applicability.UNSAFE
    assert apply(text, v.fix.edits) == text.replace("1440", "1200").replace("720", "800")
    assert server.log[0][0] == "GET" and server.log[0][2]["Range"] == "bytes=0-65535"


def test_a_server_ignoring_range_is_cut_after_the_prefix(server):
    big = png(640, 360) + b"\0" * 5_000_000
    url = server.respond("/big.png", 200, big, {"Content-Type": "image/png"})
    text = f"---\nimages:\n  - url: {url}\n    width: 640\n    height: 360\n---\n"
    started = time.monotonic()
    assert run([document(text)], codes=["CL503"], max_image_prefix_bytes=4096) == []  # sizes match
    assert time.monotonic() - started < 10


def test_image_sizes_only_requests_images_when_only_cl503_is_on(server):
    url = server.route("/i.png", ranged(png(10, 20)))
    page = server.respond("/page", 404)
    text = f'---\nwebUrl: "{page}"\nimages:\n  - url: "{url}"\n    width: 10\n    height: 20\n---\n'
    assert run([document(text)], codes=["CL503"]) == []
    assert [p for _, p, _ in server.log] == ["/i.png"]


# -- cache ----------------------------------------------------------------------------------


def test_cache_hit_miss_transient_refresh_and_ttl(server, tmp_path):
    server.respond("/ok", 200)
    server.respond("/gone", 404)
    server.respond("/err", 500)
    text = "---\nrelated:\n" + "".join(
        f'  - webUrl: "{server.url(p)}"\n    ampWebUrl: x\n    cdnAmpWebUrl: y\n' for p in ("/ok", "/gone", "/err")) + "---\n"
    doc = document(text)
    cache = str(tmp_path / "c" / "online.sqlite3")

    def once(**changes):
        before = len(server.log)
        summary: dict = {}
        found = run([doc], codes=["CL900"], summary=summary, cache_path=cache, retries=0, **changes)
        return [v.message for _, _, v in found], sorted(p for _, p, _ in server.log[before:]), summary["127.0.0.1"]["cached"]

    first = once()
    assert first == (["broken link: answered 404 Not Found", "broken link: answered 500 Internal Server Error"],
                     ["/err", "/gone", "/ok"], 0)
    # A hit for 200 and 404; the 500 (transient) was never stored.
    assert once() == (first[0], ["/err"], 2)
    # refresh ignores the cache (and stores the fresh answers)
    assert once(refresh=True) == (first[0], ["/err", "/gone", "/ok"], 0)
    # TTLs per outcome: a short ok TTL expires, the broken one holds
    once(refresh=True, ttl_ok=0.2)
    time.sleep(0.3)
    assert once() == (first[0], ["/err", "/ok"], 1)


def test_cache_entries_expire_by_their_own_ttl(tmp_path):
    now = [1000.0]
    cache = OnlineCache(str(tmp_path / "x.sqlite3"), b"k" * 32, clock=lambda: now[0])
    probe = Probe("https://e.test/a", "head", []).to_json() | {"hops": [{"url": "https://e.test/a", "status": 200}]}
    cache.put_many([("https://e.test/a", "head", probe, 60.0), ("https://e.test/b", "head", probe, 10.0),
                    ("https://e.test/c", "head", probe, 0)])
    keys = [("https://e.test/a", "head"), ("https://e.test/b", "head"), ("https://e.test/c", "head"),
            ("https://e.test/a", "page")]
    assert set(cache.get_many(keys)) == {keys[0], keys[1]}
    now[0] += 30
    assert set(cache.get_many(keys)) == {keys[0]}
    assert Probe.from_json(cache.get_many(keys)[keys[0]]).final.status == 200
    now[0] += 31
    assert cache.get_many(keys) == {}
    cache.close()


def test_a_forged_link_ok_row_does_not_hide_a_broken_link(server, tmp_path):
    server.respond("/gone", 404)
    doc = document(f'---\nwebUrl: "{server.url("/gone")}"\n---\n')
    cache = tmp_path / "online.sqlite3"
    first = [v.message for _, _, v in run([doc], codes=["CL900"], cache_path=str(cache), retries=0)]
    assert first == ["broken link: answered 404 Not Found"] and len(server.log) == 1
    # Rewrite the stored probe to "200 OK", signed with a key that is not this machine's.
    db = sqlite3.connect(cache)
    url, mode, payload, stored, expires = db.execute(
        "SELECT url, mode, payload, stored, expires FROM online_probe").fetchone()
    forged = payload.replace('"status":404', '"status":200')
    assert forged != payload
    db.execute("UPDATE online_probe SET payload = ?, mac = ?",
               (forged, sign(b"\1" * 32, "online_probe", url, mode, forged, stored, expires)))
    db.commit()
    db.close()
    again = [v.message for _, _, v in run([doc], codes=["CL900"], cache_path=str(cache), retries=0)]
    assert again == first and len(server.log) == 2  # asked again, not answered by the forgery


def test_nothing_to_check_touches_nothing(tmp_path):
    cache = tmp_path / "online.sqlite3"
    assert run([], cache_path=str(cache)) == []
    assert run([document("---\ntitle: no URLs\n---\n")], cache_path=str(cache)) == []
    assert not cache.exists()


def test_an_unusable_cache_is_skipped(server, tmp_path):
    server.respond("/gone", 404)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    doc = document(f'---\nwebUrl: "{server.url("/gone")}"\n---\n')
    assert len(run([doc], codes=["CL900"], cache_path=str(blocker / "online.sqlite3"))) == 1
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    assert len(run([doc], codes=["CL900"], cache_path=str(garbage))) == 1
