"""JUnit XML, as Jenkins (junit plugin) and GitLab (``artifacts:reports:junit``) read it.

    <testsuites name="contentlint" tests="3" failures="2" errors="0">
      <testsuite name="seeds/a.md" tests="2" failures="2" errors="0" skipped="0" file="seeds/a.md">
        <testcase name="CL200 mojibake at 3:8" classname="seeds/a.md">
          <failure message="CL200 <message>" type="error">seeds/a.md:3:8: CL200 <message>
    Fix (safe): …; fixable with `contentlint fix`
    Docs: run `contentlint rule CL200` or see https://…</failure>
        </testcase>
      </testsuite>
      <testsuite name="seeds/b.md" tests="1" failures="0" errors="0" skipped="0" file="seeds/b.md">
        <testcase name="no findings" classname="seeds/b.md"/>
      </testsuite>
    </testsuites>

- Valid against the Jenkins xUnit plugin's ``junit-10.xsd`` (tests/data/),
  which strict CI servers validate with: a ``testcase`` has only ``name``,
  ``classname`` (and ``time``, ``group``), so the file is the suite's
  ``file`` attribute and the position is in the test name and the text.
- One ``testsuite`` per checked file (``ctx.checked_paths`` plus any path with
  findings), sorted by path, so a clean file shows up as a passing test.
- One ``testcase`` per finding with one ``failure`` (both CI servers read one
  failure per test case); its name carries the code, rule name and position,
  plus `` #2``, `` #3`` … for repeats at one position, so names are unique per
  file (Jenkins keys test history by classname + name). Paths are relative
  to the repository root (``common.repo_path``). ``type`` is the severity (JUnit has no
  severities): every finding is a failure, info and warning included.
- With no files at all, one passing ``contentlint`` / ``no findings`` case, so
  Jenkins does not fail the build for an empty report.
- Characters XML 1.0 cannot carry (control characters, lone surrogates) are
  written as ``\\xNN`` / ``\\uNNNN``; ElementTree escapes ``<``, ``&`` and quotes;
  CR is written as ``&#13;`` so a reader gets the message back unchanged.
- No ``time`` or ``timestamp`` attributes: the output is deterministic.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Sequence

from contentlint.model import Diagnostic
from contentlint.report import ReportContext
from contentlint.report.common import fix_hint, repo_path, rule_help

PASSING = "no findings"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    by_path: dict[str, list[Diagnostic]] = {repo_path(p, ctx.root): [] for p in ctx.checked_paths}
    for d in diagnostics:
        by_path.setdefault(repo_path(d.path, ctx.root), []).append(d)
    root = ET.Element("testsuites", name="contentlint")
    total = failures = 0
    for path in sorted(by_path):
        found = by_path[path]
        name = xml_text(path)
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(max(len(found), 1)),
                              failures=str(len(found)), errors="0", skipped="0", file=name)
        if not found:
            ET.SubElement(suite, "testcase", name=PASSING, classname=name)
        seen: Counter = Counter()
        for d in found:
            title = f"{d.code} {d.name} at {d.start.line}:{d.start.column}"
            seen[title] += 1
            if seen[title] > 1:  # e.g. several missing fields reported at one mapping
                title += f" #{seen[title]}"
            suite.append(testcase(d, ctx, name, title))
        total += max(len(found), 1)
        failures += len(found)
    if not by_path:
        suite = ET.SubElement(root, "testsuite", name="contentlint", tests="1",
                              failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name=PASSING, classname="contentlint")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root, space="  ")
    # ElementTree escapes CR in attributes but not in text, where an XML
    # reader would turn it into LF; every raw CR left is text, so escape it.
    body = ET.tostring(root, encoding="unicode").replace("\r", "&#13;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def testcase(d: Diagnostic, ctx: ReportContext, path: str, title: str) -> ET.Element:
    case = ET.Element("testcase", name=title, classname=path)
    message = xml_text(d.message)
    lines = [f"{path}:{d.start.line}:{d.start.column}: {d.code} {message}"]
    hint = fix_hint(d, ctx)
    if hint:
        lines.append(xml_text(hint))
    lines.append(f"Docs: {rule_help(d.code)}")
    failure = ET.SubElement(case, "failure", message=f"{d.code} {message}", type=d.severity.label)
    failure.text = "\n".join(lines)
    return case


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by visible escapes."""
    return _NOT_XML.sub(_escape, text)


def _escape(match: re.Match) -> str:
    ch = ord(match.group())
    return f"\\x{ch:02x}" if ch < 0x100 else f"\\u{ch:04x}"
