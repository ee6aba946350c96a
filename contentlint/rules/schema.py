"""CL100-CL104: the front matter against the schema contract.

The document is validated once per run of these rules (the result is kept on
the document); each code picks its own kind of error and anchors it:
CL101 at the first line of the mapping that lacks the field, CL104 at the
unknown key, everything else at the offending value.
"""

from __future__ import annotations

from contentlint.model import Violation
from contentlint.registry import rule


def _errors(doc, ctx):
    if "schema" not in doc.memo:
        doc.memo["schema"] = ctx.schema_errors(doc)
    return doc.memo["schema"]


def _violations(doc, ctx, code):
    given_way = _url_paths(doc, ctx) if code in ("CL100", "CL103") else ()
    for error in _errors(doc, ctx):
        if error.code != code or error.path in given_way and (code == "CL103" or error.keyword == "pattern"):
            continue
        if error.anchor == "parent":
            start = doc.value_span(error.path[:-1])[0]
            end = doc.line_span(start)[1]
        elif error.anchor == "key" and (span := doc.span(error.path)) is not None and span.key_start is not None:
            start, end = span.key_start, span.key_end
        else:
            start, end = doc.value_span(error.path)
            if end - start > 200 or "\n" in doc.text[start:end]:
                end = doc.line_span(start)[1]  # a collection: its first line
        yield Violation(start, max(start, end), error.message)


def _url_paths(doc, ctx) -> set:
    """Values CL303 reports: a `format: uri` failure (CL103) or a `pattern`
    failure (CL100, as the article schema checks its URLs) there is the same
    defect, and CL303 names the characters and offers the fix."""
    if "CL303" not in ctx.running:
        return set()
    from contentlint.rules.links import url_findings

    return {tuple(path) for path, _ in url_findings(doc, ctx)}


@rule("CL100", "schema-violation", needs_schema=True)
def schema_violation(doc, ctx):
    """Finds values the schema contract rejects for reasons other than CL101-CL104.

    ## What it does
    Validates the front matter against the article schema (JSON Schema
    2020-12; the shipped `schemas/article.schema.json` or `--schema FILE`)
    and reports failures such as empty strings, values outside an enum, or
    URLs that do not start with `http(s)://`, at the offending value. For
    `anyOf`/`oneOf` it explains the branch that came closest. A `pattern`
    failure is explained with the schema's descriptions, never as a raw
    regular expression.

    ## Why is this bad?
    The site templates and downstream tools rely on the contract; a value
    outside it renders wrong or breaks the build.

    ## Example
    ```yaml
    related:
      - webUrl: ""
    ```
    An empty URL links nowhere; fill it in or remove the entry.
    """
    return _violations(doc, ctx, "CL100")


@rule("CL101", "missing-field", needs_schema=True)
def missing_field(doc, ctx):
    """Finds required fields that are missing.

    ## What it does
    Reports each field the schema requires that a mapping lacks, at the first
    line of that mapping (the top level: the opening `---`'s first key).

    ## Why is this bad?
    A record without a `title` or `publishedDateTime` renders as an empty card
    or is sorted to the wrong place.

    ## Example
    ```yaml
    provider:
      name: Nextgov
    ```
    `provider.domain` is missing: add `domain: nextgov.com`.
    """
    return _violations(doc, ctx, "CL101")


@rule("CL102", "wrong-type", needs_schema=True)
def wrong_type(doc, ctx):
    """Finds values of the wrong type.

    ## What it does
    Reports a value whose YAML type is not the one the schema expects, such as
    a `null` topic, a quoted number, or a string where a list belongs.

    ## Why is this bad?
    Templates iterate lists and compare numbers; a wrong type renders
    "None", breaks sorting, or fails the build.

    ## Example
    ```yaml
    topics:
      -
    ```
    The empty item is `null`; remove it or write the topic.
    """
    return _violations(doc, ctx, "CL102")


@rule("CL103", "invalid-format", needs_schema=True)
def invalid_format(doc, ctx):
    """Finds strings that do not have the format the schema requires.

    ## What it does
    Checks `format` keywords: `date-time` (RFC 3339), `uri` (RFC 3986) and
    the others JSON Schema defines, at the offending value, and says in words
    what was expected. A URL that CL303 (malformed-url) reports is not
    reported here too: CL303 names the offending characters and offers the
    fix (one defect, one finding).

    ## Why is this bad?
    A date that does not parse sorts the article wrongly or drops it from
    feeds; a URL that is not a URL is a dead link.

    ## Example
    ```yaml
    publishedDateTime: 2021-13-08T16:33:00Z
    ```
    There is no month 13.
    """
    return _violations(doc, ctx, "CL103")


@rule("CL104", "unknown-field", needs_schema=True)
def unknown_field(doc, ctx):
    """Finds fields the schema does not know.

    ## What it does
    Reports each key that is not allowed at its level (`additionalProperties:
    false`), at the key, with the allowed key it most likely misspells
    ("did you mean `title`?"). The first unknown key at each kind of mapping
    in a file also lists the keys allowed there; later ones do not repeat it.

    ## Why is this bad?
    An unknown key is usually a typo (`publishDateTime`) that leaves the real
    field missing, or drift between the scraper and the templates.

    ## Example
    ```yaml
    titel: "Hello"
    ```
    Rename `titel` to `title`.
    """
    return _violations(doc, ctx, "CL104")
