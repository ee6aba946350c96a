"""`path:line:col: severity: CODE message [*]`, then a summary (Ruff-like).

- The severity is a word (``error``, ``warning``, ``info``), so it reads
  without colour, and where editors' problem matchers (the gcc/clang form
  ``file:line:col: error: message``) look for it; with colour it is also red,
  yellow or blue. Only errors fail the run.
- ``[*]`` marks a safe fix, the ones ``contentlint fix`` applies; an unsafe
  fix is counted on its own line of the summary (``--unsafe-fixes``).
- The summary counts the files with findings and the files checked;
  an empty run says so ("No files to check"), never "All checks passed".
- Paths are shown as given on the command line.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from contentlint.model import Applicability, Diagnostic, Severity
from contentlint.report import ReportContext
from contentlint.report.escape import printable

_BOLD, _CYAN, _RESET = "\033[1m", "\033[36m", "\033[0m"
_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[34m"}


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    lines = [format_line(d, ctx.color) for d in diagnostics]
    if ctx.statistics:
        lines.extend(["", *statistics(diagnostics)])
    if not ctx.quiet:
        lines.append(summary(diagnostics, ctx))
        lines.extend(ctx.summary_notes)
    return "".join(line + "\n" for line in lines)


def safe_fix(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.applicability == Applicability.SAFE


def unsafe_fix(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.applicability == Applicability.UNSAFE


def format_line(d: Diagnostic, color: bool = False) -> str:
    """One finding on one line; the path and message are content, so escaped (report/escape.py)."""
    mark = " [*]" if safe_fix(d) else ""
    path, message, level = printable(d.path), printable(d.message), d.severity.label
    if not color:
        return f"{path}:{d.start.line}:{d.start.column}: {level}: {d.code} {message}{mark}"
    return (f"{_BOLD}{path}{_RESET}{_CYAN}:{_RESET}{d.start.line}{_CYAN}:{_RESET}{d.start.column}"
            f"{_CYAN}:{_RESET} {_COLORS[d.severity]}{level}:{_RESET} {_BOLD}{d.code}{_RESET} {message}{mark}")


def statistics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One row per code, most frequent first: count, code, severity, name, ``[*]`` if safely fixable."""
    counts = Counter((d.code, d.severity.label, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if safe_fix(d))
    return [f"{n:>6}  {code}  {level:<7}  {printable(name)}{'  [*]' if fixable[code] else ''}"
            for (code, level, name), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    if not ctx.files_checked and not diagnostics:
        return "No files to check."
    checked = _plural(ctx.files_checked, "file")
    if not diagnostics:
        return f"All checks passed ({checked} checked)."
    with_findings = len({d.path for d in diagnostics})
    levels = Counter(d.severity for d in diagnostics)
    by_level = ", ".join(_plural(levels[s], s.label) if s != Severity.INFO else f"{levels[s]} info"
                         for s in sorted(levels, reverse=True))
    text = (f"Found {_plural(len(diagnostics), 'finding')} in {_plural(with_findings, 'file')}"
            f" ({ctx.files_checked} checked): {by_level}.")
    safe = sum(1 for d in diagnostics if safe_fix(d))
    if safe:
        text += f"\n[*] {safe} fixable with `{ctx.fix_command}`."
    unsafe = sum(1 for d in diagnostics if unsafe_fix(d))
    if unsafe:
        text += f"\n{unsafe} more fixable with `{ctx.fix_command} --unsafe-fixes`."
    return text
