"""contentlint.urls: URL comparison (CL300/CL301), provider domains (CL302)
and malformed URLs (CL303)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from contentlint.document import load
from contentlint.urls import (
    BAD_HOST,
    BAD_SCHEME,
    ILLEGAL,
    INVISIBLE,
    JUNK,
    NO_HOST,
    NON_ASCII,
    WHITESPACE,
    UrlProblem,
    domain_matches,
    host_of,
    normalize_for_compare,
    url_problems,
)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


# -- normalize_for_compare (CL300) ----------------------------------------------


@pytest.mark.parametrize(
    "url, normal",
    [
        ("HTTPS://WWW.Example.COM/Path/To", "https://www.example.com/Path/To"),  # path case kept
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),  # not http's default
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/a/?q=1", "https://example.com/a?q=1"),
        ("https://example.com/a?Q=B&c=%2F", "https://example.com/a?Q=B&c=%2F"),  # query kept
        ("https://example.com/a#Top", "https://example.com/a#Top"),
        ("https://Bücher.ch/a", "https://xn--bcher-kva.ch/a"),  # RFC 3492 / IDNA example
        ("https://xn--bcher-kva.ch/a", "https://xn--bcher-kva.ch/a"),
        ("https://User@Example.com:443/", "https://User@example.com"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_normalize_for_compare(url, normal):
    assert normalize_for_compare(url) == normal


def test_normalize_makes_spec_duplicates_equal():
    variants = [
        "https://www.theverge.com/2020/7/17/21328287/face-masks",
        "HTTPS://www.TheVerge.com:443/2020/7/17/21328287/face-masks/",
        "https://WWW.THEVERGE.COM/2020/7/17/21328287/face-masks",
    ]
    assert len({normalize_for_compare(v) for v in variants}) == 1
    # ...but not different paths, queries or schemes.
    assert normalize_for_compare("https://x.com/a?p=1") != normalize_for_compare("https://x.com/a?p=2")
    assert normalize_for_compare("https://x.com/A") != normalize_for_compare("https://x.com/a")
    assert normalize_for_compare("http://x.com/a") != normalize_for_compare("https://x.com/a")


# -- host_of / domain_matches (CL302) ---------------------------------------------


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://www.Example.com:8080/a?b#c", "www.example.com"),
        ("https://user:pw@example.com/", "example.com"),
        ("https://[2001:db8::1]/a", "2001:db8::1"),
        ("https://點看.com/", "點看.com"),
        ("example.com/a", None),
        ("https:///a", None),
        ("", None),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


@pytest.mark.parametrize(
    "host, domain, expected",
    [
        ("theverge.com", "theverge.com", True),
        ("www.theverge.com", "theverge.com", True),
        ("markets.businessinsider.com", "businessinsider.com", True),
        ("WWW.TheVerge.COM", "theverge.com", True),
        ("www.theverge.com", "THEVERGE.COM", True),
        ("theverge.com", "www.theverge.com", True),  # `www.` not required of the host
        ("news.theverge.com", "www.theverge.com", True),
        ("www.theverge.com.", "theverge.com", True),  # root dot
        ("bücher.ch", "xn--bcher-kva.ch", True),  # IDN: Unicode vs punycode
        ("www.xn--bcher-kva.ch", "Bücher.ch", True),
        ("nottheverge.com", "theverge.com", False),  # a suffix, not a subdomain
        ("theverge.com", "news.theverge.com", False),  # a parent is not a match
        ("youtube.com", "microsoft.com", False),
        ("theverge.com.evil.net", "theverge.com", False),
        ("www.com", "www.com", True),  # `www.com` is the domain itself
        ("example.com", "", False),
        ("", "example.com", False),
    ],
)
def test_domain_matches(host, domain, expected):
    assert domain_matches(host, domain) is expected


# -- url_problems (CL303) -------------------------------------------------------


def test_empty_url_is_the_schemas_business():
    assert url_problems("") == []


@pytest.mark.parametrize(
    "url",
    [
        # Real URLs from the corpus and the seeds, with characters browsers accept.
        "https://media2.govtech.com/images/shutterstock_1139687675+(1).jpg",
        "https://www.nme.com/wp-content/uploads/2021/02/diablo-iv-rogue@2000x1270.jpg",
        "https://hips.hearstapps.com/hmg-prod.s3.amazonaws.com/images/diablo-4-6452645aa6a7d.jpg"
        "?crop=1.00xw:0.893xh;0,0&resize=1200:*",
        "https://s.yimg.com/uu/api/res/1.2/UU7mqKqqe_mpvpCGYasZLA--~B/aD0zNTg7dz02MzY7YXBwaWQ9eXRhY2h5b24-"
        "/https://media.zenfs.com/en/kotaku_564/072bb502c12c7ff2f8bdc10333c811eb",
        "https://cdn.vox-cdn.com/thumbor/TSB8bFoAXUnsnwCyw0czZdijB_k=/0x0:2040x1360/1400x933"
        "/filters:focal(857x517:1183x843):no_upscale()/cdn.vox-cdn.com/uploads/a.jpg",
        "https://theintercept.imgix.net/a.jpg?auto=compress%2Cformat&q=90&fit=crop&w=1440&h=720",
        "https://media.itpro.co.uk//image/upload/f_auto,t_primary-image-mobile@1/v1629795010/a%20b.jpg",
        # Characters RFC 3986 reserves but browsers accept.
        "https://example.com/search?q=a+b&tags[]=x&tags[1]=y&sel=(a,b);c=!d'e*~f",
        "https://example.com/~user/it's",
        "https://user:pw@example.com:8080/a#frag",
        "http://[2001:db8::1]:8080/a",
        "https://example.com/a?",
        "HTTPS://EXAMPLE.COM/",
    ],
)
def test_legitimate_urls_have_no_problem(url):
    assert url_problems(url) == []


def test_surrounding_whitespace_and_quotes_are_safe_to_strip():
    assert url_problems(" https://x.com/a\n") == [
        UrlProblem(JUNK, 0, 17, "URL has leading ' ' and trailing '\\n'", "https://x.com/a", True)
    ]
    assert url_problems('https://x.com/a"') == [
        UrlProblem(JUNK, 15, 16, "URL has trailing '\"'", "https://x.com/a", True)
    ]
    assert url_problems("<https://x.com/>") == [
        UrlProblem(JUNK, 0, 16, "URL has leading '<' and trailing '>'", "https://x.com/", True)
    ]
    assert url_problems("“https://x.com/a”")[0].repair == "https://x.com/a"
    # A quote pair is stripped as a pair; a lone trailing `'` is a legal path character.
    assert url_problems("'https://x.com/a'")[0].repair == "https://x.com/a"
    assert url_problems("https://x.com/a'") == []
    # Leading BOM / zero-width space: pure removal at the ends is safe.
    assert url_problems("\ufeffhttps://x.com/a") == [
        UrlProblem(JUNK, 0, 1, "URL has leading '\\ufeff'", "https://x.com/a", True)
    ]


@pytest.mark.parametrize("url, junk", [
    ('"https://e.com/?q="x""', 'https://e.com/?q="x"'), ("<https://e.com/<a>>", "https://e.com/<a>"),
    ("\u201chttps://e.com/\u201ca\u201d\u201d", "https://e.com/\u201ca\u201d"),
])
def test_a_wrapped_url_loses_only_its_wrapping(url, junk):
    # Each leading quote closes once: the inner pair stays for the percent-encoding.
    assert [(p.kind, p.repair, p.safe) for p in url_problems(url)][0] == (JUNK, junk, True)


@pytest.mark.parametrize("url, repair", [
    ('https://example.com/?q="x"', "https://example.com/?q=%22x%22"),
    ("https://example.com/\u201ca\u201d", "https://example.com/%E2%80%9Ca%E2%80%9D"),
    ("https://x.com/<a>", "https://x.com/%3Ca%3E"),
])
def test_a_quote_closing_one_inside_the_url_is_not_junk(url, repair):
    # Stripping it changed the URL (`?q="x` is another query): only the
    # unsafe percent-encoding is offered.
    assert [(p.kind, p.repair, p.safe) for p in url_problems(url)] == [
        (url_problems(url)[0].kind, repair, False)] and url_problems(url)[0].kind != JUNK


def test_only_junk_has_no_repair():
    assert url_problems("  ") == [UrlProblem(JUNK, 0, 2, "URL has leading '  '", None, True)]


def test_inner_whitespace_is_percent_encoded_unsafely():
    assert url_problems("https://x.com/a b c") == [
        UrlProblem(WHITESPACE, 15, 18, "URL contains whitespace ' ' (2 times)", "https://x.com/a%20b%20c", False)
    ]
    # No-break space: what a browser would send for it.
    assert url_problems("https://x.com/a\u00a0b")[0].repair == "https://x.com/a%C2%A0b"


def test_inner_line_breaks_and_tabs_are_removed_like_browsers_do():
    assert url_problems("https://x.com/a\u2028b") == [
        UrlProblem(WHITESPACE, 15, 16, "URL contains whitespace '\\u2028'", "https://x.com/ab", False)
    ]
    assert url_problems("https://x.com/a\nb\tc")[0].repair == "https://x.com/abc"


def test_whitespace_in_host_has_no_repair():
    assert url_problems("https://exa mple.com/a") == [
        UrlProblem(WHITESPACE, 11, 12, "URL contains whitespace ' '", None, False)
    ]


def test_invisible_characters_are_removed_unsafely():
    assert url_problems("https://x.com/a\u200bb") == [
        UrlProblem(INVISIBLE, 15, 16, "URL contains invisible character '\\u200b'", "https://x.com/ab", False)
    ]
    assert url_problems("https://x.com/a\x00b")[0].kind == INVISIBLE


def test_illegal_characters_are_percent_encoded_unsafely():
    assert url_problems("https://x.com/a|b^c") == [
        UrlProblem(ILLEGAL, 15, 18, "URL contains illegal character '^', '|' (2 times)", "https://x.com/a%7Cb%5Ec", False)
    ]
    assert url_problems('https://x.com/a"b<c>d')[0].repair == "https://x.com/a%22b%3Cc%3Ed"
    assert url_problems("https://x.com/{a}\\`b")[0].repair == "https://x.com/%7Ba%7D%5C%60b"
    # At the very end a backtick is surrounding junk (a code-span leftover).
    assert url_problems("https://x.com/a`")[0].kind == JUNK


def test_percent_must_start_an_escape():
    assert url_problems("https://x.com/50%off") == [
        UrlProblem(ILLEGAL, 16, 17, "URL contains illegal character '%'", "https://x.com/50%25off", False)
    ]
    assert url_problems("https://x.com/a%2") [0].repair == "https://x.com/a%252"
    assert url_problems("https://x.com/a%2fb%C3%A9") == []


def test_scheme_problems():
    assert url_problems("ftp://x.com/a") == [
        UrlProblem(BAD_SCHEME, 0, 4, "URL scheme 'ftp' is not http or https", None, False)
    ]
    assert url_problems("javascript:alert(1)")[0].kind == BAD_SCHEME
    assert url_problems("www.x.com/a") == [
        UrlProblem(BAD_SCHEME, 0, 11, "URL has no scheme (expected http:// or https://)", None, False)
    ]
    assert url_problems("//x.com/a")[0].kind == BAD_SCHEME


def test_host_problems():
    assert url_problems("http:/x.com") == [
        UrlProblem(NO_HOST, 0, 5, "URL has no host (expected '//' after the scheme)", None, False)
    ]
    assert url_problems("https:///a") == [UrlProblem(NO_HOST, 8, 8, "URL has an empty host", None, False)]
    assert url_problems("https://user@:80/")[0].kind == NO_HOST
    assert url_problems("https://x,y.com/") == [
        UrlProblem(BAD_HOST, 8, 15, "URL host 'x,y.com' is not a valid host name", None, False)
    ]
    assert url_problems("https://x.com:99999/") == [
        UrlProblem(BAD_HOST, 13, 19, "URL port '99999' is not a port number", None, False)
    ]
    assert url_problems("https://x.com:http/")[0].kind == BAD_HOST
    assert url_problems("https://[::1/a") == [
        UrlProblem(BAD_HOST, 8, 12, "URL host '[::1' is not a valid host name", None, False)
    ]


def test_no_repair_for_inner_problems_of_a_url_without_host():
    assert url_problems("https:\\\\x.com/a") == [
        UrlProblem(ILLEGAL, 6, 8, "URL contains illegal character '\\\\' (2 times)", None, False),
        UrlProblem(NO_HOST, 0, 6, "URL has no host (expected '//' after the scheme)", None, False),
    ]
    assert url_problems("www.x.com/a b")[0] == UrlProblem(WHITESPACE, 11, 12, "URL contains whitespace ' '", None, False)


def test_offsets_count_from_the_original_string():
    problems = url_problems("  https://x.com/a b  ")
    assert [(p.kind, p.start, p.end) for p in problems] == [(JUNK, 0, 21), (WHITESPACE, 17, 18)]
    # Each repair fixes its own problem only; the fixer loops for the rest.
    assert [p.repair for p in problems] == ["https://x.com/a b", "  https://x.com/a%20b  "]


# -- the real records -----------------------------------------------------------

_URL_KEYS = {"webUrl", "ampWebUrl", "cdnAmpWebUrl", "originalUrl", "url"}


@functools.lru_cache(maxsize=1)
def _corpus_records():
    records = []
    for path in sorted(CORPUS.glob("*/_news/*.md")):
        data = load(str(path), path.read_bytes()).data
        if isinstance(data, dict):
            records.append(data)
    return records


def _urls(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _URL_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _urls(value)
    elif isinstance(node, list):
        for item in node:
            yield from _urls(item)


@needs_corpus
def test_corpus_urls_have_no_cl303_problem():
    urls = [u for record in _corpus_records() for u in _urls(record)]
    # As many as `grep -E '^\s*(- )?(webUrl|ampWebUrl|cdnAmpWebUrl|originalUrl|url):'` finds.
    assert len(urls) == 22757
    assert urls.count("") == 277  # empty related webUrls: the schema's business
    problems = {u: [p.kind for p in url_problems(u)] for u in set(urls)}
    # The two raw non-ASCII URLs, each written as webUrl and originalUrl:
    # `pokémon` (CL303's) and mojibake (CL200's, tests/test_rules_links.py).
    assert {u: p for u, p in problems.items() if p} == {
        "https://www.msn.com/en-ae/entertainment/gaming/diablo-4-s-pokémon-style-raid-battles-are-great/ar-AA19heov":
            [NON_ASCII],
        "https://www.msn.com/en-us/entertainment/gaming/best-diablo-4-settings-â€“-how-to-stop-diablo-4-killing-gpu"
        "/ar-AA192BEE": [NON_ASCII],
    }


@needs_corpus
def test_corpus_web_urls_match_their_provider_domain():
    checked = mismatched = 0
    for record in _corpus_records():
        for entry in [record, *(record.get("related") or [])]:
            url, domain = entry.get("webUrl"), (entry.get("provider") or {}).get("domain")
            if not url or not domain:
                continue
            checked += 1
            mismatched += not domain_matches(host_of(url) or "", domain)
    assert (checked, mismatched) == (7328, 0)


def test_plain_url_fast_path_never_hides_a_problem():
    # The regex that skips the full scan must accept only URLs the scan passes.
    from contentlint import urls

    accepted = [
        "https://www.example.com/a/b-c_d.e~f?x=1&y=(2)*3;z=[4]#frag",
        "http://example.com:8080/%20ok",
        "https://a.b",
    ]
    for url in accepted:
        assert urls._plain_url().fullmatch(url), url
        assert urls._full_problems(url) == [], url
    rejected = [
        "https://example.com/a b", "https://example.com/%zz", "https://example.com/a\"", "https://exa_mple.com/",
        "ftp://example.com/", "https://example.com:99999/", "https://example.com/a>", "https://-bad.com/",
        "https://example.com/\u200b", "https://example.com/é", "https://example.com/a{b}",
    ]
    for url in rejected:
        assert not urls._plain_url().fullmatch(url), url


@needs_corpus
def test_plain_url_fast_path_agrees_on_the_corpus():
    from contentlint import urls

    from jsonschema import Draft202012Validator

    from contentlint.validation import format_checker

    uri = format_checker(Draft202012Validator)  # the checks CL103 uses
    checked = simple = 0
    for url in {u for record in _corpus_records() for u in _urls(record)}:
        if urls._plain_url().fullmatch(url):
            checked += 1
            assert urls._full_problems(url) == [], url
        if urls.is_simple_url(url):  # the first check of CL303 and of `format: uri`
            simple += 1
            assert urls._full_problems(url) == [] and uri.conforms(url, "uri"), url
    assert (checked, simple) == (4771, 4771)  # distinct plain URLs of the corpus: all simple


# -- internationalised URLs: CL303 and `format: uri` agree (docs/schema.md) ----

_SEED = REPO / "seeds" / "000_b69a69cbeae9117f.txt"
_SEED_URL = 'webUrl: "https://theintercept.com/2020/07/16/face-masks-facial-recognition-dhs-blueleaks/"'

IRIS = [  # (IRI, CL303's repair: none when the host is non-ASCII)
    ("https://de.wikipedia.org/wiki/Straße", "https://de.wikipedia.org/wiki/Stra%C3%9Fe"),
    ("https://example.com/pokémon?q=日本#ü", "https://example.com/pok%C3%A9mon?q=%E6%97%A5%E6%9C%AC#%C3%BC"),
    ("http://example.com/caf\u0065\u0301", "http://example.com/cafe%CC%81"),  # NFD: a combining accent
    ("https://例え.jp/パス", None),
    ("https://bücher.example/ä(1)", None),
]


@pytest.mark.parametrize("iri, repair", IRIS)
def test_an_iri_fails_cl303_and_format_uri_alike(iri, repair):
    from jsonschema import Draft202012Validator

    from contentlint.validation import _is_uri, format_checker
    from contentlint.urls import is_simple_url

    checker = format_checker(Draft202012Validator)
    problems = url_problems(iri)
    assert [(p.kind, p.repair, p.safe) for p in problems] == [(NON_ASCII, repair, False)]
    assert not is_simple_url(iri) and not _is_uri(iri) and not checker.conforms(iri, "uri")
    assert checker.conforms(iri, "iri")  # a schema that says `format: iri` accepts it
    if repair is not None:
        assert url_problems(repair) == [] and _is_uri(repair) and checker.conforms(repair, "uri")


@pytest.mark.parametrize("iri, repair", IRIS)
def test_a_record_with_an_iri_gets_cl303_or_cl103_and_the_fix_clears_both(write, capsys, iri, repair):
    from tests.conftest import findings, run_cli

    seed = _SEED.read_text(encoding="utf-8")
    record = write("a.md", seed.replace(_SEED_URL, f'webUrl: "{iri}"'))
    column = 10 + next(i for i, ch in enumerate(iri) if not ch.isascii())
    # One defect, one finding: CL303 names the characters; CL103 says the same alone.
    assert findings([record], capsys, "--select", "CL103,CL303") == [("CL303", 6, column)]
    assert findings([record], capsys, "--select", "CL103") == [("CL103", 6, 9)]
    run_cli(["fix", "--unsafe-fixes", "--no-cache", "--select", "CL303", str(record)], capsys)
    if repair is None:  # a non-ASCII host: no guess
        assert record.read_text(encoding="utf-8") == seed.replace(_SEED_URL, f'webUrl: "{iri}"')
    else:
        assert record.read_text(encoding="utf-8") == seed.replace(_SEED_URL, f'webUrl: "{repair}"')
        assert findings([record], capsys, "--select", "CL103,CL303") == []


def test_mojibake_in_a_url_is_cl200s_not_cl303s(write, capsys):
    from tests.conftest import findings

    seed = _SEED.read_text(encoding="utf-8")
    mojibake = 'webUrl: "https://example.com/best-settings-â€“-how-to"'
    record = write("a.md", seed.replace(_SEED_URL, mojibake))
    assert findings([record], capsys, "--select", "CL103,CL200,CL303") == [("CL103", 6, 9), ("CL200", 6, 44)]
