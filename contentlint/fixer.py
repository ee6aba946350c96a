"""The fix algorithm: apply the rules' edits, verify, repeat, write atomically.

Pure per-file work: the `fix` command (commands.py) runs it over a run's
files through the pipeline (pipeline.Fix, the per-file step).

The loop for one file (``fix_bytes``, no I/O):

1. lint the text (``engine.lint_bytes``: selection, per-file ignores and
   suppressions apply); a file with CL001/CL002/CL003 is never touched;
2. pick the fixes of at least the wanted applicability, by position then
   code, skipping any whose edits conflict with one already picked (it gets
   its turn in a later pass); identical fixes from two rules count once;
   an unused suppression (CL009) is removed only in a pass with no other
   fix, as another fix may make it used (`&nbsp;` decoded into the
   trailing space an `ignore[CL203]` keeps);
3. apply the edits (``apply_edits``) and verify the result (``verify``): it
   must parse as well as before, keep the body and closing line, and keep
   every value the edits did not touch (the contract is in docs/fixer.md);
   a failing pass is narrowed down (by halving) to the fixes that fail on
   their own, which are dropped with a warning;
4. repeat until no fix is left, at most MAX_PASSES times, stopping when a
   text comes back that was seen before (a cycle).

Writing (``write_atomic``) goes through a temporary file in the same folder,
fsync and ``os.replace``, keeps the file's permissions, and refuses a file
whose bytes changed since they were read.
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from contentlint import engine
from contentlint.discover import leads_out, temp_name
from contentlint.document import Document, load
from contentlint.frontmatter import read_regular
from contentlint.model import Applicability, Diagnostic, Edit
from contentlint.report.common import diff_labels
from contentlint.report.escape import no_command, printable
from contentlint.parallel import signals_blocked
from contentlint.rules import suppressions  # engine has loaded it

MAX_PASSES = 10
# Files with these problems are never written: the text is not understood.
BLOCKING = frozenset(("CL001", "CL002", "CL003"))
# A fix must not add any of these reading problems.
READ_PROBLEMS = ("CL001", "CL002", "CL003", "CL004", "CL006", "CL007")


# -- edits ---------------------------------------------------------------------------


def apply_edits(text: str, edits) -> str:
    """``text`` with non-overlapping ``edits`` applied (offsets into ``text``).

    Untouched text between the edits is copied verbatim. Equivalent to
    applying the edits back to front; built front to back in one pass.
    """
    pieces = []
    position = 0
    for edit in sorted(edits):
        if edit.start < position or edit.end < edit.start or edit.end > len(text):
            raise ValueError(f"overlapping or out-of-range edit {edit}")
        pieces.append(text[position:edit.start])
        pieces.append(edit.content)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def conflicts(a: Edit, b: Edit) -> bool:
    """True when two edits cannot both be applied without guessing an order."""
    if a.start == b.start:  # two insertions at one point, or an insertion at a replacement's start
        return True
    return a.start < b.end and b.start < a.end


def _fix_key(text: str, d: Diagnostic) -> tuple:
    """Identifies a fix across passes (offsets move, the replaced text does not)."""
    return (d.code, d.fix.message, tuple((text[e.start:e.end], e.content) for e in d.fix.edits))


def select_fixes(text: str, diagnostics, applicability: Applicability, rejected=frozenset()) -> list[Diagnostic]:
    """The fixes to apply in one pass: wanted, not rejected, not conflicting.

    O(n log n) in the number of edits: the edits already taken answer "does
    this edit conflict with one of you?" through ``_TakenEdits``.
    """
    candidates = [d for d in diagnostics if d.fix is not None and d.fix.applicability >= applicability
                  and any(text[e.start:e.end] != e.content for e in d.fix.edits)  # not a no-op
                  and (not rejected or _fix_key(text, d) not in rejected)]
    candidates.sort(key=lambda d: (d.fix.edits[0].start, d.code))
    chosen: list[Diagnostic] = []
    chosen_edits: set[tuple[Edit, ...]] = set()
    taken = _TakenEdits(e.start for d in candidates for e in d.fix.edits)
    for d in candidates:
        if d.fix.edits in chosen_edits:
            chosen.append(d)  # two rules, one repair: applied once, both fixed
        elif not any(taken.conflicts(e) for e in d.fix.edits):
            chosen.append(d)
            chosen_edits.add(d.fix.edits)
            for e in d.fix.edits:
                taken.add(e)
    if any(d.code != suppressions.CODE for d in chosen):  # CL009 waits for a pass of its own
        chosen = [d for d in chosen if d.code != suppressions.CODE]
    return chosen


_NONE = float("-inf")  # below every offset


class _TakenEdits:
    """A growing set of edits that tells, in O(log n), whether an edit
    ``conflicts`` with any of them.

    ``conflicts(a, b)`` is: same start, or ``b.start < a.end and a.start <
    b.end``. The starts are a set; for the overlap, a Fenwick tree over the
    (sorted, distinct) possible starts keeps the largest end taken at or
    below each start, so "the largest end of the edits that start before
    ``a.end``" is one prefix query. The taken edits may overlap each other
    (a fix's own edits are not checked against each other), which a sweep
    over disjoint ranges would not allow.
    """

    def __init__(self, starts):
        self._coords = sorted(set(starts))
        self._max_end = [_NONE] * (len(self._coords) + 1)  # 1-based Fenwick tree of maxima
        self._starts: set[int] = set()

    def add(self, edit: Edit) -> None:
        self._starts.add(edit.start)
        i = bisect.bisect_left(self._coords, edit.start) + 1
        while i < len(self._max_end):
            if self._max_end[i] < edit.end:
                self._max_end[i] = edit.end
            i += i & -i

    def conflicts(self, edit: Edit) -> bool:
        if edit.start in self._starts:
            return True
        i = bisect.bisect_left(self._coords, edit.end)  # the starts below edit.end
        best = _NONE
        while i > 0:
            best = max(best, self._max_end[i])
            i -= i & -i
        return best > edit.start


def _edits_of(chosen) -> list[Edit]:
    return sorted({e for d in chosen for e in d.fix.edits})


# -- verification ---------------------------------------------------------------------


def _meets(start: int, end: int, s: int, e: int) -> bool:
    """Does the edit [start, end) meet the extent [s, e)? Insertions meet closed extents."""
    if start == end:
        return s <= start <= e
    if s == e:
        return start <= s < end
    return start < e and s < end


def _through_line_break(doc: Document, p: int) -> int:
    """The offset just past the line break that ends the line holding ``text[p-1]``
    (the first line when ``p`` is 0); a bisection of the line index."""
    starts = doc.line_starts
    following = bisect.bisect_right(starts, p - 1) if p > 0 else 1
    return starts[following] if following < len(starts) else len(doc.text)


def extents(doc: Document) -> dict[tuple, tuple[int, int]]:
    """Each value's extent: a scalar's source text; a collection's from its first
    character through the line break that ends its last line of content."""
    spans = doc.spans
    last: dict[tuple, int] = {}
    by_depth: dict[int, list[tuple]] = {}
    for path, span in spans.items():
        end = span.end if span.kind == "scalar" else span.start
        if span.key_end is not None:
            end = max(end, span.key_end)
        last[path] = end
        by_depth.setdefault(len(path), []).append(path)
    # Each path's last end is the largest of its own and its descendants':
    # handed up one level at a time, deepest first (linear in the paths).
    for depth in range(max(by_depth, default=0), 0, -1):
        for path in by_depth.get(depth, ()):
            parent = path[:-1]
            if parent not in last:
                by_depth.setdefault(depth - 1, []).append(parent)
                last[parent] = last[path]
            elif last[parent] < last[path]:
                last[parent] = last[path]
    result = {}
    for path, span in spans.items():
        if span.kind == "scalar":
            result[path] = (span.start, span.end)
        elif doc.text[span.start:span.start + 1] in ("[", "{"):  # flow: exact, to its line's end
            result[path] = (span.start, _through_line_break(doc, span.end))
        else:
            result[path] = (span.start, _through_line_break(doc, last[path]))
    return result


class _Intervals:
    """Fixed intervals (start, end, value), asked for those with ``start <= b``
    and ``end >= a``: a segment tree of the largest end over the intervals in
    order of start, walked only into subtrees that hold an answer, so a query
    costs O((k + 1) log n) for k answers instead of a look at every interval."""

    def __init__(self, items):
        self._items = sorted(items, key=lambda item: item[0])
        self._starts = [item[0] for item in self._items]
        self._size = 1
        while self._size < len(self._items):
            self._size *= 2
        tree = [_NONE] * (2 * self._size)
        for i, item in enumerate(self._items):
            tree[self._size + i] = item[1]
        for node in range(self._size - 1, 0, -1):
            tree[node] = max(tree[2 * node], tree[2 * node + 1])
        self._tree = tree

    def near(self, a: int, b: int) -> Iterator[tuple]:
        below = bisect.bisect_right(self._starts, b)  # the intervals that start at or before b
        stack = [(1, 0, self._size)]
        while stack:
            node, low, high = stack.pop()
            if low >= below or self._tree[node] < a:
                continue
            if node >= self._size:
                yield self._items[low]
                continue
            middle = (low + high) // 2
            stack.append((2 * node + 1, middle, high))
            stack.append((2 * node, low, middle))


def _touch(touched: set, path: tuple) -> None:
    """Add ``path`` and its ancestors; ``touched`` always holds a path's
    ancestors with it, so the walk up stops at the first one already there."""
    while path not in touched:
        touched.add(path)
        if not path:
            return
        path = path[:-1]


def touched_paths(doc: Document, edits) -> tuple[set, set]:
    """The values the edits may change, and the collections that may gain or lose entries.

    An edit whose range is exactly one scalar's source text is a *value
    rewrite*: it touches that scalar (and, to reach it, its ancestors) and
    opens nothing. Any other edit is *structural*: it touches every value
    whose extent or key it meets, and opens every collection it meets.
    """
    spans = doc.spans
    scalar_at = {(s.start, s.end): path for path, s in spans.items() if s.kind == "scalar"}
    touched: set = set()
    opened: set = set()
    index = None  # built at the first structural edit
    for edit in edits:
        path = scalar_at.get((edit.start, edit.end))
        if path is not None:
            _touch(touched, path)
            continue
        if index is None:
            items = [(s, e, path) for path, (s, e) in extents(doc).items()]
            items += [(span.key_start, span.key_end, path) for path, span in spans.items()
                      if span.key_start is not None]
            index = _Intervals(items)
        for s, e, path in index.near(edit.start, edit.end):  # a superset of those _meets accepts
            if _meets(edit.start, edit.end, s, e):
                _touch(touched, path)
                if spans[path].kind != "scalar":
                    opened.add(path)
    return touched, opened


def same(a: Any, b: Any) -> bool:
    """Deep equality of loaded YAML data (types must match; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def _subsequence(items: list, sequence: list) -> bool:
    it = iter(sequence)
    return all(any(same(item, candidate) for candidate in it) for item in items)


def unchanged_outside(old: Any, new: Any, path: tuple, touched: set, opened: set) -> bool:
    """True when ``new`` differs from ``old`` only where the edits may change it (docs/fixer.md)."""
    if path not in touched:
        return same(old, new)
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return False
        if path not in opened and new.keys() != old.keys():
            return False
        for key, value in old.items():
            child = path + (key,)
            if child not in touched:
                if key not in new or not same(value, new[key]):
                    return False
            elif key in new and not unchanged_outside(value, new[key], child, touched, opened):
                return False
        return True
    if isinstance(old, list):
        if not isinstance(new, list):
            return False
        kept = [i for i in range(len(old)) if path + (i,) not in touched]
        if len(new) == len(old) and all(same(old[i], new[i]) for i in kept) and all(
                unchanged_outside(old[i], new[i], path + (i,), touched, opened)
                for i in range(len(old)) if path + (i,) in touched):
            return True
        # Entries moved, removed or added (as many after a reorder, each in
        # another's place): only where a structural edit reaches.
        return path in opened and _subsequence([old[i] for i in kept], new)
    # A touched scalar may take any value of its type (or become / stop being null).
    return old is None or new is None or type(old) is type(new)


def verify(old: Document, new: Document, edits) -> str | None:
    """Why the edited document ``new`` must not replace ``old``; None when it may."""
    before = Counter(code for code, _ in old.problems)
    after = Counter(code for code, _ in new.problems)
    for code, violation in new.problems:
        if code in READ_PROBLEMS and after[code] > before[code]:
            position = new.position(violation.start)
            return f"the result has {code} at {position.line}:{position.column} ({violation.message})"
    if old.fm_end >= 0 and old.text[old.fm_end:] != new.text[new.fm_end:]:
        return "the result changes the closing `---` line or the body"
    touched, opened = touched_paths(old, edits)
    if not unchanged_outside(old.data, new.data, (), touched, opened):
        return "the result changes data outside the edited values"
    return None


# -- the loop --------------------------------------------------------------------------


@dataclass
class FileOutcome:
    path: str
    original: bytes | None = None
    fixed: bytes | None = None  # the new bytes; None when nothing changed
    applied: Counter = field(default_factory=Counter)  # code -> fixes applied
    remaining: list[Diagnostic] = field(default_factory=list)
    result: engine.FileResult | None = None  # the final lint (facts, suppressions)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # internal errors (a rule failed, CL010): the file is not written
    blocked: bool = False  # CL001/CL002/CL003: not touched
    written: bool = False
    not_written: str | None = None  # why a fixed file could not be written


def fix_bytes(path: str, raw: bytes, rules, ctx: engine.Context,
              applicability: Applicability = Applicability.SAFE) -> FileOutcome:
    """Fix one file's bytes in memory (no I/O)."""
    outcome = FileOutcome(path, original=raw)
    doc, result = engine.lint_bytes(path, raw, rules, ctx)
    # A file whose text is not understood, or that a rule failed on (CL010), is never written.
    if result.error or any(code in BLOCKING for code, _ in doc.problems):
        outcome.error = result.error
        outcome.blocked, outcome.remaining, outcome.result = True, result.diagnostics, result
        return outcome
    first = result
    seen = {doc.text}
    rejected: set = set()
    for _ in range(MAX_PASSES):
        step = _one_pass(doc, result, rules, ctx, applicability, rejected, outcome)
        if step is None:
            break
        new_doc, new_result, chosen = step
        if new_result.error:  # a rule failed on the fixed text: the file stays as it is
            failed = [d for d in new_result.diagnostics if d.code == engine.INTERNAL_ERROR]
            outcome.error, outcome.fixed, outcome.applied = new_result.error, None, Counter()
            outcome.result, outcome.remaining = first, sorted(first.diagnostics + failed, key=lambda d: d.sort_key)
            return outcome
        outcome.applied.update(d.code for d in chosen)
        doc, result = new_doc, new_result
        if doc.text in seen:
            outcome.warnings.append(f"{path}: fixes undo each other (a cycle); stopped")
            break
        seen.add(doc.text)
    else:
        if select_fixes(doc.text, result.diagnostics, applicability, rejected):
            outcome.warnings.append(f"{path}: still changing after {MAX_PASSES} passes; stopped")
    outcome.result, outcome.remaining = result, result.diagnostics
    new_raw = doc.text.encode("utf-8")
    if new_raw != raw:
        outcome.fixed = new_raw
    return outcome


def _one_pass(doc, result, rules, ctx, applicability, rejected, outcome):
    """Apply one verified set of fixes: (new doc, its lint, fixes applied), or None."""
    while True:
        chosen = select_fixes(doc.text, result.diagnostics, applicability, rejected)
        chosen = [d for d in chosen if _in_front_matter(doc, d, rejected, outcome)]
        if not chosen:
            return None
        new_doc, reason = _attempt(doc, _edits_of(chosen))
        if reason is None:
            return new_doc, engine.lint_document(new_doc, rules, ctx), chosen
        # Narrow down: drop the fixes that fail on their own; when none does,
        # they fail only together, and the first one goes alone.
        failing = _failing(doc, chosen, reason)
        for d, why in failing:
            rejected.add(_fix_key(doc.text, d))
            outcome.warnings.append(f"{doc.path}: skipped {d.code} fix ({d.fix.message}): {why}")
        if not failing:  # verified alone like any other: a group's sets and counts can mask one fix
            first = chosen[0]
            new_doc, why = _attempt(doc, first.fix.edits)
            if why is None:
                return new_doc, engine.lint_document(new_doc, rules, ctx), chosen[:1]
            rejected.add(_fix_key(doc.text, first))
            outcome.warnings.append(f"{doc.path}: skipped {first.code} fix ({first.fix.message}): {why}")


def _failing(doc: Document, fixes: list[Diagnostic], reason: str) -> list[tuple[Diagnostic, str]]:
    """The fixes of a failing group that fail on their own, with why.

    The group is halved and each half that fails is halved again, so f
    failing fixes among n cost O(f log n) attempts (each parses the whole
    document), not n. A fix hidden in a half that passes as a whole is not
    singled out: that half's fixes are verified together in the next try.
    """
    if len(fixes) == 1:
        return [(fixes[0], reason)]
    found = []
    middle = len(fixes) // 2
    for part in (fixes[:middle], fixes[middle:]):
        why = _attempt(doc, part[0].fix.edits if len(part) == 1 else _edits_of(part))[1]
        if why is not None:
            found.extend(_failing(doc, part, why))
    return found


def _in_front_matter(doc: Document, d: Diagnostic, rejected: set, outcome: FileOutcome) -> bool:
    """Edits may change the BOM and the front matter, never the closing line or the body."""
    if all(e.end <= doc.fm_end for e in d.fix.edits):
        return True
    rejected.add(_fix_key(doc.text, d))
    outcome.warnings.append(f"{doc.path}: skipped {d.code} fix ({d.fix.message}): it edits the body")
    return False


def _attempt(doc: Document, edits) -> tuple[Document | None, str | None]:
    """The document after ``edits``, or why it must not be kept."""
    try:
        raw = apply_edits(doc.text, edits).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        return None, f"the edits cannot be applied ({exc})"
    new_doc = load(doc.path, raw)
    return new_doc, verify(doc, new_doc, edits)


# -- files -------------------------------------------------------------------------------


LEADS_OUT = "not written: it is a symlink leading out of the checkout"


def write_atomic(path: str, data: bytes, expected: bytes, root: str | None = None) -> str | None:
    """Replace the file at ``path`` (its target, if a symlink) with ``data``.

    A path in ``root`` (the checkout) whose target is outside it is never
    written: a committed ``post.md -> ~/.bashrc`` must not rewrite the target.

    Returns why it was not written, or None. The file's current bytes must
    still be ``expected``; a temporary file in the same folder is written,
    fsynced, given the file's permission bits and moved over the file, so a
    crash leaves either the old or the new version. SIGINT and SIGTERM wait
    until the temporary file is renamed or removed: only SIGKILL (or a power
    cut) leaves one behind, and the next run removes it (discover).
    """
    if root is not None and leads_out(path, root):
        return LEADS_OUT
    with signals_blocked():
        return _write_atomic(path, data, expected)


def _write_atomic(path: str, data: bytes, expected: bytes) -> str | None:
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    try:
        info = os.stat(target)
        mode = stat.S_IMODE(info.st_mode)
        fd, tmp = _create_temp(folder, os.path.basename(target))
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()) and hasattr(os, "chown"):
            try:  # keep the owner (root fixing someone's checkout); others cannot, like any editor
                os.chown(tmp, info.st_uid, info.st_gid)
            except OSError:
                pass
        # Read as the walk reads: a FIFO or device swapped in meanwhile must
        # not block a write whose signals wait (only SIGKILL would end it).
        if read_regular(target, len(expected) + 1) != expected:
            os.unlink(tmp)
            return "the file changed while it was being fixed; not written"
        os.replace(tmp, target)
    except BaseException as exc:  # also an interrupt whose handler was already pending
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        return f"cannot write: {exc.strerror or exc}"
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return None


def _create_temp(folder: str, name: str) -> tuple[int, str]:
    """Create ``folder/.name.<random>.contentlint-tmp`` (discover.temp_name), ours alone:
    O_EXCL refuses an existing file or symlink; mode 0600 until the chmod."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(folder, temp_name(name))
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name} in {folder}")


def fix_path(path: str, rules, ctx: engine.Context, applicability: Applicability, write: bool,
             read: tuple[bytes | None, str | None] | None = None) -> FileOutcome:
    """``read``: ``engine.read(path)``'s answer when the caller has it already."""
    raw, reason = read if read is not None else engine.read(path)
    if raw is None:
        result = engine.lint_document(engine.unreadable(path, reason), rules, ctx)
        return FileOutcome(path, remaining=result.diagnostics, result=result, blocked=True)
    outcome = fix_bytes(path, raw, rules, ctx, applicability)
    if write and outcome.fixed is not None:
        outcome.not_written = write_atomic(path, outcome.fixed, raw, ctx.settings.root)
        outcome.written = outcome.not_written is None
        if outcome.not_written:
            outcome.warnings.append(f"{path}: {outcome.not_written}")
            # The file keeps its bytes, so it keeps their findings (a rare path: lint again).
            outcome.result = engine.lint_bytes(path, raw, rules, ctx)[1]
            outcome.remaining, outcome.applied = outcome.result.diagnostics, Counter()
    return outcome


# -- output -----------------------------------------------------------------------------------


# The project's line breaks (docs/reliability.md): not str.splitlines, which
# also breaks at \x0b, \x0c, \x1c-\x1e, \x85, U+2028 and U+2029.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff of the real lines, made safe to print (docs/fixer.md): the
    path and each line's text go through ``printable``, so a line ending other
    than LF shows as a visible ``\\r`` and no control character is written raw
    but the tab, which moves no cursor back (a diff of Go code in a Hugo
    record still applies with `patch` or `git apply`)."""
    old = _LINE.findall(before.decode("utf-8"))
    new = _LINE.findall(after.decode("utf-8"))
    from_label, to_label = (printable(label) for label in diff_labels(path))
    lines = []
    for line in difflib.unified_diff(old, new, fromfile=from_label, tofile=to_label):
        if line.endswith("\n"):  # headers too: their text is already printable
            lines.append(no_command(_shown(line[:-1])) + "\n")
        else:  # a lone CR ends the line (shown escaped), or nothing does
            lines.append(no_command(_shown(line)) + ("\n" if line.endswith("\r") else "\n\\ No newline at end of file\n"))
    return "".join(lines)


def _shown(line: str) -> str:
    return "\t".join(printable(part) for part in line.split("\t"))
