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

from typing import Sequence

from contentlint.model import Diagnostic, Severity
from contentlint.report import ReportContext
from contentlint.report.common import safe_fix, statistics, summary
from contentlint.report.escape import line_start, printable

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


def format_line(d: Diagnostic, color: bool = False) -> str:
    """One finding on one line; the path and message are content, so escaped (report/escape.py)."""
    mark = " [*]" if safe_fix(d) else ""
    path, message, level = line_start(d.path), printable(d.message), d.severity.label
    if not color:
        return f"{path}:{d.start.line}:{d.start.column}: {level}: {d.code} {message}{mark}"
    return (f"{_BOLD}{path}{_RESET}{_CYAN}:{_RESET}{d.start.line}{_CYAN}:{_RESET}{d.start.column}"
            f"{_CYAN}:{_RESET} {_COLORS[d.severity]}{level}:{_RESET} {_BOLD}{d.code}{_RESET} {message}{mark}")
