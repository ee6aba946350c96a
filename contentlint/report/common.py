"""What every reporter shares: paths as CI tools want them, fix hints, rule
pointers and the line-independent fingerprint.

Paths. The text and JSON formats show a path as it was given on the command
line (what the user typed). The CI formats (github, sarif, gitlab, junit,
summary) attach findings to files of a repository, so they show the path
relative to the repository root (``ReportContext.root``: the git top level,
found by walking up for ``.git`` without running git, else the config
file's folder, else the current folder), whatever folder contentlint ran in.
A path outside that root is kept as given, only normalised.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Sequence

from contentlint.model import Applicability, Diagnostic, Severity
from contentlint.report.escape import printable

DOCS_URL = "https://github.com/contentlint/contentlint/blob/main/docs/rules.md#{code}"
FINGERPRINT_VERSION = "contentlint/v1"


def rule_help(code: str) -> str:
    """How every format points a reader at a rule's documentation."""
    return f"run `contentlint rule {code}` or see {DOCS_URL.format(code=code.lower())}"


def fix_hint(d: Diagnostic, ctx) -> str:
    """One line saying what the fix does and which command applies it ("" if none)."""
    if d.fix is None:
        return ""
    message = clean(d.fix.message)
    if d.fix.applicability == Applicability.SAFE:
        return f"Fix (safe): {message}; fixable with `{ctx.fix_command}`"
    if d.fix.applicability == Applicability.UNSAFE:
        return f"Fix (unsafe): {message}; fixable with `{ctx.fix_command} --unsafe-fixes`"
    return f"Suggested fix (apply by hand): {message}"


def clean(text: str) -> str:
    """``text`` made encodable as UTF-8.

    File names that are not UTF-8 reach us as lone surrogates
    (``surrogateescape``); printing or JSON-writing them would raise. The
    original bytes are decoded again with U+FFFD for what is not UTF-8.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def display_path(path: str) -> str:
    """``path`` without leading ``./`` and with ``/`` separators, as CI tools show paths.

    GitHub matches an annotation's ``file`` against repository paths, so
    ``./seeds/a.md`` (what ``contentlint check .`` finds) must become ``seeds/a.md``.
    """
    return slash_path(clean(path))


def slash_path(path: str) -> str:
    """``/`` separators and no leading ``./``; the characters are left as they are."""
    if os.sep != "/":
        path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def relative_to_root(path: str, root: str) -> str:
    """``path`` relative to ``root`` (default: the current folder) with ``/``
    separators, characters untouched (SARIF percent-encodes the original
    bytes). A path outside the root is kept as given, only normalised."""
    try:
        rel = os.path.relpath(os.path.abspath(path), root or os.getcwd())
    except ValueError:  # another drive on Windows
        rel = path
    if rel != ".." and not rel.startswith(".." + os.sep):
        path = rel
    return slash_path(path)


def diff_labels(path: str) -> tuple[str, str]:
    """The ``---``/``+++`` names of a unified diff, as git and ``diff -u`` write
    them: ``a/PATH`` and ``b/PATH`` for a path inside the current folder
    (relative to it), else the path itself on both lines (never ``a//tmp/x``)."""
    rel = relative_to_root(path, "")
    if os.path.isabs(rel) or rel == ".." or rel.startswith("../"):
        return rel, rel
    return f"a/{rel}", f"b/{rel}"


def repo_path(path: str, root: str = "") -> str:
    """``path`` as the CI formats show it: relative to the repository root, ``/``-separated, UTF-8."""
    return clean(relative_to_root(path, root))


def fingerprints(diagnostics: Sequence[Diagnostic], root: str = "") -> list[str]:
    """A stable identity per finding: SHA-256 over the rule code, the
    repository path, the message (which names the offending value, key or
    entry, never a line: CL300, CL305 and CL601 name entries by index or path)
    and the finding's rank among the same (code, path, message) in the run.
    Line and column are left out, so inserting lines above a finding keeps
    its identity; the rank keeps two identical findings in one file apart."""
    import hashlib  # loads OpenSSL's binding (~3 ms): only for the formats with fingerprints

    seen: Counter = Counter()
    result = []
    for d in diagnostics:
        key = (d.code, repo_path(d.path, root), clean(d.message))
        rank = seen[key]
        seen[key] += 1
        text = "\0".join((FINGERPRINT_VERSION, *key, str(rank)))
        result.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return result


def registered_rules() -> dict:
    """code -> Rule from the registry (empty while rule modules are missing)."""
    from contentlint import registry

    try:
        return {r.code: r for r in registry.all_rules()}
    except ImportError:
        return {}


# -- counts shared by text, html, summary and --statistics ---------------------

def safe_fix(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.applicability == Applicability.SAFE


def unsafe_fix(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.applicability == Applicability.UNSAFE


def statistics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One row per code, most frequent first: count, code, severity, name, ``[*]`` if safely fixable."""
    counts = Counter((d.code, d.severity.label, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if safe_fix(d))
    return [f"{n:>6}  {code}  {level:<7}  {printable(name)}{'  [*]' if fixable[code] else ''}"
            for (code, level, name), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(diagnostics: Sequence[Diagnostic], ctx) -> str:
    """The closing lines of the text report (also html's and summary's headline)."""
    if not ctx.files_checked and not diagnostics:
        return "No files to check."
    checked = _plural(ctx.files_checked, "file")
    if not diagnostics:
        return f"All checks passed ({checked} checked)."
    with_findings = len({d.path for d in diagnostics})
    levels = Counter(d.severity for d in diagnostics)
    by_level = ", ".join(_plural(levels[s], s.label) if s != Severity.INFO else f"{levels[s]} info"
                         for s in sorted(levels, reverse=True))
    text = (f"Found {_plural(len(diagnostics), 'finding')} in {_plural(with_findings, 'file')}"
            f" ({ctx.files_checked} checked): {by_level}.")
    safe = sum(1 for d in diagnostics if safe_fix(d))
    if safe:
        text += f"\n[*] {safe} fixable with `{ctx.fix_command}`."
    unsafe = sum(1 for d in diagnostics if unsafe_fix(d))
    if unsafe:
        text += f"\n{unsafe} more fixable with `{ctx.fix_command} --unsafe-fixes`."
    return text
