"""The mojibake gate (contentlint/mojibake_gate.py): when it says no, ftfy's
is_bad says no, so CL200 answers without importing ftfy.

The gate's data is derived from one ftfy release's badness.py and used only
with that file; the tests that need it on skip under another ftfy (CI runs
every dependency at its lower bound, where the gate is off and ftfy answers).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

import contentlint
from contentlint import mojibake_gate, mojibake_gate_data
from contentlint.document import load
from contentlint.mojibake_gate import derive, may_be_bad
from tests.conftest import SEEDS, SHARED

# Where `python -c` finds the contentlint under test (CI installs it non-editable).
CONTENTLINT_PARENT = str(Path(contentlint.__file__).resolve().parents[1])
GATE_ON = mojibake_gate.badness_digest() == mojibake_gate_data.BADNESS_SHA256
needs_gate = pytest.mark.skipif(
    not GATE_ON, reason=f"the installed ftfy's badness.py is not the one the gate was derived from "
    f"(ftfy {mojibake_gate_data.FTFY_VERSION}): the gate is off and ftfy answers every non-ASCII text")


# -- the data is current ---------------------------------------------------------

@needs_gate
def test_the_gate_data_is_derived_from_the_installed_ftfy():
    """Regenerate with `python -m contentlint.mojibake_gate` when this fails."""
    with open(mojibake_gate.DATA, encoding="utf-8", newline="") as handle:
        assert handle.read() == mojibake_gate.data_source()
    assert mojibake_gate._gate() is not None


# -- the derivation --------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "flags", "expected"), [
    ("ab|c[de]", 0, [["a", "b"], ["c", "de"]]),
    ("x?é", 0, [["é"]]),  # optional: not required
    (r"\sé|[^a]b", 0, [["é"], ["b"]]),  # categories and negated classes: no finite set
    ("(?:é|è)+ü", 0, [["ü", "èé"]]),  # a group repeated at least once, a nested alternation
    (r"(?:é|\w)ü", 0, [["ü"]]),  # an alternative without a set: the alternation adds nothing
    ("(?i:é)ü", 0, [["ü"]]),  # a case-insensitive group adds nothing
    ("[a-c]ü ", re.VERBOSE, [["ü", "abc"]]),  # fewer ASCII characters first
    ("é|\\s", 0, None),  # an alternative with no set: the gate is off
    ("é*", 0, None),
    ("é", re.IGNORECASE, None),
    ("(?i)é", 0, None),
])
def test_derive_keeps_only_what_a_match_must_hold(pattern, flags, expected):
    assert derive(pattern, flags) == expected


# -- soundness: gate says no -> is_bad is False -----------------------------------

def _category_chars() -> list[str]:
    classes = re.compile("[" + "".join(MOJIBAKE_CATEGORIES.values()) + "]")
    return [chr(i) for i in range(0x80, 0x2600) if classes.match(chr(i))] + ["\uf8ff", "\ufffd"]


# ftfy's categories, the characters its pattern names (all in the gate's
# sets), a few that it only names as context (\s, \w, [a-z]) and the common
# ’ “ ” — é of real text.
ALPHABET = sorted(set(_category_chars()) | set("".join(s for sets in mojibake_gate_data.ALTERNATIVES or ()
                                                        for s in sets))
                  | set(" \ta.zA,?!’“”—é0"))


@needs_gate
def test_every_two_character_text_the_gate_clears_is_not_bad():
    # Exhaustive over the alphabet: most of BADNESS_RE's alternatives are pairs.
    cleared = 0
    for a in ALPHABET:
        for b in ALPHABET:
            if not may_be_bad(a + b):
                cleared += 1
                assert not is_bad(a + b), a + b
    assert len(ALPHABET) ** 2 // 2 < cleared < len(ALPHABET) ** 2 - 10_000  # both answers are exercised


@needs_gate
@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=12))
def test_random_texts_the_gate_clears_are_not_bad(text):
    assert may_be_bad(text) or not is_bad(text)


def _records(folder: Path):
    for root, _, names in os.walk(folder):
        for name in sorted(names):
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                raw = handle.read()
            yield raw.decode("utf-8", "replace"), [v for _, v in load(path, raw).strings()]


@needs_gate
@pytest.mark.parametrize("folder", ["corpus", "corpus-siblings", "other-content", "seeds"])
def test_real_records_the_gate_clears_are_not_bad(folder):
    root = SEEDS if folder == "seeds" else SHARED / folder
    if not root.is_dir():
        pytest.skip(f"{root} not present")
    let_through = 0
    for text, values in _records(root):
        for value in [text, *values]:  # every string value, and the whole file
            if may_be_bad(value):
                let_through += 1
            else:
                assert not is_bad(value), value[:200]
    if folder == "seeds":  # 004 holds mojibake: the gate lets it through
        assert let_through >= 1


@needs_gate
def test_real_text_without_mojibake_is_cleared():
    for text in ["It’s a “quote” — fine", "café, naïve – Zürich’s crème brûlée…", "Ελληνικά και русский",
                 "日本語のテキスト", "emoji 🎉 and ½ cup"]:
        assert not may_be_bad(text) and not is_bad(text)
    for text in ["Securityâ€™s", "cafÃ© and café", "Ã¢â‚¬Å“Hello"]:
        assert may_be_bad(text) and is_bad(text)


# -- ftfy is imported only for what the gate lets through --------------------------

def _run(code: str, *args: str, pythonpath: str = CONTENTLINT_PARENT) -> str:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                          env=env).stdout


CHECK = ("import sys\nfrom contentlint.cli import main\n"
         "main(['check', '--no-cache', '--exit-zero', '--select', 'CL200', sys.argv[1]])\n"
         "print('ftfy imported:', 'ftfy' in sys.modules)\n")


@needs_gate
def test_a_run_without_mojibake_does_not_import_ftfy(tmp_path):
    record = tmp_path / "record.md"
    text = (SEEDS / "000_b69a69cbeae9117f.txt").read_text(encoding="utf-8")
    record.write_text(text.replace("Homeland Security Worries", "Café in Zürich — naïve’s"), encoding="utf-8")
    out = _run(CHECK, str(record))
    assert "CL200" not in out and out.endswith("ftfy imported: False\n")


def test_a_run_with_mojibake_imports_ftfy_and_reports_it():
    out = _run(CHECK, str(SEEDS / "004_55d079596040aeb8.txt"))
    assert "CL200" in out and out.endswith("ftfy imported: True\n")


def _ftfy_copy(tmp_path: Path, edit: bytes) -> str:
    import ftfy

    copy = tmp_path / "site" / "ftfy"
    shutil.copytree(Path(ftfy.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "badness.py", "ab") as handle:
        handle.write(edit)
    return str(copy.parent)


PROBE = ("import sys\nfrom contentlint import mojibake_gate\nfrom contentlint.rules.text import mojibake_repair\n"
         "print(mojibake_gate._gate() is not None, mojibake_repair('It’s “fine”'),"
         " 'ftfy' in sys.modules and sys.modules['ftfy'].__file__.startswith(sys.argv[1]))\n")


@needs_gate
def test_another_badness_py_turns_the_gate_off(tmp_path):
    # The very same file elsewhere: the gate is on and ftfy is not imported.
    same = _ftfy_copy(tmp_path / "same", b"")
    assert _run(PROBE, same, pythonpath=os.pathsep.join([same, CONTENTLINT_PARENT])) == "True None False\n"
    # One byte more: the gate is off and ftfy (the one imported) answers.
    other = _ftfy_copy(tmp_path / "other", b"\n")
    assert _run(PROBE, other, pythonpath=os.pathsep.join([other, CONTENTLINT_PARENT])) == "False None True\n"
