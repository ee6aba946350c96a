"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=seeds/a.md,line=3,col=8,endLine=3,endColumn=20,title=CL200 mojibake::seeds/a.md:3:8: …

Severity error -> ``::error``, warning -> ``::warning``, info -> ``::notice``.
The data after ``::`` is the text-format line (``path:line:col: CODE
message``, so the job log reads like ``contentlint check``), then, on lines of
their own, the fix (if any) and the pointer to ``contentlint rule CODE``.

Escaping follows the runner (actions/toolkit ``command.ts``): in the data
``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``; in property values also
``:`` -> ``%3A`` and ``,`` -> ``%2C``. So a message or file name holding
``\n::error ...`` stays inside its own command: one command per line, one
line per finding. The runner decodes nothing else, so the other control
characters (ESC, C1, bidi controls: ``report.escape.printable``) are written
as visible escapes, in the data and in the properties: the job log never gets
a raw one (a file name holding one then matches no repository path).

Positions: ``line``/``col`` are the start, ``endLine``/``endColumn`` the end,
exclusive (the character after the span), the same numbers as in every other
format. The runner drops ``col``/``endColumn`` when ``line != endLine``
(``ValidateLinesAndColumns``), so a span over several lines is sent as a line
range without columns; its exact start column stays in the message.

The path is relative to the repository root, without a leading ``./``
(``common.repo_path``), so GitHub attaches it to the repository's file
whichever folder contentlint ran in.
"""

from __future__ import annotations

from typing import Sequence

from contentlint.model import Diagnostic, Severity
from contentlint.report import ReportContext
from contentlint.report.common import clean, fix_hint, repo_path, rule_help
from contentlint.report.escape import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    return "".join(annotation(d, ctx) + "\n" for d in diagnostics)


def annotation(d: Diagnostic, ctx: ReportContext) -> str:
    path = repo_path(d.path, ctx.root)
    props = [("file", path), ("line", d.start.line)]
    if d.start.line == d.end.line:
        props += [("col", d.start.column), ("endLine", d.end.line), ("endColumn", d.end.column)]
    else:
        props += [("endLine", d.end.line)]
    props.append(("title", f"{d.code} {d.name}"))
    lines = [f"{path}:{d.start.line}:{d.start.column}: {d.code} {clean(d.message)}"]
    hint = fix_hint(d, ctx)
    if hint:
        lines.append(hint)
    lines.append(f"Docs: {rule_help(d.code)}")
    properties = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{COMMANDS[d.severity]} {properties}::{escape_data(chr(10).join(lines))}"


def escape_data(text: str) -> str:
    """CR and LF percent-encoded (the runner decodes them back); other controls made visible."""
    text = printable(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
