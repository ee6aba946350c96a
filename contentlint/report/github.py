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

The path is shown without a leading ``./`` (``display_path``).

``fix_hint``, ``display_path`` and ``clean`` are shared with the other CI formats.
"""

from __future__ import annotations

import os
from typing import Sequence

from contentlint.model import Applicability, Diagnostic, Severity
from contentlint.report import ReportContext, rule_help
from contentlint.report.escape import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    return "".join(annotation(d, ctx) + "\n" for d in diagnostics)


def annotation(d: Diagnostic, ctx: ReportContext) -> str:
    path = display_path(d.path)
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


# -- shared by the CI formats ---------------------------------------------------


def fix_hint(d: Diagnostic, ctx: ReportContext) -> str:
    """One line saying what the fix does and which command applies it ("" if none)."""
    if d.fix is None:
        return ""
    message = clean(d.fix.message)
    if d.fix.applicability == Applicability.SAFE:
        return f"Fix (safe): {message}; fixable with `{ctx.fix_command}`"
    if d.fix.applicability == Applicability.UNSAFE:
        return f"Fix (unsafe): {message}; fixable with `{ctx.fix_command} --unsafe-fixes`"
    return f"Suggested fix (apply by hand): {message}"


def display_path(path: str) -> str:
    """``path`` without leading ``./`` and with ``/`` separators, as CI tools show paths.

    GitHub matches an annotation's ``file`` against repository paths, so
    ``./seeds/a.md`` (what ``contentlint check .`` finds) must become ``seeds/a.md``.
    """
    path = clean(path)
    if os.sep != "/":
        path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


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
