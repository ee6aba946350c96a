"""What the wheel ships: the licence, the type marker, the schemas, the
metadata; and no GPL dependency (issue #12)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel built from a copy of the sources (the build leaves `build/`
    and `*.egg-info` behind, which must not land in the checkout)."""
    source = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    for name in ("contentlint", "schemas"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    if built.returncode != 0:  # pip fetches the build backend (setuptools>=77)
        pytest.skip(f"cannot build the wheel here (offline?): {built.stderr.strip()[-300:]}")
    (path,) = out.glob("contentlint-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def _metadata(wheel: zipfile.ZipFile) -> list[str]:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return wheel.read(name).decode("utf-8").split("\n\n", 1)[0].splitlines()


def test_wheel_ships_the_licence_type_marker_and_schemas(wheel):
    names = set(wheel.namelist())
    (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert wheel.read(licence) == (REPO / "LICENSE").read_bytes()
    assert b"Copyright (c) 2026 contentlint contributors" in wheel.read(licence)
    assert wheel.read("contentlint/py.typed") == b""
    schemas = sorted(p.name for p in (REPO / "schemas").glob("*.json"))
    assert schemas and all(wheel.read(f"contentlint/schemas/{s}") == (REPO / "schemas" / s).read_bytes()
                           for s in schemas)


def test_wheel_metadata(wheel):
    metadata = _metadata(wheel)
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    classifiers = {line.split(": ", 1)[1] for line in metadata if line.startswith("Classifier: ")}
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)} <= classifiers
    assert {"Operating System :: OS Independent", "Typing :: Typed", "Environment :: Console",
            "Topic :: Text Processing :: Markup"} <= classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    urls = {line.split(": ", 1)[1].split(",")[0] for line in metadata if line.startswith("Project-URL: ")}
    assert urls == {"Homepage", "Documentation", "Issues", "Changelog"}
    requires = [line for line in metadata if line.startswith("Requires-Dist: ")]
    assert any("rfc3986-validator" in line for line in requires)
    assert not any("rfc3987" in line for line in requires)  # GPL-3.0: contentlint is MIT


def test_no_module_imports_rfc3987():
    # jsonschema would use rfc3987 on its own when installed; our format
    # checks replace its (tests/test_schema_fastpath.py), and we never import it.
    for path in sorted((REPO / "contentlint").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] in ("rfc3987", "rfc3987_syntax") for n in names), path
