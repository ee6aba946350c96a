"""CL001-CL008: problems found while reading a file and parsing its front
matter; CL010: a rule that failed on a file (a bug).

The Document records CL001-CL008 while it is built (it must, to know how far
it can read), under the codes of contentlint.problems, re-exported here:
each code is typed once, there. These rules hand what was recorded under
their code to the engine, so they are selected, ignored and reported like
any other rule. CL010 is reported by the engine itself
(engine.lint_document), whatever the selection.
"""

from __future__ import annotations

from contentlint.model import Applicability, Edit, Fix, Severity, Violation
from contentlint.problems import (
    BYTE_ORDER_MARK,
    DUPLICATE_KEY,
    FRONT_MATTER_NOT_MAPPING,
    INVALID_ENCODING,
    MISSING_FRONT_MATTER,
    UNREADABLE_FILE,
    YAML_ALIAS,
    YAML_SYNTAX_ERROR,
    recorded,
)
from contentlint.registry import rule

__all__ = ["BYTE_ORDER_MARK", "DUPLICATE_KEY", "FRONT_MATTER_NOT_MAPPING", "INVALID_ENCODING",
           "MISSING_FRONT_MATTER", "UNREADABLE_FILE", "YAML_ALIAS", "YAML_SYNTAX_ERROR", "recorded"]


@rule(INVALID_ENCODING, "invalid-encoding", needs_data=False)
def invalid_encoding(doc, ctx):
    """Finds bytes that are not valid UTF-8.

    ## What it does
    Reports the first byte of the file that is not part of a valid UTF-8
    sequence, at its line and column. UTF-16 files (with a byte order mark)
    are reported at 1:1.

    ## Why is this bad?
    Static site generators, search indexes and browsers read records as
    UTF-8; an invalid byte turns into U+FFFD or stops the build. Such a file
    cannot be checked further, and `contentlint fix` never writes it.

    ## Example
    A title saved in Windows-1252: `title: "caf?"` where `?` is the single
    byte 0xE9, which is not UTF-8 on its own. Re-save the file as UTF-8:
    `title: "café"` (bytes C3 A9).
    """
    return recorded(doc, INVALID_ENCODING)


@rule(MISSING_FRONT_MATTER, "missing-front-matter", needs_data=False)
def missing_front_matter(doc, ctx):
    """Finds files with no front matter, or front matter that is never closed.

    ## What it does
    A record must start (after an optional BOM) with a line `---`, and the
    front matter ends at the next line that is exactly `---` (trailing spaces
    allowed). Reports 1:1 when the opener is missing, and the opener when no
    closing line follows.

    ## Why is this bad?
    Without the fences, site generators treat the whole file as body text: the
    article loses its title, date and links.

    ## Example
    ```yaml
    ---
    title: "Hello"
    ```
    has no closing `---`; add it after the last key.
    """
    return recorded(doc, MISSING_FRONT_MATTER)


@rule(YAML_SYNTAX_ERROR, "yaml-syntax-error", needs_data=False)
def yaml_syntax_error(doc, ctx):
    """Finds front matter that is not valid YAML.

    ## What it does
    Parses the front matter as YAML 1.2 and reports where the parser stopped,
    with its reason. Also reported, before parsing, for front matter over the
    size limit (1,000,000 characters), flow collections (`[`, `{`) nested
    deeper than 64 levels, or any nesting deeper than 256; and at the value,
    for a value that does not fit its explicit tag (`!!int abc`,
    `!!bool maybe`) or an integer of more than 4,300 digits.

    ## Why is this bad?
    A record that does not parse is dropped or breaks the build; none of its
    fields can be checked.

    ## Example
    ```yaml
    title: "Security: a "quoted" word"
    ```
    The inner quotes end the string early. Escape them (`\\"quoted\\"`) or use
    single quotes around the value.
    """
    return recorded(doc, YAML_SYNTAX_ERROR)


@rule(DUPLICATE_KEY, "duplicate-key", needs_data=False)
def duplicate_key(doc, ctx):
    """Finds a key repeated in one mapping.

    ## What it does
    Reports the second (and every later) occurrence of a key in the same
    mapping, at the repeated key.

    ## Why is this bad?
    YAML loaders keep only the last value, silently: an edit to the first
    occurrence has no effect, and tools disagree on which one wins.

    ## Example
    ```yaml
    title: "Draft title"
    title: "Final title"
    ```
    Keep one `title`.
    """
    return recorded(doc, DUPLICATE_KEY)


@rule(BYTE_ORDER_MARK, "byte-order-mark", severity=Severity.WARNING, fix=Applicability.SAFE, needs_data=False)
def byte_order_mark(doc, ctx):
    """Finds a UTF-8 byte order mark at the start of the file.

    ## What it does
    Reports a file that starts with the bytes EF BB BF (U+FEFF).

    ## Why is this bad?
    Many front-matter parsers require `---` to be the very first bytes; with
    a BOM they see no front matter at all. UTF-8 needs no byte order mark.

    ## Example
    `\\ufeff---` at the start of the file; remove the BOM.

    ## Fix safety
    Safe: removing the BOM changes no character of the content.
    """
    for violation in recorded(doc, BYTE_ORDER_MARK):
        yield Violation(violation.start, violation.end, violation.message,
                        Fix.of("Remove the byte order mark", Applicability.SAFE, Edit(0, 1, "")))


@rule(FRONT_MATTER_NOT_MAPPING, "front-matter-not-mapping", needs_data=False)
def front_matter_not_mapping(doc, ctx):
    """Finds front matter that is empty, a list or a single value.

    ## What it does
    Reports, at the opening `---`, front matter whose top level is not a
    mapping of keys to values.

    ## Why is this bad?
    A record's fields are keys; a list or a bare string gives the site
    generator no title, date or URL.

    ## Example
    ```yaml
    ---
    - title: "Hello"
    ---
    ```
    Remove the leading `- ` so that the keys form a mapping.
    """
    return recorded(doc, FRONT_MATTER_NOT_MAPPING)


@rule(YAML_ALIAS, "yaml-alias", needs_data=False)
def yaml_alias(doc, ctx):
    """Finds anchors and aliases in front matter.

    ## What it does
    Reports each anchor (`&name`) that an alias (`*name`) refers to, at the
    anchored value.

    ## Why is this bad?
    Content records are data exchanged between tools, not configuration:
    aliases are rarely intended, and nested aliases are the classic "billion
    laughs" attack on loaders that expand them. contentlint never expands
    them, but other tools in the pipeline may.

    ## Example
    ```yaml
    webUrl: &url "https://example.com/a"
    originalUrl: *url
    ```
    Write the value out twice.
    """
    return recorded(doc, YAML_ALIAS)


@rule(UNREADABLE_FILE, "unreadable-file", needs_data=False)
def unreadable_file(doc, ctx):
    """Finds files that could not be read.

    ## What it does
    Reports, at 1:1, a path that was named or found but could not be read:
    permission denied, deleted or replaced by a folder during the run, a
    FIFO, socket or device named on the command line (never opened, so
    never waited on), or a file over the size limit (20 MiB). A folder
    named on the command line is walked, not reported.

    ## Why is this bad?
    A record nobody can read is a record nobody checks; the run goes on with
    the other files, but CI must not pass silently.

    ## Example
    `contentlint check missing.md` when `missing.md` does not exist.
    """
    return recorded(doc, UNREADABLE_FILE)


@rule("CL010", "internal-error", needs_data=False)
def internal_error(doc, ctx):
    """Finds files that a rule failed on: a bug in contentlint.

    ## What it does
    When a rule (or the reading of suppression comments, or a whole-run
    rule's final step) raises an unexpected exception on a file, reports
    `internal error in rule CLxxx (ExceptionName: detail), please report`
    at 1:1 instead of stopping the run. The other rules still run on that
    file, the other files are checked, and `contentlint fix` never writes
    that file. Reported whatever `select`, `ignore`, `per-file-ignores` and
    suppression comments say: a rule that crashed has not checked the file.

    ## Why is this bad?
    The failing rule did not check the file, so the file may hold problems
    no finding shows; CI must not pass it silently. Please report the
    message with the file (or a copy with its private data removed).

    ## Example
    `a.md:1:1: CL010 internal error in rule CL501 (OverflowError: integer
    division result too large for a float), please report`. Results with
    CL010 are not cached, so an upgrade that fixes the bug checks the file
    again.
    """
    return ()  # engine.lint_document reports these: it runs after every rule
