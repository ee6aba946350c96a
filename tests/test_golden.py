"""Golden output: `check` and `fix` give byte-identical results across refactors.

Each case runs the real CLI in a subprocess from a fixed working folder, so
paths in the output are stable and relative; its exit code, stdout and stderr
are compared with a gzip file in tests/data/golden/ recorded before the
pipeline refactor (issue #13). The corpus cases skip cleanly when ../shared
is absent; the seeds cases always run.

Regenerate (only when a change of output is intended, and say so in the commit):

    .venv/bin/python -m tests.test_golden --update-golden
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO, SEEDS

GOLDEN = REPO / "tests" / "data" / "golden"

# name -> (source folder, arguments after the command, writes into a copy)
CASES = {
    "seeds-check": (SEEDS, ["check", "--format", "json", "--no-cache"], False),
    "seeds-fix-diff": (SEEDS, ["fix", "--diff", "--no-cache"], False),
    "seeds-fix-unsafe-diff": (SEEDS, ["fix", "--unsafe-fixes", "--diff", "--no-cache"], False),
    "seeds-fix-write": (SEEDS, ["fix", "--no-cache"], True),
    "corpus-check": (CORPUS, ["check", "--format", "json", "--no-cache"], False),
    "corpus-fix-diff": (CORPUS, ["fix", "--diff", "--no-cache"], False),
    "corpus-fix-unsafe-diff": (CORPUS, ["fix", "--unsafe-fixes", "--diff", "--no-cache"], False),
    "corpus-fix-write": (CORPUS, ["fix", "--unsafe-fixes", "--no-cache"], True),
}


def _tree_digest(folder: Path) -> str:
    """One digest of every file's relative path and bytes (what `fix` wrote)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def run_case(name: str, scratch: Path) -> bytes:
    source, args, writes = CASES[name]
    if writes:  # never write into the real data: a copy, in the same place relative to cwd
        cwd = scratch / name
        shutil.copytree(source, cwd / source.name, symlinks=True)
    else:
        cwd = source.parent
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-m", "contentlint", *args, source.name],
                          cwd=cwd, env=env, capture_output=True, timeout=600)
    parts = [b"exit: %d\n" % done.returncode, b"--- stdout\n", done.stdout, b"--- stderr\n", done.stderr]
    if writes:
        parts.append(b"--- tree\n" + _tree_digest(cwd / source.name).encode() + b"\n")
    return b"".join(parts)


def _golden(name: str) -> Path:
    return GOLDEN / f"{name}.txt.gz"


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_unchanged(name, tmp_path):
    source = CASES[name][0]
    if not source.is_dir():
        pytest.skip(f"{source} not present")
    expected = gzip.decompress(_golden(name).read_bytes())
    actual = run_case(name, tmp_path)
    if actual != expected:  # show the first difference, not two megabytes
        a, e = actual.splitlines(), expected.splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
        pytest.fail(f"{name}: output differs at line {first + 1}:\n"
                    f"  expected: {e[first] if first < len(e) else '<end>'!r}\n"
                    f"  actual:   {a[first] if first < len(a) else '<end>'!r}")


def _update() -> None:
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, (source, _, _) in sorted(CASES.items()):
            if not source.is_dir():
                print(f"skipped {name}: {source} not present")
                continue
            data = run_case(name, Path(scratch))
            _golden(name).write_bytes(gzip.compress(data, 9, mtime=0))
            print(f"wrote {_golden(name)} ({len(data)} bytes)")


if __name__ == "__main__" and "--update-golden" in sys.argv:
    _update()
