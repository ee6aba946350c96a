"""The one run pipeline of `check` and `fix`:

    discover -> result cache / worker processes -> per-file step (lint, or fix)
    -> whole-run reduce -> online checks -> settle suppressions -> sorted findings
    -> report filters (baseline, changed files: ``reported``)

``prepare`` resolves a run's settings once (rules, schema, cache folder,
jobs, online settings) into a ``Plan``; ``run`` executes it with a per-file
step: ``LINT`` for `check`, ``Fix(...)`` for `fix`. Steps run in worker
processes (parallel.py); the main process keeps only what the whole-run
rules need (wholerun.py). Nothing here knows the command line; it prints
only warnings about the run's set-up (a cache folder it will not use).

``check_text`` and ``fix_text`` are the per-file step on one text in memory
(no file is read or written; ``path`` only picks the per-file ignores).

A `check` whose every file is unchanged is served by the result cache
whole (``_served``): its rows and its stored whole-run findings, without
the engine, the rules or the schema, which are imported and loaded only
when a file is linted (the plan's rules are looked up on first use).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, Iterator

from contentlint import frontmatter
from contentlint.cache import (ResultCache, Row, cache_folder, digest, encode, file_digest, leads_out, machine_key,
                               not_a_cache_folder, row_mac, setup_key, stat_key, trusted_stat_key)
from contentlint.config import ConfigError, Settings
from contentlint.discover import discover
from contentlint.model import INTERNAL_ERROR, Applicability, Diagnostic, Frozen

if TYPE_CHECKING:
    from contentlint import engine, registry
    from contentlint.gitchanges import Changes



# -- settings, resolved once ------------------------------------------------------------


class Plan(Frozen):
    """What a run needs to know, decided once before any file is read."""

    _fields = __slots__ = ("settings", "rules", "cache_dir", "online", "access", "baseline", "changed")

    def __init__(self, settings: Settings,  # ``schema``: None for the shipped one or, with kinds, each kind's
                 rules: Sequence[registry.Rule],  # Rules (looked up on first use), or the rules given
                 cache_dir: str | None = None,  # the result cache's folder; None: no cache
                 online: object | None = None,  # OnlineSettings (cache path resolved); None: no network checks
                 access: object | None = None,  # the operator's NetworkAccess for the SSRF guard
                 baseline: object | None = None,  # baseline.Baseline: report only the findings not in it
                 changed: Changes | None = None,  # --changed-since: gitchanges.changed_files
                 ) -> None:
        init = object.__setattr__  # immutable once built (as a frozen dataclass was)
        init(self, "settings", settings)
        init(self, "rules", rules)
        init(self, "cache_dir", cache_dir)
        init(self, "online", online)
        init(self, "access", access)
        init(self, "baseline", baseline)
        init(self, "changed", changed)

    def context(self) -> engine.Context:
        from contentlint import engine

        return engine.Context(self.settings)


class Rules(Sequence):
    """The rules a selection enables (engine.enabled_rules), looked up on
    first use: a run the cache serves whole imports no rule module."""

    def __init__(self, settings: Settings, online: bool):
        self.settings = settings
        self.online = online

    @functools.cached_property
    def _rules(self) -> tuple:
        from contentlint import engine

        return tuple(engine.enabled_rules(self.settings, online=self.online))

    def __getitem__(self, index):
        return self._rules[index]

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self):
        return iter(self._rules)

    def key(self) -> list[str]:
        """What decides the rules besides the package's code (hashed into the setup key)."""
        s = self.settings
        return [f"select={sorted(s.select)}", f"extend-select={sorted(s.extend_select)}",
                f"ignore={sorted(s.ignore)}", f"online={self.online}"]


def rule_key(rules: Sequence) -> list[str]:
    """The rules' part of the result cache's setup key: a selection's, or the codes of rules given."""
    return rules.key() if isinstance(rules, Rules) else [r.code for r in rules]


def prepare(settings: Settings, *, online: bool = False, no_cache: bool = False,
            refresh: bool = False, access=None, online_cache_dir: str | None = None) -> Plan:
    """The run's Plan. A schema that cannot be loaded is a usage error
    (ConfigError), not a finding per file: here without the cache, else
    before the first file is linted (``load_schemas``). A run the cache
    serves whole loads none: its stored results were made with the same
    schema bytes (the setup key), which loaded then. ``online_cache_dir``:
    the `--cache-dir` option, which also moves the network results' cache."""
    cache_dir = None if no_cache else cache_folder(settings)
    if cache_dir is not None and leads_out(cache_dir, settings.root):
        _warn(f"ignoring cache folder {cache_dir}: it is in the checkout but leads out of it (a symlink); "
              "running without the cache")
        cache_dir = None
    foreign = None if cache_dir is None else not_a_cache_folder(cache_dir)
    if foreign is not None:
        _warn(f"ignoring cache folder {cache_dir}: {foreign}; running without the cache")
        cache_dir = None
    online_settings = _online_settings(settings, cache_dir, online_cache_dir, refresh) if online else None
    plan = Plan(settings, Rules(settings, online), cache_dir, online_settings, access)
    if cache_dir is None:
        load_schemas(plan)
    return plan


def load_schemas(plan: Plan, verdicts: ResultCache | None = None) -> None:
    """Load (and check) the run's schemas before the workers fork, so they
    inherit them checked; ConfigError when one cannot be used. ``verdicts``:
    the result cache, which remembers, signed, which schemas passed."""
    if not any(r.needs_schema for r in plan.rules):
        return
    from contentlint.kinds import schema_path
    from contentlint.validation import SchemaLoadError, default_schema_path, load_schema

    settings = plan.settings
    # With kinds, a file no kind claims has no schema unless one is configured.
    schemas = [settings.schema or (None if settings.kinds else default_schema_path())]
    schemas += [schema_path(kind.schema) for kind in settings.kinds]
    try:
        for schema in dict.fromkeys(s for s in schemas if s):  # each kind's schema, once
            load_schema(schema, verdicts)
    except SchemaLoadError as exc:
        raise ConfigError(str(exc)) from None


def _warn(message: str) -> None:
    """A warning about the run's set-up (the one thing this module prints)."""
    import sys

    from contentlint.report.escape import printable

    print(f"contentlint: warning: {printable(message)}", file=sys.stderr)


def _online_settings(settings: Settings, cache_dir: str | None, option: str | None, refresh: bool):
    from contentlint.online.settings import OnlineSettings  # light: no httpx

    online = OnlineSettings.from_mapping(settings.online)
    cache_path = online.cache_path
    if cache_dir is None:
        cache_path = None
    elif option:  # --cache-dir: the network results go there too
        cache_path = os.path.join(option, "online.sqlite3")
    elif cache_path:  # the config's (inside the checkout: config.py) or the default
        cache_path = os.path.join(settings.root, cache_path)
        if leads_out(os.path.dirname(cache_path), settings.root):
            _warn(f"ignoring network cache {cache_path}: it is in the checkout but leads out of it (a symlink); "
                  "running without it")
            cache_path = None
    return online.with_(cache_path=cache_path, refresh=refresh)


def open_cache(plan: Plan, keyed: bool = False) -> ResultCache | None:
    """The result cache of this run, or None: no cache folder, or no machine
    key to sign rows with (cache.machine_key). ``keyed``: the rows hold the
    baseline key parts (``Lint.keys``): a setup of their own."""
    if plan.cache_dir is None:
        return None
    secret = machine_key(plan.settings.root)
    if secret is None:
        return None
    key = setup_key(plan.settings, rule_key(plan.rules), plan.settings.schema, keyed=keyed)
    return ResultCache(plan.cache_dir, key, plan.rules, secret=secret)


# -- per-file steps -----------------------------------------------------------------------


class Lint:
    """`check`'s step: a file's FileResult, and what the cache keys it by (the
    digest of the exact bytes linted and their trusted stat key; None: do not
    cache). A stat key only where ``may_skip_reading``: without kinds, a row
    whose stat key matches answers discovery for the file (``_Known.is_record``).

    ``candidate``: a walked file the walk did not open (``_record_test``); the step
    reads it in full anyway, so it decides here, as ``frontmatter.is_record``
    would, whether it is a record: (None, None) when it is not."""

    cacheable = True
    decides_records = True

    def __init__(self, keys: bool = False):
        self.keys = keys  # each result holds its findings' baseline key parts (a run with a baseline)

    def __call__(self, path: str, rules, ctx, candidate: bool = False) -> tuple[engine.FileResult | None, tuple | None]:
        from contentlint import engine
        from contentlint.document import load

        read_at = time.time_ns()
        raw, reason, info = engine.read_with_stat(path)
        if candidate and not _is_record(path, raw):
            return None, None
        if raw is None:
            return engine.lint_document(engine.unreadable(path, reason), rules, ctx), None
        # A candidate kept is a record without kinds: it starts like one.
        keyed = candidate or may_skip_reading(ctx.settings, frontmatter.head_of(raw))
        stat = trusted_stat_key(info, read_at) if keyed else None
        doc = load(path, raw)
        result = engine.lint_document(doc, rules, ctx)
        if self.keys:  # where its findings start, and where a whole-run finding would (a fact's line/column)
            from contentlint.baseline import parts_at

            at = [(d.start.line, d.start.column) for d in result.diagnostics]
            at += [(f.line, f.column) for f in result.facts.values() if hasattr(f, "line") and hasattr(f, "column")]
            result.keys = parts_at(doc, at)
        if ctx.reads_named_schema:  # the schema file its `$schema` names may change alone: not stored
            return result, None
        return result, (digest(raw), stat)

    @staticmethod
    def result(item) -> engine.FileResult:
        return item


LINT = Lint()
LINT_KEYED = Lint(keys=True)  # `check` with a baseline to read or write


def _is_record(path: str, raw: bytes | None) -> bool:
    """``frontmatter.is_record(path)``'s answer from the file's bytes read in
    full; when they could not be (gone, not a regular file, over the size
    limit), it asks the file itself, as the walk did: a head it can read decides."""
    if raw is None:
        return frontmatter.is_record(path)
    return frontmatter.starts_like_record(frontmatter.head_of(raw))


class Fix:
    """`fix`'s step: a fixer.FileOutcome per file, written in place when ``write``.
    (A plain class, as ``Outcome``: a dataclass costs ~0.6 ms to define on every run.)"""

    cacheable = False
    decides_records = True  # as Lint's: ``candidate``, a walked file the walk did not open

    def __init__(self, applicability: Applicability = Applicability.SAFE, write: bool = True):
        self.applicability = applicability
        self.write = write

    def __call__(self, path: str, rules, ctx, candidate: bool = False):
        from contentlint import engine, fixer

        read = engine.read(path)
        if candidate and not _is_record(path, read[0]):
            return None, None
        outcome = fixer.fix_path(path, rules, ctx, self.applicability, self.write, read)
        if self.write or outcome.fixed is None:  # the bytes cross a process boundary: only what is needed
            outcome.original = outcome.fixed = None
        return outcome, None

    @staticmethod
    def result(outcome) -> engine.FileResult:
        """What the whole-run stage needs: the final lint, with the findings that remain."""
        from contentlint import engine

        result = outcome.result or engine.FileResult(outcome.path, [])
        return result.replace(diagnostics=outcome.remaining, error=outcome.error)


def _worker_init(settings: Settings, codes: list[str], step, row_key: bytes | None = None,
                 candidates: frozenset | set = frozenset()) -> None:
    """``row_key``: the result cache's (ResultCache.row_key), to sign rows
    here; None: no cache. ``candidates``: the walked files the step decides
    are records or not (``_record_test``)."""
    from contentlint import engine, registry

    global _W
    by_code = {r.code: r for r in registry.all_rules()}
    _W = ([by_code[c] for c in codes], engine.Context(settings), step, row_key, candidates)


def _worker_step(path: str):
    """The step's (item, key); (None, None) for a candidate that is no
    record. With a cache, a key of a result without an error also holds the
    row ready to insert, (text, MAC): encoding and signing run here, in
    parallel, not in the main process, which only inserts (ResultCache.store_signed)."""
    rules, ctx, step, row_key, candidates = _W
    item, key = step(path, rules, ctx, True) if path in candidates else step(path, rules, ctx)
    if row_key is not None and key is not None and not item.error:
        text = encode(item)
        key = (*key, (text, row_mac(row_key, item.path, key[0], key[1], text)))
    return item, key


# -- the run ------------------------------------------------------------------------------


class Outcome:
    """A run's findings and counts."""

    def __init__(self, diagnostics: list[Diagnostic], files: list[str], errors: list[str],
                 online_summary: dict | None = None, late: list[Diagnostic] | None = None,
                 keys: dict | None = None):
        self.diagnostics = diagnostics  # sorted
        self.files = files
        self.errors = errors  # internal errors (bugs): each also a CL010 finding of its file
        self.online_summary = {} if online_summary is None else online_summary  # host -> request counts
        self.baselined = 0  # findings dropped because the baseline holds them
        self.stale = 0  # baseline entries of checked files that matched no finding
        self.unchanged = 0  # findings dropped because their file did not change (--changed-since)
        self.late = [] if late is None else late  # the settled whole-run and online findings
        self.keys = {} if keys is None else keys  # (path, line, column) -> baseline key parts found beside the document


def run(paths: list[str], plan: Plan, step=LINT, *, force_exclude: bool = False,
        on_file: Callable | None = None, progress_bar: Callable = None) -> Outcome:
    """Run ``step`` over the files under ``paths``; ``on_file(item)`` sees each
    step's result in file order as it arrives (fix prints as it goes);
    ``progress_bar(label)``: a context manager with ``update(done, total)``."""
    bar = progress_bar or _NoProgress
    paths = paths or ["."]
    results_cache = open_cache(plan, getattr(step, "keys", False)) if step.cacheable else None
    # Walked files the step decides are records or not: it reads them in full
    # anyway, so the walk need not open them too (one read per file).
    candidates = set() if getattr(step, "decides_records", False) and not plan.settings.kinds else None
    try:
        known = _Known(results_cache, paths, plan.settings, candidates) if results_cache is not None else None
        files = list(discover(paths, plan.settings, force_exclude, is_record=_record_test(known, candidates)))
        if candidates:  # a file both walked and named (`check ./README.md .`) is named: checked whatever it holds
            candidates.difference_update(paths)
        with bar("checking") as progress:
            unchanged = known.unchanged(files) if known is not None else None
            if known is not None and on_file is None:
                files = known.without_unstored_non_records(files, unchanged)
            served = _served(files, plan, results_cache, unchanged) if on_file is None else None
            if served is not None:
                progress.update(len(files), len(files))
                return reported(served, plan)
            digests: dict[str, bytes] = {}
            # The records among ``files``, in file order, filled as the step
            # yields: the whole-run stage indexes it, and it is complete once
            # every item is in.
            records: list[str] = [] if candidates else files
            items = step_files(files, plan, step, results_cache, progress.update, unchanged, digests,
                               candidates, records if candidates else None)
            outcome = reduce(records, (step.result(item) for item in _watched(items, on_file)), plan, bar)
            late_keys = None
            if getattr(step, "keys", False):  # the whole-run findings' too, kept with them
                from contentlint.baseline import parts_for

                late_keys, same = parts_for(outcome.late, outcome.keys, digests)
                outcome.keys.update(_keyed(outcome.late, late_keys))
                late_keys = late_keys if same else None  # a file changed since it was linted: not kept
            if results_cache is not None and plan.online is None and len(digests) == len(records) and not (
                    outcome.errors or any(d.code == INTERNAL_ERROR for d in outcome.late)):
                results_cache.store_whole_run(records, digests, plan.rules, outcome.late, late_keys)
            return reported(outcome, plan)
    finally:
        if results_cache is not None:
            results_cache.close()


def may_skip_reading(settings: Settings, head: bytes) -> bool:
    """Whether a file with this head may get a stat key, which lets a later
    run skip reading it. Without kinds a matching stat key also answers the
    walk's "is it a record?" (``_Known.is_record``), so only bytes that start
    like a record get one; with kinds the globs answer that, so every file."""
    return bool(settings.kinds) or frontmatter.starts_like_record(head)


def _record_test(known: _Known | None, candidates: set | None) -> Callable[[str], bool]:
    """What the walk asks of each file of the included types (no kinds): the
    result cache's answer, else keep it as a candidate, else read its head."""
    if known is not None:
        return known.is_record
    if candidates is not None:
        return lambda path: candidates.add(path) or True
    return frontmatter.is_record


class _Known:
    """The result cache's rows for a run's files, fetched once: those under
    each folder walked (one range query) before discovery, which asks
    ``is_record`` of them, then those of the files named. ``candidates``:
    where a file the rows cannot answer for is kept unopened (None: its head
    is read)."""

    def __init__(self, results_cache: ResultCache, paths: list[str], settings: Settings,
                 candidates: set | None = None):
        self.cache = results_cache
        self.settings = settings
        self.candidates = candidates
        self.rows: dict[str, Row] = {}
        self.walked_only = True  # every argument a folder: their ranges hold every file found
        for path in paths:
            if os.path.isdir(path):
                self.rows.update(results_cache.rows_under(path))
            else:
                self.walked_only = False
        self.sizes: dict[str, int] = {}  # files whose stat key matched their row's: their size

    def is_record(self, path: str) -> bool:
        """Without kinds a row's stat key is stored only for bytes that start
        like a record (``may_skip_reading``): when it still matches, the file
        need not be opened to know."""
        return self._stat_matches(path) or self._undecided(path)

    def _undecided(self, path: str) -> bool:
        if self.candidates is None:
            return frontmatter.is_record(path)
        self.candidates.add(path)
        return True

    def _stat_matches(self, path: str) -> bool:
        row = self.rows.get(path)
        if row is None or row.stat is None:
            return False
        try:
            info = os.stat(path)
        except OSError:
            return False
        if stat_key(info) != row.stat:
            return False
        self.sizes[path] = info.st_size
        return True

    def unchanged(self, files: list[str]) -> dict[str, tuple[Row, int]]:
        """{path: (row, size)} of the files whose row still stands: the stat
        key matches (no read), or the content digest does (read and hashed;
        then the new stat key is stored, so the next run need not read it)."""
        if not self.walked_only:
            self.rows.update(self.cache.rows([path for path in files if path not in self.rows]))
        found = {}
        for path in files:
            row = self.rows.get(path)
            if row is None:
                continue
            if path not in self.sizes and not self._stat_matches(path):
                size = self._read_again(path, row)
            else:
                size = self.sizes[path]
            if size is not None:
                found[path] = (row, size)
        return found

    def without_unstored_non_records(self, files: list[str], unchanged: dict) -> list[str]:
        """``files`` less the candidates that are no records, when the run may
        be served whole: every other file is unchanged and these were never
        stored. Decided here by their heads, as the walk did before: a README
        (never a record, so never stored) must not make every warm run lint.
        A new record among them is decided too; its step reads it again."""
        if not unchanged or not self.candidates:
            return files
        rest = [path for path in files if path not in unchanged]
        if not rest or not all(path in self.candidates and path not in self.rows for path in rest):
            return files
        dropped = set()
        for path in rest:
            self.candidates.discard(path)
            if not frontmatter.is_record(path):
                dropped.add(path)
        return [path for path in files if path not in dropped] if dropped else files

    def _read_again(self, path: str, row: Row) -> int | None:
        read_at = time.time_ns()
        read = file_digest(path)
        if read is None or read.digest != row.digest:
            return None
        if self.candidates and path in self.candidates and not frontmatter.starts_like_record(read.head):
            return None  # a row of a file once named (checked whatever it held): walked, it is no record
        stat = trusted_stat_key(read.info, read_at) if may_skip_reading(self.settings, read.head) else None
        if stat is not None and stat != row.stat:
            self.cache.restat(path, row, stat)
        return read.size


def _served(files: list[str], plan: Plan, results_cache: ResultCache | None,
            unchanged: dict | None) -> Outcome | None:
    """The Outcome of a `check` whose every file is unchanged and whose
    whole-run findings are stored for exactly these files and contents, or
    None. Only the rows with findings are decoded: the facts and
    suppressions of the others went into the stored whole-run findings."""
    if results_cache is None or unchanged is None or plan.online is not None or len(unchanged) != len(files):
        return None
    digests = {path: row.digest for path, (row, _) in unchanged.items()}
    if any(type(value) is not bytes for value in digests.values()):
        return None
    stored = results_cache.whole_run(files, digests, {path: size for path, (_, size) in unchanged.items()})
    if stored is None:
        return None
    rules, late, late_keys = stored
    diagnostics: list[Diagnostic] = []
    keys: dict = dict(_keyed(late, late_keys)) if late_keys else {}
    for path in files:
        row, size = unchanged[path]
        found = results_cache.findings(path, row.text, size, rules)
        if found is None:
            return None
        diagnostics.extend(found[0])
        if found[1]:
            keys.update(_placed(path, found[1]))
    diagnostics.extend(late)
    diagnostics.sort(key=lambda d: d.sort_key)
    return Outcome(diagnostics, files, [], late=late, keys=keys)


class _NoProgress:
    def __init__(self, label: str = ""):
        pass

    def update(self, done: int, total: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def _watched(items, on_file):
    for item in items:
        if on_file is not None:
            on_file(item)
        yield item


def step_files(files: list[str], plan: Plan, step=LINT, results_cache: ResultCache | None = None,
               progress=None, unchanged: dict | None = None, digests: dict | None = None,
               candidates: set | None = None, records: list | None = None) -> Iterator:
    """The step's result for every file, in the order of ``files`` (distinct
    paths, as discover gives them): cached ones from the cache, the others
    computed in worker processes. ``unchanged``: ``_Known.unchanged``'s
    answer, if asked already; ``digests`` gets the content digest of every
    file whose result is cached or stored. ``candidates``: files the step
    decides are records or not; one that is not yields nothing. ``records``
    gets each file that yields, before its result is yielded."""
    from contentlint.parallel import parallel_map

    load_schemas(plan, results_cache)
    if results_cache is not None and unchanged is None:
        unchanged = _Known(results_cache, [], plan.settings).unchanged(files)
    cached = _cached(unchanged or {}, results_cache)
    todo = [path for path in files if path not in cached] if cached else files
    row_key = results_cache.row_key if results_cache is not None and results_cache.db is not None else None
    computed = parallel_map(_worker_step, todo, plan.settings.jobs, _worker_init,
                            (plan.settings, [r.code for r in plan.rules], step, row_key, candidates or frozenset()))
    for done, path in enumerate(files, 1):
        if path in cached:
            item = cached.pop(path)
            if digests is not None:
                digests[path] = unchanged[path][0].digest
        else:
            item, key = next(computed)
            if item is None:  # a candidate that is no record: not checked, nothing stored
                if progress is not None:
                    progress(done, len(files))
                continue
            if results_cache is not None and key is not None and not item.error:
                if len(key) == 3:  # signed by the worker
                    results_cache.store_signed(item.path, key[0], key[1], *key[2])
                else:
                    results_cache.store(item.path, *key, item)
                if digests is not None:
                    digests[path] = key[0]
        if progress is not None:
            progress(done, len(files))
        if records is not None:
            records.append(path)
        yield item
    if results_cache is not None:
        results_cache.flush()


def lint_files(files: list[str], plan: Plan, results_cache: ResultCache | None = None,
               progress=None) -> Iterator[engine.FileResult]:
    """A FileResult for every file, in the order of ``files``."""
    return step_files(files, plan, LINT, results_cache, progress)


def _cached(unchanged: dict[str, tuple[Row, int]], results_cache: ResultCache | None) -> dict[str, engine.FileResult]:
    """The results of the unchanged files (``_Known.unchanged``). A row is
    data from the checkout: decoded only through ``ResultCache.result``,
    which checks it against the file's size."""
    found: dict[str, engine.FileResult] = {}
    if results_cache is None:
        return found
    for path, (row, size) in unchanged.items():
        result = results_cache.result(path, row.text, size)
        if result is not None:
            found[path] = result
    return found


def reduce(files: list[str], results, plan: Plan, progress_bar: Callable = None,
           online_found: list[Diagnostic] = ()) -> Outcome:
    """Every file's findings, the whole-run rules' and the online rules',
    with suppressions settled, sorted. ``online_found``: online findings made
    elsewhere, settled with the rest (`merge`: the shards', shard.py)."""
    diagnostics: list[Diagnostic] = []
    from contentlint.wholerun import WholeRun  # not on a run the cache serves whole (array, struct, typing's Annotated)

    whole_run = WholeRun(files, list(plan.rules))
    errors: list[str] = []
    keys: dict = {}
    for index, result in enumerate(results):
        if result.error:
            errors.append(f"{result.path}: {result.error}")
        diagnostics.extend(result.diagnostics)
        if result.keys:
            keys.update(_placed(result.path, result.keys))
        whole_run.add(index, result)
    late = list(whole_run.finish(plan.context()))
    late.extend(online_found)
    summary: dict = {}
    if plan.online is not None:
        with (progress_bar or _NoProgress)("checking links") as bar:
            late.extend(online_findings(files, plan, bar.update, summary))
    late = whole_run.settle(late)
    diagnostics.extend(late)
    diagnostics.sort(key=lambda d: d.sort_key)
    return Outcome(diagnostics, files, errors, summary, late=late, keys=keys)


def _keyed(diagnostics: list[Diagnostic], parts: list) -> Iterator[tuple[tuple, tuple]]:
    """(path, line, column) -> key parts: a key depends on where a finding starts only."""
    for d, found in zip(diagnostics, parts):
        yield (d.path, d.start.line, d.start.column), found


def _placed(path: str, entries: list) -> Iterator[tuple[tuple, tuple]]:
    """``_keyed`` of a file's (line, column, data path, digest) entries (FileResult.keys)."""
    for line, column, data_path, line_digest in entries:
        yield (path, line, column), (data_path, line_digest)


def reported(outcome: Outcome, plan: Plan) -> Outcome:
    """The report filters, after suppressions are settled: the findings not in
    the baseline, then only those in changed files. The baseline sees every
    finding first, so an entry of an unchanged file is not taken for stale."""
    if plan.baseline is not None:
        from contentlint.baseline import split

        found = split(plan.baseline, outcome.diagnostics, outcome.files, outcome.keys)
        outcome.diagnostics, outcome.baselined, outcome.stale = found.new, found.known, found.stale
    if plan.changed is not None:
        from contentlint.gitchanges import is_changed

        kept = [d for d in outcome.diagnostics  # CL010 always: a bug never passes
                if d.code == INTERNAL_ERROR or is_changed(d.path, plan.changed)]
        outcome.unchanged = len(outcome.diagnostics) - len(kept)
        outcome.diagnostics = kept
    return outcome


def online_findings(files: list[str], plan: Plan, progress=None, summary: dict | None = None) -> list[Diagnostic]:
    """CL402, CL503, CL9xx: the documents are read again in this process (the
    network checks are I/O-bound, one event loop serves every file)."""
    from contentlint import engine, registry
    from contentlint.document import load

    codes = {r.code for r in plan.rules if r.online}
    if not codes:
        return []
    docs = {}
    for path in files:
        raw, _ = engine.read(path)
        if raw is not None:
            doc = load(path, raw)
            if doc.ok:
                docs[path] = doc
    from contentlint.online.checks import run_online

    found = run_online(list(docs.values()), plan.online, codes, progress=progress,
                       summary=summary if summary is not None else {}, access=plan.access)
    by_code = {r.code: r for r in plan.rules}
    ctx, selected = plan.context(), {}  # a kind's own selection applies to its files' network findings too

    def kept(path: str, code: str) -> bool:
        resolution = ctx.for_path(path)
        if id(resolution) not in selected:
            selected[id(resolution)] = {r.code for r in engine.enabled_rules(resolution.settings, online=True)}
        return code in selected[id(resolution)] and not registry.matches(code, engine.file_ignores(path, plan.settings))

    return [engine.stamp(by_code[code], path, violation, docs[path].position)
            for path, code, violation in found if kept(path, code)]


# -- one text in memory ---------------------------------------------------------------------


def _document(path: str, raw: bytes):
    """The Document of one text in memory; over the file size limit, CL008 as for a file."""
    from contentlint import engine
    from contentlint.document import load

    if len(raw) > engine.MAX_FILE_BYTES:
        return engine.unreadable(path, f"text is over the limit of {engine.MAX_FILE_BYTES // 1048576} MiB")
    return load(path, raw)


def check_text(path: str, data: bytes | str, plan: Plan, *, whole_run: bool = True) -> list[Diagnostic]:
    """The findings of one text as `check PATH` would report them for a file
    with these bytes (no file is read; ``path`` picks the per-file ignores).
    ``whole_run=False``: the per-file findings only (an editor sees one file:
    whole-run rules and the suppressions of their codes are not judged)."""
    from contentlint import engine

    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    result = engine.lint_document(_document(path, raw), list(plan.rules), plan.context())
    if not whole_run:
        return result.diagnostics
    return reduce([path], [result], plan.replace(online=None)).diagnostics


def fix_text(path: str, data: bytes | str, plan: Plan, applicability: Applicability = Applicability.SAFE):
    """fixer.FileOutcome of one text in memory: ``fixed`` is the new bytes
    (None: nothing changed), ``remaining`` the findings left."""
    from contentlint import engine, fixer

    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    if len(raw) > engine.MAX_FILE_BYTES:  # not read, as a file of that size: CL008
        return fixer.FileOutcome(path, remaining=check_text(path, raw, plan), blocked=True)
    outcome = fixer.fix_bytes(path, raw, list(plan.rules), plan.context(), applicability)
    outcome.remaining = reduce([path], [Fix.result(outcome)], plan.replace(online=None)).diagnostics
    return outcome
