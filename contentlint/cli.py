"""Command line: parse arguments, build settings, run, map to exit codes.

Exit status: 0 no finding at error severity, 1 findings remain, 2 usage or
configuration error or an internal error. Bad content is never exit 2.
Interrupted: 130 (SIGINT, Ctrl-C) or 143 (SIGTERM), after the worker
processes have been stopped.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from concurrent.futures.process import BrokenProcessPool

from contentlint import __version__, registry
from contentlint.config import ConfigError, Settings, load_settings, with_cli
from contentlint.report.escape import printable

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt for SIGINT (not an Exception:
    nothing on the way may swallow it)."""


def _stop_signal(signum, frame) -> None:
    # The first stop signal wins: another one while the workers are being
    # stopped would interrupt the cleanup with a traceback.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated


def _handle_stop_signals() -> dict:
    """Install the handler (main thread only: Python's rule); the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _stop_signal) for sig in (signal.SIGINT, signal.SIGTERM)}


def _codes(value: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    parser.add_argument("--select", type=_codes, help="only these codes or prefixes (e.g. CL1,CL200)")
    parser.add_argument("--extend-select", type=_codes, help="add these codes to the selection")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contentlint", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"contentlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="report findings")
    _add_selection(check)
    check.add_argument("--format", choices=["text", "json", "sarif", "github", "junit", "gitlab", "html"])
    check.add_argument("--statistics", action="store_true", help="print counts per rule")
    check.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")

    fix = commands.add_parser("fix", help="apply fixes")
    _add_selection(fix)
    fix.add_argument("--diff", action="store_true", help="print a unified diff; write nothing")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")
    fix.add_argument("--exit-non-zero-on-fix", action="store_true",
                     help="exit 1 when files were changed (pre-commit)")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--markdown", action="store_true", help="every rule's documentation as Markdown (docs/rules.md)")
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code")

    init = commands.add_parser("init", help="propose kinds and schemas from the records (docs/init.md)")
    init.add_argument("root", nargs="?", default=".", metavar="PATH", help="the repository's root (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite contentlint.toml and schemas that exist")
    init.add_argument("--dry-run", action="store_true", help="print what was found; write nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # File names that are not UTF-8 arrive as surrogate escapes: never a traceback.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        if args.command == "rules":
            if args.markdown:
                sys.stdout.write(rules_markdown())
                return EXIT_OK
            return print_rules()
        if args.command == "rule":
            return print_rule(args.code)
        if args.command == "init":
            return run_init(args)
        if args.command in ("check", "fix"):
            return run(args)
        parser.print_help()
        return EXIT_ERROR
    except ConfigError as exc:
        print(f"contentlint: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_SIGINT
    except BrokenProcessPool:
        print("contentlint: internal error: a worker process died (please report the files checked)",
              file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """`check` or `fix`. SIGINT and SIGTERM stop the run: the worker processes
    are ended before it exits (130 / 143), no traceback; a file being fixed is
    finished first (fixer.write_atomic), so none is half-written."""
    from contentlint import workers

    previous = _handle_stop_signals()
    try:
        settings = settings_from(args)
        for warning in settings.warnings:
            print(f"contentlint: warning: {printable(warning)}", file=sys.stderr)
        if args.command == "check":
            from contentlint.run import run_check

            return run_check(args, settings, network_access(args))
        from contentlint.fixer import run_fix

        return run_fix(args, settings)
    except KeyboardInterrupt:
        workers.stop_all()
        return EXIT_SIGINT
    except Terminated:
        workers.stop_all()
        return EXIT_SIGTERM
    finally:
        for sig, handler in previous.items():
            if handler is not None:  # None: not installed from Python, cannot be put back
                signal.signal(sig, handler)


def run_init(args: argparse.Namespace) -> int:
    from contentlint.init import InitError, run

    try:
        return run(args.root, force=args.force, dry_run=args.dry_run)
    except InitError as exc:
        print(f"contentlint: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    schema = args.schema
    if schema is not None and not os.path.isfile(schema):
        raise ConfigError(f"--schema: no such file: {schema}")
    return with_cli(
        settings,
        select=args.select,
        extend_select=args.extend_select,
        ignore=tuple(settings.ignore) + args.ignore if args.ignore else None,
        schema=schema,
        jobs=args.jobs,
        cache_dir=args.cache_dir,
        respect_gitignore=False if args.no_respect_gitignore else None,
    )


def network_access(args: argparse.Namespace):
    """The operator's exceptions to the SSRF guard: command line and environment only."""
    from contentlint.online.settings import NetworkAccess  # light: no httpx

    try:
        return NetworkAccess.from_operator(args.allow_network, args.resolve_override, os.environ)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def print_rules() -> int:
    rows = [("code", "name", "fix", "default", "severity")]
    for r in registry.all_rules():
        rows.append((r.code, r.name, r.fix.label if r.fix is not None else "-",
                     ("on" if r.default_enabled else "off") + (" (online)" if r.online else ""),
                     r.severity.label))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return EXIT_OK


def rules_markdown() -> str:
    """docs/rules.md: the documentation that lives with each rule, in one page
    (the reporters' help links point at its anchors)."""
    parts = ["# Rules\n\nGenerated by `contentlint rules --markdown`; each rule's documentation lives "
             "in its docstring and `contentlint rule CODE` prints it.\n"]
    for r in registry.all_rules():
        doc = "\n".join(("#" + line) if line.startswith("## ") else line for line in r.doc.splitlines())
        parts.append(f'<a id="{r.code.lower()}"></a>\n\n## {r.code} {r.name}\n\n' + "\n".join(_facts(r)) + f"\n\n{doc}\n")
    return "\n".join(parts)


def _facts(found) -> list[str]:
    facts = [f"Severity: {found.severity.label}",
             f"Enabled by default: {'yes' if found.default_enabled else 'no'}",
             f"Fix: {found.fix.label if found.fix is not None else 'none'}"]
    if found.online:
        facts.append("Runs with: --online")
    if found.options:
        facts.append("Options: " + ", ".join(f"{k} = {v!r}" for k, v in found.options.items()))
    return facts


def print_rule(code: str) -> int:
    found = registry.get(code)
    if found is None:
        print(f"contentlint: error: no rule `{printable(code)}` (see `contentlint rules`)", file=sys.stderr)
        return EXIT_ERROR
    text = f"# {found.code} {found.name}\n\n" + "\n".join(_facts(found)) + "\n\n" + found.doc
    print(printable(text, keep="\n"))  # the same guard as every other output
    return EXIT_OK
