"""Inline suppressions: `# contentlint: ignore[CODES]` and `ignore-file[CODES]`.

A line comment suppresses the listed codes (or prefixes) for findings that
start on that line; an `ignore-file` comment anywhere in the front matter
suppresses them for the whole file. A code that suppressed nothing is itself
reported as CL009 unused-suppression, with a safe fix that removes it.

Findings of per-file rules are settled in the engine; findings of whole-run
and online rules arrive later, so their codes are settled by ``settle``
once the run has them (see run.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from contentlint.model import Applicability, Diagnostic, Edit, Fix, FixEdit, Position, Severity
from contentlint.registry import rule

_COMMENT = re.compile(r"(?:(?<=\s)|^)#\s*contentlint:\s*(ignore|ignore-file)\[([^\]\n]*)\]", re.MULTILINE)
CODE = "CL009"


@dataclass
class Suppression:
    file_level: bool
    codes: tuple[str, ...]
    line: int
    comment: tuple[int, int]  # offsets of `# contentlint: ...]`
    remove: tuple[int, int]  # what to delete when every code is unused (with the space before, or the line)
    positions: dict[int, Position]  # the four offsets above as positions (for reports after the document is gone)
    used: set[str] = field(default_factory=set)


def parse(doc) -> list[Suppression]:
    if doc.fm_start < 0 or doc.text.find("contentlint:", doc.fm_start, doc.fm_end) < 0:
        return []  # the common case, decided without the regex
    found = []
    for match in _COMMENT.finditer(doc.text, doc.fm_start, doc.fm_end):
        if _inside_scalar(doc, match.start()):
            continue
        codes = tuple(c.strip().upper() for c in match.group(2).split(",") if c.strip())
        start, end = match.span()
        line_start, line_end = doc.line_span(start)
        before = start
        while before > line_start and doc.text[before - 1] in " \t":
            before -= 1
        if before == line_start and end == line_end:  # alone on its line: remove the line
            after = line_end + (2 if doc.text.startswith("\r\n", line_end) else 1 if line_end < len(doc.text) else 0)
            remove = (line_start, after)
        else:
            remove = (before, end)
        offsets = {start, end, *remove}
        found.append(Suppression(match.group(1) == "ignore-file", codes, doc.position(start).line,
                                 (start, end), remove, {o: doc.position(o) for o in offsets}))
    return found


def _inside_scalar(doc, offset: int) -> bool:
    """True when the text is part of a string value, not a YAML comment."""
    return any(start <= offset < end for start, end in doc.scalar_ranges())


def _covers(code: str, suppression_code: str) -> bool:
    return code.startswith(suppression_code)


def filter_diagnostics(diagnostics: list[Diagnostic], suppressions: list[Suppression]) -> list[Diagnostic]:
    """Drop suppressed diagnostics, marking which suppression codes were used."""
    if not suppressions:
        return diagnostics
    kept = []
    for diagnostic in diagnostics:
        hit = False
        for s in suppressions:
            if diagnostic.code == CODE or (not s.file_level and s.line != diagnostic.start.line):
                continue
            for code in s.codes:
                if _covers(diagnostic.code, code):
                    s.used.add(code)
                    hit = True
        if not hit:
            kept.append(diagnostic)
    return kept


def unused(path: str, suppressions: list[Suppression], enabled: set[str], settled: set[str],
           known: set[str], rule) -> list[Diagnostic]:
    """CL009 for codes that suppressed nothing.

    A code is judged once every enabled rule it covers has run (``settled``);
    codes that cover only rules that are off in this run are left alone; a
    code matching no rule at all (``known``) is always reported.
    """
    result = []
    for s in suppressions:
        bad = []
        for code in s.codes:
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
    fix_edit = FixEdit(s.positions[edit.start], s.positions[edit.end], edit.content)
    return Diagnostic(path, rule.code, rule.name, rule.severity, s.positions[s.comment[0]],
                      s.positions[s.comment[1]], message, fix, (fix_edit,))


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
    return ()  # computed by the engine, which sees every other rule's findings
