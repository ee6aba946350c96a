"""Plain records that flow from rules to the engine, the reporters and the fixer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


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


@dataclass(frozen=True, order=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` of a Document with ``content`` (character offsets)."""

    start: int
    end: int
    content: str = ""


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @staticmethod
    def of(message: str, applicability: Applicability, *edits: Edit) -> "Fix":
        return Fix(message, tuple(sorted(edits)), applicability)


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule yields: a span of the document text, a message, maybe a fix.

    The engine, not the rule, stamps on the code, name and severity.
    """

    start: int
    end: int
    message: str
    fix: Fix | None = None


@dataclass(frozen=True, order=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, in characters; a BOM is not a column


@dataclass(frozen=True, slots=True)
class FixEdit:
    """An Edit with its span already turned into positions (for reporters)."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    code: str
    name: str
    severity: Severity
    start: Position
    end: Position
    message: str
    fix: Fix | None = None
    fix_edits: tuple[FixEdit, ...] = field(default=(), compare=False)

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.start.line, self.start.column, self.code, self.message)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability > Applicability.DISPLAY_ONLY
