"""Regular expressions from the checkout, matched by RE2 in linear time.

Python's backtracking engine takes hours on a pattern such as `(a+)+$`
against forty `a`s and a `!`, and a config file or a schema in the
checkout may hold one. RE2 (google-re2) answers in linear time; it has no
lookaround and no backreferences, as Rust's regex (lychee's) has none.
pathspec uses it too, for the gitignore and kind globs (gitignore.spec).
"""

from __future__ import annotations


class Linear:
    """A pattern compiled by RE2, searched in any text (``matchable``)."""

    __slots__ = ("_compiled",)

    def __init__(self, compiled):
        self._compiled = compiled

    def search(self, text: str):
        return self._compiled.search(matchable(text))


def compile_linear(pattern: str) -> Linear:
    """``pattern`` compiled by RE2; ValueError with RE2's reason when RE2 does
    not take it (then it is not written to stderr, as RE2 logs by default)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return Linear(re2.compile(pattern, options))
    except re2.error as exc:
        reason = exc.args[0] if exc.args else str(exc)
        raise ValueError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None


def matchable(text: str) -> str:
    """``text`` as RE2 can take it: in a name that is not UTF-8 (its bytes
    kept as surrogate escapes) each such byte is a U+FFFD, which `*` and `?`
    match as git's byte-wise globs match the byte. RE2 raises on a surrogate."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.translate(_SURROGATES)
    return text


_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)
