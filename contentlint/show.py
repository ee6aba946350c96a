"""``--show-settings`` and ``--show-files`` (as in Ruff): what a run would use, then exit 0.

Both print to stdout; every path and value comes from the checkout or the
config file, so each line goes through ``printable``.
"""

from __future__ import annotations

import os
import sys

from contentlint import engine
from contentlint.cache import cache_folder
from contentlint.config import Settings
from contentlint.config import repository_root
from contentlint.report.escape import line_start, no_command, printable


def settings_lines(settings: Settings, online: bool) -> list[str]:
    from contentlint.validation import default_schema_path

    rules = engine.enabled_rules(settings, online=online)
    lines = [
        f"config file: {settings.config_file or '(none: defaults)'}",
        f"root: {settings.root}",
        f"repository root (CI formats' paths): {repository_root(os.getcwd(), settings.root)}",
        f"select: {', '.join(settings.select) or '(default rules)'}",
        f"extend-select: {', '.join(settings.extend_select) or '(none)'}",
        f"ignore: {', '.join(settings.ignore) or '(none)'}",
        f"include: {', '.join(settings.include)}",
        f"exclude: {', '.join(settings.exclude) or '(none)'}",
        _schema_line(settings, default_schema_path),
        f"respect-gitignore: {'true' if settings.respect_gitignore else 'false'}",
        f"baseline: {settings.baseline or '(none)'}",
        f"cache dir: {cache_folder(settings)}",
        f"jobs: {settings.jobs or 'all cores'}",
        "per-file-ignores:" + ("" if settings.per_file_ignores else " (none)"),
        *(f"  {glob}: {', '.join(codes)}" for glob, codes in sorted(settings.per_file_ignores.items())),
        "kinds:" + ("" if settings.kinds else " (none: every record is checked against the schema above)"),
        *(line for kind in settings.kinds for line in _kind_lines(kind)),
        "online:" + ("" if settings.online else " (defaults)"),
        *(f"  {key} = {value!r}" for key, value in sorted(settings.online.items())),
        f"enabled rules ({len(rules)}):",
        *(f"  {r.code} {r.name}" + _options(r, settings) for r in rules),
    ]
    return [no_command(printable(line)) for line in lines]


def _schema_line(settings: Settings, default_schema_path) -> str:
    """As load_schemas decides: with kinds, a file no kind claims (named on
    the command line) has the configured schema, or none."""
    if settings.kinds:
        return f"schema (a file no kind claims): {settings.schema or '(none)'}"
    return f"schema: {settings.schema or default_schema_path()}"


def _kind_lines(kind) -> list[str]:
    schema = kind.schema or "(none: no schema rules)"
    lines = [f"  {kind.name}: include {', '.join(kind.include)}", f"    schema: {schema}"]
    if kind.exclude:
        lines.append(f"    exclude: {', '.join(kind.exclude)}")
    for label, codes in (("select", kind.select), ("extend-select", kind.extend_select), ("ignore", kind.ignore)):
        if codes:
            lines.append(f"    {label}: {', '.join(codes)}")
    lines += [f"    rules.{code}: {_pairs(options)}" for code, options in sorted(kind.rule_options.items())]
    return lines


def _options(rule, settings: Settings) -> str:
    """The rule's options as the run uses them (the config's over the defaults)."""
    if not rule.options:
        return ""
    return f" ({_pairs({**rule.options, **settings.rule_options.get(rule.code, {})})})"


def _pairs(options: dict) -> str:
    return ", ".join(f"{name} = {value!r}" for name, value in options.items())


def show_settings(settings: Settings, online: bool = False) -> int:
    sys.stdout.write("".join(line + "\n" for line in settings_lines(settings, online)))
    return 0


def show_files(paths: list[str], settings: Settings, force_exclude: bool = False,
               shard: tuple[int, int] | None = None) -> int:
    """The files a run would check; with ``shard`` (K, N), those of shard K."""
    from contentlint.discover import discover
    from contentlint.shard import bucket

    for path in discover(paths or ["."], settings, force_exclude):
        if shard is None or bucket(path, settings.root, shard[1]) == shard[0] - 1:
            sys.stdout.write(line_start(path) + "\n")
    return 0
