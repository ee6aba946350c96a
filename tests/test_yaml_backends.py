"""Both libyaml bindings give the same data, spans and findings (see yamlparse.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, REPO, SEEDS

_DUMP = r"""
import hashlib, json, sys
from contentlint import yamlparse
from contentlint.document import load
out = {"backend": yamlparse.BACKEND, "files": {}}
for path in sys.argv[1:]:
    raw = open(path, "rb").read() if not path.startswith("inline:") else bytes.fromhex(path[7:])
    doc = load(path, raw)
    spans = sorted((repr(k), tuple(v.__dict__.values()) if hasattr(v, "__dict__") else repr(v))
                   for k, v in doc.spans.items()) if doc.ok else []
    facts = [repr(doc.data), repr(spans), repr([(c, v.start, v.end) for c, v in doc.problems])]
    out["files"][path] = hashlib.sha256("\0".join(facts).encode()).hexdigest()
print(json.dumps(out))
"""

CRAFTED = [
    b"---\na: 'x'\nb: \"y\\u00e9\"\nc: |\n  block\n  text\nd: >\n  folded\ne: [1, {f: g}]\n---\n",
    b"---\na: &x 1\nb: *x\nc: !!str 12\nd: 0o17\ne: .inf\n---\n",
    b"---\r\na: 1\r\nb: [\r\n---\r\n",
    b"\xef\xbb\xbf---\na: 1\na: 2\n---\n",
    "---\nt: \"caf\u00e9 \u2028 x\"\nu: plain \u00e9\n---\n".encode(),
    b"---\na:\n\tb: 1\n---\n",
    b"---\n- a\n---\n",
]


def _dump(backend: str, paths: list[str]) -> dict:
    env = {**os.environ, "CONTENTLINT_YAML": backend, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _DUMP, *paths], capture_output=True, text=True,
                          env=env, timeout=300, check=True)
    return json.loads(proc.stdout)


def test_backends_agree():
    pytest.importorskip("yaml._yaml")
    paths = [str(p) for p in sorted(SEEDS.iterdir())] + ["inline:" + raw.hex() for raw in CRAFTED]
    if CORPUS.is_dir():
        paths += [str(p) for p in sorted(CORPUS.rglob("*.md"))]
    fast, fallback = _dump("pyyaml", paths), _dump("ruamel", paths)
    assert (fast["backend"], fallback["backend"]) == ("pyyaml", "ruamel")
    differ = [p for p in paths if fast["files"][p] != fallback["files"][p]]
    assert differ == []
