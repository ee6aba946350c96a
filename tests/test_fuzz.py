"""Byte-level fuzzing of real records (SPEC §9, issue 8).

Real records from ../shared/corpus are mutated at the byte level (bytes
inserted, deleted or replaced; lines duplicated, dropped, swapped or
re-indented; quotes, colons and dashes flipped; `\\r`, NUL, invalid UTF-8, a
BOM or YAML indicators inserted; the file cut short) and then:

- `check` (``engine.lint_bytes`` with every default rule) never raises and
  reports no internal error, and every position (findings and fix edits)
  lies inside the file: the line exists and the column is at most the line's
  length + 1;
- `fix` (``fixer.fix_bytes``) never raises; its output reads without
  CL001-CL003, still parses to a mapping when the input did, is idempotent
  (a second fix changes nothing), keeps the body and the line endings, and
  changes nothing outside the edited spans: it is the input with, pass by
  pass, exactly the edits of fixes that a lint of that pass's text reports
  (what `check` shows), applied independently here, and no other byte.

The default profile is deterministic (derandomized) and takes a few seconds;
CONTENTLINT_FUZZ=long runs thousands of random examples per property.
"""

from __future__ import annotations

import os
import re
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from contentlint import engine, fixer
from contentlint.config import Settings
from contentlint.document import load
from contentlint.model import Applicability
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")

LONG = os.environ.get("CONTENTLINT_FUZZ") == "long"
PROFILE = (settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
           if LONG else
           settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck)))

SETTINGS = Settings()
RULES = engine.enabled_rules(SETTINGS)
CTX = engine.Context(SETTINGS)
BLOCKING = ("CL001", "CL002", "CL003")


def _sample() -> list[bytes]:
    """Every 25th record of each source folder (about 100), CRLF ones included."""
    if not CORPUS.is_dir():
        return [b"---\ntitle: x\n---\n"]
    files = []
    for folder in sorted(CORPUS.glob("*/_news")):
        files += sorted(folder.glob("*.md"))[::25]
    return [path.read_bytes() for path in files]


RECORDS = _sample()

# Bytes worth inserting: line breaks, NUL and controls, invalid and partial
# UTF-8, a BOM, YAML indicators, quotes, and characters YAML 1.1 takes as
# line breaks (U+0085, U+2028).
TOKENS = [b"\r", b"\n", b"\r\n", b"\x00", b"\x01", b"\x7f", b"\xff", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf",
          b"\xc2\x85", b"\xe2\x80\xa8", b"\xef\xbf\xbe", b'"', b"'", b"\\", b":", b": ", b"- ", b"? ", b"#", b" #",
          b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!str ", b"|", b">", b"%", b"@", b"`", b"\t", b"  ",
          b"---\n", b"...\n", "Ã©".encode(), b"&amp;", "\u200b".encode(), "😀".encode()]


@st.composite
def mutation(draw):
    kind = draw(st.sampled_from([
        "in-value", "in-value", "in-value", "in-value", "insert", "insert", "insert-random", "delete", "replace",
        "duplicate-line", "drop-line", "swap-lines", "indent", "dedent", "tab-indent", "flip-quote", "flip-colon", "flip-dash", "cr-line-end", "truncate",
        "bom", "all-cr"]))
    return kind, draw(st.integers(0, 1 << 30)), draw(st.integers(0, 1 << 30)), draw(st.sampled_from(TOKENS)), \
        draw(st.binary(min_size=1, max_size=4))


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True) or [b""]


def apply(raw: bytes, change) -> bytes:
    kind, a, b, token, random_bytes = change
    n = len(raw)
    at = a % (n + 1)
    if kind == "insert":
        return raw[:at] + token + raw[at:]
    if kind == "in-value":  # after an opening or closing quote: mostly still YAML
        quotes = [i for i in range(n) if raw[i] == 0x22]
        if quotes:
            at = quotes[a % len(quotes)] + 1
        return raw[:at] + token + raw[at:]
    if kind == "insert-random":
        return raw[:at] + random_bytes + raw[at:]
    if kind == "delete":
        return raw[:at] + raw[at + 1 + b % 8:]
    if kind == "replace":
        return raw[:at] + random_bytes[:1] + raw[at + 1:]
    if kind == "truncate":
        return raw[:at]
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw
    if kind == "all-cr":
        return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    lines = _lines(raw)
    i, j = a % len(lines), b % len(lines)
    line = lines[i]
    if kind == "duplicate-line":
        lines.insert(j, line)
    elif kind == "drop-line":
        del lines[i]
    elif kind == "swap-lines":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = b" " * (1 + b % 4) + line
    elif kind == "dedent":
        lines[i] = line[min(len(line) - len(line.lstrip(b" ")), 1 + b % 4):]
    elif kind == "tab-indent":
        lines[i] = b"\t" + line.lstrip(b" ")
    elif kind == "flip-quote":
        lines[i] = _flip(line, b % 4, [(b'"', b"'"), (b"'", b'"'), (b'"', b""), (b"'", b"")])
    elif kind == "flip-colon":
        lines[i] = _flip(line, b % 3, [(b": ", b" "), (b":", b": "), (b": ", b":")])
    elif kind == "flip-dash":
        lines[i] = _flip(line, b % 2, [(b"- ", b""), (b"  ", b"- ")])
    elif kind == "cr-line-end":
        lines[i] = line.rstrip(b"\r\n") + b"\r"
    return b"".join(lines)


def _flip(line: bytes, which: int, pairs) -> bytes:
    old, new = pairs[which]
    return line.replace(old, new, 1)


# Defects with a fix, put into the record before mutating it, so that `fix` has work.
DEFECTS = {
    "mojibake": (b'title: "', "title: \"cafÃ© ".encode()),
    "entity": (b'title: "', b'title: "Q&amp;A '),
    "zero-width": (b'excerpt: "', 'excerpt: "\u200b'.encode()),
    "trailing-space": (b'title: "', b'title: "  '),
    "nbsp-entity": (b'excerpt: "', b'excerpt: "&nbsp;'),
}


def _with_defects(index: int, defects) -> bytes:
    raw = RECORDS[index]
    for name in sorted(defects - {"bom"}):
        old, new = DEFECTS[name]
        raw = raw.replace(old, new, 1)
    return (b"\xef\xbb\xbf" if "bom" in defects else b"") + raw


# Records are drawn by index: a failing example then shows a short call, not 300 KB of bytes.
records = st.builds(_with_defects, st.integers(0, len(RECORDS) - 1), st.sets(st.sampled_from([*DEFECTS, "bom"])))
mutated = st.builds(lambda raw, changes: _mutate(raw, changes),
                    records, st.lists(mutation(), min_size=1, max_size=3))


def _mutate(raw: bytes, changes) -> bytes:
    for change in changes:
        raw = apply(raw, change)
    return raw


# -- check ---------------------------------------------------------------------------


def line_lengths(doc) -> list[int]:
    """Characters on each line of the text, without its line break (a BOM is not a column)."""
    starts, text = doc.line_starts, doc.text
    lengths = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line = re.sub(r"(?:\r\n|\r|\n)\Z", "", text[start:end])
        lengths.append(len(line) - (1 if index == 0 and doc.bom else 0))
    return lengths


def assert_inside(doc, position, what) -> None:
    lengths = line_lengths(doc)
    assert 1 <= position.line <= len(lengths), (what, position, len(lengths))
    assert 1 <= position.column <= lengths[position.line - 1] + 1, (what, position, lengths[position.line - 1])


def lint(raw: bytes):
    doc, result = engine.lint_bytes("x.md", raw, RULES, CTX)
    assert result.error is None, result.error
    return doc, result


@PROFILE
@given(mutated)
def test_check_never_raises_and_positions_lie_inside_the_file(raw):
    doc, result = lint(raw)
    event("reading problem" if [c for c, _ in doc.problems if c != "CL005"] else "parses")
    for d in result.diagnostics:
        assert_inside(doc, d.start, d.code)
        assert_inside(doc, d.end, d.code)
        assert (d.start.line, d.start.column) <= (d.end.line, d.end.column), d
        for edit in d.fix_edits:
            assert_inside(doc, edit.start, d.code + " fix")
            assert_inside(doc, edit.end, d.code + " fix")
    reading = [code for code, _ in doc.problems]
    assert len([c for c in reading if c in BLOCKING]) <= 1  # reading stops at the first blocking problem


def _yaml_printable(ch: str) -> bool:
    o = ord(ch)
    return (ch in "\t\n\r\x85" or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD
            or 0x10000 <= o <= 0x10FFFF)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.integers(0, len(RECORDS) - 1), st.integers(0, 1 << 30), st.sampled_from(["\x00", "\x01", "\x1b", "\ufffe"]))
def test_control_character_findings_point_at_the_character(index, where, control):
    """A character YAML does not allow, put in a value after non-ASCII text, is reported where it is."""
    doc = load("x.md", RECORDS[index])
    if not doc.ok:
        return
    spans = [s for s in doc.spans.values() if s.kind == "scalar" and s.style == '"' and s.end - s.start > 2]
    if not spans:
        return
    span = spans[where % len(spans)]
    text = doc.text[:span.start + 1] + "é" + control + doc.text[span.start + 1:]
    bad = load("x.md", text.encode("utf-8"))
    found = [(c, v) for c, v in bad.problems if c == "CL003"]
    assert found and not _yaml_printable(bad.text[found[0][1].start]), (found, span)


# -- fix -------------------------------------------------------------------------------


def fix(raw: bytes, applicability: Applicability) -> fixer.FileOutcome:
    outcome = fixer.fix_bytes("x.md", raw, RULES, CTX, applicability)
    assert outcome.error is None, outcome.error
    return outcome


def traced_fix(raw: bytes, applicability: Applicability):
    """fix_bytes, and every ``apply_edits(text, edits) -> result`` it called."""
    calls = []
    real = fixer.apply_edits

    def recording(text, edits):
        result = real(text, edits)
        calls.append((text, tuple(sorted(edits)), result))
        return result

    with mock.patch.object(fixer, "apply_edits", recording):
        outcome = fix(raw, applicability)
    return outcome, calls


def passes(calls, start: str, final: str) -> list[tuple[str, tuple]]:
    """The (text, edits) of each pass that was kept, from ``start`` to ``final``.

    A pass may try several sets of edits on one text (verification narrows a
    failing set down); the set it keeps is the last one tried on that text.
    """
    kept = {text: (edits, result) for text, edits, result in calls}
    steps, text = [], start
    while text != final:
        assert text in kept and len(steps) < fixer.MAX_PASSES, "the output is not the result of the edits"
        edits, result = kept[text]
        steps.append((text, edits))
        text = result
    return steps


def announced_edits(text: str, applicability: Applicability) -> set:
    """The edits of the fixes that a lint of ``text`` reports (what `check` shows)."""
    _, result = lint(text.encode("utf-8", "surrogateescape"))
    return {e for d in result.diagnostics if d.fix is not None and d.fix.applicability >= applicability
            for e in d.fix.edits}


def replace_back_to_front(text: str, edits) -> str:
    for edit in sorted(edits, reverse=True):
        text = text[:edit.start] + edit.content + text[edit.end:]
    return text


@PROFILE
@given(mutated, st.booleans())
def test_fix_output_parses_is_idempotent_and_changes_only_the_edited_spans(raw, unsafe):
    applicability = Applicability.UNSAFE if unsafe else Applicability.SAFE
    before, _ = lint(raw)
    outcome, calls = traced_fix(raw, applicability)
    event("blocked" if outcome.blocked else "fixed" if outcome.fixed is not None else "nothing to fix")
    if outcome.fixed is None:
        return
    assert not outcome.blocked
    after = load("x.md", outcome.fixed)
    assert not [c for c, _ in after.problems if c in BLOCKING], after.problems
    assert after.ok == before.ok
    # Idempotent: a second fix finds nothing left to change.
    again = fix(outcome.fixed, applicability)
    assert again.fixed is None, (outcome.applied, again.applied)
    # The output is the input with the announced edits applied, pass by pass,
    # and nothing else: no byte outside an edited span changes.
    assert not [w for w in outcome.warnings if "cycle" in w or "passes" in w], outcome.warnings
    steps = passes(calls, before.text, after.text)
    assert 1 <= len(steps) == len({text for text, _ in steps})
    text = before.text
    for index, (source, edits) in enumerate(steps):
        assert source == text
        assert set(edits) <= announced_edits(source, applicability), f"pass {index + 1} applied unannounced edits"
        text = replace_back_to_front(source, edits)
    assert text.encode("utf-8") == outcome.fixed
    event(f"{len(steps)} pass(es)")


@PROFILE
@given(mutated)
def test_fix_keeps_the_line_endings_and_the_body(raw):
    before = load("x.md", raw)
    outcome = fix(raw, Applicability.UNSAFE)
    if outcome.fixed is None:
        return
    after = load("x.md", outcome.fixed)
    assert after.text[after.fm_end:] == before.text[before.fm_end:]
    endings = lambda text: set(re.findall(r"\r\n|\r|\n", text))  # noqa: E731
    assert endings(after.text) <= endings(before.text)
