"""``printable``: text from a record or a file name made safe to print to a terminal or a CI log.

Keys, values, messages quoting them and file names are attacker-controlled.
Printed raw, ``\\x1b[2J`` clears the screen, ``\\r`` overwrites a line, ``\\n``
starts a fake finding or a GitHub workflow command (``::error ...``), and bidi
overrides reorder what is shown. Every human-readable output (the text
format, ``fix`` and ``fix --diff``, stderr messages, the online host summary,
``contentlint rule``) passes content through ``printable``; the structured
formats (JSON, SARIF, GitLab, JUnit) stay exact and rely on their own
escaping (docs/reliability.md).

Escaped, as Python writes them in a string literal:

- C0 controls U+0000-U+001F and DEL U+007F (``\\n``, ``\\r``, ``\\t`` by name,
  the others as ``\\x1b``);
- C1 controls U+0080-U+009F (``\\x9b`` is a one-character CSI on some terminals);
- the line and paragraph separators U+2028/U+2029 (line breaks to some viewers);
- the Unicode bidi controls (``Bidi_Control``: U+061C, U+200E, U+200F,
  U+202A-U+202E, U+2066-U+2069), which reorder the rest of a line ("Trojan Source");
- lone surrogates (a file name that is not UTF-8 decoded with
  ``surrogateescape``) as ``\\udcff``, so the text can always be encoded.

CI log commands a runner reads anywhere in a line (Azure's ``##vso[``,
GitHub's ``##[``) get their ``[`` written ``\\x5b``; ``line_start`` and
``no_command`` keep a line from starting with GitHub's ``::``.

A backslash is not escaped: the output is for reading, not parsing back, and
Windows-style text keeps its look. The exact text is in ``--format json``.
"""

from __future__ import annotations

import functools
import re


@functools.cache  # compiled on first need: most text is printable (str.isprintable decides)
def _unsafe() -> re.Pattern:
    return re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character escaped visibly, except those in ``keep``
    (``keep="\\n"`` for text that is several lines by design), and no CI
    log command that is read anywhere in a line (``_no_log_commands``)."""
    if "##" in text:
        text = _no_log_commands(text)
    # Every character the pattern matches is one str.isprintable() refuses
    # (a test holds it): the common case is decided in C, without the pattern.
    if text.isprintable() or _unsafe().search(text) is None:
        return text
    if not keep:
        return _unsafe().sub(_escape, text)
    return _unsafe().sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


# Log commands a CI runner reads anywhere in a line: Azure Pipelines'
# `##vso[task.complete result=Succeeded]` and the `##[error]` form GitHub's
# runner still reads. Their `[` is written `\x5b`, as a control character is.
def _no_log_commands(text: str) -> str:
    return re.sub(r"(##(?:vso)?)\[", lambda m: m.group(1) + "\\x5b", text, flags=re.IGNORECASE)


def line_start(path: str) -> str:
    """``printable(path)`` for a path that starts a line: `./` before a
    relative name starting with `:` or `#`, which would otherwise open a
    CI log command (GitHub's `::error file=...::`, Azure's `##vso[...]`)
    when pre-commit or a user names `::error ....md` on the command line."""
    text = printable(path)
    return "./" + text if text.lstrip()[:1] in (":", "#") else text


def no_command(line: str) -> str:
    """A line already made printable, that does not start, after its blanks,
    with `::` (GitHub's runner skips them and reads a workflow command): a
    `fix --diff` context line, an indented `--show-settings` or `init` line
    quoting the checkout. That first `:` is written `\\x3a`."""
    rest = line.lstrip()
    if rest.startswith("::"):
        at = len(line) - len(rest)
        return line[:at] + "\\x3a" + line[at + 1:]
    return line
