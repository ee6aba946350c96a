"""`contentlint check`: discover, lint (in worker processes), reduce, report."""

from __future__ import annotations

import os
import sys
import time
from typing import Iterator

from contentlint import engine, registry
from contentlint.cache import (ResultCache, cache_folder, digest, leads_out, machine_key, setup_key, stat_key,
                               trusted_stat_key)
from contentlint.config import ConfigError, Settings
from contentlint.discover import discover
from contentlint.document import load
from contentlint.model import Diagnostic
from contentlint.progress import Progress
from contentlint.report import output
from contentlint.report.escape import printable
from contentlint.wholerun import WholeRun
from contentlint.workers import parallel_map


def _worker_init(settings: Settings, codes: list[str]) -> None:
    global _W_CTX, _W_RULES
    _W_CTX = engine.Context(settings)
    by_code = {r.code: r for r in registry.all_rules()}
    _W_RULES = [by_code[c] for c in codes]


def _worker_lint(path: str) -> tuple[engine.FileResult, tuple[bytes, str | None] | None]:
    return _lint_one(path, _W_RULES, _W_CTX)


def _lint_one(path: str, rules, ctx) -> tuple[engine.FileResult, tuple[bytes, str | None] | None]:
    """Lint one file; also what the cache keys its result by: the digest of the
    exact bytes linted and their trusted stat key (None: do not cache)."""
    read_at = time.time_ns()
    raw, reason, info = engine.read_with_stat(path)
    if raw is None:
        return engine.lint_document(engine.unreadable(path, reason), rules, ctx), None
    return engine.lint_document(load(path, raw), rules, ctx), (digest(raw), trusted_stat_key(info, read_at))


def _cached(files: list[str], results_cache: ResultCache | None) -> dict[str, engine.FileResult]:
    """The cached results still valid: the file's stat is unchanged (no read),
    or its content digest is (read and hashed, slice by slice: memory stays flat).
    A row is data from the checkout: compared as stored, decoded only through
    ``ResultCache.result``, which checks it against the file's size."""
    if results_cache is None:
        return {}
    found: dict[str, engine.FileResult] = {}
    for start in range(0, len(files), 500):
        rows = results_cache.rows(files[start:start + 500])
        for path, (row_digest, row_stat, text) in rows.items():
            try:
                info = os.stat(path)
            except OSError:
                continue
            size, unchanged = info.st_size, row_stat is not None and stat_key(info) == row_stat
            if not unchanged:
                raw, _ = engine.read(path)
                unchanged = raw is not None and digest(raw) == row_digest
                size = len(raw) if raw is not None else 0
            result = results_cache.result(path, text, size) if unchanged else None
            if result is not None:
                found[path] = result
    return found


def lint_files(files: list[str], settings: Settings, rules: list[registry.Rule],
               jobs: int | None = None, results_cache: ResultCache | None = None,
               progress=None) -> Iterator[engine.FileResult]:
    """A FileResult for every file, in the order of ``files`` (distinct paths,
    as discover gives them): cached ones from the cache, the others computed
    in ``jobs`` worker processes."""
    cached = _cached(files, results_cache)
    todo = [path for path in files if path not in cached] if cached else files
    computed = parallel_map(_worker_lint, todo, jobs or settings.jobs, _worker_init,
                            (settings, [r.code for r in rules]))
    for done, path in enumerate(files, 1):
        if path in cached:
            result = cached.pop(path)
        else:
            result, key = next(computed)
            if results_cache is not None and key is not None and not result.error:
                results_cache.store(result.path, *key, result)
        if progress is not None:
            progress(done, len(files))
        yield result
    if results_cache is not None:
        results_cache.flush()


def open_cache(settings: Settings, rules: list[registry.Rule], no_cache: bool) -> ResultCache | None:
    """The result cache of this run, or None: --no-cache, no machine key to sign
    rows with (cache.machine_key), or a cache folder in the checkout that leads
    out of it (a symlink a pull request can commit)."""
    if no_cache:
        return None
    secret = machine_key(settings.root)
    if secret is None:
        return None
    folder = cache_folder(settings)
    if leads_out(folder, settings.root):
        print(f"contentlint: warning: ignoring cache folder {printable(folder)}: it is in the checkout but "
              "leads out of it (a symlink); running without the cache", file=sys.stderr)
        return None
    from contentlint.schema import default_schema_path

    key = setup_key(settings, [r.code for r in rules], settings.schema or default_schema_path())
    return ResultCache(folder, key, rules, secret=secret)


def check_schema(settings: Settings, rules: list[registry.Rule], results_cache: ResultCache | None = None) -> None:
    """Load the schema up front so a bad --schema is a usage error, not N findings
    (and so forked workers inherit it loaded and checked). The result cache
    remembers, signed, which schemas passed their metaschema check."""
    if any(r.code.startswith("CL10") for r in rules):
        from contentlint.schema import SchemaLoadError, load_schema

        try:
            load_schema(settings.schema, results_cache)
        except SchemaLoadError as exc:
            raise ConfigError(str(exc)) from None


def collect(paths: list[str], settings: Settings, rules: list[registry.Rule],
            jobs: int | None = None, results_cache: ResultCache | None = None,
            progress=None, force_exclude: bool = False, online=None) -> tuple[list[Diagnostic], list[str], list[str]]:
    """All diagnostics of a run, sorted; the files checked; internal errors
    (bugs: each is also a CL010 finding of its file, and the run went on)."""
    files = list(discover(paths or ["."], settings, force_exclude))
    diagnostics: list[Diagnostic] = []
    whole_run = WholeRun(files, rules)
    errors: list[str] = []
    for index, result in enumerate(lint_files(files, settings, rules, jobs, results_cache, progress)):
        if result.error:
            errors.append(f"{result.path}: {result.error}")
        diagnostics.extend(result.diagnostics)
        whole_run.add(index, result)
    late = list(whole_run.finish(engine.Context(settings)))
    if online is not None:
        late.extend(online(files))
    diagnostics.extend(whole_run.settle(late))
    diagnostics.sort(key=lambda d: d.sort_key)
    return diagnostics, files, errors


def online_findings(files: list[str], settings: Settings, rules: list[registry.Rule], args,
                    progress=None, *, access) -> tuple[list[Diagnostic], dict]:
    """CL402, CL503, CL9xx: the documents are read again in this process (the
    network checks are I/O-bound, one event loop serves every file).
    ``access`` is the operator's NetworkAccess (command line and environment)."""
    from contentlint.online.settings import OnlineSettings

    online = OnlineSettings.from_mapping(settings.online)
    cache_path = online.cache_path
    if args.no_cache:
        cache_path = None
    elif args.cache_dir:
        cache_path = os.path.join(args.cache_dir, "online.sqlite3")
    elif cache_path and not os.path.isabs(cache_path):
        cache_path = os.path.join(settings.root, cache_path)
    online = online.with_(cache_path=cache_path, refresh=args.refresh)
    codes = {r.code for r in rules if r.online}
    if not codes:
        return [], {}
    docs = {}
    for path in files:
        raw, _ = engine.read(path)
        if raw is not None:
            doc = load(path, raw)
            if doc.ok:
                docs[path] = doc
    from contentlint.online.checks import run_online

    summary: dict = {}
    found = run_online(list(docs.values()), online, codes, progress=progress, summary=summary, access=access)
    by_code = {r.code: r for r in rules}
    diagnostics = [engine.to_diagnostic(docs[path], by_code[code], violation)
                   for path, code, violation in found
                   if not registry.matches(code, engine.file_ignores(path, settings))]
    return diagnostics, summary


def host_summary(summary: dict) -> str:
    lines = ["network checks per host:"]
    for host, counts in sorted(summary.items()):
        parts = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        lines.append(printable(f"  {host}: {parts}"))  # the host comes from a record's URL
    return "\n".join(lines)


def run_check(args, settings: Settings, access) -> int:
    """``access``: the operator's NetworkAccess for --online (cli.network_access)."""
    rules = engine.enabled_rules(settings, online=args.online)
    results_cache = open_cache(settings, rules, args.no_cache)
    check_schema(settings, rules, results_cache)
    summary: dict = {}

    def online(files):
        with Progress("checking links", quiet=getattr(args, "quiet", False)) as bar:
            found, per_host = online_findings(files, settings, rules, args, bar.update, access=access)
        summary.update(per_host)
        return found

    with Progress(quiet=getattr(args, "quiet", False)) as progress:
        diagnostics, files, errors = collect(args.paths, settings, rules, results_cache=results_cache,
                                             progress=progress.update, force_exclude=args.force_exclude,
                                             online=online if args.online else None)
    if results_cache is not None:
        results_cache.close()
    output.emit(args, settings, diagnostics, files, [host_summary(summary)] if summary else [])
    for error in errors:
        print(f"contentlint: {printable(error)}", file=sys.stderr)
    if args.exit_zero:
        return 0
    return 1 if any(engine.is_failure(d) for d in diagnostics) else 0
