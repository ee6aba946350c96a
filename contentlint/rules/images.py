"""CL500-CL502: declared image sizes (`width`/`height` of every `images` item:
the article's pictures, related entries' pictures, provider logos)."""

from __future__ import annotations

from typing import Iterator

from contentlint.image_size_hints import strong_size_hint
from contentlint.model import Applicability, Edit, Fix, Severity, Violation
from contentlint.registry import rule


def Fraction(numerator: int, denominator: int):  # noqa: N802 - stands in for the class
    """fractions.Fraction, imported on first use: the module (with decimal,
    ~2.5 ms) is needed only for an implausible ratio, not at every start."""
    from fractions import Fraction

    return Fraction(numerator, denominator)


def _all_images(doc) -> list[tuple[tuple, dict]]:
    """(path, item) of every mapping in an `images` list, at any depth;
    computed once for CL500-CL502."""
    if "images" not in doc.memo:
        doc.memo["images"] = [(path, value) for path, value in doc.values()
                              if value.__class__ is dict and len(path) >= 2 and path[-2] == "images"
                              and path[-1].__class__ is int]
    return doc.memo["images"]


def _int(value) -> int | None:
    # Types are the schema's business: a string or float size is not judged here.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sizes(item) -> tuple[int, int] | None:
    """(width, height) when both are positive whole numbers."""
    width, height = _int(item.get("width")), _int(item.get("height"))
    if width is None or height is None or width <= 0 or height <= 0:
        return None
    return width, height


def _is_logo(path: tuple) -> bool:
    return len(path) >= 3 and path[-3] == "provider"


@rule("CL500", "image-dimension-invalid")
def image_dimension_invalid(doc, ctx) -> Iterator[Violation]:
    """Finds an image `width` or `height` that is zero or negative.

    ## What it does
    Reports each `width` and `height` of an `images` item (article pictures,
    related entries' pictures, provider logos) that is a whole number ≤ 0, at
    the value. A missing size or one of the wrong type is the schema's
    finding (CL101/CL102), not this rule's, so each defect is reported once.

    ## Why is this bad?
    Templates use the declared size to reserve space and pick the layout; a
    0 or negative size collapses the picture or divides by zero.

    ## Example
    ```yaml
    images:
      - url: "https://example.com/picture.jpg"
        width: 0
        height: 382
    ```
    Put in the real width (`contentlint check --online`, CL503, measures it).
    """
    for path, item in _all_images(doc):
        for field in ("width", "height"):
            value = _int(item.get(field))
            if value is not None and value <= 0:
                start, end = doc.value_span(path + (field,))
                yield Violation(start, end, f"image {field} is {value}; a size must be a positive number of pixels")


@rule("CL501", "image-dimension-implausible", severity=Severity.WARNING,
      options={"max-aspect-ratio": 8.0, "max-logo-aspect-ratio": 10.0, "max-side": 10000})
def image_dimension_implausible(doc, ctx) -> Iterator[Violation]:
    """Finds declared image sizes that are unlikely to be real.

    ## What it does
    Reports an `images` item, at its `width`, when its aspect ratio (the long
    side over the short side) exceeds `max-aspect-ratio` (default 8, that is
    beyond 8:1 or 1:8), or when a side exceeds `max-side` pixels (default
    10000). Provider logos (`provider.images`) are wordmarks that are often
    wide (the AMP publisher-logo box is 600×60), so they get their own bound,
    `max-logo-aspect-ratio` (default 10).

    ```toml
    [tool.contentlint.rules.CL501]
    max-aspect-ratio = 8.0
    max-logo-aspect-ratio = 10.0
    max-side = 10000
    ```

    ## Why is this bad?
    Real article pictures are between 1:3 and 3:1 (all 7,316 in the reference
    corpus); a 1200×12 size is a typo (a dropped digit) or a tracking pixel,
    and the template will render a sliver.

    ## Example
    ```yaml
    images:
      - url: "https://example.com/picture.jpg"
        width: 1200
        height: 63
    ```
    1200:63 is 19:1; the height was probably 630.
    """
    options = ctx.options("CL501")
    max_side = options["max-side"]
    for path, item in _all_images(doc):
        sizes = _sizes(item)
        if sizes is None:
            continue
        width, height = sizes
        bound = options["max-logo-aspect-ratio" if _is_logo(path) else "max-aspect-ratio"]
        reasons = []
        long, short = max(width, height), min(width, height)
        if _ratio_beyond(long, short, bound):
            ratio = Fraction(long, short)  # exact: a side may have 400 digits
            shown = f"{float(ratio):.1f}" if ratio < 10 ** 15 else "over 10^15"  # float() would overflow
            reasons.append(f"aspect ratio {shown}:1 is beyond {bound:g}:1")
        if long > max_side:
            reasons.append(f"a side is over {max_side} pixels")
        if reasons:
            what = "logo" if _is_logo(path) else "image"
            start, end = doc.value_span(path + ("width",))
            yield Violation(start, end, f"{what} size {width}×{height} is implausible: " + "; ".join(reasons))


def _ratio_beyond(long: int, short: int, bound) -> bool:
    """Whether ``long / short > bound``, exactly. Cross-multiplied in
    integers (a finite float is a ratio of integers): a Fraction per image
    was most of this rule's time. Other bounds compare as Fractions do."""
    if bound.__class__ is int:
        return long > bound * short
    if bound.__class__ is float:
        try:
            numerator, denominator = bound.as_integer_ratio()
        except (OverflowError, ValueError):  # infinity, NaN
            return Fraction(long, short) > bound
        return long * denominator > numerator * short
    return Fraction(long, short) > bound


@rule("CL502", "image-dimension-hint-mismatch", severity=Severity.WARNING, fix=Applicability.UNSAFE)
def image_dimension_hint_mismatch(doc, ctx) -> Iterator[Violation]:
    """Finds a declared image size that contradicts the size its URL asks for.

    ## What it does
    Some image URLs fix the exact size of the image they serve: an imgix
    query with `w`, `h` and `fit=crop`, a WordPress thumbnail name ending in
    `-WxH.jpg`, a thumbor `/WxH/` segment without `fit-in`, `no_upscale()` or
    `proportion()`. When the declared `width`/`height` differ from such a
    hint, reports at `width`. URLs that only bound the size (thumbor
    `fit-in`, a single `width=`, `resize=`) are never used: the real size can
    legitimately differ from them.

    ## Why is this bad?
    The declared size reserves the space the picture is drawn in; if it is
    not the size of the picture, the page jumps or the picture is distorted.

    ## Example
    ```yaml
    images:
      - url: "https://example.com/wp-content/uploads/2020/07/picture-600x315.jpg"
        width: 600
        height: 400
    ```
    The file name says 600×315.

    ## Fix safety
    Unsafe: the declared size is replaced by the URL's, which is right for
    the services above but the record may have been measured from a
    different rendition; `--online` (CL503) measures the real image.
    """
    for path, item in _all_images(doc):
        sizes, url = _sizes(item), item.get("url")
        if sizes is None or not isinstance(url, str):
            continue
        hint = strong_size_hint(url)
        if hint is None or hint == sizes:
            continue
        edits = []
        for field, old, new in zip(("width", "height"), sizes, hint):
            span = doc.span(path + (field,))
            if old != new and span is not None:
                if doc.text[span.start:span.end] != str(old):  # `0x10`, `1_000`: leave alone
                    edits = None
                    break
                edits.append(Edit(span.start, span.end, str(new)))
        fix = Fix.of(f"Declare the URL's size {hint[0]}×{hint[1]}", Applicability.UNSAFE, *edits) if edits else None
        start, end = doc.value_span(path + ("width",))
        yield Violation(start, end, f"declared size {sizes[0]}×{sizes[1]} differs from the size "
                                    f"{hint[0]}×{hint[1]} that the image URL asks for", fix)
