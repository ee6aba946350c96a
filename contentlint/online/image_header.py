"""An image's pixel size from the first bytes of its file.

``imagesize`` reads the size from the header (JPEG SOF, PNG IHDR, GIF screen
descriptor, WebP VP8/VP8L/VP8X, AVIF/HEIF ispe, ...) and applies the EXIF
orientation, which is how browsers show the image. It is always handed an
``io.BytesIO``: given a string it would open a path, or fetch a URL itself.
"""

from __future__ import annotations

import io

import imagesize


def size_from_prefix(prefix: bytes) -> tuple[int, int] | None:
    """(width, height) when the prefix holds a readable header, else None."""
    if not prefix:
        return None
    try:
        width, height = imagesize.get(io.BytesIO(prefix))
    except Exception:  # a truncated or hostile header is "unknown", never a crash
        return None
    if not (isinstance(width, int) and isinstance(height, int)) or width <= 0 or height <= 0:
        return None
    return width, height
