"""JSON: an array of findings, exactly the shape SPEC §3 gives."""

from __future__ import annotations

import json
from typing import Sequence

from contentlint.model import Diagnostic
from contentlint.report import ReportContext


def as_dict(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.label,
            "message": d.fix.message,
            "edits": [
                {"start": {"line": e.start.line, "column": e.start.column},
                 "end": {"line": e.end.line, "column": e.end.column},
                 "content": e.content}
                for e in d.fix_edits
            ],
        }
    return {
        "path": d.path,
        "line": d.start.line,
        "column": d.start.column,
        "end_line": d.end.line,
        "end_column": d.end.column,
        "code": d.code,
        "name": d.name,
        "severity": d.severity.label,
        "message": d.message,
        "fix": fix,
    }


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
