from __future__ import annotations

import json
from pathlib import Path

import pytest

from contentlint.cli import main

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
