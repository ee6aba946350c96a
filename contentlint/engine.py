"""Run the rules over documents: selection, per-file ignores, whole-run rules.

Data flows one way: bytes -> Document -> rules -> Violations -> Diagnostics.
``lint_bytes`` is the single place where a file's diagnostics are decided; the
CLI, the fixer and the tests all go through it.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from contentlint import kinds, registry
from contentlint.rules import suppressions as suppressions_rule
from contentlint.config import Settings
from contentlint.discover import matches_glob
from contentlint.document import Document, load
from contentlint.model import INTERNAL_ERROR, Diagnostic, Fields, FixEdit, Position, Severity, Violation  # noqa: F401
from contentlint.frontmatter import MAX_FILE_BYTES, read, read_with_stat  # noqa: F401 - engine's reading, named here too
from contentlint.problems import BYTE_ORDER_MARK, UNREADABLE_FILE
from contentlint.schemaindex import FieldInfo, index_of


class Context:
    """What a rule may ask for besides the document: options, the schema and
    what it declares per field, all for the document being checked (its
    kind's, see ``for_path``; ``enter`` makes a document current)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._schemas: dict[str, Any] = {}  # path -> Schema: each loaded once per run
        self._resolutions: dict[str | None, Resolution] = {}  # kind name -> Resolution
        self.current: Resolution = self.for_path(None)
        self.running: frozenset[str] = frozenset()  # codes of the rules checking the current document
        self._plans: dict[tuple, tuple] = {}  # what lint_document runs, decided once per selection
        self._field_infos: dict[str | None, dict] = {}  # schema -> {value path: FieldInfo}
        self.memo: dict = {}  # per-run tables rules share (each bounded by its rule), as Document.memo per file
        self.reads_named_schema = False  # the current document names a schema file in `$schema`

    def for_path(self, path: str | None) -> "Resolution":
        """The kind claiming ``path`` with its schema, selection and options."""
        kind = kinds.kind_for(path, self.settings.kinds, self.settings.root) if path is not None else None
        name = kind.name if kind is not None else None
        if name not in self._resolutions:
            self._resolutions[name] = Resolution.of(self.settings, kind)
        return self._resolutions[name]

    def enter(self, doc: Document) -> "Resolution":
        resolution = self.for_path(doc.path)
        named = doc.data.get("$schema") if doc.ok else None
        self.reads_named_schema = False
        if isinstance(named, str):  # the record names its schema, as editors read it
            target = _named_schema(doc.path, named, self.settings)
            resolution = resolution.with_schema(target)
            # Its result depends on another file's bytes, which no cache key holds.
            self.reads_named_schema = not target.startswith("!")
        self.current = resolution
        return resolution

    def options(self, rule_code: str) -> dict[str, Any]:
        return self.current.options(rule_code)

    def load(self, path: str):
        if path not in self._schemas:
            from contentlint.validation import load_schema

            self._schemas[path] = load_schema(path)
        return self._schemas[path]

    @property
    def schema(self):
        return self.load(self.current.schema)

    def schema_errors(self, doc: Document) -> list:
        """The schema's errors for the document; a schema the record names
        that cannot be used is one error at its `$schema` value."""
        from contentlint.validation import SchemaError, SchemaLoadError

        data = doc.data
        if self.current.named:
            data = {k: v for k, v in data.items() if k != "$schema"}
            if self.current.schema.startswith("!"):
                return [SchemaError("CL100", ("$schema",), "value", self.current.schema[1:])]
        try:
            schema = self.schema
        except SchemaLoadError as exc:
            return [SchemaError("CL100", ("$schema",) if self.current.named else (), "value", str(exc))]
        return schema.errors(data)

    def plan(self, resolution: "Resolution", rules: list[registry.Rule],
             ignored: tuple[str, ...]) -> tuple[list, list, frozenset]:
        """(the kind's rules, the ones that run here, their codes) for a
        file: decided once per run for each selection, not per file."""
        key = (id(rules), id(resolution.kind), resolution.schema is None, ignored)
        cached = self._plans.get(key)
        if cached is None or cached[0] is not rules or cached[1] is not resolution.kind:
            kind_rules = resolution.rules(rules)
            running = [r for r in kind_rules if not registry.matches(r.code, ignored)]
            cached = self._plans[key] = (rules, resolution.kind, kind_rules, [r for r in running if not r.online],
                                         frozenset(r.code for r in running))
        return cached[2], cached[3], cached[4]

    def field_info(self, path: tuple) -> FieldInfo:
        """What the schema declares for the value at ``path`` (URL format,
        single-line). Asked for every string: remembered per path (the same
        paths recur from record to record), a bounded table per schema."""
        if path.__class__ is not tuple:
            path = tuple(path)
        infos = self._field_infos.get(self.current.schema)
        if infos is None:
            infos = self._field_infos[self.current.schema] = {}
        info = infos.get(path)
        if info is None:
            if len(infos) >= 4096:  # a record with 25,000 related entries: keep memory flat
                infos.clear()
            info = infos[path] = self._field_info(path)
        return info

    def _field_info(self, path: tuple) -> FieldInfo:
        schema = self.current.schema
        if schema is None or schema.startswith("!"):
            return FieldInfo()
        try:
            return index_of(self.load(schema)).lookup(path)
        except Exception:  # a schema that cannot be loaded has no declarations (CL100 says why)
            return FieldInfo()


class Resolution:
    """One kind's view of the settings: its schema (a path; None: no schema
    rules), its selection and rule options on top of the top level's."""

    # A plain class, not a frozen dataclass (~0.6 ms to define on every run's
    # path); never changed once built but for the options it merges once.
    __slots__ = ("kind", "schema", "settings", "named", "_options")

    def __init__(self, kind: Any, schema: str | None, settings: Settings, named: bool = False) -> None:
        self.kind = kind  # contentlint.kinds.Kind or None
        self.schema = schema
        self.settings = settings
        self.named = named  # the schema is the one the record's `$schema` names
        self._options: dict = {}

    @staticmethod
    def of(settings: Settings, kind) -> "Resolution":
        if kind is None:  # no kinds, or a file named on the command line that no kind claims
            schema = settings.schema or (None if settings.kinds else _default_schema())
            return Resolution(None, schema, settings)
        effective = settings.replace(
            select=kind.select if kind.select is not None else settings.select,
            extend_select=settings.extend_select + kind.extend_select,
            ignore=settings.ignore + kind.ignore,
            rule_options={**settings.rule_options,
                          **{code: {**settings.rule_options.get(code, {}), **options}
                             for code, options in kind.rule_options.items()}},
        )
        return Resolution(kind, kinds.schema_path(kind.schema), effective)

    def with_schema(self, schema: str) -> "Resolution":
        return Resolution(self.kind, schema, self.settings, True)

    def options(self, rule_code: str) -> dict[str, Any]:
        if rule_code not in self._options:  # asked for per document: merge once
            defaults = registry.get(rule_code).options
            self._options[rule_code] = {**defaults, **self.settings.rule_options.get(rule_code, {})}
        return self._options[rule_code]

    def rules(self, rules: list[registry.Rule]) -> list[registry.Rule]:
        """The rules that run on this kind's files, from the run's ``rules``."""
        kind = self.kind
        if kind is not None and (kind.select is not None or kind.extend_select or kind.ignore):
            codes = {r.code for r in enabled_rules(self.settings, online=True)}
            base = {r.code for r in rules}
            if kind.select is None and not kind.extend_select:  # only ignores: within the run's rules
                codes &= base
            rules = [r for r in registry.all_rules() if r.code in codes and not r.online]
        if self.schema is None:
            rules = [r for r in rules if not r.needs_schema]
        return rules


def _default_schema() -> str:
    from contentlint.validation import default_schema_path

    return default_schema_path()


def _named_schema(path: str, named: str, settings: Settings) -> str:
    """The schema file a record names in `$schema`, relative to the record's
    folder; inside the project only (a record is data: it may not make the
    run read /etc/passwd). "!why" when it cannot be used."""
    if "://" in named or named.startswith("urn:"):
        return "!`$schema` names a remote schema; contentlint reads local schema files only"
    if "\0" in named:  # no file name holds one (realpath would raise)
        return "!`$schema` holds a NUL character: no file has such a name"
    from contentlint.config import config_area
    from contentlint.discover import checkout_top

    # The clone the record is in, when it is one of its own below the
    # project (run from the home folder: not the home folder); else where
    # the config may name files (its repository: a submodule's record may
    # name the site's schema), or the project's folder without a config.
    area = checkout_top(path, settings.root, clones_only=True)
    if area == os.path.abspath(settings.root) and settings.config_file:
        area = config_area(settings.root)
    target = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(path)), named))
    if kinds.relative_to(target, os.path.realpath(area)) is None:
        return f"!`$schema` names a file outside the project's folder: {named}"
    return target


def enabled_rules(settings: Settings, *, online: bool = False) -> list[registry.Rule]:
    rules = []
    for rule in registry.all_rules():
        if settings.select:
            on = registry.matches(rule.code, settings.select)
        else:
            on = rule.default_enabled
        on = on or registry.matches(rule.code, settings.extend_select)
        # An explicit code in select turns on an opt-in rule; a prefix does not
        # turn on opt-in rules unless it is the full code (as in Ruff's preview).
        if on and not rule.default_enabled and rule.code not in settings.select + settings.extend_select:
            on = False
        if registry.matches(rule.code, settings.ignore):
            on = False
        if rule.online and not online:
            on = False
        if on:
            rules.append(rule)
    return rules


class FileResult(Fields):
    """One file's lint (model.Fields: equal by fields, ``replace``), pickled
    to and from workers by its slots."""

    _fields = __slots__ = ("path", "diagnostics", "facts", "error", "suppressions", "keys")

    def __init__(self, path: str, diagnostics: list[Diagnostic], facts: dict[str, Any] | None = None,
                 error: str | None = None, suppressions: list | None = None,
                 keys: list[tuple[int, int, str, str]] | None = None) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.facts = {} if facts is None else facts  # whole-run rule code -> collected facts
        self.error = error  # internal errors (bugs), also in diagnostics as CL010: never cached
        self.suppressions = [] if suppressions is None else suppressions  # for whole-run/online findings
        self.keys = keys  # with a baseline: baseline.parts_at where its findings start, found beside the document


def unreadable(path: str, reason: str) -> Document:
    doc = Document(path=path, raw=b"")
    doc.problems.append((UNREADABLE_FILE, Violation(0, 0, reason)))
    return doc


def lint_path(path: str, rules: list[registry.Rule], ctx: Context) -> FileResult:
    raw, reason = read(path)
    doc = unreadable(path, reason) if raw is None else load(path, raw)
    return lint_document(doc, rules, ctx)


def lint_bytes(path: str, raw: bytes, rules: list[registry.Rule], ctx: Context) -> tuple[Document, FileResult]:
    doc = load(path, raw)
    return doc, lint_document(doc, rules, ctx)


def lint_document(doc: Document, rules: list[registry.Rule], ctx: Context) -> FileResult:
    resolution = ctx.enter(doc)
    ignored = file_ignores(doc.path, ctx.settings)
    rules, running, ctx.running = ctx.plan(resolution, rules, ignored)
    diagnostics: list[Diagnostic] = []
    facts: dict[str, Any] = {}
    failures: list[str] = []  # a bug in a rule must not stop the run: CL010 instead
    ok = doc.ok  # a property: asked twice per rule otherwise
    for rule in running:
        if rule.needs_data and not ok:
            continue
        try:
            found = [to_diagnostic(doc, rule, violation) for violation in rule.check(doc, ctx)]
            if rule.collect is not None and ok:
                facts[rule.code] = rule.collect(doc, ctx)
        except Exception as exc:  # what the rule found before failing is dropped with its facts
            facts.pop(rule.code, None)
            failures.append(failure_message(f"rule {rule.code}", exc))
            continue
        diagnostics.extend(found)
    suppressions: list = []
    try:
        diagnostics, suppressions = suppressions_rule.apply(doc, diagnostics, rules, ignored)
    except Exception as exc:  # the findings stay, unfiltered
        failures.append(failure_message("suppression comments", exc))
    diagnostics.extend(internal_error(doc.path, message) for message in failures)
    diagnostics.sort(key=lambda d: d.sort_key)
    return FileResult(doc.path, diagnostics, facts, "; ".join(failures) or None, suppressions)


def failure_message(what: str, exc: BaseException) -> str:
    """One line for an exception that is a bug: no traceback, bounded length."""
    try:
        lines = str(exc).strip().splitlines()
    except Exception:  # an exception that cannot even describe itself
        lines = []
    text = type(exc).__name__ + (f": {lines[0]}" if lines else "")
    if len(text) > 200:
        text = text[:200] + "…"
    return f"internal error in {what} ({text}), please report"


def internal_error(path: str, message: str) -> Diagnostic:
    """CL010 at 1:1. Always reported: selection, ignores and suppression
    comments do not apply, so a bug never passes for a clean file."""
    return stamp(registry.get(INTERNAL_ERROR), path, Violation(Position(1, 1), Position(1, 1), message))


def file_ignores(path: str, settings: Settings) -> tuple[str, ...]:
    codes: list[str] = []
    for pattern, ignored in settings.per_file_ignores.items():
        if matches_glob(path, (pattern,), settings.root):
            codes.extend(ignored)
    return tuple(codes)


def stamp(rule: registry.Rule, path: str, violation: Violation,
          position: Callable[[int], Position] | None = None) -> Diagnostic:
    """THE stamping point: every finding of every rule (per file, whole-run,
    suppression, online) becomes a Diagnostic here, with the rule's code,
    name and severity. ``violation``'s span is character offsets turned into
    positions by ``position`` (a Document's), or positions already (a rule
    whose document is gone: whole-run rules); fix edits are always offsets."""
    start, end = violation.start, violation.end
    if not isinstance(start, Position):
        start, end = position(start), position(end)
    fix_edits: tuple[FixEdit, ...] = ()
    if violation.fix is not None:
        fix_edits = tuple(FixEdit(position(e.start), position(e.end), e.content) for e in violation.fix.edits)
    return Diagnostic(path, rule.code, rule.name, rule.severity, start, end, violation.message,
                      violation.fix, fix_edits)


# Fixes that write no front matter: removing a byte order mark holds in any format.
_ANY_FORMAT_FIXES = frozenset({BYTE_ORDER_MARK})


def to_diagnostic(doc: Document, rule: registry.Rule, violation: Violation, path: str | None = None) -> Diagnostic:
    if doc.format != "yaml" and violation.fix is not None and rule.code not in _ANY_FORMAT_FIXES:
        violation = Violation(violation.start, violation.end, violation.message)  # fixes write YAML
    return stamp(rule, path or doc.path, violation, doc.position)


def is_failure(diagnostic: Diagnostic) -> bool:
    return diagnostic.severity >= Severity.ERROR
