"""CL500 image-dimension-invalid, CL501 image-dimension-implausible,
CL502 image-dimension-hint-mismatch."""

from __future__ import annotations

import pytest

from tests.conftest import SEEDS, findings
from tests.test_rules_related import apply, crlf, fix_command, lint, summary


def images(url: str, width, height, logo: str = "") -> str:
    return ("---\ntitle: \"T\"\n"
            "provider:\n  name: P\n  domain: p.example\n"
            + (f"  images:\n    - url: \"{logo}\"\n      width: 600\n      height: 60\n" if logo else "")
            + f"images:\n  - url: \"{url}\"\n    width: {width}\n    height: {height}\n    isCached: true\n---\n")


PIC = "https://i.example/p.jpg"


# -- CL500 -------------------------------------------------------------------------------

def test_zero_and_negative_sizes_reported_once_each_at_the_value():
    doc, diagnostics = lint(images(PIC, 0, -5), "CL500", "CL501", "CL502")
    assert summary(diagnostics) == [("CL500", 8, 12, 8, 13), ("CL500", 9, 13, 9, 15)]
    assert [d.message for d in diagnostics] == [
        "image width is 0; a size must be a positive number of pixels",
        "image height is -5; a size must be a positive number of pixels"]


@pytest.mark.parametrize("width, height", [(1, 1), ("\"0\"", 10), (0.0, 10), ("null", 10), ("false", 3)])
def test_positive_and_mistyped_sizes_are_not_cl500(width, height):
    assert lint(images(PIC, width, height), "CL500")[1] == []


def test_logo_sizes_are_checked_too():
    text = images(PIC, 10, 10, logo="https://p.example/logo.png").replace("height: 60", "height: 0")
    assert summary(lint(text, "CL500")[1]) == [("CL500", 9, 15, 9, 16)]


# -- CL501 -------------------------------------------------------------------------------

def test_extreme_aspect_ratio_reported_at_width():
    doc, diagnostics = lint(images(PIC, 1200, 63), "CL501")
    assert summary(diagnostics) == [("CL501", 8, 12, 8, 16)]
    assert diagnostics[0].message == "image size 1200×63 is implausible: aspect ratio 19.0:1 is beyond 8:1"


@pytest.mark.parametrize("width, height", [(800, 100), (100, 800), (1280, 720), (50, 50), (10000, 2000)])
def test_plausible_sizes_pass(width, height):
    assert lint(images(PIC, width, height), "CL501")[1] == []


def test_wide_logo_has_its_own_bound():
    logo = "https://p.example/logo.png"
    assert lint(images(PIC, 10, 10, logo=logo), "CL501")[1] == []  # 600x60 is the AMP logo box
    doc, diagnostics = lint(images(PIC, 10, 10, logo=logo).replace("width: 600", "width: 700"), "CL501")
    assert summary(diagnostics) == [("CL501", 8, 14, 8, 17)]
    assert diagnostics[0].message == "logo size 700×60 is implausible: aspect ratio 11.7:1 is beyond 10:1"


def test_bounds_are_options():
    text = images(PIC, 12000, 1000)
    assert [d.message for d in lint(text, "CL501")[1]] == [
        "image size 12000×1000 is implausible: aspect ratio 12.0:1 is beyond 8:1; a side is over 10000 pixels"]
    relaxed = {"CL501": {"max-aspect-ratio": 20, "max-side": 20000}}
    assert lint(text, "CL501", options=relaxed)[1] == []


# -- CL502 -------------------------------------------------------------------------------

IMGIX = "https://x.imgix.net/a.jpg?auto=compress&fit=crop&w=1440&h=720"
WP = "https://example.com/wp-content/uploads/2020/07/picture-600x315.jpg"
THUMBOR = "https://images.example.com/SNvkIuVfk53rgxKcN2NDTSiF3Tg=/1200x800/smart/https://e.com/r.jpg"


@pytest.mark.parametrize("convert", [str, crlf])
@pytest.mark.parametrize("url, declared, hint", [
    (IMGIX, (1440, 960), (1440, 720)),
    (WP, (640, 400), (600, 315)),
    (THUMBOR, (1200, 900), (1200, 800)),
])
def test_strong_hint_mismatch_fix_takes_the_hint(convert, url, declared, hint):
    doc, diagnostics = lint(convert(images(url, *declared)), "CL502")
    width_len = len(str(declared[0]))
    assert summary(diagnostics) == [("CL502", 8, 12, 8, 12 + width_len)]
    assert diagnostics[0].message == (f"declared size {declared[0]}×{declared[1]} differs from the size "
                                      f"{hint[0]}×{hint[1]} that the image URL asks for")
    assert diagnostics[0].fix.applicability.label == "unsafe"
    assert apply(doc.text, diagnostics[0].fix.edits) == convert(images(url, *hint))


@pytest.mark.parametrize("url, declared", [(IMGIX, (1440, 720)), (WP, (600, 315)), (THUMBOR, (1200, 800))])
def test_matching_strong_hints_are_not_flagged(url, declared):
    assert lint(images(url, *declared), "CL502")[1] == []


@pytest.mark.parametrize("url", [
    "https://x.imgix.net/a.jpg?fit=max&w=1440&h=720",                           # not a crop
    "https://cdn.vox-cdn.com/thumbor/TSB8bFoAXUnsnwCyw0czZdijB_k=/0x0:2040x1360/1400x933/"
    "filters:focal(857x517:1183x843):no_upscale()/cdn.vox-cdn.com/u/a.jpg",     # no_upscale: a bound
    "https://images.example.com/unsafe/fit-in/1200x800/https://e.com/r.jpg",    # fit-in: a bound
    "https://www.gannett-cdn.com/p.jpg?auto=webp&format=pjpg&width=1200",       # one side only
    "https://example.com/picture-600x315.jpg?resize=300,200",                   # another rendition
])
def test_weak_hints_are_never_used(url):
    # 1000x1000 contradicts every size in these URLs.
    assert lint(images(url, 1000, 1000), "CL502")[1] == []


def test_only_the_differing_side_is_rewritten():
    doc, diagnostics = lint(images(IMGIX, 1440, 721), "CL502")
    assert [(e.content,) for e in diagnostics[0].fix.edits] == [("720",)]
    assert apply(doc.text, diagnostics[0].fix.edits) == images(IMGIX, 1440, 720)


@pytest.mark.parametrize("convert", [str, crlf])
def test_fix_command_takes_the_hint_only_when_unsafe_fixes_are_on(tmp_path, capsys, convert):
    from contentlint.cli import main

    text = convert(images(WP, 640, 400))
    path = tmp_path / "safe.md"
    path.write_bytes(text.encode())
    main(["fix", "--no-cache", "--select", "CL502", str(path)])
    assert path.read_bytes() == text.encode()  # unsafe: not applied by default
    capsys.readouterr()
    assert fix_command(tmp_path, capsys, text, "CL502") == convert(images(WP, 600, 315))


def test_seeds_have_no_image_finding(capsys):
    assert findings([SEEDS], capsys, "--select", "CL500,CL501,CL502") == []


def test_the_aspect_bound_is_compared_exactly_without_a_fraction_per_image(monkeypatch):
    """Integer cross-multiplication gives Fraction's answer for every kind of
    bound (at, just past, huge sides, infinity, NaN), and a plausible image
    builds no Fraction at all (it was most of CL501's time)."""
    from fractions import Fraction

    from contentlint.rules import images as rule

    sides = [(8, 1), (9, 1), (1201, 150), (1200, 150), (10 ** 400 + 1, 10 ** 399), (3, 1), (10, 1), (7, 2)]
    bounds = [8, 8.0, 8.005, 3.5, 10, 1e308, 0.1, float("inf"), float("-inf"), float("nan"), True, Fraction(7, 2)]
    for long, short in sides:
        for bound in bounds:
            assert rule._ratio_beyond(long, short, bound) is (Fraction(long, short) > bound), (long, short, bound)
    built = []
    monkeypatch.setattr(rule, "Fraction", lambda *a: built.append(a) or Fraction(*a))
    assert lint(images(PIC, 1200, 630), "CL501")[1] == []
    assert built == []
    assert [d.message for d in lint(images(PIC, 1200, 63), "CL501")[1]] == [
        "image size 1200×63 is implausible: aspect ratio 19.0:1 is beyond 8:1"]
    assert built == [(1200, 63)]  # only to word the finding
