"""Reporters: a name -> render function table.

A reporter turns the run's diagnostics (sorted by path, line, column) into
the text of one output format. It never re-parses files or asks rules
anything; what it needs is on the Diagnostic and in ReportContext. A reporter
that shows source lines (html) asks ``ReportContext.source``, which the
command fills with ``source_lines``: reporters stay free of I/O and testable.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple, Sequence

from contentlint.model import Diagnostic



class ReportContext(NamedTuple):  # not a dataclass: ~0.6 ms less to define on every run's path
    files_checked: int = 0
    color: bool = False
    statistics: bool = False
    quiet: bool = False  # text: the findings only, no summary
    fix_command: str = "contentlint fix"
    unsafe_fixable: int = 0  # findings fixable only with --unsafe-fixes
    tool_version: str = ""
    checked_paths: Sequence[str] = ()  # every file of the run (junit)
    root: str = ""  # repository root for the CI formats' paths ("": the current folder)
    repository_url: str = ""  # summary: links to files (e.g. https://github.com/o/r/blob/<sha>)
    # path -> the file's lines as positions number them, or None (unreadable): html context
    source: Callable[[str], list[str] | None] | None = None
    summary_notes: tuple[str, ...] = ()  # text: lines after the summary (baseline counts)


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as Document counts lines


def source_lines(path: str) -> list[str] | None:
    """The lines of ``path`` numbered and columned as Diagnostic positions are
    (a leading BOM is not a column), or None when it cannot be read now.
    engine.read keeps its guards: no FIFO, no directory, at most 20 MiB."""
    from contentlint.engine import read  # lazily: engine is heavy, and only html asks

    raw, _ = read(path)
    if raw is None:
        return None
    lines = LINE_BREAK.split(raw.decode("utf-8", errors="surrogateescape"))
    lines[0] = lines[0].removeprefix("\ufeff")
    return lines


def _text():
    from contentlint.report.text import render
    return render


def _json_format():
    from contentlint.report.json_format import render
    return render


def _sarif():
    from contentlint.report.sarif import render
    return render


def _github():
    from contentlint.report.github import render
    return render


def _junit():
    from contentlint.report.junit import render
    return render


def _gitlab():
    from contentlint.report.gitlab import render
    return render


def _html():
    from contentlint.report.html import render
    return render


def _summary():
    from contentlint.report.summary import render
    return render


# --format name -> the loader of its ``render``: plain imports (nothing is imported
# by a computed name), and only the chosen format's module. A new format is one
# module, one loader and one entry here; FORMATS and renderer() follow.
_RENDERERS = {"text": _text, "json": _json_format, "sarif": _sarif, "github": _github,
              "junit": _junit, "gitlab": _gitlab, "html": _html, "summary": _summary}
FORMATS = tuple(_RENDERERS)


def renderer(name: str) -> Callable[[Sequence[Diagnostic], ReportContext], str]:
    """The ``render(diagnostics, ctx) -> str`` function of format ``name``
    (only its module is imported: junit's XML costs ~20 ms). KeyError for an
    unknown name."""
    return _RENDERERS[name]()
