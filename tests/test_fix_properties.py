"""Properties of `fix` on generated records: the output parses, a second fix
changes nothing, and no byte outside the rewritten string values changes.

The generator writes YAML with its own small encoder (not contentlint's), in
all three flow styles, with LF or CRLF, an optional BOM, a body, and values
made of pieces that trigger every text rule: mojibake, entities, invisible
characters, line breaks, surrounding whitespace, quotes and YAML indicators.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentlint import engine, fixer, scalars
from contentlint.config import Settings
from contentlint.document import load
from contentlint.model import Applicability, Diagnostic, Edit, Fix, Position, Severity
from contentlint.yamlparse import compose, tag_of

RULE_SETTINGS = Settings(select=("CL0", "CL2"))
RULES = engine.enabled_rules(RULE_SETTINGS)
CTX = engine.Context(RULE_SETTINGS)

PIECES = ["a", "Zed", " ", "é", "’", "â€™", "Ã©", "&amp;", "&amp;#39;", "&#8217;", "&nbsp;", "&#0;",
          "\u200b", "\u00ad", "\u200d", "\u202e", "\u2028", "\n", "\r\n", "\t", "\x01", "\x85", "\xa0",
          '"', "'", "\\", ": ", " #", "-", "yes", "1", "😀", "ภา", "שלום"]
PLAIN = re.compile(r"[A-Za-zé’\u200bà-ÿ\u20ac\u2122][A-Za-zé’\u200b&;#0-9 à-ÿ\u20ac\u2122\-]*[A-Za-zé’;0-9à-ÿ\u20ac\u2122]")


def double_quoted(value: str, ascii_only: bool) -> str:
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~" or (not ascii_only and ord(ch) >= 0xA0 and ch not in "\u2028\u2029\ufeff"):
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append(f"\\U{ord(ch):08x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return '"' + "".join(out) + '"'


@st.composite
def scalar(draw, prefix: str = "") -> str:
    value = prefix + "".join(draw(st.lists(st.sampled_from(PIECES), max_size=7)))
    styles = ["dq", "dq-ascii"]
    if not any(c in value for c in "\n\r\t\x01\x85\u2028\u202e"):
        styles.append("sq")
    if PLAIN.fullmatch(value) and ": " not in value and " #" not in value and value.lower() not in ("yes", "y", "n"):
        styles.append("plain")
    style = draw(st.sampled_from(styles))
    if style == "sq":
        return "'" + value.replace("'", "''") + "'"
    if style == "plain":
        return value
    return double_quoted(value, style == "dq-ascii")


@st.composite
def record(draw) -> str:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["---", f"title: {draw(scalar())}", f"excerpt: {draw(scalar())}",
             f"webUrl: {draw(scalar('https://example.com/'))}", "provider:", f"  name: {draw(scalar())}"]
    topics = draw(st.lists(scalar(), min_size=1, max_size=3))
    if draw(st.booleans()):
        lines.append("topics: [" + ", ".join(topics) + "]")
    else:
        lines += ["topics:"] + [f"  - {t}  # comment" for t in topics]
    lines.append("related:")
    for _ in range(draw(st.integers(1, 2))):
        lines += [f"  - title: {draw(scalar())}", f"    webUrl: {draw(scalar('https://r.example/'))}",
                  "    quality: 7"]
    lines += ["quality: 54", "---", "Body &amp; text \u200b with trailing space ", ""]
    return ("\ufeff" if draw(st.booleans()) else "") + nl.join(lines)


def string_spans(doc):
    return {path: doc.span(path) for path, _ in doc.strings()}


def skeleton(doc) -> str:
    """The text with every string value's source replaced by a marker (and no BOM)."""
    text, pieces, position = doc.text, [], 0
    for span in sorted(string_spans(doc).values(), key=lambda s: s.start):
        pieces += [text[position:span.start], "\0"]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces).removeprefix("\ufeff")


def fix(raw: bytes) -> fixer.FileOutcome:
    return fixer.fix_bytes("x.md", raw, RULES, CTX, Applicability.UNSAFE)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record())
def test_fix_parses_is_idempotent_and_touches_only_string_values(text):
    raw = text.encode("utf-8")
    before = load("x.md", raw)
    assert before.ok, before.problems
    outcome = fix(raw)
    assert outcome.error is None and outcome.warnings == []
    after = load("x.md", outcome.fixed or raw)
    assert after.ok and [c for c, _ in after.problems if c != "CL005"] == [c for c, _ in before.problems
                                                                          if c != "CL005"]
    # Only string values changed: same paths, same non-string data, same bytes around them.
    assert set(string_spans(after)) == set(string_spans(before))
    assert skeleton(after) == skeleton(before)
    assert after.data["quality"] == 54 and after.data["related"][0]["quality"] == 7
    # Idempotent: nothing is left for a second run.
    again = fix(after.raw)
    assert again.fixed is None and not again.applied


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(['"', "'", ""]), st.booleans())
def test_render_reads_back_as_the_same_string(value, style, flow):
    source = scalars.render(value, style, flow=flow)
    wrapped = f"k: [{source}]" if flow else f"k: {source}"
    node = compose(wrapped).value[0][1]
    node = node.value[0] if flow else node
    assert node.value == value
    assert tag_of(node) == "tag:yaml.org,2002:str"
    assert "\n" not in source and "\r" not in source


# -- select_fixes against the straightforward quadratic selection ---------------------


def reference_select(text, diagnostics, applicability, rejected=frozenset()):
    """Fix selection as first written: every candidate compared with every fix taken."""
    candidates = [d for d in diagnostics if d.fix is not None and d.fix.applicability >= applicability
                  and any(text[e.start:e.end] != e.content for e in d.fix.edits)
                  and fixer._fix_key(text, d) not in rejected]
    candidates.sort(key=lambda d: (d.fix.edits[0].start, d.code))
    chosen, taken = [], []
    for d in candidates:
        if any(c.fix.edits == d.fix.edits for c in chosen):
            chosen.append(d)
        elif not any(fixer.conflicts(e, t) for e in d.fix.edits for t in taken):
            chosen.append(d)
            taken.extend(d.fix.edits)
    return chosen


SELECT_TEXT = "abcdefghij" * 3


@st.composite
def edit(draw):
    start = draw(st.integers(0, len(SELECT_TEXT)))
    end = draw(st.integers(start, min(len(SELECT_TEXT), start + 6)))
    # Often the text already there (a no-op edit) or an insertion of it.
    content = draw(st.sampled_from(["", "x", "yy", SELECT_TEXT[start:end], SELECT_TEXT[start:start + 1]]))
    return Edit(start, end, content)


@st.composite
def diagnostic(draw, pool):
    if pool and draw(st.booleans()):  # the very same edits from another rule (CL203 and CL303)
        edits = draw(st.sampled_from(pool))
    else:
        edits = tuple(draw(st.lists(edit(), min_size=1, max_size=3)))
        if draw(st.booleans()):
            edits = tuple(sorted(edits))  # as Fix.of makes them; unsorted, a fix made by hand
        pool.append(edits)
    fix = None if draw(st.integers(0, 9)) == 0 else Fix(
        "m", edits, draw(st.sampled_from(list(Applicability))))
    code = draw(st.sampled_from(["CL200", "CL201", "CL203", "CL303"]))
    at = Position(1, 1)
    return Diagnostic("x.md", code, "name", Severity.WARNING, at, at, "message", fix)


@settings(max_examples=500, deadline=None)
@given(st.data(), st.sampled_from([Applicability.SAFE, Applicability.UNSAFE]))
def test_select_fixes_equals_the_quadratic_reference(data, applicability):
    pool: list = []
    diagnostics = data.draw(st.lists(diagnostic(pool), max_size=25))
    with_fix = [d for d in diagnostics if d.fix is not None]
    dropped = data.draw(st.lists(st.sampled_from(with_fix), max_size=3)) if with_fix else []
    rejected = {fixer._fix_key(SELECT_TEXT, d) for d in dropped}
    expected = reference_select(SELECT_TEXT, diagnostics, applicability, rejected)
    chosen = fixer.select_fixes(SELECT_TEXT, diagnostics, applicability, rejected)
    assert [id(d) for d in chosen] == [id(d) for d in expected]
