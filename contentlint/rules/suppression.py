"""CL009: suppression comments that suppress nothing (the engine finds them)."""

from __future__ import annotations

from contentlint.model import Applicability, Severity
from contentlint.registry import rule


@rule("CL009", "unused-suppression", severity=Severity.WARNING, fix=Applicability.SAFE, needs_data=False)
def unused_suppression(doc, ctx):
    """Finds `# contentlint: ignore[...]` comments that suppress nothing.

    ## What it does
    A YAML comment `# contentlint: ignore[CL200]` suppresses the listed codes
    (or prefixes such as `CL2`) for findings that start on its line;
    `# contentlint: ignore-file[CL300]` anywhere in the front matter
    suppresses them for the whole file. This rule reports each listed code
    that suppressed nothing in the run, or that matches no rule at all. Codes
    of rules that are not enabled in the run are not judged.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line, and a
    misspelled code suppresses nothing while looking as if it did.

    ## Example
    ```yaml
    title: "Fine title"  # contentlint: ignore[CL200]
    ```
    The title has no mojibake any more: remove the comment.

    ## Fix safety
    Safe: removes the unused codes, or the whole comment (and its line when
    it stands alone) when no code is used; comments are not data.
    """
    return ()  # computed by the engine, which sees every other rule's findings
