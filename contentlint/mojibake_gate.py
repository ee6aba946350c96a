"""A cheap necessary condition for ftfy's mojibake test (CL200).

``ftfy.badness.is_bad(text)`` is ``BADNESS_RE.search(text)``, and importing
ftfy costs a process ~40-55 ms. Each top-level alternative of BADNESS_RE has
mandatory elements (a literal, a character class, a group, a repeat at least
once); a match holds a character of each. So when, for every alternative,
some mandatory element's characters are all absent from the text, is_bad is
False and ftfy need not be imported: real text full of ’ “ ” — é passes here
without it.

The sets are derived from the parsed pattern by ``python -m
contentlint.mojibake_gate`` into ``contentlint/mojibake_gate_data.py``, with
the SHA-256 of the ``ftfy/badness.py`` they came from. They are used only
while the badness.py an import would load has that digest (found without
importing ftfy); with any other ftfy (CI's lower bound) every non-ASCII text
goes to ftfy, as before. Tests hold the data to a fresh derivation and the
gate to is_bad (tests/test_mojibake_gate.py).
"""

from __future__ import annotations

import functools
import os
import re

from contentlint.digests import sha256

DATA = os.path.join(os.path.dirname(__file__), "mojibake_gate_data.py")


def may_be_bad(text: str) -> bool:
    """False only when ftfy.badness.is_bad(text) is certainly False."""
    gate = _gate()
    if gate is None:
        return True  # not derived from the installed ftfy: ask it
    first, alternatives = gate
    hits = first.intersection(text)  # first: each alternative's most selective set
    if not hits:  # most text stops here
        return False
    return any(not hits.isdisjoint(sets[0]) and all(not s.isdisjoint(text) for s in sets[1:])
               for sets in alternatives)


@functools.lru_cache(maxsize=None)
def _gate() -> tuple[frozenset, tuple[tuple[frozenset, ...], ...]] | None:
    from contentlint import mojibake_gate_data as data

    if data.ALTERNATIVES is None or badness_digest() != data.BADNESS_SHA256:
        return None
    alternatives = tuple(tuple(map(frozenset, sets)) for sets in data.ALTERNATIVES)
    return frozenset().union(*(sets[0] for sets in alternatives)), alternatives


def badness_digest() -> str | None:
    """SHA-256 of the ftfy/badness.py that `import ftfy.badness` would load,
    found without importing ftfy; None when it is not a plain source file."""
    import importlib.machinery
    import importlib.util

    try:
        package = importlib.util.find_spec("ftfy")
        if package is None or not package.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec("ftfy.badness", list(package.submodule_search_locations))
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return None
        return _file_sha256(spec.origin)
    except (ImportError, OSError, ValueError):
        return None


def _file_sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return sha256(handle.read()).hexdigest()


# -- derivation (run by `python -m contentlint.mojibake_gate` and the tests) ------

def derive(pattern: str, flags: int) -> list[list[str]] | None:
    """For each top-level alternative of the pattern, the character sets (as
    sorted strings, most selective first) of which any match holds at least one
    character each; None when some alternative has none (the gate would say
    yes to everything) or a flag makes a literal match other characters."""
    parser, c = _sre()
    tree = parser.parse(pattern, flags)
    if tree.state.flags & (re.IGNORECASE | re.LOCALE):
        return None
    items = list(tree)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is c.BRANCH else [items]
    out = []
    for alternative in alternatives:
        sets = sorted({"".join(sorted(s)) for s in _required(alternative, c)}, key=lambda s: (_cost(s), s))
        if not sets:
            return None
        out.append(sets)
    return out


def _cost(chars) -> tuple[int, int]:
    """Fewer ASCII characters (in nearly every text), then fewer characters."""
    return sum(ch.isascii() for ch in chars), len(chars)


def _required(sequence, c) -> list[frozenset]:
    """Sets each of which a match of ``sequence`` holds a character of.
    Anything not understood adds nothing: the condition is then weaker, never wrong."""
    sets = []
    for op, av in sequence:
        if op is c.LITERAL:
            sets.append(frozenset(chr(av)))
        elif op is c.IN:
            members = _class(av, c)
            if members is not None:
                sets.append(members)
        elif op is c.SUBPATTERN and not av[1] & (re.IGNORECASE | re.LOCALE):  # (group, add, del, sub)
            sets += _required(av[3], c)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:  # (min, max, item)
            sets += _required(av[2], c)
        elif op is c.BRANCH:
            choices = [_required(branch, c) for branch in av[1]]
            if all(choices):  # one set from each branch: their union is required
                sets.append(frozenset().union(*(min(choice, key=_cost) for choice in choices)))
    return sets


def _class(items, c) -> frozenset | None:
    """The characters of a [...] made only of literals and ranges (not negated)."""
    members: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            members.add(chr(av))
        elif op is c.RANGE:
            members.update(map(chr, range(av[0], av[1] + 1)))
        else:  # NEGATE, CATEGORY (\s, \w) …
            return None
    return frozenset(members)


def _sre():
    try:
        from re import _constants as constants
        from re import _parser as parser
    except ImportError:  # Python 3.10
        import sre_constants as constants
        import sre_parse as parser
    return parser, constants


def data_source() -> str:
    """The text of contentlint/mojibake_gate_data.py for the installed ftfy."""
    import ftfy
    import ftfy.badness

    digest = _file_sha256(ftfy.badness.__spec__.origin)
    alternatives = derive(ftfy.badness.BADNESS_RE.pattern, ftfy.badness.BADNESS_RE.flags)
    lines = [f"# Generated by `python -m contentlint.mojibake_gate` from ftfy {ftfy.__version__}'s badness.py:",
             "# do not edit. For each alternative of its BADNESS_RE, sets of which a match holds",
             "# a character each (contentlint/mojibake_gate.py); used only with that very file.",
             "# fmt: off", "# ruff: noqa",
             f"FTFY_VERSION = {ftfy.__version__!r}",
             f"BADNESS_SHA256 = {digest!r}"]
    if alternatives is None:
        lines.append("ALTERNATIVES = None")
    else:
        lines.append("ALTERNATIVES = (")
        lines += [f"    ({' '.join(f'{s!r},' for s in sets)})," for sets in alternatives]
        lines.append(")")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # regenerate contentlint/mojibake_gate_data.py
    with open(DATA, "w", encoding="utf-8", newline="\n") as out:
        out.write(data_source())
