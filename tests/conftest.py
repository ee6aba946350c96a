from __future__ import annotations

import json
from pathlib import Path

import pytest

from contentlint import pipeline
from contentlint.cli import main
from contentlint.config import Settings
from contentlint.model import Applicability

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
# CI clones the repo beside ../shared; locally the same layout holds.
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


def run_cli(args, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(paths, capsys, *extra) -> tuple[int, list[dict]]:
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", *extra, *paths], capsys)
    assert "Traceback" not in err
    return code, json.loads(out)


def findings(paths, capsys, *extra) -> list[tuple[str, int, int]]:
    """(code, line, column) of every finding, in report order."""
    return [(f["code"], f["line"], f["column"]) for f in check_json(paths, capsys, *extra)[1]]


@pytest.fixture
def write(tmp_path):
    """write("name.md", text_or_bytes) -> Path in a temp folder."""

    def _write(name: str, content) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write


# -- the pipeline, in process ---------------------------------------------------------------


class _ProgressHook:
    """A progress bar that calls ``hook(done, total)`` (tests that act between files)."""

    def __init__(self, hook):
        self.hook = hook

    def __call__(self, label):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def update(self, done, total):
        self.hook(done, total)


def plan_for(settings: Settings, rules=None, jobs: int | None = None) -> pipeline.Plan:
    """The pipeline's Plan for ``settings`` (no result cache), with these rules if given."""
    if jobs is not None:
        settings = settings.replace(jobs=jobs)
    plan = pipeline.prepare(settings, no_cache=True)
    return plan if rules is None else plan.replace(rules=tuple(rules))


def collect(paths, settings: Settings, rules=None, *, jobs: int | None = None, progress=None):
    """(sorted diagnostics, files, internal errors) of a `check` run over ``paths``."""
    bar = _ProgressHook(progress) if progress is not None else None
    done = pipeline.run([str(p) for p in paths], plan_for(settings, rules, jobs), progress_bar=bar)
    return done.diagnostics, done.files, done.errors


def fix_files(files, settings: Settings, rules=None, applicability=Applicability.SAFE, write=True, jobs=None):
    """fixer.FileOutcome per file, in order, from `fix`'s per-file step."""
    plan = plan_for(settings, rules, jobs)
    return list(pipeline.step_files([str(f) for f in files], plan, pipeline.Fix(applicability, write)))


def lint_files(files, settings: Settings, rules=None, jobs=None):
    """engine.FileResult per file, in order, from `check`'s per-file step (no cache)."""
    return list(pipeline.lint_files([str(f) for f in files], plan_for(settings, rules, jobs)))


# -- one text through the per-file step ---------------------------------------------------


def fm(*lines: str, newline: str = "\n") -> str:
    """A record that is only front matter: ``---``, the lines, ``---``."""
    return newline.join(("---", *lines, "---", ""))


def lint_text(text, *codes, options=None, path: str = "x.md"):
    """(doc, diagnostics) of ``text`` (str or bytes) checked with only ``codes`` enabled."""
    from contentlint import engine

    settings = Settings(select=tuple(codes), rule_options=options or {})
    raw = text.encode("utf-8") if isinstance(text, str) else text
    doc, result = engine.lint_bytes(path, raw, engine.enabled_rules(settings), engine.Context(settings))
    assert result.error is None, result.error
    return doc, result.diagnostics


def fix_text(text: str, *codes, applicability=Applicability.SAFE, path: str = "x.md"):
    """fixer.FileOutcome of fixing ``text`` with only ``codes`` enabled."""
    from contentlint import engine, fixer

    settings = Settings(select=tuple(codes))
    rules = engine.enabled_rules(settings)
    return fixer.fix_bytes(path, text.encode("utf-8"), rules, engine.Context(settings), applicability)
