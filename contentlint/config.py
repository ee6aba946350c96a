"""Configuration files -> Settings.

Found by walking up from the current directory: `.contentlint.toml`,
`contentlint.toml` (top-level keys), or `pyproject.toml` with a
`[tool.contentlint]` table; the first folder holding one wins, and within a
folder that order decides. `--config FILE` names one explicitly. Unknown keys
are errors that name the key: a typo must not silently disable a check.
Relative paths in a config file are relative to the file's folder.
"""

from __future__ import annotations

import functools
import math
import os
import stat
from typing import Any

from contentlint.model import Frozen


@functools.cache
def _tomllib():
    """tomllib (~4 ms of imports), loaded with the first config file read:
    a run without one reads no TOML."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def __getattr__(name: str) -> Any:
    if name == "tomllib":  # `from contentlint.config import tomllib` still works
        return _tomllib()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# Markdown (and MDX), Quarto and R Markdown pages, text and HTML with front matter.
DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.mdx", "*.qmd", "*.Rmd", "*.rmd", "*.txt", "*.html")
DEFAULT_EXCLUDE = (".git", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__",
                   ".contentlint_cache", ".mypy_cache", ".pytest_cache")
CONFIG_FILES = (".contentlint.toml", "contentlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A bad configuration file or option: exit status 2."""


class Settings(Frozen):
    """The settings of a run: defaults, then the config file, then options."""

    _fields = __slots__ = ("select", "extend_select", "ignore", "per_file_ignores", "include", "exclude",
                           "schema", "rule_options", "online", "warnings", "jobs", "cache_dir", "baseline",
                           "root", "config_file", "kinds", "respect_gitignore")

    def __init__(self, select: tuple[str, ...] = (),  # empty: the default-enabled rules
                 extend_select: tuple[str, ...] = (),
                 ignore: tuple[str, ...] = (),
                 per_file_ignores: dict[str, tuple[str, ...]] | None = None,  # None: {}
                 include: tuple[str, ...] = DEFAULT_INCLUDE,
                 exclude: tuple[str, ...] = (),
                 schema: str | None = None,  # None: the schema shipped in the package
                 rule_options: dict[str, dict[str, Any]] | None = None,  # None: {}
                 online: dict[str, Any] | None = None,  # [tool.contentlint.online]; None: {}
                 warnings: tuple[str, ...] = (),  # keys read but ignored (shown on stderr, never fatal)
                 jobs: int | None = None,
                 cache_dir: str | None = None,
                 baseline: str | None = None,  # the baseline file (baseline.py)
                 root: str = ".",  # folder of the config file (or cwd): globs are relative to it
                 config_file: str | None = None,
                 kinds: tuple = (),  # contentlint.kinds.Kind, in order: the first that claims a file wins
                 respect_gitignore: bool = True,  # `.gitignore`, `.ignore`, `.git/info/exclude`
                 ) -> None:
        init = object.__setattr__  # immutable once built (as a frozen dataclass was)
        init(self, "select", select)
        init(self, "extend_select", extend_select)
        init(self, "ignore", ignore)
        init(self, "per_file_ignores", {} if per_file_ignores is None else per_file_ignores)
        init(self, "include", include)
        init(self, "exclude", exclude)
        init(self, "schema", schema)
        init(self, "rule_options", {} if rule_options is None else rule_options)
        init(self, "online", {} if online is None else online)
        init(self, "warnings", warnings)
        init(self, "jobs", jobs)
        init(self, "cache_dir", cache_dir)
        init(self, "baseline", baseline)
        init(self, "root", root)
        init(self, "config_file", config_file)
        init(self, "kinds", kinds)
        init(self, "respect_gitignore", respect_gitignore)


_LIST_KEYS = {"select", "extend-select", "ignore", "include", "exclude"}


def find_config(start: str) -> str | None:
    folder = os.path.abspath(start)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                if name != "pyproject.toml" or _has_tool_table(candidate):
                    return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# A config file is a few hundred bytes; a larger one (or a FIFO, a device)
# is refused before it is read: the checkout may hold any file by that name.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_config(path: str) -> bytes:
    """A config file's bytes; OSError when it cannot be one."""
    from contentlint.frontmatter import READ_FLAGS

    fd = os.open(path, READ_FLAGS)  # O_NONBLOCK: a FIFO does not wait for a writer
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise OSError(0, f"larger than {MAX_CONFIG_BYTES:,} bytes")
    return data


def _has_tool_table(path: str) -> bool:
    try:
        data = _read_config(path)
    except OSError:
        return False
    if not _may_name_the_tool(data):
        return False  # no TOML reading can find the table: tomllib (~2.5 ms) is not imported
    try:
        return "contentlint" in _tomllib().loads(data.decode()).get("tool", {})
    except (UnicodeDecodeError, _tomllib().TOMLDecodeError, RecursionError):  # not TOML we can read: no table
        return False


def _may_name_the_tool(data: bytes) -> bool:
    """False only when no key of this TOML can be ``contentlint``: its name is
    in the bytes as written (bare, quoted, dotted, spaced) unless a quoted key
    spells a letter as an escape (``\\u0063``, ``\\U...``; TOML 1.1's ``\\x``)."""
    return b"contentlint" in data or b"\\u" in data or b"\\U" in data or b"\\x" in data


def load_settings(config_file: str | None = None, cwd: str = ".") -> Settings:
    path = config_file or find_config(cwd)
    if path is None:
        return Settings(root=os.path.abspath(cwd))
    try:
        document = _tomllib().loads(_read_config(path).decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except _tomllib().TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read") from None
    if os.path.basename(path) == "pyproject.toml":
        table = document.get("tool", {}).get("contentlint", {})
        where = f"{path}: [tool.contentlint]"
    else:  # the file is the table: its path says where (not its name twice)
        table, where = document, path
    settings = from_mapping(table, root=os.path.dirname(os.path.abspath(path)), where=where, config_file=path)
    shadowed = _shadowed(path) if config_file is None else []
    if shadowed:
        settings = settings.replace(warnings=settings.warnings + tuple(
            f"{other} is not read: {os.path.basename(path)} beside it comes first" for other in shadowed))
    return settings


def _shadowed(path: str) -> list[str]:
    """Our other config files in the folder of the one found, which it hides
    (a `contentlint.toml` that `init` wrote beside an older `.contentlint.toml`)."""
    folder, name = os.path.dirname(path), os.path.basename(path)
    later = CONFIG_FILES[CONFIG_FILES.index(name) + 1:] if name in CONFIG_FILES else ()
    found = []
    for other in later:
        candidate = os.path.join(folder, other)
        if os.path.isfile(candidate) and (other != "pyproject.toml" or _has_tool_table(candidate)):
            found.append(candidate)
    return found


def from_mapping(table: dict, *, root: str, where: str, config_file: str | None = None) -> Settings:
    from contentlint import registry

    values: dict[str, Any] = {"root": root, "config_file": config_file}
    for key, value in table.items():
        if key in _LIST_KEYS:
            values[key.replace("-", "_")] = _str_list(value, key, where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
            values["per_file_ignores"] = {g: _str_list(c, f"per-file-ignores.{g}", where) for g, c in value.items()}
        elif key == "schema":
            if not is_path_string(value):
                raise ConfigError(f"{where}: `schema` must be a path string")
            values["schema"] = file_inside("schema", value, root, where)
        elif key == "jobs":
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{where}: `jobs` must be a positive integer")
            values["jobs"] = value
        elif key == "cache-dir":
            if not is_path_string(value):
                raise ConfigError(f"{where}: `cache-dir` must be a path string")
            folder = os.path.join(root, value)
            if _inside(folder, root):
                values["cache_dir"] = folder
            else:
                values["warnings"] = values.get("warnings", ()) + (f"{where}: {_OUTSIDE.format('cache-dir')}",)
        elif key == "baseline":
            if not is_path_string(value):
                raise ConfigError(f"{where}: `baseline` must be a path string")
            values["baseline"] = file_inside("baseline", value, root, where)
        elif key == "online":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `online` must be a table")
            from contentlint.online.settings import OPERATOR_KEYS, OnlineSettings, ignored_keys  # light: no httpx

            try:
                OnlineSettings.from_mapping(value)  # unknown keys and bad values fail now, not with --online
            except ValueError as exc:
                raise ConfigError(f"{where}: {exc}") from None
            # The SSRF guard's exceptions are the operator's alone: dropped here, with a warning.
            warnings = [f"{where}: {w}" for w in ignored_keys(value, "online.")]
            value = {k: v for k, v in value.items() if k not in OPERATOR_KEYS}
            path = value.get("cache-path")
            if isinstance(path, str) and path and not _inside(os.path.join(root, path), root):
                warnings.append(f"{where}: {_OUTSIDE.format('online.cache-path')}")
                del value["cache-path"]
            values["warnings"] = values.get("warnings", ()) + tuple(warnings)
            values["online"] = value
        elif key == "rules":
            values["rule_options"] = _rule_options(value, where, registry)
        elif key == "kinds":
            from contentlint import kinds

            values["kinds"] = kinds.parse(
                value, root=root, where=where, parse_list=_str_list,
                parse_rules=lambda v, here: _rule_options(v, here, registry),
                check_code=lambda code, here: _check_code(code, here, registry))
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `respect-gitignore` must be true or false")
            values["respect_gitignore"] = value
        else:
            raise ConfigError(f"{where}: unknown key `{key}`")
    for key in ("select", "extend_select", "ignore"):
        for code in values.get(key, ()):
            _check_code(code, f"{where}: `{key.replace('_', '-')}`", registry)
    for glob, codes in values.get("per_file_ignores", {}).items():
        for code in codes:
            _check_code(code, f"{where}: `per-file-ignores.{glob}`", registry)
    _check_globs(values, where)
    return Settings(**values)


def _check_globs(values: dict, where: str) -> None:
    """The top-level globs, read as the walk reads them (gitignore-style), so
    a bad one is a usage error here, not a traceback in the middle of a run."""
    from contentlint import gitignore

    for key, patterns in (("include", values.get("include", ())), ("exclude", values.get("exclude", ())),
                          ("per-file-ignores", tuple(values.get("per_file_ignores", ())))):
        if patterns:
            try:
                gitignore.spec(patterns)
            except ValueError as exc:
                raise ConfigError(f"{where}: `{key}` has an invalid glob: {exc}") from None


# A checkout's config keeps what contentlint writes inside the checkout (symlinks
# leading out are refused where the folder is opened: pipeline.prepare).
_OUTSIDE = ("`{}` is ignored: it leads out of the checkout, and a config file may only place the cache "
            "inside it; the operator chooses another place with --cache-dir")


def file_inside(key: str, value: str, root: str, where: str) -> str:
    """The path of a file a config names to be read (a schema, the baseline),
    inside its repository (else its folder) once symlinks are resolved: a
    config in a pull request must not make the run read (and quote, in an
    error naming what it rejects) another file of the machine."""
    path = os.path.join(root, value)
    if not _inside(os.path.realpath(path), os.path.realpath(config_area(root))):
        raise ConfigError(f"{where}: `{key}` = {value!r} leads out of the repository; a config file may "
                          f"only name files inside it (the operator names another with --{key})")
    return path


def config_area(root: str) -> str:
    """Where the files a config (and a record under it) may name to be read
    lie: its repository (a monorepo's `site/contentlint.toml` may name
    `../schemas/x.json`), else its own folder; never a repository that is
    the home folder itself (a dotfiles repository would be the repository of
    every unpacked project below it). Compared as real paths: `/home` may
    be a link (FreeBSD's `/usr/home`)."""
    area = repository_root(root, root)
    home = os.path.expanduser("~")
    if area != os.path.abspath(root) and os.path.isabs(home) and os.path.realpath(home) == os.path.realpath(area):
        return os.path.abspath(root)
    return area


def repository_root(start: str, fallback: str) -> str:
    """The folder holding ``.git`` (a folder, or a file in a worktree or
    submodule) at or above ``start``; else ``fallback``. Git is not run: a
    path check is enough, and the checkout is never asked to execute
    anything. A config's files (a monorepo's `site/contentlint.toml` may
    name `../schemas/x.json`) and the CI formats' paths are relative to it."""
    folder = os.path.abspath(start)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(fallback)
        folder = parent


def _inside(path: str, root: str) -> bool:
    path, root = os.path.normpath(os.path.abspath(path)), os.path.normpath(os.path.abspath(root))
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # another drive
        return False


def is_path_string(value: Any) -> bool:
    """A string that can name a file: not empty, no NUL (the OS takes none)."""
    return isinstance(value, str) and value != "" and "\0" not in value


def _str_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _rule_options(value: Any, where: str, registry) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `rules` must be a table of rule code -> options")
    result = {}
    for code, options in value.items():
        found = registry.get(code)
        if found is None:
            raise ConfigError(f"{where}: unknown rule `{code}` in `rules`")
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: `rules.{code}` must be a table")
        for name, option in options.items():
            if name not in found.options:
                known = ", ".join(sorted(found.options)) or "none"
                raise ConfigError(f"{where}: unknown option `{name}` for rule {found.code} (options: {known})")
            default = found.options[name]
            if type(option) is not type(default) and not (isinstance(default, float) and isinstance(option, int)):
                raise ConfigError(f"{where}: `rules.{code}.{name}` must be {type(default).__name__}")
            if isinstance(default, list) and not all(isinstance(item, str) for item in option):
                raise ConfigError(f"{where}: `rules.{code}.{name}` must be a list of strings")
            # Every number a rule takes is a bound (a ratio, a size): nan would turn the check off.
            if isinstance(default, (int, float)) and not isinstance(default, bool) and not 0 < option < math.inf:
                raise ConfigError(f"{where}: `rules.{code}.{name}` must be a positive finite number")
        result[found.code] = dict(options)
    return result


def _check_code(code: str, where: str, registry) -> None:
    if code == "ALL":
        return
    if not code.strip():  # a prefix of every code: it would select or ignore them all
        raise ConfigError(f"{where}: an empty code is no rule code")
    if not any(r.code.startswith(code.upper()) for r in registry.all_rules()):
        raise ConfigError(f"{where}: `{code}` matches no rule code")


def with_cli(settings: Settings, **overrides: Any) -> Settings:
    """Command-line options win over the config file. `select` is the whole
    selection: the config's `extend-select` and the kinds' `select` and
    `extend-select` go too, as in ruff; `extend_select` and `ignore` add
    to the config's lists."""
    from contentlint import registry

    for key in ("select", "extend_select", "ignore"):
        for code in overrides.get(key) or ():
            _check_code(code, f"--{key.replace('_', '-')}", registry)
    extend, ignore = tuple(overrides.pop("extend_select", None) or ()), tuple(overrides.pop("ignore", None) or ())
    if overrides.get("select") is not None:
        overrides["extend_select"] = extend
        if settings.kinds:
            overrides["kinds"] = tuple(kind.replace(select=None, extend_select=()) for kind in settings.kinds)
    elif extend:
        overrides["extend_select"] = tuple(settings.extend_select) + extend
    if ignore:
        overrides["ignore"] = tuple(settings.ignore) + ignore
    return settings.replace(**{k: v for k, v in overrides.items() if v is not None})
