"""The whole-run stage: what whole-run rules (CL305) need from every file,
kept in the main process until all files are done, then reduced.

Workers return a FileResult per file; the main process keeps none of them.
From each it keeps, per whole-run rule, one fixed-shape row of facts (the
rule declares them as a NamedTuple of U8/U32/U64 fields; the table packs
them, CL305: 25 bytes) and the file's index in the
run's list of files; suppressions only for the few files that have some.
So memory per file is a few dozen bytes, not a result object, a dict and
its strings (~1 KB), and peak memory stays flat as the file count grows.
"""

from __future__ import annotations

import functools
import struct
import typing
from array import array
from typing import TYPE_CHECKING, Annotated, Any, Iterator

from contentlint.model import Diagnostic

if TYPE_CHECKING:  # the cache decodes facts with packed_format: importing it loads no rule
    from contentlint import registry

# The field types of a whole-run rule's facts (a NamedTuple): each says how
# the table packs the field (struct codes, little-endian, no padding).
U8 = Annotated[int, "B"]
U32 = Annotated[int, "I"]
U64 = Annotated[int, "Q"]


@functools.cache  # the cache decodes every cached file's facts with it: get_type_hints costs ~0.1 ms
def packed_format(facts) -> str:
    """The struct format of a facts NamedTuple (a str is already one)."""
    if isinstance(facts, str):
        return facts
    hints = typing.get_type_hints(facts, include_extras=True)
    return "<" + "".join(hints[name].__metadata__[0] for name in facts._fields)


class FactTable:
    """One whole-run rule's facts: a row per file that gave one, in file order.

    Iterating yields ``(path, row)`` (a row of the rule's facts type); it can
    be iterated more than once.
    """

    def __init__(self, facts, paths: list[str]):
        self._struct = struct.Struct(packed_format(facts))
        self._make = tuple if isinstance(facts, str) else facts._make
        self._rows = bytearray()
        self._files = array("I")
        self._paths = paths

    def add(self, file_index: int, row: tuple) -> None:
        self._rows += self._struct.pack(*row)
        self._files.append(file_index)

    def __len__(self) -> int:
        return len(self._files)

    def __iter__(self) -> Iterator[tuple[str, tuple]]:
        paths = self._paths
        make = self._make
        for index, row in zip(self._files, self._struct.iter_unpack(self._rows)):
            yield paths[index], make(row)


class WholeRun:
    """Collects from each FileResult of a run (``add`` in file order), then
    yields the whole-run findings (``findings``) with suppressions applied."""

    def __init__(self, paths: list[str], rules: list[registry.Rule]):
        self.rules = rules
        self.paths = paths
        self.tables = {r.code: FactTable(r.facts, paths) for r in rules if r.finish is not None}
        self.suppressions: dict[str, list] = {}  # path -> the suppressions late findings may need

    def add(self, file_index: int, result: Any) -> None:
        for code, row in result.facts.items():
            if row is not None and code in self.tables:
                self.tables[code].add(file_index, row)
        if result.suppressions:
            self.suppressions[result.path] = result.suppressions

    def finish(self, ctx) -> Iterator[Diagnostic]:
        """Reduce each whole-run rule's facts into diagnostics (suppressions not yet applied).

        A rule's ``finish(table, ctx)`` yields ``(path, Violation)`` whose span
        is positions (the documents are gone); the engine stamps them.
        """
        from contentlint import registry
        from contentlint.engine import failure_message, file_ignores, internal_error, stamp

        for rule in self.rules:
            if rule.finish is None:
                continue
            table = self.tables[rule.code]
            try:
                found = list(rule.finish(table, ctx))
            except Exception as exc:  # a bug: CL010 on the first file with facts, and the run goes on
                first = next(iter(table), None)
                path = first[0] if first else self.paths[0] if self.paths else None
                if path is not None:
                    yield internal_error(path, failure_message(f"rule {rule.code}", exc))
                continue
            for path, violation in found:
                if not registry.matches(rule.code, file_ignores(path, ctx.settings)):
                    yield stamp(rule, path, violation)

    def settle(self, late: list[Diagnostic]) -> list[Diagnostic]:
        """Apply suppressions to whole-run and online findings (rules/suppressions.py)."""
        from contentlint.rules import suppressions as suppressions_rule

        return suppressions_rule.settle(late, self.suppressions, self.rules)
