"""Content kinds: globs -> a kind of record with its own schema and options.

Configured as `[[kinds]]` (contentlint.toml) or `[[tool.contentlint.kinds]]`
(pyproject.toml); docs/configuration.md. The first kind whose `include`
matches (and whose `exclude` does not) claims a file. Globs are
gitignore-style (pathspec), relative to the config file's folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contentlint import gitignore
from contentlint.gitignore import relative_to  # noqa: F401 (kinds.relative_to)
from contentlint.linear_regex import matchable
from contentlint.model import Frozen

if TYPE_CHECKING:
    import pathspec

SHIPPED_PREFIX = "contentlint:"
SHIPPED = {"contentlint:article": None}  # None: validation.default_schema_path()
_KEYS = {"name", "include", "exclude", "schema", "select", "extend-select", "ignore", "rules"}


class Kind(Frozen):
    """One `[[kinds]]` table. Equal and hashed by its fields but its rule
    options (as the frozen dataclass it was, with ``compare=False``)."""

    _fields = ("name", "include", "exclude", "schema", "select", "extend_select", "ignore", "rule_options")
    __slots__ = _fields + ("_compiled",)

    def __init__(self, name: str, include: tuple[str, ...], exclude: tuple[str, ...] = (),
                 schema: str | None = None,  # an absolute path, "contentlint:article", or None: no schema rules
                 select: tuple[str, ...] | None = None,  # None: the top-level selection
                 extend_select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                 rule_options: dict[str, dict[str, Any]] | None = None) -> None:
        init = object.__setattr__  # immutable once built
        init(self, "name", name)
        init(self, "include", include)
        init(self, "exclude", exclude)
        init(self, "schema", schema)
        init(self, "select", select)
        init(self, "extend_select", extend_select)
        init(self, "ignore", ignore)
        init(self, "rule_options", {} if rule_options is None else rule_options)
        init(self, "_compiled", None)  # the include and exclude specs, compiled on first use

    def _compared(self) -> tuple:
        return self._values()[:-1]  # not rule_options

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self):
        return hash(self._compared())

    @property
    def _specs(self) -> tuple[pathspec.GitIgnoreSpec, pathspec.GitIgnoreSpec]:
        specs = self._compiled
        if specs is None:  # compiled once per process
            specs = (gitignore.spec(self.include), gitignore.spec(self.exclude))
            object.__setattr__(self, "_compiled", specs)
        return specs

    def claims(self, relative: str) -> bool:
        include, exclude = self._specs
        relative = matchable(relative)
        return include.match_file(relative) and not exclude.match_file(relative)


def kind_for(path: str, kinds, root: str) -> Kind | None:
    """The first kind that claims ``path``, or None."""
    if not kinds:
        return None
    relative = relative_to(path, root)
    if relative is None:
        return None
    return next((kind for kind in kinds if kind.claims(relative)), None)


def parse(value: Any, *, root: str, where: str, parse_list, parse_rules, check_code) -> tuple[Kind, ...]:
    """The `kinds` array of tables -> Kinds (config.py hands in its own
    validators for lists, rule options and codes, so both levels agree)."""
    from contentlint.config import ConfigError

    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{where}: `kinds` must be an array of tables ([[kinds]])")
    kinds: list[Kind] = []
    for index, table in enumerate(value):
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: kinds[{index}] needs a `name` (a non-empty string)")
        here = f"{where}: kind `{name}`"
        if any(k.name == name for k in kinds):
            raise ConfigError(f"{here}: the name is used twice")
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise ConfigError(f"{here}: unknown key `{unknown[0]}`")
        if "include" not in table:
            raise ConfigError(f"{here}: `include` (a list of globs) is required")
        values: dict[str, Any] = {"name": name}
        for key in ("include", "exclude", "select", "extend-select", "ignore"):
            if key in table:
                values[key.replace("-", "_")] = parse_list(table[key], key, here)
        for key in ("select", "extend_select", "ignore"):
            for code in values.get(key) or ():
                check_code(code, f"{here}: `{key.replace('_', '-')}`")
        for key in ("include", "exclude"):
            try:
                gitignore.spec(values.get(key, ()))
            except ValueError as exc:  # gitignore.BadPattern
                raise ConfigError(f"{here}: `{key}` has an invalid glob: {exc}") from None
        if "schema" in table:
            values["schema"] = _schema(table["schema"], root, here)
        if "rules" in table:
            values["rule_options"] = parse_rules(table["rules"], here)
        kinds.append(Kind(**values))
    return tuple(kinds)


def _schema(value: Any, root: str, where: str) -> str:
    from contentlint.config import ConfigError, file_inside, is_path_string

    if not is_path_string(value):
        raise ConfigError(f"{where}: `schema` must be a path string or `contentlint:article`")
    if value.startswith(SHIPPED_PREFIX):
        if value not in SHIPPED:
            raise ConfigError(f"{where}: no shipped schema `{value}` (shipped: {', '.join(SHIPPED)})")
        return value
    return file_inside("schema", value, root, where)


def schema_path(schema: str | None) -> str | None:
    """A kind's schema as a file path for load_schema (the shipped one: its path)."""
    if schema is not None and schema.startswith(SHIPPED_PREFIX):
        from contentlint.validation import default_schema_path

        return default_schema_path()
    return schema
