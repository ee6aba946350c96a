"""A Markdown summary of the run, for a CI job page (GitHub's ``$GITHUB_STEP_SUMMARY``).

    ## contentlint
    Found 3 findings in 2 files (4 checked): 1 error, 2 warnings.
    | code | name | severity | findings | safe fixes |
    …
    ### First findings
    | location | code | message |
    | [seeds/a.md:3](<blob url>/seeds/a.md#L3) | CL200 | … |

- Counts per code, then the first ``FIRST`` findings in report order, each
  linked to its line in the repository when ``ctx.repository_url`` is known
  (``…/blob/<sha>``: the action builds it from ``GITHUB_SERVER_URL``,
  ``GITHUB_REPOSITORY`` and ``GITHUB_SHA``), else shown as ``path:line``.
- Paths are relative to the repository root, as in every CI format.
- Messages, names and paths are record content: every character Markdown or
  HTML gives a meaning to is escaped (``markdown_text``), controls are shown
  escaped (``printable``), and GitHub's autolinks are broken with an
  invisible WORD JOINER, so a record can neither break the table nor add a
  link, an image or markup to the job page.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Sequence
from urllib.parse import quote

from contentlint.model import Diagnostic
from contentlint.report import ReportContext
from contentlint.report.common import DOCS_URL, repo_path
from contentlint.report.escape import printable
from contentlint.report.common import safe_fix, summary as text_summary

FIRST = 50  # findings listed one by one; the job log and the annotations hold them all
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


# GitHub's autolinks (`https://…`, `www.…`, `a@b.c`) are found after escapes
# are read, so an escaped `.` still links: a WORD JOINER (U+2060, invisible,
# no break) inside `://`, after `www` and before `@` keeps them text.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?=@)", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """``text`` shown literally in a Markdown table cell (one line)."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub("\u2060", text))


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    lines = ["## contentlint", "", markdown_text(text_summary(diagnostics, ctx).splitlines()[0]), ""]
    if diagnostics:
        lines += counts_table(diagnostics) + [""] + first_findings(diagnostics, ctx)
    return "\n".join(lines).rstrip("\n") + "\n"


def counts_table(diagnostics: Sequence[Diagnostic]) -> list[str]:
    counts = Counter((d.code, d.name, d.severity.label) for d in diagnostics)
    safe = Counter(d.code for d in diagnostics if safe_fix(d))
    rows = ["| code | name | severity | findings | safe fixes |", "|---|---|---|---:|---:|"]
    for (code, name, level), n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        link = f"[{markdown_text(code)}]({DOCS_URL.format(code=quote(code.lower()))})"
        rows.append(f"| {link} | {markdown_text(name)} | {level} | {n} | {safe[code]} |")
    return rows


def first_findings(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> list[str]:
    shown = diagnostics[:FIRST]
    title = "### Findings" if len(shown) == len(diagnostics) else f"### First {len(shown)} findings"
    rows = [title, "", "| location | severity | code | message |", "|---|---|---|---|"]
    for d in shown:
        rows.append(f"| {location(d, ctx)} | {d.severity.label} | {markdown_text(d.code)} | "
                    f"{markdown_text(d.message)} |")
    if len(shown) < len(diagnostics):
        rows += ["", f"… and {len(diagnostics) - len(shown)} more (see the job log)."]
    return rows


def location(d: Diagnostic, ctx: ReportContext) -> str:
    path = repo_path(d.path, ctx.root)
    label = markdown_text(f"{path}:{d.start.line}")
    if not ctx.repository_url or os.path.isabs(path) or path == ".." or path.startswith("../"):
        # no link for a file outside the repository
        return label
    return f"[{label}]({ctx.repository_url.rstrip('/')}/{quote(path)}#L{d.start.line})"
