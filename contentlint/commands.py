"""The commands: `check`, `fix`, `merge`, `rules`, `rule`, `init`, `server`.

Each takes the frozen Options record (options.py), builds the run's settings
once, calls the pipeline, renders, and returns a named exit code. This is
the only place that prints results; below it nothing knows the command line.

Exit status: 0 no finding at error severity, 1 findings remain, 2 usage or
configuration error or an internal error. Bad content is never exit 2.
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
import signal
import sys
from collections import Counter

from contentlint import pipeline
from contentlint.config import ConfigError, Settings, load_settings, with_cli
from contentlint.model import Applicability, Severity
from contentlint.options import Options
from contentlint.report.escape import printable

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM


# -- settings ---------------------------------------------------------------------------


def settings_from(options: Options) -> Settings:
    """The configuration file, with the command line's options winning."""
    settings = load_settings(options.config)
    schema = options.schema
    if schema is not None and not os.path.isfile(schema):
        raise ConfigError(f"--schema: no such file: {schema}")
    return with_cli(
        settings,
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        schema=schema,
        jobs=options.jobs,
        cache_dir=options.cache_dir,
        respect_gitignore=False if options.no_respect_gitignore else None,
    )


def network_access(options: Options):
    """The operator's exceptions to the SSRF guard: command line and environment only."""
    from contentlint.online.settings import NetworkAccess  # light: no httpx

    try:
        return NetworkAccess.from_operator(list(options.allow_network), list(options.resolve_override), os.environ)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _no_final_collection() -> None:
    """At exit CPython runs one more full garbage collection over every object
    still alive (~10 ms of CPU on a warm corpus run, a tenth of it) right
    before the operating system takes the memory back. Frozen at exit
    (``gc.freeze``, an exit hook) they are skipped. Registered once, however
    often a command runs in one process; the objects stay collectable until
    the process ends."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def _settings_with_warnings(options: Options) -> Settings:
    settings = settings_from(options)
    for warning in settings.warnings:
        print(f"contentlint: warning: {printable(warning)}", file=sys.stderr)
    return settings


# -- check ------------------------------------------------------------------------------


def check(options: Options) -> int:
    from contentlint.progress import Progress
    from contentlint.report import output

    _no_final_collection()
    settings = _settings_with_warnings(options)
    shown = _show(options, settings)
    if shown is not None:
        return shown
    if options.shard is not None:
        return check_shard(options, settings)
    if _stdin_wanted(options):  # `-`: one text, through contentlint.api
        from contentlint import stdin

        return stdin.check(options, settings)
    # The guard's exceptions matter only to the network checks (online.settings
    # and ipaddress stay off an offline run).
    access = network_access(options) if options.online else None
    plan = pipeline.prepare(settings, online=options.online, no_cache=options.no_cache,
                            refresh=options.refresh, access=access, online_cache_dir=options.cache_dir)
    plan = plan.replace(**report_filters(options, settings))
    keyed = plan.baseline is not None or bool(options.write_baseline)  # keys found beside each document
    done = pipeline.run(list(options.paths), plan, pipeline.LINT_KEYED if keyed else pipeline.LINT,
                        force_exclude=options.force_exclude,
                        progress_bar=functools.partial(Progress, quiet=options.quiet))
    if options.write_baseline or options.add_suppressions:
        return _record(options, done, settings.root)
    notes = [host_summary(done.online_summary)] if done.online_summary else []
    notes += schema_note(settings, done.diagnostics)
    output.emit(options, settings, done.diagnostics, done.files, notes, summary_notes=filter_notes(options, plan, done))
    for error in done.errors:  # also CL010 findings; said here too, as the report may go to a file
        print(f"contentlint: {printable(error)}", file=sys.stderr)
    return exit_status(options, done.diagnostics)


def _stdin_wanted(options: Options) -> bool:
    """stdin.wanted, without importing stdin (and contentlint.api) when
    neither `-` nor --stdin-filename was given."""
    if "-" not in options.paths and not options.stdin_filename:
        return False
    from contentlint import stdin

    return stdin.wanted(options)


def check_shard(options: Options, settings: Settings) -> int:
    """`check --shard K/N -o FILE`: check one shard and write its result for
    `merge` (shard.py). Exit 0 once written, findings or not: `merge` reports
    and decides; 2 when it could not be written."""
    from contentlint import shard
    from contentlint.progress import Progress

    if not options.output_file:
        raise ConfigError("--shard needs --output-file FILE: the shard's result, for `contentlint merge`")
    if "-" in options.paths:
        raise ConfigError("--shard does not read standard input")
    if options.format or options.statistics or options.summary_file or options.baseline or options.changed_since:
        raise ConfigError("--format, --statistics, --summary-file, --baseline and --changed-since go to "
                          "`contentlint merge`, which reports the shards' results")
    if options.write_baseline or options.add_suppressions:
        raise ConfigError("--write-baseline and --add-suppressions take every finding of one run: not with --shard")
    k, n = options.shard
    plan = pipeline.prepare(settings, online=options.online, no_cache=options.no_cache, refresh=options.refresh,
                            access=network_access(options), online_cache_dir=options.cache_dir)
    content = shard.check(list(options.paths), plan, k, n, force_exclude=options.force_exclude,
                          progress_bar=functools.partial(Progress, quiet=options.quiet))
    shard.write(options.output_file, content, settings.root)
    for _, path, _, _, error in content["files"]:
        if error:
            print(f"contentlint: {printable(f'{path}: {error}')}", file=sys.stderr)
    if not options.quiet:
        print(f"contentlint: shard {k}/{n}: checked {len(content['files'])} of {content['total']} files; "
              f"wrote {printable(options.output_file)} (report with `contentlint merge`)", file=sys.stderr)
    return EXIT_OK


def merge(options: Options) -> int:
    """`merge FILE...`: the shards' results reduced into one run's report, as
    `check` renders it (every format, --statistics, --exit-zero, its exit codes)."""
    from contentlint import shard
    from contentlint.report import output

    settings = _settings_with_warnings(options)
    filters = pipeline.Plan(settings, (), **report_filters(options, settings))  # the shards' findings are whole
    done, hosts = shard.merge(list(options.results),
                              lambda online: pipeline.prepare(settings, online=online, no_cache=True))
    done = pipeline.reported(done, filters)
    notes = ([host_summary(hosts)] if hosts else []) + schema_note(settings, done.diagnostics)
    output.emit(options, settings, done.diagnostics, done.files, notes,
                source=_source_inside(settings), summary_notes=filter_notes(options, filters, done))
    for error in done.errors:
        print(f"contentlint: {printable(error)}", file=sys.stderr)
    return exit_status(options, done.diagnostics)


def _source_inside(settings: Settings):
    """The html report's context lines, for merge: the paths come from shard
    files (data from other jobs), so only files a walk of the root would
    check are read; a forged `/etc/passwd` or `.git/config` (where CI keeps
    its token) must not be copied into the report."""
    from contentlint import kinds
    from contentlint.discover import walked
    from contentlint.report import source_lines

    real_root = os.path.realpath(settings.root)

    def source(path: str) -> list[str] | None:
        try:
            readable = kinds.relative_to(os.path.realpath(path), real_root) is not None and walked(path, settings)
        except ValueError:  # a path no file system takes (a lone surrogate, a NUL): no lines
            return None
        return source_lines(path) if readable else None

    return source


def report_filters(options: Options, settings: Settings) -> dict:
    """The Plan's report filters: the baseline (none while writing one) and
    the changed files; loaded before any file is checked (a bad one: exit 2)."""
    if options.write_baseline and (options.changed_since or options.add_suppressions):
        raise ConfigError("--write-baseline records every finding: not with --changed-since or --add-suppressions")
    path = None if options.write_baseline else options.baseline or settings.baseline
    filters = {"baseline": None, "changed": None}
    if path:  # each module only when its filter is asked for (a plain run imports neither)
        from contentlint import baseline

        filters["baseline"] = baseline.load_file(path)
    if options.changed_since:
        from contentlint import gitchanges

        filters["changed"] = gitchanges.changed_files(options.changed_since)
    return filters


def filter_notes(options: Options, plan, done) -> list[str]:
    """The summary's lines about the report filters."""
    notes = []
    if plan.baseline is not None:
        notes.append(f"{_plural(done.baselined, 'finding')} in the baseline, "
                     f"{_plural(done.stale, 'stale baseline entry', 'stale baseline entries')}"
                     + (" (rewrite it with --write-baseline)." if done.stale else "."))
    if plan.changed is not None:
        notes.append(f"{_plural(done.unchanged, 'finding')} in files not changed since "
                     f"{printable(options.changed_since)} not shown.")
    return notes


_SCHEMA_CODES = ("CL100", "CL101", "CL102", "CL103", "CL104")


def schema_note(settings: Settings, diagnostics) -> list[str]:
    """Where no config file chose a schema, the shipped article schema judged
    every record: schema findings on a repository of other records (docs
    pages, posts, books) are that default's, and `init` is the way out."""
    if settings.config_file is not None or settings.schema is not None:
        return []
    if not any(d.code in _SCHEMA_CODES for d in diagnostics):
        return []
    return [SCHEMA_NOTE]


SCHEMA_NOTE = ("No config file: every record was checked against the shipped article schema. For records of other "
               "kinds (docs pages, posts, books), `contentlint init` writes kinds and schemas (docs/init.md).")


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


def _record(options: Options, done, root: str) -> int:
    """--write-baseline and --add-suppressions: record the findings instead of reporting them."""
    from contentlint import baseline, engine
    from contentlint.add_suppressions import add

    for error in done.errors:
        print(f"contentlint: {printable(error)}", file=sys.stderr)
    if options.write_baseline:
        recorded = baseline.write(options.write_baseline, done.diagnostics, done.keys)
        files = len({d.path for d in done.diagnostics if d.code != engine.INTERNAL_ERROR})
        print(f"Recorded {_plural(recorded, 'finding')} in {_plural(files, 'file')} "
              f"in the baseline {printable(options.write_baseline)} ({len(done.files)} checked).")
        return EXIT_FINDINGS if done.errors else EXIT_OK
    added = add(done.diagnostics, root=root)
    for warning in added.warnings:
        print(f"contentlint: warning: {printable(warning)}", file=sys.stderr)
    text = (f"Added suppression comments for {_plural(added.comments, 'finding')} "
            f"in {_plural(len(added.files), 'file')}.")
    if added.skipped:
        text += (f" {_plural(len(added.skipped), 'finding')} left unsuppressed (CL009, CL010, or where "
                 f"no comment can go: see docs/ci.md; the baseline covers {'it' if len(added.skipped) == 1 else 'them'}).")
    print(text)
    return exit_status(options, added.skipped)


def exit_status(options: Options, diagnostics) -> int:
    if options.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if any(d.severity >= Severity.ERROR for d in diagnostics) else EXIT_OK  # engine.is_failure


def _show(options: Options, settings: Settings) -> int | None:
    """--show-settings / --show-files: print what a run would use, check nothing."""
    if options.show_settings:
        from contentlint.show import show_settings

        return show_settings(settings, online=options.online)
    if options.show_files:
        from contentlint.show import show_files

        return show_files(list(options.paths), settings, options.force_exclude, options.shard)
    return None


def host_summary(summary: dict) -> str:
    lines = ["network checks per host:"]
    for host, counts in sorted(summary.items()):
        parts = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        lines.append(printable(f"  {host}: {parts}"))  # the host comes from a record's URL
    return "\n".join(lines)


# -- fix --------------------------------------------------------------------------------


def fix(options: Options) -> int:
    from contentlint import engine
    from contentlint.fixer import unified_diff
    from contentlint.report.text import format_line

    _no_final_collection()
    settings = _settings_with_warnings(options)
    shown = _show(options, settings)
    if shown is not None:
        return shown
    if _stdin_wanted(options):
        from contentlint import stdin

        return stdin.fix(options, settings)
    plan = pipeline.prepare(settings, no_cache=True)
    if options.online:
        print("contentlint: note: `fix` runs no network checks; their fixes are not applied", file=sys.stderr)
    applicability = Applicability.UNSAFE if options.unsafe_fixes else Applicability.SAFE
    out = sys.stdout
    changed = []
    unwritten = 0

    def report_file(outcome) -> None:  # as each file is done, in file order
        nonlocal unwritten
        for warning in outcome.warnings:
            print(f"contentlint: warning: {printable(warning)}", file=sys.stderr)
        if outcome.written or (options.diff and outcome.fixed is not None):
            changed.append(outcome)
            if options.diff:
                out.write(unified_diff(outcome.path, outcome.original, outcome.fixed))
            else:
                out.write(f"Fixed {printable(outcome.path)} ({_counts(outcome.applied)})\n")
        unwritten += outcome.not_written is not None

    step = pipeline.Fix(applicability, write=not options.diff)
    done = pipeline.run(list(options.paths), plan, step, force_exclude=options.force_exclude, on_file=report_file)
    fixed = sum(sum(o.applied.values()) for o in changed)
    for error in done.errors:
        print(f"contentlint: {printable(error)}", file=sys.stderr)
    if options.diff:
        noun = "finding" if fixed == 1 else "findings"
        print(f"Would fix {fixed} {noun} in {len(changed)} file{'s' if len(changed) != 1 else ''}."
              if changed else "No fixes available.", file=sys.stderr)
        return EXIT_FINDINGS if changed or done.errors else EXIT_OK
    color = out.isatty() and "NO_COLOR" not in os.environ
    for d in done.diagnostics:
        out.write(format_line(d, color) + "\n")
    out.write(_summary(fixed, len(changed), len(done.files), done.diagnostics, applicability) + "\n")
    if unwritten or any(engine.is_failure(d) for d in done.diagnostics):
        return EXIT_FINDINGS
    return EXIT_FINDINGS if changed and options.exit_non_zero_on_fix else EXIT_OK


def _counts(applied: Counter) -> str:
    total = sum(applied.values())
    codes = ", ".join(code + (f" ×{n}" if n > 1 else "") for code, n in sorted(applied.items()))
    return f"{total} fix{'es' if total != 1 else ''}: {codes}"


def _summary(fixed: int, files_changed: int, files: int, remaining, applicability) -> str:
    text = (f"Fixed {fixed} finding{'s' if fixed != 1 else ''} in {files_changed} "
            f"file{'s' if files_changed != 1 else ''} ({files} checked); ")
    if not remaining:
        return text + "no findings remain."
    text += f"{len(remaining)} finding{'s' if len(remaining) != 1 else ''} remain{'s' if len(remaining) == 1 else ''}"
    unsafe = sum(1 for d in remaining if d.fix is not None and d.fix.applicability == Applicability.UNSAFE)
    if unsafe and applicability > Applicability.UNSAFE:
        text += f" ({unsafe} fixable with `contentlint fix --unsafe-fixes`)"
    return text + "."


# -- rules, rule, init ------------------------------------------------------------------------


def rules(options: Options) -> int:
    from contentlint import registry

    if options.markdown:
        sys.stdout.write(rules_markdown())
        return EXIT_OK
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
    from contentlint import registry

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


def rule(options: Options) -> int:
    from contentlint import registry

    found = registry.get(options.code)
    if found is None:
        print(f"contentlint: error: no rule `{printable(options.code)}` (see `contentlint rules`)", file=sys.stderr)
        return EXIT_ERROR
    text = f"# {found.code} {found.name}\n\n" + "\n".join(_facts(found)) + "\n\n" + found.doc
    print(printable(text, keep="\n"))  # the same guard as every other output
    return EXIT_OK


def init(options: Options) -> int:
    from contentlint.init import InitError, run

    try:
        return run(options.root, force=options.force, dry_run=options.dry_run)
    except InitError as exc:
        print(f"contentlint: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR


def server(options: Options) -> int:
    from contentlint.server import serve

    return serve()


COMMANDS = {"check": check, "fix": fix, "rules": rules, "rule": rule, "init": init, "server": server,
            "merge": merge}
