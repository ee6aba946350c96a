"""Plain records that flow from rules to the engine, the reporters and the fixer.

NamedTuples, not frozen dataclasses: as immutable, hashed and ordered by
their fields alike, and each defined in ~0.1 ms instead of ~0.8 ms, on the
path of every one-file run (docs/performance.md, "Cold start").
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

INTERNAL_ERROR = "CL010"  # the code of a bug, in a rule or elsewhere (engine.internal_error): always reported


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class Applicability(IntEnum):
    """How far a fix can be trusted; higher is safer (as in Ruff)."""

    DISPLAY_ONLY = 0
    UNSAFE = 1
    SAFE = 2

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class Edit(NamedTuple):
    """Replace ``text[start:end]`` of a Document with ``content`` (character offsets)."""

    start: int
    end: int
    content: str = ""


class Fix(NamedTuple):
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @staticmethod
    def of(message: str, applicability: Applicability, *edits: Edit) -> "Fix":
        return Fix(message, tuple(sorted(edits)), applicability)


class Violation(NamedTuple):
    """What a rule yields: a span of the document text, a message, maybe a fix.

    The engine, not the rule, stamps on the code, name and severity.
    """

    start: int
    end: int
    message: str
    fix: Fix | None = None


class Position(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, in characters; a BOM is not a column


class FixEdit(NamedTuple):
    """An Edit with its span already turned into positions (for reporters)."""

    start: Position
    end: Position
    content: str


class Diagnostic(NamedTuple):
    path: str
    code: str
    name: str
    severity: Severity
    start: Position
    end: Position
    message: str
    fix: Fix | None = None
    fix_edits: tuple[FixEdit, ...] = ()  # not compared: the positions of fix's edits

    # Equal and hashed without fix_edits (they restate fix, and may not be computed yet).
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Diagnostic) and self[:8] == other[:8]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:8])

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.start.line, self.start.column, self.code, self.message)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability > Applicability.DISPLAY_ONLY


class Fields:
    """Base of the records built on the run's path without dataclasses:
    importing ``dataclasses`` (with ``inspect``, ``ast``, ``dis``) and
    generating each class's methods cost every run ~10 ms (docs/performance.md,
    "Eighth round"). A subclass lists its fields in ``_fields`` (and
    ``__slots__``), in its ``__init__``'s order, and gets what the code relied
    on from ``@dataclass``: equality by type and fields, a repr and
    ``replace`` (``dataclasses.replace``). Mutable, so not hashable."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple:
        return tuple([getattr(self, name) for name in self._fields])

    def replace(self, **changes):
        """A copy with ``changes`` (``dataclasses.replace``); an unknown field is a TypeError."""
        values = dict(zip(self._fields, self._values()))
        values.update(changes)
        return type(self)(**values)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self._values()))
        return f"{type(self).__qualname__}({fields})"


class Frozen(Fields):
    """``Fields`` made immutable (``@dataclass(frozen=True)``), for the few
    settings records with many fields or mutable defaults (``config.Settings``,
    ``pipeline.Plan``, ``kinds.Kind``), where a NamedTuple's shared defaults
    and tuple semantics do not fit: fields are set once with
    ``object.__setattr__``, it hashes its fields, and it pickles by them
    (workers receive the plan)."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is immutable (use replace)")

    def __delattr__(self, name):
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is immutable")

    def __hash__(self):
        return hash(self._values())

    def __reduce__(self):
        return type(self), self._values()
