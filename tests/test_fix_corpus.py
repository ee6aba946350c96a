"""CL200-CL203 and `fix` on the 2,477 real records (skipped when the corpus is absent).

The findings are pinned per rule, field and fix safety; each kind was looked
at by hand and is a real defect (see docs/fixer.md, "The real records"):

- CL200: one title (`â€˜Sensitive Dataâ€™`) and one article's `webUrl` and
  `originalUrl` (`settings-â€“-how-to`). No excerpt in this corpus has
  mojibake, and no value holds U+2028, raw, escaped, percent-encoded or as
  `â€¨` mojibake (checked over the raw bytes).
- CL201: `&#8217;`, `&#8220;`, `&amp;`, `&nbsp;`, `&hellip;` and the
  double-escaped `&amp;#39;` in excerpts (safe); WordPress `&#038;` in image
  URLs, where `#` starts a fragment (unsafe).
- CL202: pairs of U+200B ZERO WIDTH SPACE in excerpts, and two soft hyphens
  before the first word of a title.
- CL203: trailing spaces, line breaks (`\\n`, `\\r\\n`) and no-break spaces,
  and leading spaces, in excerpts and titles.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from contentlint import engine
from contentlint.config import Settings
from contentlint.model import Applicability
from tests.conftest import fix_files

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")

TEXT_CODES = ("CL200", "CL201", "CL202", "CL203")

EXPECTED = {
    ("CL200", "originalUrl", "safe"): 1,
    ("CL200", "title", "safe"): 1,
    ("CL200", "webUrl", "safe"): 1,
    ("CL201", "excerpt", "safe"): 144,
    ("CL201", "images[].url", "unsafe"): 5,
    ("CL201", "related[].images[].url", "unsafe"): 22,
    ("CL202", "excerpt", "safe"): 2,
    ("CL202", "related[].excerpt", "safe"): 14,
    ("CL202", "title", "safe"): 1,
    ("CL203", "excerpt", "safe"): 95,
    ("CL203", "title", "safe"): 7,
}

# One finding of each kind, exactly as reported.
EXAMPLES = [
    ("everyday-cc__powerapps/_news/2021-08-27-microsoft-makes-power-apps-changes-following-asensitive-"
     "dataa-exposure-upguard.md",
     "3:54: CL200 mojibake `â€˜Sensitive Dataâ€™` (text decoded with the wrong codec); reads `‘Sensitive Data’`"),
    ("SmartableAI__diablo4/_news/2023-03-25-best-diablo-4-settings-how-to-stop-diablo-4-killing-gpu.md",
     "7:80: CL200 mojibake `settings-â€“-how` (text decoded with the wrong codec); reads `settings-–-how`"),
    ("SmartableAI__diablo4/_news/2019-11-13-a-letter-from-our-game-director-blizzcon-2019.md",
     "4:13: CL201 HTML entities `&amp;#39;` ×3 in `excerpt`"),
    ("SmartableAI__diablo4/_news/2022-09-19-now-diablo-4-test-footage-has-leaked-online.md",
     "26:137: CL202 `excerpt` contains U+200B ZERO WIDTH SPACE ×2"),
    ("everyday-cc__powerapps/_news/2023-10-10-dataverse-low-code-plug-ins-now-in-public-preview.md",
     "3:9: CL202 `title` contains U+00AD SOFT HYPHEN ×2"),
    ("SmartableAI__microsoft-power-apps/_news/2021-05-11-microsoft-is-a-leader-in-the-forrester-wave-low-code-"
     "development-platforms-q2-2021.md",
     "4:182: CL203 `excerpt` has trailing `\\r\\n` whitespace"),
]


def records(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.name != "README.md")


_LINTERS: dict = {}


def lint(path: Path, settings: Settings, raw: bytes | None = None):
    if settings.select not in _LINTERS:  # one Context per selection: the schema is compiled once
        _LINTERS[settings.select] = (engine.enabled_rules(settings), engine.Context(settings))
    rules, ctx = _LINTERS[settings.select]
    return engine.lint_bytes(str(path), path.read_bytes() if raw is None else raw, rules, ctx)


def field_of(doc, diagnostic) -> str:
    offset = doc.line_starts[diagnostic.start.line - 1] + diagnostic.start.column - 1
    path = max((p for p, s in doc.spans.items() if s.kind == "scalar" and s.start <= offset <= s.end), key=len)
    return ".".join("[]" if isinstance(p, int) else p for p in path).replace(".[]", "[]")


def test_text_findings_on_the_corpus_are_pinned():
    settings = Settings(select=TEXT_CODES)
    found = Counter()
    for path in records(CORPUS):
        doc, result = lint(path, settings)
        for d in result.diagnostics:
            found[(d.code, field_of(doc, d), d.fix.applicability.label)] += 1
    assert dict(found) == EXPECTED


@pytest.mark.parametrize("name,line", EXAMPLES, ids=[e[1].split(": ")[1] for e in EXAMPLES])
def test_each_kind_as_reported(name, line):
    _, result = lint(CORPUS / name, Settings(select=TEXT_CODES))
    assert line in [f"{d.start.line}:{d.start.column}: {d.code} {d.message}" for d in result.diagnostics]


@pytest.fixture(scope="module")
def fixed_corpus(tmp_path_factory):
    copy = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS, copy)
    files = [str(p) for p in records(copy)]
    settings = Settings()
    outcomes = list(fix_files(files, settings))
    return copy, outcomes


def line_endings(raw: bytes) -> list[bytes]:
    return [line[len(line.rstrip(b"\r\n")):] for line in raw.splitlines(keepends=True)]


def test_fix_changes_only_lines_with_fixed_findings(fixed_corpus):
    copy, outcomes = fixed_corpus
    assert [o.error for o in outcomes if o.error] == []
    assert [w for o in outcomes for w in o.warnings] == []
    written = {o.path for o in outcomes if o.written}
    settings = Settings()
    changed = 0
    for path in records(copy):
        original = (CORPUS / path.relative_to(copy)).read_bytes()
        now = path.read_bytes()
        if str(path) not in written:
            assert now == original, path
            continue
        changed += 1
        assert now != original
        assert line_endings(now) == line_endings(original), path  # CRLF stays CRLF
        _, before = lint(path, settings, original)
        fixable_lines = {line for d in before.diagnostics if d.fix and d.fix.applicability == Applicability.SAFE
                         for line in range(d.start.line, d.end.line + 1)}
        old_lines, new_lines = original.splitlines(), now.splitlines()
        assert {i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b} <= fixable_lines, path
    assert changed == len(written) == 250
    applied = Counter()
    for o in outcomes:
        applied.update(o.applied)
    assert {code: applied[code] for code in TEXT_CODES} == {"CL200": 3, "CL201": 144, "CL202": 17, "CL203": 104}


def test_fixed_corpus_has_no_safe_fix_left_and_a_second_run_changes_nothing(fixed_corpus):
    copy, outcomes = fixed_corpus
    assert [(d.path, d.code) for o in outcomes for d in o.remaining
            if d.fix is not None and d.fix.applicability == Applicability.SAFE] == []
    changed = [o.path for o in outcomes if o.written]
    settings = Settings()
    again = list(fix_files(changed, settings))
    assert [o.path for o in again if o.written or o.applied] == []
