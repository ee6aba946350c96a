"""The command line's options as a frozen record: what the commands read.

``cli.py`` is the only module that knows argparse; it turns the namespace
into an ``Options`` (``Options.from_namespace``) and hands it to a command
(commands.py). A new option is a field here with its default, and its
``add_argument`` in cli.py with the same ``dest``.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_SHARDS = 10_000  # `--shard K/N`: N at most this (CI matrices are far smaller); merge holds shard files to it


# A NamedTuple, not a frozen dataclass: as immutable, and built in ~0.2 ms
# at import instead of ~2 ms (dataclass generates and execs 40 fields' code).
class Options(NamedTuple):
    command: str | None = None
    # check and fix
    paths: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    config: str | None = None
    schema: str | None = None
    jobs: int | None = None
    no_cache: bool = False
    cache_dir: str | None = None
    online: bool = False
    refresh: bool = False
    allow_network: tuple[str, ...] = ()
    resolve_override: tuple[str, ...] = ()
    force_exclude: bool = False
    no_respect_gitignore: bool = False
    show_settings: bool = False
    show_files: bool = False
    stdin_filename: str | None = None
    # check
    format: str | None = None
    statistics: bool = False
    output_file: str | None = None
    exit_zero: bool = False
    summary_file: str | None = None
    quiet: bool = False
    baseline: str | None = None
    write_baseline: str | None = None
    add_suppressions: bool = False
    changed_since: str | None = None
    shard: tuple[int, int] | None = None  # (K, N) of --shard K/N
    # merge
    results: tuple[str, ...] = ()  # the shard files
    # fix
    diff: bool = False
    unsafe_fixes: bool = False
    exit_non_zero_on_fix: bool = False
    # rules, rule
    markdown: bool = False
    code: str | None = None
    # init
    root: str = "."
    force: bool = False
    dry_run: bool = False

    @classmethod
    def from_namespace(cls, namespace) -> "Options":
        """Each field from the attribute of the same name (a command's parser
        defines only its own: the others keep their defaults); lists become tuples."""
        values = {}
        for name in cls._fields:
            if hasattr(namespace, name):
                value = getattr(namespace, name)
                values[name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)
