"""contentlint's Python API (documented in docs/api.md).

A small façade over the engine: check a text or paths, fix a text, list
the rules. The CLI's standard input (``contentlint check -``) and the
language server (``contentlint server``) go through it. Findings are
``contentlint.model.Diagnostic``; network (online) rules never run here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from contentlint import fixer, pipeline, registry
from contentlint.config import ConfigError, Settings, load_settings, with_cli
from contentlint.document import load
from contentlint.model import Applicability, Diagnostic, Severity

__all__ = [
    "ConfigError", "Diagnostic", "FixResult", "RuleInfo", "Settings",
    "apply_fix", "check_paths", "check_text", "fix_text", "is_record",
    "load_settings_for", "rule", "rules", "settings_with",
]



@dataclass(frozen=True, slots=True)
class FixResult:
    """What ``fix_text`` did: the new bytes, the fixes applied, what remains."""

    data: bytes  # the fixed bytes; the input's bytes when nothing changed
    applied: dict[str, int] = field(default_factory=dict)  # rule code -> fixes applied
    remaining: list[Diagnostic] = field(default_factory=list)  # findings of the fixed text
    warnings: list[str] = field(default_factory=list)  # fixes skipped and why

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="surrogateescape")

    @property
    def changed(self) -> bool:
        return bool(self.applied)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    default_enabled: bool
    fix: Applicability | None  # the best applicability its fixes can have; None: no fix
    online: bool  # runs only with `check --online`, never through this API
    summary: str
    doc: str  # Markdown: What it does / Why is this bad? / Example / Fix safety
    options: dict[str, Any]


def load_settings_for(path: str, *, config: str | None = None) -> Settings:
    """The settings for the file at ``path``: ``config`` when given, else the
    first config file found from the file's folder upward (defaults when none).
    Raises ConfigError for a bad config file."""
    folder = os.path.dirname(os.path.abspath(path))
    return load_settings(config, cwd=folder if os.path.isdir(folder) else ".")


def settings_with(settings: Settings, *, select: Iterable[str] | None = None,
                  ignore: Iterable[str] | None = None) -> Settings:
    """``select`` replaces the configured selection (`select` and
    `extend-select`); ``ignore`` adds to it (as on the CLI)."""
    return with_cli(settings, select=_upper(select), ignore=_upper(ignore))


def _upper(codes: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if codes is None else tuple(c.strip().upper() for c in codes if c.strip())


def _plan(settings: Settings, select, ignore) -> pipeline.Plan:
    """The run's plan (a bad schema is ConfigError, not N findings); no result cache."""
    return pipeline.prepare(settings_with(settings, select=select, ignore=ignore), no_cache=True)


def _raw(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        return text
    try:  # undecodable bytes (FixResult.text) go back as they came
        return text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # other lone surrogates: invalid UTF-8, a CL001 finding
        return text.encode("utf-8", errors="surrogatepass")


def check_text(text: str | bytes, path: str = "<stdin>", *, settings: Settings | None = None,
               config: str | None = None, select: Iterable[str] | None = None,
               ignore: Iterable[str] | None = None, whole_run: bool = False) -> list[Diagnostic]:
    """The findings of one file's text, sorted, as ``contentlint check`` gives them for
    ``path`` (its per-file ignores apply; the file is not read).

    Whole-run rules (CL305 duplicate-article) need every file and give nothing
    here, and their suppression comments are not judged (no CL009 for them),
    unless ``whole_run``: then the text is a run of one file, exactly as
    ``contentlint check PATH`` on that file alone.
    """
    plan = _plan(settings or load_settings_for(path, config=config), select, ignore)
    return pipeline.check_text(path, _raw(text), plan, whole_run=whole_run)


def fix_text(text: str | bytes, path: str = "<stdin>", *, settings: Settings | None = None,
             config: str | None = None, select: Iterable[str] | None = None,
             ignore: Iterable[str] | None = None, unsafe: bool = False) -> FixResult:
    """Apply the safe fixes (and the unsafe ones with ``unsafe``) to one file's text,
    as ``contentlint fix`` would to the file at ``path``. A text that is not
    understood (CL001-CL003), or that a rule fails on, comes back unchanged."""
    plan = _plan(settings or load_settings_for(path, config=config), select, ignore)
    raw = _raw(text)
    outcome = pipeline.fix_text(path, raw, plan, Applicability.UNSAFE if unsafe else Applicability.SAFE)
    data = raw if outcome.fixed is None else outcome.fixed
    return FixResult(data, dict(outcome.applied) if outcome.fixed is not None else {},
                     list(outcome.remaining), list(outcome.warnings))


def apply_fix(text: str, finding: Diagnostic, path: str = "<stdin>") -> str | None:
    """``text`` with one finding's fix applied, checked as ``fix`` checks each pass
    (front matter only, data outside the edited values unchanged); None when the
    finding has no fix to apply or the result must not be kept. ``finding`` must
    come from checking this very text."""
    if not finding.fixable:
        return None
    return fix_checker(text, path)(finding)


def fix_checker(text: str, path: str = "<stdin>") -> Callable[[Diagnostic], str | None]:
    """``apply_fix`` for many findings of one text, which is loaded once (an
    editor asked for the quick fixes of a whole file)."""
    doc = load(path, _raw(text))
    return lambda finding: _fix_applied(doc, finding, path)


def _fix_applied(doc, finding: Diagnostic, path: str) -> str | None:
    if not finding.fixable:
        return None
    edits = finding.fix.edits
    if not doc.decoded or doc.fm_end < 0 or any(e.end > doc.fm_end for e in edits):
        return None
    try:
        new_text = fixer.apply_edits(doc.text, edits)
    except ValueError:
        return None
    new_doc = load(path, _raw(new_text))
    return new_text if fixer.verify(doc, new_doc, edits) is None else None


def check_paths(paths: Iterable[str], *, settings: Settings | None = None, config: str | None = None,
                select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
                jobs: int | None = None) -> list[Diagnostic]:
    """The findings of files and folders (walked as ``contentlint check`` walks them,
    whole-run rules included), sorted. Settings: ``config``, else the config file
    found from the current folder up. No result cache is read or written."""
    plan = _plan(settings or load_settings(config), select, ignore)
    if jobs is not None:
        plan = plan.replace(settings=plan.settings.replace(jobs=jobs))
    return pipeline.run(list(paths), plan).diagnostics


def rules() -> list[RuleInfo]:
    """Every rule, by code."""
    return [_info(r) for r in registry.all_rules()]


def rule(code: str) -> RuleInfo | None:
    """One rule by code (``CL200``) or name (``mojibake``); None when there is none."""
    found = registry.get(code)
    return None if found is None else _info(found)


def _info(r: registry.Rule) -> RuleInfo:
    return RuleInfo(r.code, r.name, r.severity, r.default_enabled, r.fix, r.online,
                    r.summary, r.doc, dict(r.options))


def is_record(text: str | bytes, path: str = "<stdin>", settings: Settings | None = None) -> bool:
    """Is this a content record, which gets findings in the editor? As
    `contentlint check` decides for a file it walks: with content kinds in
    ``settings``, a file at ``path`` that a kind claims; without, a text that
    starts with front matter (YAML `---`, TOML `+++`, JSON `{`) or a broken
    attempt at it (after blank lines, a second BOM, not UTF-8)."""
    from contentlint import frontmatter, kinds

    if settings is not None and settings.kinds:
        return kinds.kind_for(path, settings.kinds, settings.root) is not None
    return frontmatter.starts_like_record(_raw(text)[:frontmatter.HEAD_BYTES])