"""Inline suppressions: `# contentlint: ignore[CODES]` and `ignore-file[CODES]`.

A line comment suppresses the listed codes (or prefixes) for findings that
start on that line; an `ignore-file` comment anywhere in the front matter
suppresses them for the whole file. A code that suppressed nothing is itself
reported as CL009 unused-suppression, with a safe fix that removes it. Front
matter that does not parse or is no mapping holds no suppression (a `#`
there may be inside an unclosed string).

The rule's logic lives here: ``parse`` reads the comments, ``apply`` (called
by the engine for each file) drops the per-file findings they suppress and
judges their codes; findings of whole-run and online rules arrive later,
so their codes are judged by ``settle`` once the run has them (pipeline.py).
CL009 findings are Violations stamped by the engine (engine.stamp), like
every other rule's.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import NamedTuple

from contentlint.model import Applicability, Diagnostic, Edit, Fix, Position, Severity, Violation
from contentlint import registry
from contentlint.registry import rule

_COMMENT = re.compile(r"(?:(?<=\s)|^)#\s*contentlint:\s*(ignore|ignore-file)\[([^\]\n]*)\]", re.MULTILINE)
CODE = "CL009"


class _SuppressionFields(NamedTuple):
    file_level: bool
    codes: tuple[str, ...]
    line: int
    comment: tuple[int, int]  # offsets of `# contentlint: ...]`
    remove: tuple[int, int]  # what to delete when every code is unused (with the space before, or the line)
    positions: dict[int, Position]  # the four offsets above as positions (for reports after the document is gone)
    used: set[str]  # the codes that suppressed a finding (filled as findings meet it)


class Suppression(_SuppressionFields):
    """One suppression comment. A NamedTuple, not a dataclass (~0.5 ms less to
    define on every run's path); ``used`` starts as a new empty set."""

    __slots__ = ()

    def __new__(cls, file_level, codes, line, comment, remove, positions, used=None):
        return super().__new__(cls, file_level, codes, line, comment, remove, positions,
                               set() if used is None else used)


def parse(doc) -> list[Suppression]:
    if doc.fm_start < 0 or doc.text.find("contentlint:", doc.fm_start, doc.fm_end) < 0:
        return []  # the common case, decided without the regex
    if doc.format == "json":
        return []  # JSON has no comments: `# contentlint: ...` there is inside a string
    if not doc.ok:
        # Front matter that does not parse (CL003), or is no mapping: what
        # looks like a comment may be inside an unclosed string, and a file
        # nobody could check must not pass because it says so.
        return []
    found = []
    is_text = None  # built at the first match: whether an offset is inside a value, not a comment
    for match in _COMMENT.finditer(doc.text, doc.fm_start, doc.fm_end):
        is_text = is_text or _text_test(doc)
        if is_text(match.start()):
            continue
        codes = tuple(c.strip().upper() for c in match.group(2).split(",") if c.strip())
        start, end = match.span()
        line_start, line_end = doc.line_span(start)
        before = start
        while before > line_start and doc.text[before - 1] in " \t":
            before -= 1
        # A comment runs to the line's end: a reason written after `]` goes
        # with it, up to another suppression comment on the line, which stays.
        following = _COMMENT.search(doc.text, end, line_end)
        stop = line_end if following is None else following.start()
        while following is not None and stop > end and doc.text[stop - 1] in " \t":
            stop -= 1
        if before == line_start and following is None:  # alone on its line: remove the line
            after = line_end + (2 if doc.text.startswith("\r\n", line_end) else 1 if line_end < len(doc.text) else 0)
            remove = (line_start, after)
        elif before == line_start:  # first on its line: the next comment starts it
            remove = (start, following.start())
        else:
            remove = (before, stop)
        offsets = {start, end, *remove}
        found.append(Suppression(match.group(1) == "ignore-file", codes, doc.position(start).line,
                                 (start, end), remove, {o: doc.position(o) for o in offsets}))
    return found


def _text_test(doc):
    """Whether an offset of the front matter is part of a value: YAML's
    scalars; in TOML, anything but a comment's `#` (tomllib has read the
    block, so where comments start is known line by line)."""
    if doc.format == "toml":
        from contentlint.frontmatter import toml_comment_starts

        comments = toml_comment_starts(doc.text, doc.fm_start, doc.fm_end)
        return lambda offset: offset not in comments
    return _ScalarCover(doc)


class _ScalarCover:
    """Tells whether an offset is part of a scalar (a string value, not a YAML
    comment) in O(log n): the scalars sorted by start, with the largest end
    among each prefix (so overlapping ranges would be answered right too)."""

    def __init__(self, doc):
        ranges = sorted(doc.scalar_ranges())
        self._starts = [start for start, _ in ranges]
        self._reach = list(itertools.accumulate((end for _, end in ranges), max))

    def __call__(self, offset: int) -> bool:
        """Is there a scalar with ``start <= offset < end``?"""
        i = bisect.bisect_right(self._starts, offset)
        return i > 0 and self._reach[i - 1] > offset


def _covers(code: str, suppression_code: str) -> bool:
    return code.startswith(suppression_code)


def filter_diagnostics(diagnostics: list[Diagnostic], suppressions: list[Suppression]) -> list[Diagnostic]:
    """Drop suppressed diagnostics, marking which suppression codes were used."""
    if not suppressions:
        return diagnostics
    # (line, code) -> the suppressions listing that code on that line (None:
    # the whole file); a diagnostic looks up each prefix of its own code, so
    # the work is linear in diagnostics plus suppressions.
    listed: dict[tuple[int | None, str], list[Suppression]] = {}
    for s in suppressions:
        for code in s.codes:
            listed.setdefault((None if s.file_level else s.line, code), []).append(s)
    kept = []
    for diagnostic in diagnostics:
        hit = False
        if diagnostic.code != CODE:
            for length in range(1, len(diagnostic.code) + 1):
                prefix = diagnostic.code[:length]
                for where in (None, diagnostic.start.line):
                    for s in listed.get((where, prefix), ()):
                        s.used.add(prefix)
                        hit = True
        if not hit:
            kept.append(diagnostic)
    return kept


def unused(path: str, suppressions: list[Suppression], enabled: set[str], settled: set[str],
           known: set[str], rule, judged: set[str] | None = None) -> list[Diagnostic]:
    """CL009 for codes that suppressed nothing.

    A code is judged once every enabled rule it covers has run (``settled``);
    codes that cover only rules that are off in this run are left alone; a
    code matching no rule at all (``known``) is always reported. ``judged``:
    only these codes (None: all); the fix still keeps every other code.
    """
    result = []
    for s in suppressions:
        bad = []
        for code in s.codes:
            if judged is not None and code not in judged:
                continue
            matching = {k for k in known if _covers(k, code)}
            active = matching & enabled
            if not matching:
                bad.append((code, "matches no rule"))
            elif code not in s.used and active and active <= settled:
                bad.append((code, "suppressed nothing"))
        if bad:
            result.append(_diagnostic(path, s, bad, rule))
    return result


def _diagnostic(path: str, s: Suppression, bad: list[tuple[str, str]], rule) -> Diagnostic:
    from contentlint.engine import stamp  # the engine imports this module

    unused_codes = {code for code, _ in bad}
    keep = [c for c in s.codes if c not in unused_codes]
    if keep:
        kind = "ignore-file" if s.file_level else "ignore"
        edit = Edit(s.comment[0], s.comment[1], f"# contentlint: {kind}[{', '.join(keep)}]")
        fix = Fix.of("Remove the unused codes from the suppression", Applicability.SAFE, edit)
    else:
        edit = Edit(s.remove[0], s.remove[1], "")
        fix = Fix.of("Remove the unused suppression comment", Applicability.SAFE, edit)
    message = "unused suppression: " + "; ".join(f"`{code}` {why}" for code, why in bad)
    # The document may be gone (whole-run and online findings): the spans are its positions.
    violation = Violation(s.positions[s.comment[0]], s.positions[s.comment[1]], message, fix)
    return stamp(rule, path, violation, s.positions.__getitem__)


def apply(doc, diagnostics: list[Diagnostic], rules, ignored: tuple[str, ...]) -> tuple[list[Diagnostic], list]:
    """One file's diagnostics with its suppression comments applied (and CL009
    for the codes its per-file rules settle), and the suppressions whole-run
    and online findings may still need."""
    suppressions = parse(doc)
    if not suppressions:
        return diagnostics, []
    diagnostics = filter_diagnostics(diagnostics, suppressions)
    cl009 = next((r for r in rules if r.code == CODE), None)
    if cl009 is not None and not registry.matches(cl009.code, ignored):
        enabled = {r.code for r in rules}
        settled = {r.code for r in rules if not r.online and r.finish is None}
        known = {r.code for r in registry.all_rules()}
        diagnostics.extend(unused(doc.path, suppressions, enabled, settled, known, cl009))
    # Whole-run and online rules report later; keep what they may need.
    later = {r.code for r in rules if r.online or r.finish is not None}
    return diagnostics, [s for s in suppressions if any(c.startswith(code) or code.startswith(c)
                                                        for c in s.codes for code in later)]


def settle(late: list[Diagnostic], suppressions_by_path: dict[str, list], rules) -> list[Diagnostic]:
    """Apply suppressions to whole-run and online findings; CL009 for the codes they settle."""
    if not suppressions_by_path:
        return late
    kept = [d for d in late if d.path not in suppressions_by_path]
    cl009 = next((r for r in rules if r.code == CODE), None)
    enabled = {r.code for r in rules}
    late_codes = {r.code for r in rules if r.online or r.finish is not None}
    by_path: dict[str, list[Diagnostic]] = {}  # one grouping, not a scan of `late` per file
    for d in late:
        by_path.setdefault(d.path, []).append(d)
    for path, suppressions in suppressions_by_path.items():
        # Judge only the codes that cover late rules (the rest were judged per
        # file), without dropping the others from the comment: CL009's fix
        # rewrites it and must keep a code that is still in use.
        judged = {c for s in suppressions for c in s.codes if any(code.startswith(c) for code in late_codes)}
        kept.extend(filter_diagnostics(by_path.get(path, []), suppressions))
        if cl009 is not None:
            kept.extend(unused(path, suppressions, enabled, enabled, enabled, cl009, judged))
    return kept


@rule("CL009", "unused-suppression", severity=Severity.WARNING, fix=Applicability.SAFE, needs_data=False)
def unused_suppression(doc, ctx):
    """Finds `# contentlint: ignore[...]` comments that suppress nothing.

    ## What it does
    A YAML comment `# contentlint: ignore[CL200]` suppresses the listed codes
    (or prefixes such as `CL2`) for findings that start on its line;
    `# contentlint: ignore-file[CL300]` anywhere in the front matter
    suppresses them for the whole file. This rule reports each listed code
    that suppressed nothing in the run, or that matches no rule at all. Codes
    of rules that are not enabled in the run are not judged.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line, and a
    misspelled code suppresses nothing while looking as if it did.

    ## Example
    ```yaml
    title: "Fine title"  # contentlint: ignore[CL200]
    ```
    The title has no mojibake any more: remove the comment.

    ## Fix safety
    Safe: removes the unused codes, or the whole comment (and its line when
    it stands alone) when no code is used; comments are not data.
    """
    return ()  # judged by ``apply`` and ``settle`` above, which see every other rule's findings
