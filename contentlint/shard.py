"""Past one machine: `check --shard K/N` and `merge` (docs/ci.md).

The CI's own runners are the distributed engine. Every shard discovers the
whole file list and checks the files whose repository-relative path hashes
to its bucket (blake2b, so the split is the same on every machine and does
not depend on the order of discovery; a file keeps its shard as the
repository grows, so each runner's result cache stays warm). A shard writes
what the whole-run reduce needs (pipeline.reduce): per file its findings
after its own suppressions, its whole-run facts and the suppressions late
findings may need (the result cache's rows, cache.encode_data), and its
online findings. `merge` checks that the shards are one run's (same tool,
same settings, every file exactly once), then runs that reduce over all of
them: the result equals a single run's.

A shard file is data written by one CI job and read by another: it is JSON,
read back only through ``read``, which checks every field (the rows through
cache.decode_data, against this run's rules); anything odd is a usage error
naming the file (exit 2). Never pickle.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
from dataclasses import dataclass
from typing import Any

from contentlint import __version__, engine, pipeline, registry
from contentlint.cache import _Bad, _int, _list, decode_data, encode_data, setup_key  # one set of strict readers
from contentlint.config import ConfigError
from contentlint.discover import discover
from contentlint.frontmatter import READ_FLAGS, read_up_to
from contentlint.options import MAX_SHARDS
from contentlint.engine import FileResult

FORMAT = "contentlint-shard"
VERSION = 1
# A shard file of a million records' findings is a few hundred MB; a larger
# one (a 60 GB sparse file) is not read into memory.
MAX_SHARD_BYTES = 1 << 30
_KEYS = {"format", "version", "tool", "setup", "online", "shard", "total", "files", "hosts"}


class ShardError(ConfigError):
    """A shard file that cannot be merged: a usage error (exit 2)."""


def bucket(path: str, root: str, n: int) -> int:
    """The shard (0-based) of ``path`` among ``n``: a hash of its path relative
    to ``root`` (the config file's folder), never Python's salted hash()."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
    hashed = hashlib.blake2b(relative.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(hashed, "big") % n


def run_setup(plan: pipeline.Plan) -> str:
    """The setup key shards and merge must share: the result cache's (tool
    version and code, rules, settings, schema bytes), with the root relative
    to the current folder, so checkouts at different places on different
    runners agree."""
    settings = plan.settings.replace(root=os.path.relpath(os.path.abspath(plan.settings.root)))
    return setup_key(settings, [r.code for r in plan.rules], plan.settings.schema)


# -- check --shard K/N ----------------------------------------------------------------------


def check(paths: list[str], plan: pipeline.Plan, k: int, n: int, *, force_exclude: bool = False,
          progress_bar=None) -> dict:
    """Check shard ``k`` (1-based) of ``n``; the shard file's content."""
    bar = progress_bar or pipeline._NoProgress
    files = list(discover(paths or ["."], plan.settings, force_exclude))
    mine = [(index, path) for index, path in enumerate(files) if bucket(path, plan.settings.root, n) == k - 1]
    subset = [path for _, path in mine]
    results_cache = pipeline.open_cache(plan)
    try:
        with bar("checking") as progress:
            results = list(pipeline.step_files(subset, plan, pipeline.LINT, results_cache, progress.update))
    finally:
        if results_cache is not None:
            results_cache.close()
    online: dict[str, list] = {}
    hosts: dict = {}
    if plan.online is not None:
        with bar("checking links") as progress:
            for d in pipeline.online_findings(subset, plan, progress.update, hosts):
                online.setdefault(d.path, []).append(d)
    entries = []
    for (index, path), result in zip(mine, results):
        found = online.get(path)
        entries.append([index, path, encode_data(result),
                        encode_data(FileResult(path, found)) if found else None, result.error])
    return {"format": FORMAT, "version": VERSION, "tool": __version__, "setup": run_setup(plan),
            "online": plan.online is not None, "shard": [k, n], "total": len(files), "files": entries,
            "hosts": hosts}


def write(path: str, content: dict, root: str | None = None) -> None:
    """ASCII JSON (json escapes every other character, lone surrogates of
    undecodable file names included: they read back as they were), written
    as every report file is (report.output.write: ConfigError when it cannot be)."""
    from contentlint.report.output import write as write_report

    write_report(json.dumps(content, separators=(",", ":")) + "\n", path, "w", root)


# -- merge ----------------------------------------------------------------------------------


@dataclass
class Shard:
    name: str  # the file it was read from
    k: int
    n: int
    total: int
    online: bool
    entries: list  # (index in the run's files, FileResult, online findings), checked
    hosts: dict


def load(name: str) -> dict:
    """A shard file's top level, checked for shape, format and tool version
    (its rows are checked by ``read``, against the run's rules)."""
    try:
        fd = os.open(name, READ_FLAGS)  # a FIFO or device named as a shard file never blocks
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ShardError(f"shard file {name}: not a regular file")
            if info.st_size > MAX_SHARD_BYTES:
                raise ShardError(f"shard file {name}: larger than {MAX_SHARD_BYTES:,} bytes")
            raw = read_up_to(fd, info.st_size, MAX_SHARD_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ShardError(f"cannot read shard file {name}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ShardError(f"malformed shard file {name}: not JSON (truncated or damaged?)") from None
    if type(data) is not dict or data.get("format") != FORMAT:
        raise ShardError(f"{name} is not a contentlint shard file (written by `contentlint check --shard K/N -o FILE`)")
    if data.get("version") != VERSION:
        raise ShardError(f"shard file {name} has layout {_show(data.get('version'))}; this contentlint "
                         f"reads layout {VERSION}: run `check --shard` and `merge` with the same version")
    if data.get("tool") != __version__:
        raise ShardError(f"shard file {name} was written by contentlint {_show(data.get('tool'))}; this is "
                         f"{__version__}: run `check --shard` and `merge` with the same version")
    if set(data) != _KEYS or type(data["online"]) is not bool:
        raise ShardError(f"malformed shard file {name}: unexpected fields")
    return data


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def read(name: str, data: dict, plan: pipeline.Plan, setup: str) -> Shard:
    """The checked content of a shard file ``load`` gave."""
    if data["setup"] != setup:
        raise ShardError(f"shard file {name} was written with other settings (configuration, --select/--ignore, "
                         "--online, schema or contentlint's code): run `merge` with the options and "
                         "configuration `check --shard` had")
    try:
        k, n = _ints(data["shard"], 2)
        total = _int(data["total"], 0, 2**32 - 1)
        if not 1 <= k <= n <= MAX_SHARDS:
            raise _Bad("shard")
        rules = {r.code: r for r in plan.rules}
        rules.setdefault(engine.INTERNAL_ERROR, registry.get(engine.INTERNAL_ERROR))  # CL010: always reported
        entries = [_entry(item, total, rules) for item in _list(data["files"])]
        hosts = _hosts(data["hosts"])
    except (_Bad, ValueError, TypeError, RecursionError, struct.error):
        raise ShardError(f"malformed shard file {name}: a field does not read back") from None
    return Shard(name, k, n, total, data["online"], entries, hosts)


def _ints(value: Any, length: int) -> list[int]:
    return [_int(v, 1, 2**32 - 1) for v in _list(value, length)]


def _entry(item: Any, total: int, rules: dict) -> tuple:
    index, path, row, online_row, error = _list(item, 5)
    _int(index, 0, total - 1)
    if type(path) is not str or (error is not None and type(error) is not str):
        raise _Bad("not a string")
    if "\0" in path:
        raise _Bad("a path no file system takes")
    path.encode("utf-8", errors="surrogateescape")  # a name's undecodable bytes, else a forged surrogate: ValueError
    # Positions lie within the largest file a run reads (the file itself may not be here).
    if any(type(r) is dict and "k" in r for r in (row, online_row)):  # a shard never holds baseline key parts
        raise _Bad("a row with baseline key parts")
    result = decode_data(path, row, engine.MAX_FILE_BYTES, rules)
    online = decode_data(path, online_row, engine.MAX_FILE_BYTES, rules) if online_row is not None else None
    if result is None or (online_row is not None and (online is None or online.facts or online.suppressions)):
        raise _Bad("a row that does not read back")
    result.error = error
    return index, result, online.diagnostics if online is not None else []


def _hosts(value: Any) -> dict:
    if type(value) is not dict:
        raise _Bad("hosts")
    for counts in value.values():
        if type(counts) is not dict or any(type(c) is not str for c in counts):
            raise _Bad("host counts")
        for count in counts.values():
            _int(count, 0, 2**63)
    return value


def merge(names: list[str], plan_for) -> tuple[pipeline.Outcome, dict]:
    """The Outcome of the run the shard files ``names`` are the parts of, and
    the online host summary. ``plan_for(online)``: the run's Plan (merge
    builds it from the same options and configuration as `check`)."""
    loaded = [(name, load(name)) for name in names]
    online = {data["online"] for _, data in loaded}
    if len(online) > 1:
        raise ShardError("the shard files mix runs with and without --online")
    plan = plan_for(online.pop() if online else False)
    setup = run_setup(plan)
    shards = [read(name, data, plan, setup) for name, data in loaded]
    files, results, late = _one_run(shards)
    hosts: dict = {}
    for shard in shards:
        for host, counts in shard.hosts.items():
            total = hosts.setdefault(host, {})
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count
    return pipeline.reduce(files, results, plan.replace(online=None), online_found=late), hosts


def _one_run(shards: list[Shard]) -> tuple[list[str], list[FileResult], list]:
    """The run's files in discovery order, their results and online findings,
    once the shards are known to be one run's: the same N and file count,
    each K once, each file once."""
    if not shards:
        raise ShardError("no shard files given")
    n, total = shards[0].n, shards[0].total
    for shard in shards:
        if (shard.n, shard.total) != (n, total):
            raise ShardError(f"{shard.name} is shard {shard.k}/{shard.n} of {shard.total} files; "
                             f"{shards[0].name} is {shards[0].k}/{n} of {total}: they are not one run's shards")
    seen: dict[int, str] = {}
    for shard in shards:
        if shard.k in seen:
            raise ShardError(f"shard {shard.k}/{n} given twice: {seen[shard.k]} and {shard.name}")
        seen[shard.k] = shard.name
    missing = [str(k) for k in range(1, n + 1) if k not in seen]
    if missing:
        raise ShardError(f"missing shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {n}: "
                         "merge needs every shard's file")
    by_index: dict[int, tuple] = {}
    paths: set[str] = set()
    for shard in shards:
        for index, result, online in shard.entries:
            if index in by_index or result.path in paths:
                raise ShardError(f"{shard.name}: {result.path!r} is in more than one shard: "
                                 "were the shards run on the same checkout and paths?")
            by_index[index] = (result, online)
            paths.add(result.path)
    if len(by_index) != total:
        raise ShardError(f"the shards hold {len(by_index)} of the run's {total} files: "
                         "were they run on the same checkout and paths?")
    ordered = [by_index[i] for i in range(total)]
    return [r.path for r, _ in ordered], [r for r, _ in ordered], [d for _, found in ordered for d in found]
