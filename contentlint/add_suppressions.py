"""`check --add-suppressions`: a suppression comment for every reported finding
(as Ruff's `--add-noqa`; docs/ci.md).

Each finding gets `# contentlint: ignore[CODE]` at the end of the line it
starts on, which is what a line comment covers (rules/suppressions.py); a
code joins a line comment already there. Byte-exact like the fixer: only
the comment is inserted (the line break, CRLF or not, and every other byte
stay), each insertion is re-parsed and must keep the data and add no
reading problem (fixer.verify), and the file is written atomically,
refused if it changed meanwhile (fixer.write_atomic). A second run adds
nothing: suppressed findings are not reported.

Left as they are, and counted: CL009 (a suppression cannot suppress it)
and CL010 (internal errors are always reported); findings in a file whose
front matter does not parse to a mapping, on a line outside the front matter
(the `---` lines, the body), or on a line that ends inside a multi-line
value (a `#` there is text, not a comment). The baseline covers those.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Sequence

from contentlint import engine, fixer
from contentlint.document import Document, load
from contentlint.model import Diagnostic, Edit
from contentlint.rules import suppressions

_NEVER = frozenset((suppressions.CODE, engine.INTERNAL_ERROR))


@dataclass
class Added:
    comments: int = 0  # findings now suppressed
    files: list[str] = field(default_factory=list)  # files written
    skipped: list[Diagnostic] = field(default_factory=list)  # findings left as they are
    warnings: list[str] = field(default_factory=list)


def add(diagnostics: Sequence[Diagnostic], write: bool = True, root: str | None = None) -> Added:
    """Suppress ``diagnostics`` (sorted by path, as the pipeline gives them) in
    their files; none written through a symlink leading out of ``root``."""
    added = Added()
    for path, group in itertools.groupby(diagnostics, key=lambda d: d.path):
        _add_to_file(path, list(group), added, write, root)
    return added


def _add_to_file(path: str, found: list[Diagnostic], added: Added, write: bool, root: str | None) -> None:
    raw, _ = engine.read(path)
    doc = load(path, raw) if raw is not None else None
    if doc is None or not doc.ok:
        added.skipped.extend(found)
        return
    by_line: dict[int, list[Diagnostic]] = {}
    in_scalar = suppressions._ScalarCover(doc)
    for d in found:
        if d.code in _NEVER or not _takes_comment(doc, d.start.line, in_scalar):
            added.skipped.append(d)
        else:
            by_line.setdefault(d.start.line, []).append(d)
    existing = {s.line: s for s in suppressions.parse(doc) if not s.file_level}
    suppressed: list[Diagnostic] = []  # counted once the file is written
    # Bottom up: an insertion never moves the offsets of the lines above it.
    for line in sorted(by_line, reverse=True):
        edit = _edit(doc, line, [d.code for d in by_line[line]], existing.get(line))
        new_doc, reason = _attempt(doc, edit)
        if reason is not None:
            added.skipped.extend(by_line[line])
            added.warnings.append(f"{path}:{line}: no suppression comment added: {reason}")
            continue
        doc = new_doc
        suppressed.extend(by_line[line])
    fixed = doc.text.encode("utf-8")
    if fixed == raw:
        return
    not_written = fixer.write_atomic(path, fixed, raw, root) if write else None
    if not_written:
        added.warnings.append(f"{path}: {not_written}")
        added.skipped.extend(suppressed)
    else:
        added.comments += len(suppressed)
        added.files.append(path)


def _takes_comment(doc: Document, line: int, in_scalar) -> bool:
    """Can a comment at the end of ``line`` suppress it: the line is inside the
    YAML block and does not end inside a scalar (a multi-line string)."""
    if not 1 <= line <= len(doc.line_starts):
        return False
    start = doc.line_starts[line - 1]
    end = doc.line_span(start)[1]
    return doc.fm_start <= start and end <= doc.fm_end and not in_scalar(end)


def _edit(doc: Document, line: int, codes: list[str], existing) -> Edit:
    if existing is not None:  # join the comment already there
        merged = list(existing.codes) + [c for c in dict.fromkeys(codes) if c not in existing.codes]
        return Edit(existing.comment[0], existing.comment[1], f"# contentlint: ignore[{', '.join(merged)}]")
    end = doc.line_span(doc.line_starts[line - 1])[1]
    return Edit(end, end, f"  # contentlint: ignore[{', '.join(sorted(set(codes)))}]")


def _attempt(doc: Document, edit: Edit) -> tuple[Document, str | None]:
    """The document with the comment, or why it must not be kept: a comment
    changes no value, so the data must stay exactly the same."""
    new_doc = load(doc.path, fixer.apply_edits(doc.text, [edit]).encode("utf-8"))
    reason = fixer.verify(doc, new_doc, [edit])
    if reason is None and not fixer.same(doc.data, new_doc.data):
        reason = "the result changes the data"
    if reason is None and not any(s.line == doc.position(edit.start).line and not s.file_level
                                  for s in suppressions.parse(new_doc)):
        reason = "the comment would not be read as a suppression"
    return new_doc, reason
