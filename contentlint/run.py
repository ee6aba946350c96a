"""`contentlint check`: discover, lint (in worker processes), reduce, report."""

from __future__ import annotations

import os
import sys
from typing import Iterator

from contentlint import __version__, engine, registry
from contentlint.config import ConfigError, Settings
from contentlint.discover import discover
from contentlint.model import Diagnostic
from contentlint.report import FORMATS, ReportContext, renderer

# Below this many files a pool costs more than it saves (the pre-commit case).
MIN_FILES_PER_WORKER = 32


def _worker_init(settings: Settings, codes: list[str]) -> None:
    global _W_CTX, _W_RULES
    _W_CTX = engine.Context(settings)
    by_code = {r.code: r for r in registry.all_rules()}
    _W_RULES = [by_code[c] for c in codes]


def _worker_lint(path: str) -> engine.FileResult:
    return engine.lint_path(path, _W_RULES, _W_CTX)


def lint_files(files: list[str], settings: Settings, rules: list[registry.Rule],
               jobs: int | None = None) -> Iterator[engine.FileResult]:
    """FileResults in the order of ``files``, computed in ``jobs`` processes."""
    jobs = jobs or settings.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(files) // MIN_FILES_PER_WORKER))
    if jobs == 1:
        ctx = engine.Context(settings)
        for path in files:
            yield engine.lint_path(path, rules, ctx)
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    mp = multiprocessing.get_context(method)
    codes = [r.code for r in rules]
    with mp.Pool(jobs, initializer=_worker_init, initargs=(settings, codes)) as pool:
        chunk = max(1, min(64, len(files) // (jobs * 8)))
        yield from pool.imap(_worker_lint, files, chunksize=chunk)


def check_schema(settings: Settings, rules: list[registry.Rule]) -> None:
    """Load the schema up front so a bad --schema is a usage error, not N findings."""
    if any(r.code.startswith("CL10") for r in rules):
        from contentlint.schema import SchemaLoadError, load_schema

        try:
            load_schema(settings.schema)
        except SchemaLoadError as exc:
            raise ConfigError(str(exc)) from None


def collect(paths: list[str], settings: Settings, rules: list[registry.Rule],
            jobs: int | None = None) -> tuple[list[Diagnostic], list[str], list[str]]:
    """All diagnostics of a run, sorted; the files checked; internal errors."""
    files = list(discover(paths or ["."], settings))
    diagnostics: list[Diagnostic] = []
    results: list[engine.FileResult] = []
    errors: list[str] = []
    for result in lint_files(files, settings, rules, jobs):
        if result.error:
            errors.append(f"{result.path}: internal error: {result.error}")
        diagnostics.extend(result.diagnostics)
        if result.facts or result.suppressions:
            result.diagnostics = []  # keep only what the whole-run stage needs
            results.append(result)
    late = list(engine.finish_run(results, rules, engine.Context(settings)))
    diagnostics.extend(engine.settle_suppressions(late, results, rules))
    diagnostics.sort(key=lambda d: d.sort_key)
    return diagnostics, files, errors


def run_check(args, settings: Settings) -> int:
    rules = engine.enabled_rules(settings, online=args.online)
    check_schema(settings, rules)
    diagnostics, files, errors = collect(args.paths, settings, rules)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    assert fmt in FORMATS
    color = (fmt == "text" and not args.output_file and sys.stdout.isatty()
             and "NO_COLOR" not in os.environ)
    ctx = ReportContext(files_checked=len(files), color=color, statistics=args.statistics,
                        tool_version=__version__, checked_paths=files)
    output = renderer(fmt)(diagnostics, ctx)
    if args.output_file:
        with open(args.output_file, "w", encoding="utf-8") as handle:
            handle.write(output)
    else:
        sys.stdout.write(output)
    for error in errors:
        print(f"contentlint: {error}", file=sys.stderr)
    if errors:
        return 2
    if args.exit_zero:
        return 0
    return 1 if any(engine.is_failure(d) for d in diagnostics) else 0
