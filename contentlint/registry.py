"""Rule metadata, the @rule decorator, and lookup by code.

A rule is a function ``check(doc, ctx) -> Iterable[Violation]`` whose
docstring is its documentation (sections: What it does / Why is this bad? /
Example / Fix safety). The engine stamps the code, name and severity on what
it yields; a rule never reads files, prints, or knows about the CLI.

Whole-run rules (such as CL305 duplicate-article) also give ``collect`` (per
document, run in the workers: a row of facts or None), ``facts`` (the
row's type, a NamedTuple of wholerun.U8/U32/U64 fields: the main process
keeps the rows packed, see contentlint.wholerun) and ``finish`` (over the
run's ``(path, row)`` pairs, yields ``(path, Violation)`` with positions).

Online rules (``--online``: CL402, CL503, CL900-CL902) give ``online_check``,
a contentlint.rules.online.OnlineCheck: which values the rule checks, how
each must be fetched, and the finding an answer makes. contentlint.online
fetches each URL once for every rule and hands each rule the answer; their
``check`` yields nothing.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from contentlint.model import Applicability, Severity, Violation

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example")
FIX_SECTION = "Fix safety"

# A NamedTuple, not a frozen dataclass: as immutable, and defined in a tenth
# of the time on the path of every run (docs/performance.md, "Cold start").
class Rule(NamedTuple):
    code: str
    name: str
    severity: Severity
    default_enabled: bool
    fix: Applicability | None  # the best applicability its fixes can have
    check: Callable[..., Iterable[Violation]]
    doc: str
    online: bool = False  # online_check is given
    options: Mapping[str, Any] = MappingProxyType({})  # read-only: one default shared by all
    collect: Callable[..., Any] | None = None
    finish: Callable[..., Iterable[tuple]] | None = None
    facts: Any = None  # the NamedTuple type of the rows ``collect`` returns
    needs_data: bool = True  # False: runs even when the front matter did not parse
    needs_schema: bool = False  # True: the run loads the schema up front (a bad one is a usage error)
    online_check: Any = None  # an OnlineCheck (contentlint.rules.online): the rule runs with --online

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


_RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    *,
    severity: Severity = Severity.ERROR,
    default: bool = True,
    fix: Applicability | None = None,
    options: dict[str, Any] | None = None,
    collect: Callable[..., Any] | None = None,
    finish: Callable[..., Iterable[tuple]] | None = None,
    facts: Any = None,
    needs_data: bool = True,
    needs_schema: bool = False,
    online_check: Any = None,
):
    """Register ``check`` as rule ``code``."""

    def register(check):
        if code in _RULES:
            raise ValueError(f"rule {code} registered twice")
        if (collect is None) != (finish is None) or (finish is None) != (facts is None):
            raise ValueError(f"rule {code}: a whole-run rule gives collect, facts and finish")
        _RULES[code] = Rule(code, name, severity, default, fix, check,
                            cleandoc(check.__doc__ or ""), online_check is not None,
                            dict(options or {}), collect, finish, facts, needs_data, needs_schema,
                            online_check)
        return check

    return register


def cleandoc(doc: str) -> str:
    """``inspect.cleandoc``, which tests hold it to: importing ``inspect``
    (with ``ast``, ``dis``, ``tokenize``) cost every run ~5 ms for this. The
    first line loses its leading whitespace, the others their common
    indentation; blank lines at both ends go."""
    lines = doc.expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()), default=0)
    lines = [lines[0].lstrip()] + [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def all_rules() -> list[Rule]:
    # Importing the modules that define rules registers them (on first lookup;
    # later it is a lookup in sys.modules). Plain imports: nothing is imported by name.
    from contentlint.rules import (amp, images, links, online, related, schema,  # noqa: F401
                                   suppressions, syntax, text)

    return sorted(_RULES.values(), key=lambda r: r.code)


def get(code: str) -> Rule | None:
    by_code = {r.code: r for r in all_rules()}
    found = by_code.get(code.upper())
    if found is None:  # also accept the rule's name
        found = next((r for r in by_code.values() if r.name == code.lower()), None)
    return found


def matches(code: str, patterns: Iterable[str]) -> bool:
    """True when ``code`` matches a code or prefix (``CL1``, ``CL10``, ``ALL``)."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)
