"""SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers).

One run; ``tool.driver.rules`` lists the rules that have findings in this run
(sorted by code, each with its summary, documentation as ``help.markdown``, a
``helpUri`` and the pointer to ``contentlint rule CODE``), and every result
points at its rule by ``ruleId`` and ``ruleIndex``. Listing only the rules
that occur keeps the log small and makes it depend on the findings alone.

- ``level``: error -> ``error``, warning -> ``warning``, info -> ``note``.
- Locations: ``artifactLocation.uri`` is the path as checked, percent-encoded
  (RFC 3986; spaces and non-ASCII become ``%20``/UTF-8 escapes), relative to
  ``%SRCROOT%`` (the directory the check ran in, normally the repository
  root); an absolute path becomes a ``file://`` URI.
- Regions are 1-based; ``endColumn`` is exclusive, as SARIF defines it and as
  contentlint reports it. ``run.columnKind`` is ``unicodeCodePoints`` because
  contentlint counts columns in characters, not UTF-16 code units.
- A fix with edits becomes ``result.fixes`` (``deletedRegion`` +
  ``insertedContent``); its applicability is in ``result.properties.fix``.
- ``partialFingerprints["contentlint/v1"]`` is the same line-independent
  fingerprint as the GitLab format's (see ``gitlab.fingerprints``).
- No timestamps or invocation details: the same findings give the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from contentlint.model import Diagnostic, Position, Severity
from contentlint.report import DOCS_URL, ReportContext, rule_help
from contentlint.report.github import clean
from contentlint.report.gitlab import fingerprints

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = DOCS_URL.split("/blob/")[0]
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "contentlint/v1"


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
    results = [result(d, index[d.code], fp) for d, fp in zip(diagnostics, fingerprints(diagnostics))]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }


def registered_rules() -> dict:
    """code -> Rule from the registry (empty while rule modules are missing)."""
    from contentlint import registry

    try:
        return {r.code: r for r in registry.all_rules()}
    except ImportError:
        return {}


def descriptor(code: str, rule, name: str) -> dict:
    """The ``reportingDescriptor`` of one rule; ``rule`` may be None (unregistered)."""
    out: dict = {"id": code, "name": rule.name if rule is not None else name}
    doc = rule.doc.strip() if rule is not None else ""
    if rule is not None and rule.summary:
        out["shortDescription"] = {"text": rule.summary}
    out["helpUri"] = DOCS_URL.format(code=code.lower())
    pointer = f"Docs: {rule_help(code)}"
    out["help"] = {"text": pointer, "markdown": f"{doc}\n\n{pointer}" if doc else pointer}
    if rule is not None:
        out["defaultConfiguration"] = {"enabled": bool(rule.default_enabled),
                                       "level": LEVELS[rule.severity]}
        if rule.fix is not None:
            out["properties"] = {"fix": rule.fix.label}
    return out


def result(d: Diagnostic, rule_index: int, fingerprint: str) -> dict:
    location = artifact_location(d.path)
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


def artifact_location(path: str) -> dict:
    """A percent-encoded URI for ``path`` (relative to %SRCROOT%, or file://)."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    if os.sep != "/":
        path = path.replace(os.sep, "/")
    while path.startswith("./"):  # not display_path: it would lose non-UTF-8 bytes
        path = path[2:]
    try:  # os.fsencode gives back the original bytes of a non-UTF-8 file name
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        raw = clean(path).encode("utf-8")
    return {"uri": quote(raw, safe="/"), "uriBaseId": "%SRCROOT%"}
