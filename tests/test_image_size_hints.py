"""contentlint.image_size_hints: strong size hints in image URLs (CL502).

Semantics from the services' documentation: imgix `fit=crop` fills exactly
w x h (other `fit` modes keep the aspect ratio; `dpr` multiplies the size);
thumbor's `WxH` segment is the exact output size unless `fit-in` (a bounding
box), `0` (proportional) or the `no_upscale()`/`proportion()` filters apply;
WordPress names generated thumbnails `name-WxH.ext`. URLs are real ones from
the corpus and the seeds unless marked otherwise.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest

from contentlint.document import load
from contentlint.image_size_hints import strong_size_hint

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


@pytest.mark.parametrize(
    "url, size",
    [
        # imgix: w + h + fit=crop, in any order.
        (
            "https://theintercept.imgix.net/wp-uploads/sites/1/2020/07/blue-leaks-face-mask.jpg"
            "?auto=compress%2Cformat&q=90&fit=crop&w=1440&h=720",
            (1440, 720),
        ),
        (
            "https://images.theconversation.com/files/348416/original/file-20200720-37-mvxp8d.jpg"
            "?ixlib=rb-1.1.0&q=45&auto=format&w=320&h=205&fit=crop",
            (320, 205),
        ),
        ("https://x.imgix.net/a.jpg?w=300&h=200&fit=crop&dpr=1", (300, 200)),  # made up: dpr 1 is the default
        # WordPress thumbnail suffix.
        ("https://www.pcgamesn.com/wp-content/uploads/2020/02/diablo-4-cannibals-1200x675.jpg", (1200, 675)),
        ("https://smartableai.github.io/diablo4/assets/images/organizations/blizzard.com-50x50.jpg", (50, 50)),
        ("https://cdn.geekwire.com/wp-content/uploads/2020/09/Satya-Nadella-1000x563-1-630x355.jpg", (630, 355)),
        ("https://example.com/wp-content/uploads/photo-1024x683.JPEG?ssl=1", (1024, 683)),  # made up
        # thumbor: signature (or `unsafe`) then WxH, no fit-in, no no_upscale.
        (
            "https://images.thestar.com/SNvkIuVfk53rgxKcN2NDTSiF3Tg=/1200x800/smart/filters:cb(1595006600990)"
            "/https://www.thestar.com/content/dam/thestar/recognition.jpg",
            (1200, 800),
        ),
        (
            "https://www.cnet.com/a/img/YvkCqwOtgOHPlizdIaqTaisKJEM=/1200x630/2021/07/28/"
            "8bec2349-0414-4a67-834b-16ac46a48359/gettyimages-1233534678.jpg",
            (1200, 630),
        ),
        # thumbor docs examples: unsafe and signed.
        ("http://thumbor-server/unsafe/300x200/smart/https%3A%2F%2Fgithub.com%2Fthumbor%2Fexample.jpg", (300, 200)),
        ("http://thumbor-server/K97LekICOXT9MbO3X1u8BBkrjbu5/300x200/smart/example.jpg", (300, 200)),
        # thumbor with trim and a manual crop before the size, and a flip.
        ("http://thumbor-server/unsafe/trim/10x20:110x220/-300x-200/left/top/a.jpg", (300, 200)),
    ],
)
def test_strong_hints(url, size):
    assert strong_size_hint(url) == size


@pytest.mark.parametrize(
    "url",
    [
        # imgix without fit=crop keeps the aspect ratio.
        "https://img-s-msn-com.akamaized.net/tenant/amp/entityid/BB10uUAy.img?h=630&w=1200&m=6&q=60&o=t&l=f&f=jpg",
        "https://base.imgix.net/files/base/ebm/electronicdesign/image/2019/03/a.png?auto=format&fit=max&w=1200",
        "https://img.electronicdesign.com/files/base/ebm/a.png?auto=format,compress&fit=fill&fill=blur&w=1200&h=630",
        "https://imgix.kotaku.com.au/content/uploads/a.png?ar=16%3A9&auto=format&fit=crop&q=65&w=1280",  # no h
        "https://x.imgix.net/a.jpg?w=300&h=200&fit=crop&dpr=2",  # made up: 600 x 400
        "https://x.imgix.net/a.jpg?w=0&h=200&fit=crop",
        "https://x.imgix.net/a.jpg?w=0.5&h=200&fit=crop",  # relative width
        "https://x.imgix.net/a.jpg?w=300&w=400&h=200&fit=crop",  # ambiguous
        # A lone width, resize=, crop=1 (not imgix), width+height.
        "https://venturebeat.com/wp-content/uploads/2021/02/diablo-4.jpg?w=1200&strip=all",
        "https://assets-prd.ignimgs.com/2021/06/30/diablo-4-art-1625059950283.jpg?width=1280",
        "https://dotesports.com/wp-content/uploads/2023/02/28181511/diablo-4-1.png?resize=768,403",
        "https://www.thesun.co.uk/wp-content/uploads/2023/02/Diablo-4.png?strip=all&quality=100&w=1920&h=1080&crop=1",
        "https://sportshub.cbsistatic.com/i/2021/10/07/a/b.jpg?width=568&height=320",
        # The suffix names the original when a query asks for another size.
        "https://cdn.realsport101.com/images/ncavvykf/epicstream/"
        "15690053c084327a8983e1dd5713db5619e4c648-650x400.jpg?rect=0,17,650,366&w=686&h=386&auto=format",
        "https://i2.wp.com/example.com/wp-content/uploads/photo-1024x683.jpg?resize=620%2C497",
        # Suffix lookalikes: not the file name's end, 0, upper-case X, no image extension.
        "https://example.com/1024x683/photo.jpg",
        "https://example.com/photo-0x0.jpg",
        "https://example.com/photo-1024X683.jpg",
        "https://example.com/video-1920x1080.mp4",
        # thumbor fit-in (a bounding box), no_upscale, proportional side.
        "https://thumbor.forbes.com/thumbor/fit-in/1200x0/filters%3Aformat%28jpg%29/"
        "https%3A%2F%2Fspecials-images.forbesimg.com%2Fimageserve%2F5f74853f9293a9c354ae8569%2F0x0.jpg",
        "http://thumbor-server/unsafe/fit-in/300x200/a.jpg",
        "http://thumbor-server/unsafe/full-fit-in/300x200/a.jpg",
        "https://cdn.vox-cdn.com/thumbor/ByIRpBQfgpncCW9EslIwz_IbxM0=/0x0:1520x540/1400x933/"
        "filters:focal(639x149:881x391):no_upscale()/cdn.vox-cdn.com/uploads/a.jpg",
        "http://thumbor-server/unsafe/300x200/filters%3Ano_upscale%28%29/a.jpg",
        "http://thumbor-server/unsafe/300x200/filters:proportion(0.5)/a.jpg",
        "http://thumbor-server/unsafe/300x0/a.jpg",
        "http://thumbor-server/unsafe/x200/a.jpg",
        "http://thumbor-server/unsafe/0x0/a.jpg",
        # Size folders of other services are bounding boxes, not sizes.
        "https://d1abomko0vm8t1.cloudfront.net/article/images/800x800/dimg/dreamstime_s_217034788.jpg",
        "https://cdn.pocket-lint.com/r/s/1200x630/assets/images/149976-image1-ezipok3a0x.jpg",
        "https://asset.vg247.com/diablo-4-new.jpg/BROK/thumbnail/1200x630/diablo-4-new.jpg",
        # Not a URL one can read a size from.
        "",
        "https://[broken/a-100x100.jpg",
    ],
)
def test_weak_or_no_hints(url):
    assert strong_size_hint(url) is None


def test_a_suffix_names_the_source_of_a_resizing_service():
    # made up: the served size is the service's, not the source file's
    assert strong_size_hint("http://t/unsafe/300x200/https://example.com/a-1024x683.jpg") == (300, 200)
    assert strong_size_hint("http://t/unsafe/fit-in/300x200/https://example.com/a-1024x683.jpg") is None
    assert strong_size_hint("https://cdn.example.com/resize/300x200/uploads/a-1024x683.jpg") is None
    assert strong_size_hint("https://res.cloudinary.com/x/image/upload/w_300,h_200,c_fill/a-1024x683.jpg") is None
    assert strong_size_hint("https://proxy.example.com/https%3A%2F%2Fexample.com%2Fa-1024x683.jpg") is None


def test_disagreeing_strong_hints_are_no_hint():
    # made up: two services' sizes on one URL
    assert strong_size_hint("http://t/unsafe/300x200/a.jpg?w=100&h=100&fit=crop") is None
    assert strong_size_hint("http://t/unsafe/300x200/a.jpg?w=300&h=200&fit=crop") == (300, 200)


# -- the real records -----------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _corpus_images():
    """(where, url, declared (width, height)) of every image entry."""
    images = []
    for path in sorted(CORPUS.glob("*/_news/*.md")):
        data = load(str(path), path.read_bytes()).data
        if not isinstance(data, dict):
            continue
        groups = [("images", data.get("images")), ("provider", (data.get("provider") or {}).get("images"))]
        groups += [("related", r.get("images")) for r in data.get("related") or []]
        for where, group in groups:
            for image in group or []:
                images.append((where, image["url"], (image["width"], image["height"])))
    return images


@needs_corpus
def test_corpus_survey():
    images = _corpus_images()
    assert len(images) == 8347  # = grep -cE "^\s*-?\s*url:"
    hinted = [(where, url, size, strong_size_hint(url)) for where, url, size in images]
    hinted = [h for h in hinted if h[3] is not None]
    # 1,197 WordPress suffixes without a query + 12 signed thumbor sizes (as
    # many as grep finds for each pattern); no imgix fit=crop in the corpus.
    assert len(hinted) == 1209
    assert Counter(where for where, *_ in hinted) == {"provider": 1031, "related": 128, "images": 50}
    assert len({url for _, url, _, _ in hinted}) == 78
    # Every strong hint in the real records agrees with the declared size.
    assert [(url, size, hint) for _, url, size, hint in hinted if size != hint] == []
