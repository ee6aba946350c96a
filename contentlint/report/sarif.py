"""SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers).

One run; ``tool.driver.rules`` lists the rules that have findings in this run
(sorted by code, each with its summary as ``shortDescription``, its whole
documentation as ``fullDescription`` (GitHub code scanning requires one) and
as ``help`` (text and markdown, then the pointer to ``contentlint rule
CODE``), and a ``helpUri``), and every result points at its rule by
``ruleId`` and ``ruleIndex``. Listing only the rules
that occur keeps the log small and makes it depend on the findings alone.

- ``level``: error -> ``error``, warning -> ``warning``, info -> ``note``.
- Locations: ``artifactLocation.uri`` is the path relative to the repository
  root (``common.repo_path``), percent-encoded (RFC 3986; spaces and
  non-ASCII become ``%20``/UTF-8 escapes), with ``uriBaseId: %SRCROOT%``;
  ``run.originalUriBaseIds`` gives ``%SRCROOT%`` as the root's ``file://``
  URI. A path outside the root becomes a ``file://`` URI of its own.
- Regions are 1-based; ``endColumn`` is exclusive, as SARIF defines it and as
  contentlint reports it. ``run.columnKind`` is ``unicodeCodePoints`` because
  contentlint counts columns in characters, not UTF-16 code units.
- A fix with edits becomes ``result.fixes`` (``deletedRegion`` +
  ``insertedContent``); its applicability is in ``result.properties.fix``.
- ``partialFingerprints["contentlint/v1"]`` is the same line-independent
  fingerprint as the GitLab format's (``common.fingerprints``).
- No timestamps or invocation details: the same findings give the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from contentlint.model import Diagnostic, Position, Severity
from contentlint.report import ReportContext
from contentlint.report.common import (DOCS_URL, FINGERPRINT_VERSION, clean, fingerprints,
                                       registered_rules, relative_to_root, rule_help)

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = DOCS_URL.split("/blob/")[0]
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = FINGERPRINT_VERSION


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    return json.dumps(sarif_log(diagnostics, ctx), indent=2, ensure_ascii=False) + "\n"


def sarif_log(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> dict:
    registered = registered_rules()
    names = {}
    for d in diagnostics:
        names.setdefault(d.code, d.name)
    codes = sorted(names)
    index = {code: i for i, code in enumerate(codes)}
    driver: dict = {"name": "contentlint", "informationUri": INFORMATION_URI}
    if ctx.tool_version:
        driver["version"] = ctx.tool_version
    driver["rules"] = [descriptor(code, registered.get(code), names[code]) for code in codes]
    results = [result(d, index[d.code], fp, ctx.root)
               for d, fp in zip(diagnostics, fingerprints(diagnostics, ctx.root))]
    run: dict = {"tool": {"driver": driver}}
    if ctx.root:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": Path(ctx.root).as_uri().rstrip("/") + "/"}}
    run.update({"columnKind": "unicodeCodePoints", "results": results})
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def descriptor(code: str, rule, name: str) -> dict:
    """The ``reportingDescriptor`` of one rule; ``rule`` may be None (unregistered)."""
    out: dict = {"id": code, "name": rule.name if rule is not None else name}
    doc = rule.doc.strip() if rule is not None else ""
    summary = rule.summary if rule is not None and rule.summary else f"{code} {out['name']}"
    out["shortDescription"] = {"text": summary}
    out["fullDescription"] = {"text": doc or summary}
    if doc:
        out["fullDescription"]["markdown"] = doc
    out["helpUri"] = DOCS_URL.format(code=code.lower())
    pointer = f"Docs: {rule_help(code)}"
    text = f"{doc}\n\n{pointer}" if doc else pointer
    out["help"] = {"text": text, "markdown": text}
    if rule is not None:
        out["defaultConfiguration"] = {"enabled": bool(rule.default_enabled),
                                       "level": LEVELS[rule.severity]}
        if rule.fix is not None:
            out["properties"] = {"fix": rule.fix.label}
    return out


def result(d: Diagnostic, rule_index: int, fingerprint: str, root: str = "") -> dict:
    location = artifact_location(d.path, root)
    out: dict = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVELS[d.severity],
        "message": {"text": clean(d.message)},
        "locations": [{"physicalLocation": {"artifactLocation": location,
                                            "region": region(d.start, d.end)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if d.fix is not None and d.fix_edits:
        replacements = []
        for edit in d.fix_edits:
            replacement: dict = {"deletedRegion": region(edit.start, edit.end)}
            if edit.content:
                replacement["insertedContent"] = {"text": clean(edit.content)}
            replacements.append(replacement)
        out["fixes"] = [{"description": {"text": clean(d.fix.message)},
                         "artifactChanges": [{"artifactLocation": dict(location),
                                              "replacements": replacements}]}]
    if d.fix is not None:
        out["properties"] = {"fix": d.fix.applicability.label}
    return out


def region(start: Position, end: Position) -> dict:
    return {"startLine": start.line, "startColumn": start.column,
            "endLine": end.line, "endColumn": end.column}


def artifact_location(path: str, root: str = "") -> dict:
    """A percent-encoded URI for ``path``: relative to %SRCROOT% (the
    repository root), or a file:// URI for a path outside it."""
    path = relative_to_root(path, root)  # not repo_path: it would lose non-UTF-8 bytes
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    try:  # os.fsencode gives back the original bytes of a non-UTF-8 file name
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        raw = clean(path).encode("utf-8")
    return {"uri": quote(raw, safe="/"), "uriBaseId": "%SRCROOT%"}
