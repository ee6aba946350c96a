"""The pre-parse nesting guard (document._too_deep) is exactly as protective
as before its one-pass rewrite (issue 17, eighth round).

The guard before the rewrite is kept here, verbatim, as the reference: on
every input it gave a verdict for, the guard must give the same verdict and
the same offset. Inputs: generated text over the characters the guard reads
(indicators, blanks, brackets, line breaks, letters, non-ASCII characters
whose UTF-8 bytes shift byte offsets away from character offsets), the
hostile shapes the guard exists for, and every record of the real corpora
and of a generated benchmark set.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentlint import document
from contentlint.document import MAX_DEPTH, MAX_NESTING, _too_deep
from contentlint.yamlparse import nesting_beyond
from tests.conftest import CORPUS, REPO, SHARED

# -- the reference: the guard as it was before the rewrite ------------------------------

_REF_DEEP_INDENT = " " * 60
_REF_BLOCK_RUN = re.compile(r"(?:[-?:][ \t]+){%d}(?=[-?:][ \t])" % MAX_DEPTH)
_REF_INDICATOR_PAIR = re.compile(r"[-?:][ \t]+[-?:][ \t]")


def reference_too_deep(block: str) -> tuple[int, int] | None:
    if block.count("[") + block.count("{") > MAX_DEPTH:
        depth = 0
        for match in re.finditer(r"[\[\]{}]", block):
            depth += 1 if match.group() in "[{" else -1
            if depth > MAX_DEPTH:
                return match.start(), MAX_DEPTH
            depth = max(depth, 0)
    if block.count("-") + block.count("?") > MAX_DEPTH and _reference_indicators_beyond(block, MAX_DEPTH):
        match = _REF_BLOCK_RUN.search(block) if _REF_INDICATOR_PAIR.search(block) else None
        if match is not None:
            return match.end(), MAX_DEPTH
    if _REF_DEEP_INDENT in block:
        at = nesting_beyond(block, MAX_NESTING)
        if at is not None:
            return at, MAX_NESTING
    return None


def _reference_indicators_beyond(block: str, limit: int) -> bool:
    total = 0
    for indicator in ("- ", "? ", "-\t", "?\t"):
        total += block.count(indicator)
        if total > limit:
            return True
    return False


# -- generated text ------------------------------------------------------------------------

# Pieces the guard reacts to, repeated up to past its limits: a run of 65
# indicators or 60 blanks only appears when a piece is repeated.
PIECES = ["- ", "? ", ": ", "-\t", "?\t", ":\t", "-", "?", ":", " ", "\t", "  ", "[", "]", "{", "}", "\n", "\r\n",
          "a", "k: ", "é", "\u2028", "\U0001f600", "\x85"]
RUNS = st.tuples(st.sampled_from(PIECES), st.integers(min_value=1, max_value=2 * MAX_DEPTH + 4))
TEXT = st.lists(st.one_of(RUNS, st.tuples(st.text(alphabet="-?:[]{} \t\nab", max_size=40), st.just(1))),
                max_size=12).map(lambda parts: "".join(piece * n for piece, n in parts))


@settings(max_examples=1500, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(TEXT)
def test_same_verdict_and_offset_as_the_reference_on_generated_text(block):
    assert _too_deep(block) == reference_too_deep(block)


# -- hostile shapes and their edges ----------------------------------------------------------

def _deep_keys(keys: int) -> str:
    return "".join(" " * i + "k:\n" for i in range(keys)) + " " * keys + "v: 1\n"


HOSTILE = {
    "flow-65": ("a: " + "[" * 65 + "]" * 65 + "\n", (3 + MAX_DEPTH, MAX_DEPTH)),
    "flow-64": ("a: " + "[" * 64 + "]" * 64 + "\n", None),
    "braces-after-non-ascii": ("é😀: " + "{a: " * 100 + "\n", (4 + 4 * MAX_DEPTH, MAX_DEPTH)),
    "dash-run-65": ("x:\n" + "- " * 65 + "a\n", (3 + 2 * MAX_DEPTH, MAX_DEPTH)),
    "dash-run-64": ("x:\n" + "- " * 64 + "a\n", None),
    "question-run-65": ("x:\n" + "? " * 65 + "a\n", (3 + 2 * MAX_DEPTH, MAX_DEPTH)),
    "tab-run-65": ("x:\n" + "-\t" * 65 + "a\n", (3 + 2 * MAX_DEPTH, MAX_DEPTH)),
    "mixed-run-after-non-ascii": ("ü: x\n\u2028y:\n" + "- ? " * 32 + "-\t?\ta\n", (9 + 2 * MAX_DEPTH, MAX_DEPTH)),
    "wide-blanks-run": ("x:\n" + "-   " * 65 + "a\n", (3 + 4 * MAX_DEPTH, MAX_DEPTH)),
    "100000-dashes": ("title: x\na:\n" + "- " * 100_000 + "x\n", (12 + 2 * MAX_DEPTH, MAX_DEPTH)),
    # A run of `: ` is refused only with more than MAX_DEPTH `- `/`? ` in the block (as before).
    "colon-run-alone": ("x:\n" + ": " * 65 + "a\n", None),
    "colon-run-with-items": ("x:\n" + ": " * 65 + "a\nl:\n" + "- b\n" * 65, (3 + 2 * MAX_DEPTH, MAX_DEPTH)),
    "block-256-deep": (_deep_keys(255), None),
    "block-257-deep": (_deep_keys(256), (sum(range(256)) + 4 * 256, MAX_NESTING)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_shapes_are_refused_where_they_were(name):
    block, expected = HOSTILE[name]
    assert _too_deep(block) == expected
    assert reference_too_deep(block) == expected


def test_a_run_is_found_past_lines_of_59_blanks_only_when_one_has_60():
    """The cheap pass looks for 60 indicators and blanks in a row; 59 on
    many lines do not add up, 60 on one line do."""
    short = "x:\n" + ("- " * 29 + "-\n") * 200  # 59 per line
    assert _too_deep(short) is None and reference_too_deep(short) is None
    deep = _deep_keys(300) + short
    assert _too_deep(deep) == reference_too_deep(deep) is not None


# -- every real record -----------------------------------------------------------------------

def _blocks(root: Path) -> list[tuple[str, str]]:
    """(path, front-matter block) of every YAML record under ``root``, as load() splits it."""
    found = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(folder, name)
            doc = document.Document(path=path, raw=Path(path).read_bytes())
            if document._decode(doc) and not document._other_format(doc) and document._split(doc):
                found.append((path, doc.text[doc.fm_start:doc.fm_end]))
    return found


def _assert_same_everywhere(root: Path) -> int:
    blocks = _blocks(root)
    differ = [path for path, block in blocks if _too_deep(block) != reference_too_deep(block)]
    assert differ == []
    return len(blocks)


@pytest.mark.parametrize("name", ["corpus", "corpus-siblings", "other-content"])
def test_same_verdict_on_every_real_record(name):
    root = SHARED / name
    if not root.is_dir():
        pytest.skip(f"../shared/{name} not present")
    assert _assert_same_everywhere(root) > 0


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_same_verdict_on_a_generated_benchmark_set(tmp_path):
    """The benchmark's records (24-28 KB, a third with defects), made from the corpus."""
    out = tmp_path / "gen"
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "-n", "300",
                             "--invalid-share", "0.34", "--source", str(CORPUS), "-q", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert _assert_same_everywhere(out) == 300
