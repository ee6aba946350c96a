"""contentlint.amp_cache: the Google AMP Cache URL of an AMP page.

Expected values come from the official documentation (amp.dev "AMP Cache URL
Format and Request Handling", its algorithm examples table), the test vectors
of the reference implementation that page links to (ampproject/amp-toolbox
packages/cache-url/spec/AmpUrlSpec.js), and the real records.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from contentlint.amp_cache import amp_cache_url, cache_prefix
from contentlint.document import load

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
CORPUS = REPO.parent / "shared" / "corpus"


# -- the domain prefix ---------------------------------------------------------

# amp.dev, "Basic Algorithm" examples table.
@pytest.mark.parametrize(
    "host, prefix",
    [
        ("example.com", "example-com"),
        ("foo.example.com", "foo-example-com"),
        ("foo-example.com", "foo--example-com"),
        ("xn--57hw060o.com", "xn---com-p33b41770a"),  # ⚡😊.com
        ("en-us.example.com", "0-en--us-example-com-0"),  # `--` at 3-4: wrapped
    ],
)
def test_prefix_docs_examples(host, prefix):
    assert cache_prefix(host) == prefix


# amp-toolbox cache-url test vectors (createCurlsSubdomain).
@pytest.mark.parametrize(
    "host, prefix",
    [
        ("something.com", "something-com"),
        ("SOMETHING.COM", "something-com"),
        ("hello-world.com", "hello--world-com"),
        ("hello--world.com", "hello----world-com"),
        # No dot: the readable form could not be mapped back; hashed.
        ("toplevelnohyphens", "qsgpfjzulvuaxb66z77vlhb5gu2irvcnyp6t67cz6tqo5ae6fysa"),
        ("no-dot-domain", "4lxc7wqq7b25walg4rdiil62veijrmqui5z3ept2lyfqqwpowryq"),
        # Longer than 63 characters: hashed.
        (
            "itwasadarkandstormynight.therainfellintorrents."
            "exceptatoccasionalintervalswhenitwascheckedby."
            "aviolentgustofwindwhichsweptupthestreets.com",
            "dgz4cnrxufaulnwku4ow5biptyqnenjievjht56hd7wqinbdbteq",
        ),
        # IDN: bücher.ch -> bücher-ch, punycode-encoded again.
        ("xn--bcher-kva.ch", "xn--bcher-ch-65a"),
        # All right-to-left (Egyptian Ministry of Communications): readable.
        ("xn--4gbrim.xn----rmckbbajlc6dj7bxne2c.xn--wgbh1c", "xn-------i5fvcbaopc6fkc0de0d9jybegt6cd"),
        # Mixing left-to-right and right-to-left in one label is not allowed.
        (
            "hello.xn--4gbrim.xn----rmckbbajlc6dj7bxne2c.xn--wgbh1c",
            "a6h5moukddengbsjm77rvbosevwuduec2blkjva4223o4bgafgla",
        ),
        ("en-us.example.com", "0-en--us-example-com-0"),
    ],
)
def test_prefix_reference_vectors(host, prefix):
    assert cache_prefix(host) == prefix


def test_prefix_unicode_host_same_as_punycode_host():
    # amp-toolbox vector: https://點看.com -> xn---com-k47jg78q
    assert cache_prefix("點看.com") == "xn---com-k47jg78q"
    assert cache_prefix("Bücher.ch") == cache_prefix("xn--bcher-kva.ch")


def test_hash_is_of_the_lowercase_punycode_host():
    # amp-toolbox: "Take the SHA256 of the punycode view of the domain."
    assert cache_prefix("TopLevelNoHyphens") == "qsgpfjzulvuaxb66z77vlhb5gu2irvcnyp6t67cz6tqo5ae6fysa"
    unicode_host = "bücher" * 10 + ".ch"
    ascii_host = "xn--" + ("bücher" * 10).encode("punycode").decode() + ".ch"
    assert cache_prefix(unicode_host) == cache_prefix(ascii_host) == _spec_hash(ascii_host)


def _spec_hash(host: str) -> str:
    # The documented fallback: base32 of SHA-256(host), the 4 `=` removed.
    encoded = base64.b32encode(hashlib.sha256(host.encode()).digest()).decode()
    assert encoded.endswith("====")
    return encoded[:-4].lower()


def test_prefix_length_boundary():
    # 63 characters is still a DNS label; 64 is not (RFC 2181 via amp.dev).
    host63 = "a" * 59 + ".com"  # prefix "aaa…a-com": 63 characters
    assert cache_prefix(host63) == "a" * 59 + "-com"
    host64 = "a" * 60 + ".com"
    assert cache_prefix(host64) == _spec_hash(host64)
    assert len(cache_prefix(host64)) == 52
    # Doubled hyphens count: a 63-character host can need a 64-character prefix.
    host = "a-b" + "c" * 56 + ".com"
    assert len(host) == 63
    assert cache_prefix(host) == _spec_hash(host)


# -- the cache URL ---------------------------------------------------------------

# amp-toolbox cache-url test vectors (createCacheUrl, /c/ documents).
@pytest.mark.parametrize(
    "url, cache",
    [
        ("https://www.example.com", "https://www-example-com.cdn.ampproject.org/c/s/www.example.com"),
        ("http://www.example.com", "https://www-example-com.cdn.ampproject.org/c/www.example.com"),
        (
            "https://www.example.com/index.html",
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/index.html",
        ),
        (
            "http://www.example.com/index.html",
            "https://www-example-com.cdn.ampproject.org/c/www.example.com/index.html",
        ),
        (
            "https://example.com/g?value=Hello%20World",
            "https://example-com.cdn.ampproject.org/c/s/example.com/g?value=Hello%20World",
        ),
        ("https://點看.com", "https://xn---com-k47jg78q.cdn.ampproject.org/c/s/點看.com"),
        # amp.dev URL format example (query string kept).
        (
            "https://amp.dev/documentation/examples/api/query?value=Hello%20World",
            "https://amp-dev.cdn.ampproject.org/c/s/amp.dev/documentation/examples/api/query?value=Hello%20World",
        ),
    ],
)
def test_cache_url_reference_vectors(url, cache):
    assert amp_cache_url(url) == cache


def test_cache_url_wrapped_and_hashed_prefixes():
    assert (
        amp_cache_url("https://en-us.example.com/a/amp/")
        == "https://0-en--us-example-com-0.cdn.ampproject.org/c/s/en-us.example.com/a/amp/"
    )
    assert amp_cache_url("http://toplevelnohyphens/x?amp=1") == (
        "https://qsgpfjzulvuaxb66z77vlhb5gu2irvcnyp6t67cz6tqo5ae6fysa.cdn.ampproject.org"
        "/c/toplevelnohyphens/x?amp=1"
    )


def test_cache_url_ports():
    # amp.dev: "The port is always the default port for the protocol."
    assert amp_cache_url("https://example.com:443/a") == "https://example-com.cdn.ampproject.org/c/s/example.com/a"
    assert amp_cache_url("http://example.com:80/a") == "https://example-com.cdn.ampproject.org/c/example.com/a"
    with pytest.raises(ValueError):
        amp_cache_url("https://example.com:8443/a")
    with pytest.raises(ValueError):
        amp_cache_url("http://example.com:443/a")  # not http's default


def test_cache_url_host_lowercased_path_and_query_kept():
    assert amp_cache_url("HTTPS://WWW.Example.COM/Amp/Page?Q=A&b=%2F") == (
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/Amp/Page?Q=A&b=%2F"
    )


def test_cache_url_drops_fragment_and_empty_query():
    # The spec's form is <host><path>[?query]: a fragment is never fetched.
    assert amp_cache_url("https://example.com/a?x=1#top") == "https://example-com.cdn.ampproject.org/c/s/example.com/a?x=1"
    assert amp_cache_url("https://example.com/a?") == "https://example-com.cdn.ampproject.org/c/s/example.com/a"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a", "example.com/a", "https:///a", "https://user:pw@example.com/a", "https://example.com:x/"],
)
def test_cache_url_rejects_what_the_cache_cannot_serve(url):
    with pytest.raises(ValueError):
        amp_cache_url(url)


# -- the real records -----------------------------------------------------------


def _amp_pairs(paths):
    pairs = []
    for path in paths:
        data = load(str(path), path.read_bytes()).data
        if not isinstance(data, dict):
            continue
        for entry in [data, *(data.get("related") or [])]:
            if isinstance(entry, dict) and "ampWebUrl" in entry and "cdnAmpWebUrl" in entry:
                pairs.append((entry["ampWebUrl"], entry["cdnAmpWebUrl"]))
    return pairs


def test_every_seed_pair_follows_the_format():
    pairs = _amp_pairs(sorted(p for p in SEEDS.iterdir() if p.is_file()))
    assert pairs
    assert [(a, c) for a, c in pairs if amp_cache_url(a) != c] == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_every_corpus_pair_follows_the_format():
    pairs = _amp_pairs(sorted(CORPUS.glob("*/_news/*.md")))
    # 464 article-level + 1,700 related-entry pairs. (SPEC §5 says 28,472;
    # the corpus holds 2,164 — `grep -c cdnAmpWebUrl` agrees.)
    assert len(pairs) == 2164
    assert [(a, c) for a, c in pairs if amp_cache_url(a) != c] == []
