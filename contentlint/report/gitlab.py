"""GitLab Code Quality report: a JSON array of Code Climate issues.

Each finding becomes::

    {"type": "issue", "check_name": "CL200",
     "description": "CL200 mojibake: <message> (docs: `contentlint rule CL200`)",
     "content": {"body": "<message, fix, docs link>"},
     "categories": ["Bug Risk"], "fingerprint": "<sha256 hex>", "severity": "major",
     "location": {"path": "seeds/a.md",
                  "positions": {"begin": {"line": 3, "column": 8},
                                "end": {"line": 3, "column": 20}}}}

Severity: info -> ``info``, warning -> ``minor``, error -> ``major``; an error
that stops a file from being checked at all (``FATAL_CODES``: unreadable
bytes, no front matter, YAML that does not parse, front matter that is not a
mapping) -> ``critical``, since it hides every other finding in that file.
``blocker`` is not used. Code Climate ``categories``: errors are "Bug Risk",
the rest "Style" (GitLab ignores the field; other Code Climate readers want
it). End positions are exclusive, as in every format.

Fingerprint (see ``fingerprints``): SHA-256 over the rule code, the path
(relative, ``/``-separated), the message and the finding's rank among the
findings with the same code, path and message in that file. Line and column
are deliberately left out, so inserting lines above a finding does not turn it
into a "new" finding in the merge-request widget; the rank keeps two identical
findings in one file apart. A finding whose message changes (a different bad
value) is a different finding.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Sequence

from contentlint.model import Diagnostic, Severity
from contentlint.report import ReportContext, rule_help
from contentlint.report.github import clean, display_path, fix_hint

SEVERITIES = {Severity.INFO: "info", Severity.WARNING: "minor", Severity.ERROR: "major"}
FATAL_CODES = frozenset({"CL001", "CL002", "CL003", "CL006"})


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    prints = fingerprints(diagnostics)
    issues = [issue(d, ctx, fp) for d, fp in zip(diagnostics, prints)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def issue(d: Diagnostic, ctx: ReportContext, fingerprint: str) -> dict:
    message = clean(d.message)
    body = [message]
    hint = fix_hint(d, ctx)
    if hint:
        body.append(hint)
    body.append(f"Docs: {rule_help(d.code)}")
    severity = SEVERITIES[d.severity]
    if d.severity == Severity.ERROR and d.code in FATAL_CODES:
        severity = "critical"
    return {
        "type": "issue",
        "check_name": d.code,
        "description": f"{d.code} {d.name}: {message} (docs: `contentlint rule {d.code}`)",
        "content": {"body": "\n\n".join(body)},
        "categories": ["Bug Risk" if d.severity == Severity.ERROR else "Style"],
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {
            "path": repo_path(d.path),
            "positions": {
                "begin": {"line": d.start.line, "column": d.start.column},
                "end": {"line": d.end.line, "column": d.end.column},
            },
        },
    }


def fingerprints(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """A stable identity per finding, independent of its line and column."""
    seen: Counter = Counter()
    result = []
    for d in diagnostics:
        key = (d.code, repo_path(d.path), clean(d.message))
        rank = seen[key]
        seen[key] += 1
        text = "\0".join(("contentlint/v1", *key, str(rank)))
        result.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return result


def repo_path(path: str) -> str:
    """``path`` as Code Quality wants it: relative to the project, ``/``-separated.

    An absolute path under the current directory (where CI runs the check) is
    made relative; any other path is kept, only normalised.
    """
    path = clean(path)
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            rel = path
        if not rel.startswith(".."):
            path = rel
    return display_path(path)
