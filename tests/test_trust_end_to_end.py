"""Issue 12, end to end: the whole real corpus plus every kind of hostile record
in one folder, checked in every format by the real CLI.

What must hold: exit 1 (findings, never a crash), every hostile file reported
in every format, the same number of findings in every format, no traceback,
and no raw control character in the text report.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_bad_input import _count_findings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = (Path(__file__).resolve().parents[1] / "seeds" / "004_55d079596040aeb8.txt").read_bytes()
FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab", "html", "summary")


def _front(*lines: str) -> bytes:
    return ("---\n" + "".join(line + "\n" for line in lines) + "---\nbody\n").encode("utf-8", "surrogateescape")


# name -> bytes: one record per attack the issue lists.
HOSTILE = {
    "tag-int.md": _front("q: !!int abc"),
    "tag-float.md": _front("q: !!float abc"),
    "tag-hex.md": _front("q: !!int 0xZZ"),
    "int-5000-digits.md": _front("q: " + "7" * 5000),
    "width-400-digits.md": _front("images:", "  - url: https://example.com/a.jpg", "    width: " + "9" * 400,
                                  "    height: 1"),
    "workflow-key.md": _front('"evil\\n::error file=a.md,line=1::pwned": 1'),
    "workflow-value.md": _front('title: "x\\n::error file=a.md,line=1::pwned"'),
    "escape-key.md": _front('"\\e[2J\\e[HAll checks passed": 1'),
    "new\nline.md": _front("bogus: 1"),
    "esc\x1b[2J.md": _front("bogus: 1"),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("trust")
    content = base / "content"
    shutil.copytree(CORPUS, content / "corpus")
    for name, raw in HOSTILE.items():
        (content / name).write_bytes(raw)
    (content / "seed.md").write_bytes(SEED)
    runs = {}
    for fmt in FORMATS:  # the first run fills the cache, the others read it (both paths are covered)
        output = base / f"report.{fmt}"
        proc = subprocess.run([sys.executable, "-m", "contentlint", "check", "--format", fmt, "-o", str(output),
                               "content"], cwd=base, capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
        runs[fmt] = (proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
                     output.read_text("utf-8"))
    return runs


pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


def test_every_format_exits_1_without_a_traceback(reports):
    for fmt, (rc, out, err, _) in reports.items():
        assert rc == 1, (fmt, err[-2000:])
        assert "Traceback" not in out + err, fmt
        assert "internal error" not in err, fmt


def test_every_hostile_file_is_reported_in_every_format(reports):
    found = json.loads(reports["json"][3])
    paths = {f["path"] for f in found}
    for name in HOSTILE:
        assert f"content/{name}" in paths, name
    escaped = {name: name.replace("\n", "\\n").replace("\x1b", "\\x1b") for name in HOSTILE}
    for name in HOSTILE:  # (the summary format lists only the first findings)
        assert escaped[name] in reports["text"][3], name
        assert escaped[name] in reports["html"][3], name
    # github: CR and LF percent-encoded (the runner decodes them back), other controls escaped.
    for name in HOSTILE:
        assert f"file=content/{escaped[name].replace(chr(92) + 'n', '%0A')}," in reports["github"][3], name
    # The same findings in every format that lists them one by one.
    for fmt in ("text", "sarif", "github", "junit", "gitlab"):
        assert _count_findings(fmt, reports[fmt][3]) == len(found), fmt
    assert len({f["path"] for f in found if f["path"].startswith("content/corpus/")}) > 600


def test_text_report_has_no_raw_control_character(reports):
    text = reports["text"][3]
    assert re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", text) is None
    assert not any(line.startswith("::") for line in text.splitlines())
    # Each finding is one line `path:line:col: severity: CODE ...`; the summary closes the report.
    lines = text.splitlines()
    findings = [line for line in lines if re.match(r"^content/.*?:\d+:\d+: (error|warning|info): CL\d{3} ", line)]
    assert len(findings) == len(json.loads(reports["json"][3]))


def test_github_commands_come_one_per_finding(reports):
    lines = reports["github"][3].splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(json.loads(reports["json"][3]))
    assert all(re.match(r"^::(error|warning|notice) file=", line) for line in commands)
    assert not any(line.startswith("::error file=a.md") for line in lines)  # the forged one stays data
    assert sum("evil%0A::error file=a.md" in line for line in commands) >= 1
