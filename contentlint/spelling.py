"""One edit apart: the test of a typo, shared by `init` (a key seen once
beside a common one) and CL303 (`htps://` for `https://`)."""

from __future__ import annotations


def one_edit(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours (equal strings: True)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i:] == b[i + 1:]
