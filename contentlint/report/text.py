"""`path:line:col: CODE message [*]`, then a summary (Ruff-like)."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from contentlint.model import Diagnostic
from contentlint.report import ReportContext
from contentlint.report.escape import printable

_BOLD, _RED, _CYAN, _DIM, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[2m", "\033[0m"


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    lines = [format_line(d, ctx.color) for d in diagnostics]
    if ctx.statistics:
        lines.extend(["", *statistics(diagnostics)])
    lines.append(summary(diagnostics, ctx))
    return "\n".join(lines) + "\n"


def format_line(d: Diagnostic, color: bool = False) -> str:
    """One finding on one line; the path and message are content, so escaped (report/escape.py)."""
    mark = " [*]" if d.fixable else ""
    path, message = printable(d.path), printable(d.message)
    if not color:
        return f"{path}:{d.start.line}:{d.start.column}: {d.code} {message}{mark}"
    return (f"{_BOLD}{path}{_RESET}{_CYAN}:{_RESET}{d.start.line}{_CYAN}:{_RESET}{d.start.column}"
            f"{_CYAN}:{_RESET} {_BOLD}{_RED}{d.code}{_RESET} {message}{mark}")


def statistics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fixable)
    return [f"{n:>6}  {code}  {printable(name)}{'  [*]' if fixable[code] else ''}"
            for (code, name), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def summary(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    files = f" in {ctx.files_checked} file{'s' if ctx.files_checked != 1 else ''}"
    if not diagnostics:
        return f"All checks passed ({ctx.files_checked} file{'s' if ctx.files_checked != 1 else ''} checked)."
    total = len(diagnostics)
    text = f"Found {total} finding{'s' if total != 1 else ''}{files}."
    safe = sum(1 for d in diagnostics if d.fixable and d.fix.applicability.label == "safe")
    if safe:
        text += f"\n[*] {safe} fixable with `{ctx.fix_command}`."
    unsafe = sum(1 for d in diagnostics if d.fixable and d.fix.applicability.label == "unsafe")
    if unsafe:
        text += f"\n{unsafe} more fixable with `{ctx.fix_command} --unsafe-fixes`."
    return text
