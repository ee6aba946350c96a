"""Command line: parse arguments into the Options record, run a command.

The only module that knows argparse: it builds a frozen ``Options``
(options.py) and calls a command (commands.py), which returns the exit code.

Exit status: 0 no finding at error severity, 1 findings remain, 2 usage or
configuration error or an internal error. Bad content is never exit 2.
Interrupted: 130 (SIGINT, Ctrl-C) or 143 (SIGTERM), after the worker
processes have been stopped.
"""

from __future__ import annotations

import gc

# The imports below allocate most of the objects a run keeps (modules,
# functions, classes, compiled patterns). The collector's passes over them as
# they load free nothing and cost ~7 ms of a one-file run, so it pauses while
# they load, and what they allocated is frozen: left out of later collections
# (it lives as long as the process anyway). docs/performance.md, "Seventh round".
_collecting = gc.isenabled()
gc.disable()

import argparse  # noqa: E402
import functools  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from contentlint import __version__, commands  # noqa: E402
from contentlint.commands import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM  # noqa: E402,F401
from contentlint.config import ConfigError  # noqa: E402
from contentlint.options import MAX_SHARDS, Options  # noqa: E402
from contentlint.report import FORMATS  # noqa: E402
from contentlint.report.escape import printable  # noqa: E402

gc.freeze()
if _collecting:
    gc.enable()



def _broken_pool():
    """BrokenProcessPool once a pool has started; its module (~30 ms with
    multiprocessing) stays off the one-file path, which starts no pool."""
    process = sys.modules.get("concurrent.futures.process")
    return process.BrokenProcessPool if process else ()


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt for SIGINT (not an Exception:
    nothing on the way may swallow it)."""


def _stop_signal(signum, frame) -> None:
    # The first stop signal wins: another one while the workers are being
    # stopped would interrupt the cleanup with a traceback. A Python no-op,
    # not SIG_IGN: a second signal already pending when this runs (SIGTERM
    # and SIGINT at once) would find SIG_IGN and Python would print "Signal
    # 15 ignored due to race condition" with a traceback.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _ignore_signal)
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated


def _ignore_signal(signum, frame) -> None:
    pass


def _handle_stop_signals() -> dict:
    """Install the handler (main thread only: Python's rule); the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _stop_signal) for sig in (signal.SIGINT, signal.SIGTERM)}


def _codes(value: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def _shard(value: str) -> tuple[int, int]:
    """--shard K/N: shard K (1-based) of N."""
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit() and k.isascii() and n.isascii() and 1 <= int(k) <= int(n) <= MAX_SHARDS):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N <= {MAX_SHARDS}, e.g. 2/3; "
                                         f"got {printable(value)!r}")
    return int(k), int(n)


def _add_report(parser: argparse.ArgumentParser) -> None:
    """What `check` and `merge` share: how the findings are reported."""
    parser.add_argument("--format", "--output-format", dest="format", choices=FORMATS, metavar="FORMAT",
                        help="output format: " + ", ".join(FORMATS) + " (default: text; github under "
                             "GitHub Actions; summary: a Markdown summary for a CI job page)")
    parser.add_argument("--statistics", action="store_true",
                        help="print counts per rule (text: after the findings; other formats: on stderr)")
    parser.add_argument("--summary-file", metavar="FILE",
                        help="also append a Markdown summary of the run to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print the findings only: no summary, progress bar or notes")
    parser.add_argument("--output-file", "-o", metavar="FILE",
                        help="write the report to FILE (with --shard: the shard's result, for `merge`)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    parser.add_argument("--select", type=_codes,
                        help="only these codes or prefixes (e.g. CL1,CL200): the config's select and extend-select "
                             "are replaced")
    parser.add_argument("--extend-select", type=_codes, help="add these codes to the selection (the config's included)")
    parser.add_argument("--ignore", type=_codes, help="skip these codes or prefixes")
    parser.add_argument("--config", metavar="FILE", help="config file (default: found from the current folder up)")
    parser.add_argument("--schema", metavar="FILE", help="JSON Schema to validate against")
    parser.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    parser.add_argument("--cache-dir", metavar="DIR", help="result cache folder (default: .contentlint_cache)")
    parser.add_argument("--online", action="store_true", help="also run network checks (CL402, CL503, CL9xx)")
    parser.add_argument("--refresh", action="store_true", help="with --online: ignore cached network results")
    parser.add_argument("--allow-network", action="append", default=[], metavar="CIDR",
                        help="with --online: let the SSRF guard through to this non-public network "
                             "(repeatable; also CONTENTLINT_ALLOW_NETWORKS; never from a config file)")
    parser.add_argument("--resolve-override", action="append", default=[], metavar="HOST=IP",
                        help="with --online: connect to IP for HOST, still checked by the guard "
                             "(repeatable; also CONTENTLINT_RESOLVE_OVERRIDE)")
    parser.add_argument("--no-respect-gitignore", action="store_true",
                        help="also check files that .gitignore, .ignore or .git/info/exclude ignore")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply `exclude` to files named on the command line too (pre-commit)")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the resolved settings (config file, root, rules, schema, cache) and exit")
    parser.add_argument("--show-files", action="store_true",
                        help="print the files that would be checked, one a line, and exit")
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="with `-` (standard input): check or fix the text as the file PATH")


DESCRIPTION = "Lint and fix content repositories: Markdown and text records with YAML front matter."

EPILOG = """\
examples:
  contentlint check content/                 report findings in a folder
  contentlint check --format sarif -o x.sarif .
  contentlint check --statistics --select CL1,CL200 .
  contentlint fix --diff content/            show the safe fixes, write nothing
  contentlint fix --unsafe-fixes content/    also apply the unsafe fixes
  contentlint rule CL200                     what a rule checks, and why
  contentlint check --show-settings          the settings a run would use
  contentlint check --shard 2/3 -o s2.json . one CI runner's part; then
  contentlint merge s1.json s2.json s3.json  report the three as one run
  contentlint check --write-baseline .contentlint-baseline.json .
                                             record today's findings; then
  contentlint check --baseline .contentlint-baseline.json .
                                             report only new ones

exit status:
  0  no finding at error severity (warnings and infos do not fail a run;
     a run that found no file to check warns on stderr and exits 0)
  1  findings at error severity remain (fix: some remain, or with
     --exit-non-zero-on-fix files were changed)
  2  usage or configuration error, or an internal error

`contentlint COMMAND --help` lists a command's options; docs/ci.md shows CI setups.
"""


def _check(check: argparse.ArgumentParser) -> None:
    _add_selection(check)
    _add_report(check)
    check.add_argument("--shard", type=_shard, metavar="K/N",
                       help="check only shard K of N (a stable split by path hash) and write its result "
                            "to --output-file for `contentlint merge` (docs/ci.md)")
    check.add_argument("--baseline", metavar="FILE",
                       help="report only findings not recorded in FILE (also `baseline` in the config; docs/ci.md)")
    check.add_argument("--write-baseline", metavar="FILE",
                       help="record every current finding in FILE and exit 0 (rewrite it to drop fixed ones)")
    check.add_argument("--add-suppressions", action="store_true",
                       help="add a `# contentlint: ignore[CODE]` comment for every reported finding")
    check.add_argument("--changed-since", metavar="REF",
                       help="report findings only in files changed since the git revision REF "
                            "(every file is still checked)")


def _merge(merge: argparse.ArgumentParser) -> None:
    merge.add_argument("results", nargs="+", metavar="FILE", help="every shard's result file")
    for flag in ("--select", "--extend-select", "--ignore"):  # they pick the rules: as the shards had them
        merge.add_argument(flag, type=_codes, metavar="CODES", help="as given to `check --shard`")
    merge.add_argument("--config", metavar="FILE", help="config file (default: found from the current folder up)")
    merge.add_argument("--schema", metavar="FILE", help="as given to `check --shard`")
    merge.add_argument("--baseline", metavar="FILE",
                       help="report only findings not recorded in FILE (also `baseline` in the config)")
    merge.add_argument("--changed-since", metavar="REF",
                       help="report findings only in files changed since the git revision REF")
    _add_report(merge)


def _fix(fix: argparse.ArgumentParser) -> None:
    _add_selection(fix)
    fix.add_argument("--diff", action="store_true", help="print a unified diff; write nothing")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")
    fix.add_argument("--exit-non-zero-on-fix", action="store_true",
                     help="exit 1 when files were changed (pre-commit)")


def _rules(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--markdown", action="store_true", help="every rule's documentation as Markdown (docs/rules.md)")


def _rule(rule: argparse.ArgumentParser) -> None:
    rule.add_argument("code", help="a rule code, e.g. CL200")


def _init(init: argparse.ArgumentParser) -> None:
    init.add_argument("root", nargs="?", default=".", metavar="PATH", help="the repository's root (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite contentlint.toml and schemas that exist")
    init.add_argument("--dry-run", action="store_true", help="print what was found; write nothing")


# Each command: its `add_parser` keywords and what adds its arguments.
SUBCOMMANDS = {
    "check": (dict(help="report findings", description="Report findings."), _check),
    "merge": (dict(help="report the results of `check --shard K/N` runs as one run",
                   description="Reduce the shard files of `check --shard K/N` runs into one "
                               "run's report. Give the options and configuration the shards had."), _merge),
    "fix": (dict(help="apply fixes", description="Apply fixes, then report what remains."), _fix),
    "rules": (dict(help="list every rule"), _rules),
    "rule": (dict(help="print a rule's documentation"), _rule),
    "init": (dict(help="propose kinds and schemas from the records (docs/init.md)"), _init),
    "server": (dict(help="run the language server over stdio (docs/editors.md)"), None),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the command a run names, only that command's
    arguments are added (the others are listed, never parsed: their
    arguments cost a few ms at every one-file run's start)."""
    parser = argparse.ArgumentParser(prog="contentlint", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=_while_building(argparse.RawDescriptionHelpFormatter))
    parser.add_argument("--version", action="version", version=f"contentlint {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (keywords, add_arguments) in SUBCOMMANDS.items():
        subparser = subparsers.add_parser(name, formatter_class=_while_building(argparse.HelpFormatter),
                                          **keywords)
        if add_arguments is not None and command in (None, name):
            add_arguments(subparser)
        subparser.formatter_class = argparse.HelpFormatter
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def _while_building(formatter_class):
    """argparse makes a formatter for every argument added, only to check its
    metavar; the stock one asks shutil (importing zlib, bz2 and lzma: ~3 ms of
    a one-file run) for the terminal's width. Built with a set width, the
    parsers format help, usage and errors with the stock formatter."""
    return functools.partial(formatter_class, width=80)


def console() -> None:
    """The `contentlint` console script (``python -m contentlint`` exits the
    ordinary way: it may run inside another program, as `runpy` does).

    Once ``main`` has returned, the run is over: every file is written and
    closed, the cache is closed, the worker processes are gone. What the
    interpreter would still do at exit is free every object one by one and
    run exit hooks that have nothing left to do (5-10 ms of wall time after
    the report of a corpus run: docs/performance.md, "Eighth round (issue
    17): the end of a run"). So the process ends there, once its standard
    streams are flushed. The ordinary exit is kept when anything may still need it: a
    thread besides this one, a pool not stopped, or a stream that cannot be
    flushed (a closed pipe: the interpreter reports it as it always has).
    ``main`` itself returns, for callers in-process.
    """
    code = main()
    if _quiet_at_exit():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe or stream, no stream
            pass
        else:
            os._exit(code)
    sys.exit(code)


def _quiet_at_exit() -> bool:
    """Nothing but this thread runs and no worker pool is left (a library may
    have started threads; parallel is imported only by a run that may pool)."""
    parallel = sys.modules.get("contentlint.parallel")
    return threading.active_count() == 1 and not (parallel is not None and parallel.running())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # The top level takes no option with a value: a command is the first word.
    parser = build_parser(args[0] if args and args[0] in SUBCOMMANDS else None)
    options = Options.from_namespace(parser.parse_args(args))
    # File names that are not UTF-8 arrive as surrogate escapes: never a traceback.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    command = commands.COMMANDS.get(options.command)
    if command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if options.command in ("check", "fix"):
            return run(command, options)
        return command(options)
    except ConfigError as exc:
        print(f"contentlint: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_SIGINT
    except _broken_pool():
        print("contentlint: internal error: a worker process died (please report the files checked)",
              file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


def run(command, options: Options) -> int:
    """`check` or `fix`. SIGINT and SIGTERM stop the run: the worker processes
    are ended before it exits (130 / 143), no traceback; a file being fixed is
    finished first (fixer.write_atomic), so none is half-written. A run that
    ends normally signals its workers after the last file and waits for them
    here, after the report."""
    from contentlint import parallel

    previous = _handle_stop_signals()
    try:
        return command(options)
    except KeyboardInterrupt:
        parallel.stop_all()
        return EXIT_SIGINT
    except Terminated:
        parallel.stop_all()
        return EXIT_SIGTERM
    finally:
        parallel.stop_all()  # waits for the workers left to end while the run reported
        for sig, handler in previous.items():
            if handler is not None:  # None: not installed from Python, cannot be put back
                signal.signal(sig, handler)
