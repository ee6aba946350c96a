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

Paths are relative to the repository root (``common.repo_path``).

Fingerprint (``common.fingerprints``): SHA-256 over the rule code, the
repository path, the message and the finding's rank among the findings with
the same code, path and message. Line and column are deliberately left out
(and no message holds a line number), so inserting lines above a finding does
not turn it into a "new" finding in the merge-request widget; the rank keeps
two identical findings in one file apart. A finding whose message changes (a
different bad value) is a different finding.

Each issue validates against GitLab's own schema for a report entry
(``app/validators/json_schemas/codeclimate.json``, tests/data/).
"""

from __future__ import annotations

import json
from typing import Sequence

from contentlint.model import Diagnostic, Severity
from contentlint.report import ReportContext
from contentlint.report.common import clean, fingerprints, fix_hint, repo_path, rule_help

SEVERITIES = {Severity.INFO: "info", Severity.WARNING: "minor", Severity.ERROR: "major"}
FATAL_CODES = frozenset({"CL001", "CL002", "CL003", "CL006"})


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    prints = fingerprints(diagnostics, ctx.root)
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
            "path": repo_path(d.path, ctx.root),
            "positions": {
                "begin": {"line": d.start.line, "column": d.start.column},
                "end": {"line": d.end.line, "column": d.end.column},
            },
        },
    }
