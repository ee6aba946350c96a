"""`contentlint check -` and `contentlint fix -`: one text read from standard
input, checked or fixed through contentlint.api as the file named by
``--stdin-filename`` would be (its per-file ignores apply; the settings are
the command's, as for files). ``fix -`` writes the fixed text, and nothing
else, to standard output; its report goes to standard error.
"""

from __future__ import annotations

import sys

from contentlint import api, engine
from contentlint.config import ConfigError, Settings
from contentlint.discover import force_excluded
from contentlint.report.escape import printable

STDIN = "-"


def wanted(args) -> bool:
    """Read standard input? `-` as the only path, or --stdin-filename without paths."""
    paths = list(args.paths)
    if STDIN not in paths and not (args.stdin_filename and not paths):
        if args.stdin_filename:
            raise ConfigError("--stdin-filename is for `-` (standard input) alone")
        return False
    if paths not in ([], [STDIN]):
        raise ConfigError("`-` (standard input) cannot be combined with other paths")
    return True


def read() -> bytes:
    """Standard input's bytes; one more than the limit at most (then api reports CL008)."""
    stream = sys.stdin.buffer if sys.stdin is not None else None
    return stream.read(engine.MAX_FILE_BYTES + 1) if stream is not None else b""


def _excluded(args, settings: Settings, path: str) -> bool:
    """--force-exclude applies to the stdin file name as to a file named."""
    return bool(args.force_exclude and args.stdin_filename and force_excluded(path, settings))


def check(args, settings: Settings) -> int:
    from contentlint.commands import exit_status
    from contentlint.report import LINE_BREAK, output

    path = args.stdin_filename or STDIN
    raw = read()
    if args.online:
        print("contentlint: note: network checks do not run on standard input", file=sys.stderr)
    checked = [] if _excluded(args, settings, path) else [path]
    diagnostics = api.check_text(raw, path, settings=settings, whole_run=True) if checked else []

    def source(name: str) -> list[str] | None:  # the html report's context lines
        if name != path:
            return None
        lines = LINE_BREAK.split(raw.decode("utf-8", errors="surrogateescape"))
        lines[0] = lines[0].removeprefix("\ufeff")
        return lines

    output.emit(args, settings, diagnostics, checked, source=source)
    return exit_status(args, diagnostics)


def fix(args, settings: Settings) -> int:
    from contentlint.fixer import unified_diff
    from contentlint.report.text import format_line

    path = args.stdin_filename or STDIN
    raw = read()
    if _excluded(args, settings, path):
        result = api.FixResult(raw)
    else:
        result = api.fix_text(raw, path, settings=settings, unsafe=args.unsafe_fixes)
    for warning in result.warnings:
        print(f"contentlint: warning: {printable(warning)}", file=sys.stderr)
    fixed = sum(result.applied.values())
    if args.diff:
        if result.data != raw:
            sys.stdout.write(unified_diff(path, raw, result.data))
        print(f"Would fix {fixed} finding{'s' if fixed != 1 else ''}." if fixed else "No fixes available.",
              file=sys.stderr)
        return 1 if fixed else 0
    sys.stdout.flush()
    sys.stdout.buffer.write(result.data)
    sys.stdout.buffer.flush()
    for d in result.remaining:
        print(format_line(d), file=sys.stderr)
    remain = len(result.remaining)
    print(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}; "
          + (f"{remain} finding{'s remain' if remain != 1 else ' remains'}." if remain else "no findings remain."),
          file=sys.stderr)
    if any(engine.is_failure(d) for d in result.remaining):
        return 1
    return 1 if fixed and args.exit_non_zero_on_fix else 0
