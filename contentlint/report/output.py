"""From the run's findings to what is written: the format, its context, the
report (stdout or ``--output-file``), ``--statistics``, ``--summary-file``
and the notes on stderr.

- ``--statistics``: the text format adds its table to the report; every other
  format keeps its document exactly as specified and prints the same table
  on stderr, so a machine-readable stdout or file is never mixed with it.
- No file found to check: a warning on stderr and the text summary "No files
  to check." The exit status stays 0 (as Ruff): pre-commit with
  ``--force-exclude`` legitimately passes only excluded files (docs/ci.md).
- ``--quiet``: the text format prints the findings only; the notes
  (``notes``: the online host summary, shown with the text format only) are
  not printed. Warnings and errors always are.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, Sequence

from contentlint import __version__
from contentlint.model import Diagnostic
from contentlint.report import FORMATS, ReportContext, renderer, source_lines
from contentlint.config import repository_root
from contentlint.report.escape import printable
from contentlint.report.common import statistics


def choose_format(args, environ: Mapping[str, str]) -> str:
    fmt = getattr(args, "format", None) or ("github" if environ.get("GITHUB_ACTIONS") == "true" else "text")
    assert fmt in FORMATS
    return fmt


def blob_url(environ: Mapping[str, str]) -> str:
    """``https://github.com/OWNER/REPO/blob/SHA`` on GitHub Actions, else ""."""
    parts = [environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")]
    return f"{parts[0].rstrip('/')}/{parts[1]}/blob/{parts[2]}" if all(parts) else ""


def context(args, settings, files: Sequence[str], fmt: str, environ: Mapping[str, str],
            source=source_lines) -> ReportContext:
    quiet = bool(getattr(args, "quiet", False))
    output_file = getattr(args, "output_file", None)
    color = fmt == "text" and not output_file and sys.stdout.isatty() and "NO_COLOR" not in environ
    return ReportContext(files_checked=len(files), color=color,
                         statistics=bool(getattr(args, "statistics", False)) and fmt == "text",
                         quiet=quiet, tool_version=__version__, checked_paths=list(files),
                         root=repository_root(os.getcwd(), settings.root),
                         repository_url=blob_url(environ), source=source)


def emit(args, settings, diagnostics: Sequence[Diagnostic], files: Sequence[str],
         notes: Sequence[str] = (), environ: Mapping[str, str] | None = None, source=source_lines,
         summary_notes: Sequence[str] = ()) -> None:
    """``args``: the command's options (commands.Options); ``source``: the
    html report's lines of a file (default: read from disk); ``summary_notes``:
    lines the text summary ends with (the baseline's counts), on stderr for
    the other formats."""
    environ = os.environ if environ is None else environ
    fmt = choose_format(args, environ)
    ctx = context(args, settings, files, fmt, environ, source)._replace(summary_notes=tuple(summary_notes))
    if not files:
        given = " ".join(getattr(args, "paths", None) or ["."])
        print(f"contentlint: warning: no files found to check in {printable(given)} "
              "(see the paths and the include/exclude settings)", file=sys.stderr)
    write(renderer(fmt)(diagnostics, ctx), getattr(args, "output_file", None), "w", settings.root)
    if getattr(args, "statistics", False) and fmt != "text" and diagnostics:
        print("\n".join(statistics(diagnostics)), file=sys.stderr)
    summary_file = getattr(args, "summary_file", None)
    if summary_file:
        write(renderer("summary")(diagnostics, ctx), summary_file, "a", settings.root)
    if fmt != "text" and not ctx.quiet:
        for note in summary_notes:
            print(note, file=sys.stderr)
    if fmt == "text" and not ctx.quiet:
        for note in notes:
            print(note, file=sys.stderr)


def write(text: str, path: str | None, mode: str, root: str | None = None) -> None:
    """``text`` to stdout, or to the file ``path`` (``mode`` "w" or "a"):
    a file, a device (`/dev/null`) or a pipe with a reader (`>(gzip)`). A
    FIFO with no reader never blocks the run (O_NONBLOCK: no such device), a
    folder or a missing one is a usage error, and a committed symlink in the
    checkout ``root`` that leads out of it (`report.json -> ~/.bashrc`) is
    not written through."""
    if not path:
        sys.stdout.write(text)
        return
    from contentlint.config import ConfigError
    from contentlint.discover import leads_out

    if root is not None and leads_out(path, root):
        raise ConfigError(f"cannot write {printable(path)}: it is in the checkout but leads out of it (a symlink)")
    flags = (os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
             | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(path, flags, 0o666)
        with os.fdopen(fd, "wb") as handle:
            os.set_blocking(fd, True)  # a pipe's reader sets the pace of the writes
            handle.write(text.encode("utf-8", errors="backslashreplace"))
    except OSError as exc:
        raise ConfigError(f"cannot write {printable(path)}: {exc.strerror or exc}") from None
