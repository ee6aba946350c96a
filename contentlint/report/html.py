"""One self-contained HTML page for editors: a summary with bar charts, a
table that filters by code, severity and folder, and per finding the lines
around it with the span highlighted and the fix shown as a diff.

The page makes no network request: CSS and JS are inline, the charts are CSS
bars, and a Content-Security-Policy meta tag forbids loading anything (the one
script runs by its hash, so even an escaping bug could not run an injected
one). Every piece of content (paths, messages, source lines) is built here
with ``html.escape`` after ``printable`` (report/escape.py): it is shown as
text, never run, and bidi controls cannot reorder what an editor reads.

The source lines come from ``ReportContext.source`` (the command fills it; a
file that cannot be read just shows no context). ``#code=CL200&folder=posts``
in the address applies a filter on load, so a filtered view can be shared.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import os
from collections import Counter
from html import escape
from typing import Callable, Sequence

from contentlint.model import Applicability, Diagnostic, FixEdit, Position
from contentlint.report import LINE_BREAK, ReportContext
from contentlint.report.escape import printable
from contentlint.report.common import summary

CONTEXT_LINES = 2  # shown above and below a finding's span
MAX_SPAN_LINES = 8  # a longer span shows its first lines, then an ellipsis
MAX_DIFF_LINES = 30  # a fix touching more lines is described, not drawn
MAX_LINE_CHARS = 300  # a longer line is clipped around the part that matters
MAX_BARS = 20  # per chart; the rest are summed up in one line
SEVERITIES = ("error", "warning", "info")

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px}
header p{margin:2px 0 0;color:#c9d1d9}
main{padding:16px 24px;max-width:1400px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}
.card.error b{color:#cf222e}.card.warning b{color:#9a6700}.card.info b{color:#0969da}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:16px;margin-bottom:16px}
.chart{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px}
.chart h2{font-size:15px;margin:0 0 8px}
.bar{display:grid;grid-template-columns:minmax(90px,40%) 1fr 48px;gap:8px;align-items:center;width:100%;
 border:0;background:none;padding:1px 0;font:inherit;text-align:left;cursor:pointer;color:inherit}
.bar:hover .label{text-decoration:underline}
.bar .label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar .track{background:#eaeef2;border-radius:3px;height:12px}
.bar .fill{background:#0969da;border-radius:3px;height:12px;min-width:2px}
.bar .n{text-align:right;font-variant-numeric:tabular-nums}
.more{color:#57606a;margin:4px 0 0}
.filters{display:flex;gap:12px;align-items:center;flex-wrap:wrap;background:#fff;border:1px solid #d0d7de;
 border-radius:6px;padding:8px 14px;margin-bottom:8px;position:sticky;top:0;z-index:1}
.filters select{font:inherit;max-width:320px}
.filters button{font:inherit}
table.findings{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d0d7de}
table.findings th{text-align:left;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:6px 8px}
tbody.finding td{padding:6px 8px;vertical-align:top}
tbody.finding{border-top:1px solid #d0d7de}
tr.detail td{padding-top:0}
.sev{font-weight:600;text-transform:uppercase;font-size:11px;border-radius:10px;padding:1px 7px;color:#fff}
.sev.error{background:#cf222e}.sev.warning{background:#9a6700}.sev.info{background:#0969da}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}
.loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere;width:28%}
.pos{white-space:nowrap}
.fixable{color:#1a7f37;font-weight:600;white-space:nowrap}
.src,.diff{font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;
 border:1px solid #d0d7de;border-radius:6px;margin:4px 0;padding:4px 0;overflow-x:auto}
.src div,.diff div{display:flex;padding:0 8px 0 0}
.t{white-space:pre-wrap;overflow-wrap:anywhere;min-width:0}
.ln{flex:none;width:4.5em;padding:0 8px;color:#6e7781;text-align:right;user-select:none}
.src .hit{background:#fff8c5}
mark{background:#ffd33d;color:inherit;border-radius:2px}
mark.caret{display:inline-block;width:0;height:1.2em;vertical-align:text-bottom;border-left:2px solid #cf222e;background:none}
.diff .del{background:#ffebe9}.diff .add{background:#dafbe1}
.sign{flex:none;width:1.2em;color:#57606a;user-select:none}
.fixmsg{margin:6px 0 0;color:#57606a}
.clip{color:#6e7781}
.none{padding:24px;text-align:center;color:#57606a;background:#fff;border:1px solid #d0d7de}
"""

# The page's only script: filter by the three selects, count what is shown,
# keep the filter in the address (#code=..&severity=..&folder=..). It reads
# values through the DOM and writes only textContent: never markup.
_JS = """
(function () {
  "use strict";
  var keys = ["code", "severity", "folder"];
  var select = {};
  keys.forEach(function (k) { select[k] = document.getElementById("filter-" + k); });
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody.finding"));
  function offered(k, value) {
    return Array.prototype.some.call(select[k].options, function (o) { return o.value === value; });
  }
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var keep = keys.every(function (k) { return !select[k].value || row.dataset[k] === select[k].value; });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    document.getElementById("shown").textContent = String(shown);
    document.getElementById("nothing").hidden = shown !== 0 || rows.length === 0;
  }
  function save() {
    var params = new URLSearchParams();
    keys.forEach(function (k) { if (select[k].value) { params.set(k, select[k].value); } });
    var hash = params.toString();
    try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (e) {}
  }
  function load() {
    var params = new URLSearchParams(location.hash.slice(1));
    keys.forEach(function (k) {
      var value = params.get(k) || "";
      select[k].value = offered(k, value) ? value : "";
    });
    apply();
  }
  keys.forEach(function (k) { select[k].addEventListener("change", function () { apply(); save(); }); });
  document.querySelectorAll("button.bar").forEach(function (bar) {
    bar.addEventListener("click", function () {
      select[bar.dataset.key].value = bar.dataset.value;
      apply(); save();
      document.getElementById("table").scrollIntoView();
    });
  });
  document.getElementById("reset").addEventListener("click", function () {
    keys.forEach(function (k) { select[k].value = ""; });
    apply(); save();
  });
  window.addEventListener("hashchange", load);
  load();
  document.body.setAttribute("data-ready", "1");
})();
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'; "
       "base-uri 'none'; form-action 'none'")


def text(value: str) -> str:
    """Content (a path, message, source line) as HTML text or an attribute value."""
    return escape(printable(value), quote=True)


def folder_of(path: str) -> str:
    return os.path.dirname(path) or "."


def render(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    body = [_header(diagnostics, ctx), "<main>", _summary(diagnostics, ctx)]
    if diagnostics:
        body += [_filters(diagnostics), _table(diagnostics, ctx.source)]
    else:
        body.append(f'<p class="none">{summary(diagnostics, ctx)}</p>')
    body.append("</main>")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>contentlint report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *body,
        f"<script>{_JS}</script>",
        "</body>",
        "</html>",
        "",
    ])


# -- summary ---------------------------------------------------------------


def _header(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    version = f" {text(ctx.tool_version)}" if ctx.tool_version else ""
    files = len({d.path for d in diagnostics})
    return (f"<header><h1>contentlint report</h1><p>{_count(len(diagnostics), 'finding')} in {files} of "
            f"{_count(ctx.files_checked, 'file')} checked &middot; contentlint{version}</p></header>")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _summary(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    severities = Counter(d.severity.label for d in diagnostics)
    fixable = sum(1 for d in diagnostics if d.fixable)
    cards = [_card("findings", len(diagnostics)), _card("files checked", ctx.files_checked)]
    cards += [_card(label, severities[label], label) for label in SEVERITIES]
    cards.append(_card("fixable", fixable))
    if not diagnostics:
        return f'<section class="cards">{"".join(cards)}</section>'
    names = {d.code: d.name for d in diagnostics}
    per_code = Counter(d.code for d in diagnostics)
    per_folder = Counter(folder_of(d.path) for d in diagnostics)
    code_labels = {code: f"{code} {names[code]}" for code in per_code}
    return (f'<section class="cards">{"".join(cards)}</section>\n<section class="charts">'
            f'{_chart("Findings per code", "code", per_code, code_labels)}'
            f'{_chart("Findings per folder", "folder", per_folder, {})}</section>')


def _card(label: str, count: int, kind: str = "") -> str:
    return f'<div class="card {kind}"><b>{count}</b>{label}</div>'


def _chart(title: str, key: str, counts: Counter, labels: dict[str, str]) -> str:
    """Horizontal CSS bars, largest first; a bar click filters the table."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    top = ranked[0][1]
    bars = [f'<button type="button" class="bar" data-key="{key}" data-value="{text(value)}" '
            f'title="show only {text(value)}"><span class="label">{text(labels.get(value, value))}</span>'
            f'<span class="track"><span class="fill" style="display:block;width:{100 * n / top:.1f}%"></span></span>'
            f'<span class="n">{n}</span></button>'
            for value, n in ranked[:MAX_BARS]]
    rest = ranked[MAX_BARS:]
    if rest:
        bars.append(f'<p class="more">and {len(rest)} more with {sum(n for _, n in rest)} findings '
                    f'(use the filter below)</p>')
    return f'<div class="chart" id="chart-{key}"><h2>{title}</h2>{"".join(bars)}</div>'


def _filters(diagnostics: Sequence[Diagnostic]) -> str:
    values = {
        "code": Counter(d.code for d in diagnostics),
        "severity": Counter(d.severity.label for d in diagnostics),
        "folder": Counter(printable(folder_of(d.path)) for d in diagnostics),
    }
    selects = []
    for key, counts in values.items():
        ordered = sorted(counts, key=SEVERITIES.index) if key == "severity" else sorted(counts)
        options = "".join(f'<option value="{escape(v, quote=True)}">{escape(v)} ({counts[v]})</option>'
                          for v in ordered)
        selects.append(f'<label>{key} <select id="filter-{key}"><option value="">all</option>'
                       f"{options}</select></label>")
    return (f'<nav class="filters" id="table">{"".join(selects)}<button type="button" id="reset">show all'
            f'</button><span>showing <b id="shown">{len(diagnostics)}</b> of <b id="total">'
            f"{len(diagnostics)}</b> findings</span></nav>")


# -- the table of findings ---------------------------------------------------


def _table(diagnostics: Sequence[Diagnostic], source: Callable[[str], list[str] | None] | None) -> str:
    rows = []
    path, lines = None, None
    for d in diagnostics:
        if d.path != path:  # diagnostics come sorted by path: each file is read once
            path, lines = d.path, source(d.path) if source is not None else None
        rows.append(_finding(d, lines))
    return ('<table class="findings"><thead><tr><th>severity</th><th>code</th><th>location</th>'
            '<th>message</th><th>fix</th></tr></thead>\n' + "\n".join(rows)
            + '\n</table><p class="none" id="nothing" hidden>No finding matches this filter.</p>')


def _finding(d: Diagnostic, lines: list[str] | None) -> str:
    severity = d.severity.label
    fix = _fix_label(d)
    head = (f'<tr><td><span class="sev {severity}">{severity}</span></td>'
            f'<td class="code" title="documentation: contentlint rule {text(d.code)}">{d.code}<br>'
            f'<small>{text(d.name)}</small></td>'
            f'<td class="loc">{text(d.path)}<span class="pos">:{d.start.line}:{d.start.column}</span></td>'
            f"<td>{text(d.message)}</td><td>{fix}</td></tr>")
    detail = _excerpt(d, lines) + _fix_block(d, lines) if lines is not None else ""
    detail_row = f'<tr class="detail"><td></td><td colspan="4">{detail}</td></tr>' if detail else ""
    return (f'<tbody class="finding" data-code="{d.code}" data-severity="{severity}" '
            f'data-folder="{text(folder_of(d.path))}">{head}{detail_row}</tbody>')


def _fix_label(d: Diagnostic) -> str:
    if d.fix is None:
        return ""
    if d.fix.applicability == Applicability.SAFE:
        return '<span class="fixable">safe fix</span>'
    if d.fix.applicability == Applicability.UNSAFE:
        return '<span class="fixable">unsafe fix</span>'
    return "suggestion"


# -- source excerpts ---------------------------------------------------------


def _excerpt(d: Diagnostic, lines: list[str]) -> str:
    """The span's lines with CONTEXT_LINES around them, the span marked."""
    if not 1 <= d.start.line <= len(lines):
        return ""  # the file changed since it was checked
    span_end = min(d.end.line, len(lines))
    shown_end = min(span_end, d.start.line + MAX_SPAN_LINES - 1)
    first = max(1, d.start.line - CONTEXT_LINES)
    last = min(len(lines), shown_end + CONTEXT_LINES) if shown_end == span_end else shown_end
    out = [_source_line(n, lines[n - 1], _span_on(d, n)) for n in range(first, last + 1)]
    if shown_end < span_end:
        out.append(f'<div><span class="ln">&hellip;</span><span class="t clip">'
                   f"{span_end - shown_end} more lines of this finding</span></div>")
    return f'<div class="src">{"".join(out)}</div>'


def _span_on(d: Diagnostic, number: int) -> tuple[int, int] | None:
    """The 0-based character range of the finding on line ``number`` (None: not on it)."""
    start, end = d.start, d.end
    if not start.line <= number <= end.line:
        return None
    lo = start.column - 1 if number == start.line else 0
    hi = end.column - 1 if number == end.line else 1 << 30
    if number == end.line and number != start.line and hi <= 0:
        return None  # a span ending at column 1 does not reach into its last line
    return lo, max(lo, hi)


def _source_line(number: int, line: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return f'<div><span class="ln">{number}</span><span class="t">{_clipped(line, 0)}</span></div>'
    lo, hi = min(span[0], len(line)), min(span[1], len(line))
    start, stop = _window(line, lo)
    lo = min(max(lo, start), stop)
    hi = min(max(hi, lo), stop)
    marked = ('<mark class="caret"></mark>' if span[0] == span[1]
              else f"<mark>{text(line[lo:hi])}</mark>")
    return (f'<div class="hit"><span class="ln">{number}</span><span class="t">{_ellipsis(start > 0)}'
            f"{text(line[start:lo])}{marked}{text(line[hi:stop])}{_ellipsis(stop < len(line))}</span></div>")


def _window(line: str, focus: int) -> tuple[int, int]:
    """The MAX_LINE_CHARS of ``line`` shown, around character ``focus``."""
    if len(line) <= MAX_LINE_CHARS:
        return 0, len(line)
    start = max(0, min(focus - MAX_LINE_CHARS // 4, len(line) - MAX_LINE_CHARS))
    return start, start + MAX_LINE_CHARS


def _clipped(line: str, focus: int) -> str:
    start, stop = _window(line, focus)
    return f"{_ellipsis(start > 0)}{text(line[start:stop])}{_ellipsis(stop < len(line))}"


def _ellipsis(shown: bool) -> str:
    return '<span class="clip">&hellip;</span>' if shown else ""


# -- fixes as diffs ----------------------------------------------------------


def _fix_block(d: Diagnostic, lines: list[str]) -> str:
    if d.fix is None:
        return ""
    message = f'<p class="fixmsg">{_fix_label(d) or "fix"}: {text(d.fix.message)}</p>'
    if not d.fix_edits:
        return message
    first = min(e.start.line for e in d.fix_edits)
    last = max(e.end.line for e in d.fix_edits)
    if last - first >= MAX_DIFF_LINES:
        return message + f'<p class="fixmsg">(the fix changes {last - first + 1} lines; see ' \
                         f"<code>contentlint fix --diff</code>)</p>"
    if first < 1 or last > len(lines):
        return message  # the file changed since it was checked
    diff = fix_diff(lines, d.fix_edits)
    if not diff:
        return message + '<p class="fixmsg">(the change is invisible here, e.g. a byte order mark)</p>'
    return message + f'<div class="diff">{"".join(diff)}</div>'


def fix_diff(lines: list[str], edits: Sequence[FixEdit]) -> list[str]:
    """The fix applied to the lines it touches (one line of context each side),
    as diff rows: unchanged " ", removed "-", added "+"."""
    first = max(1, min(e.start.line for e in edits) - 1)
    last = min(len(lines), max(e.end.line for e in edits) + 1)
    old = lines[first - 1:last]
    starts = [0]
    for line in old:
        starts.append(starts[-1] + len(line) + 1)
    window = "\n".join(old)

    def offset(at: Position) -> int:
        index = at.line - first
        return starts[index] + min(max(at.column - 1, 0), len(old[index]))

    new_text = window
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        new_text = new_text[:offset(edit.start)] + edit.content + new_text[offset(edit.end):]
    new = LINE_BREAK.split(new_text)
    if new == old:
        return []
    # Lines equal at both ends are context. Trimming them first keeps the
    # changed lines where the edits are: difflib alone may pair a repeated
    # line (`isCached: true`) with its twin across a deleted block.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    rows = [_diff_row(" ", first + i, old[i], 0) for i in range(head)]
    matcher = difflib.SequenceMatcher(None, old[head:len(old) - tail], new[head:len(new) - tail],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            rows += [_diff_row(" ", first + i, old[i], 0) for i in range(i1, i2)]
            continue
        focus = _first_difference(old[i1:i2], new[j1:j2])
        rows += [_diff_row("-", first + i, old[i], focus) for i in range(i1, i2)]
        rows += [_diff_row("+", first + j, new[j], focus) for j in range(j1, j2)]
    rows += [_diff_row(" ", first + i, old[i], 0) for i in range(len(old) - tail, len(old))]
    return rows


def _first_difference(old: list[str], new: list[str]) -> int:
    """Where the first removed and added lines part: long lines are clipped around it."""
    if not old or not new:
        return 0
    return len(os.path.commonprefix([old[0], new[0]]))


def _diff_row(sign: str, number: int, line: str, focus: int) -> str:
    kind = {"-": "del", "+": "add"}.get(sign, "")
    return (f'<div class="{kind}"><span class="ln">{number}</span><span class="sign">{sign}</span>'
            f'<span class="t">{_clipped(line, focus)}</span></div>')
