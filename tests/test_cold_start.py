"""The one-file path (pre-commit, no cache) loads only what it needs.

The shipped schema is known good (tests/test_schema_contract.py checks it
against the metaschema), so a run does not import jsonschema to check it
again; a valid record never needs jsonschema; one file starts no process
pool, so multiprocessing stays unimported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from contentlint.validation import SchemaLoadError, default_schema_path, load_schema
from tests.conftest import SEEDS

HEAVY = ("jsonschema", "concurrent.futures.process", "multiprocessing")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_one_valid_file_imports_neither_jsonschema_nor_multiprocessing():
    record = sorted(SEEDS.glob("*.txt"))[0]
    modules = _modules_after(
        "from contentlint.cli import main\n"
        f"assert main(['check', '--no-cache', '--select', 'CL1', {str(record)!r}]) == 0\n")
    assert not [name for name in HEAVY if name in modules]


def test_shipped_schema_is_not_checked_again():
    assert "jsonschema" not in _modules_after("from contentlint.validation import load_schema\nload_schema(None)")


def test_a_copy_of_the_shipped_schema_elsewhere_is_checked(tmp_path):
    document = json.loads(open(default_schema_path(), "rb").read())
    document["properties"]["title"]["type"] = "text"  # not a JSON type
    path = tmp_path / "article.schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SchemaLoadError, match="not a valid JSON Schema"):
        load_schema(str(path))


def test_one_file_without_patterns_imports_no_pattern_matcher():
    # pathspec (~17 ms of imports) is loaded on the first pattern: a run
    # with no kinds and no ignore file to read never needs it.
    record = sorted(SEEDS.glob("*.txt"))[0]
    modules = _modules_after(
        "from contentlint.cli import main\n"
        f"main(['check', '--no-cache', {str(record)!r}])\n")
    assert "pathspec" not in modules
