"""`contentlint server`: a language server over stdio, built on pygls.

Diagnostics on open and on change (debounced), the same findings as
``contentlint check`` through contentlint.api; quick fixes from the findings'
fixes, "fix all safe fixes" as a source action, and the rule's documentation
on hover. Settings come from the config file found from the document's folder
up. Network rules never run here; a text that is not a record gets no
diagnostics; nothing a document holds stops the server (docs/editors.md).
"""

from __future__ import annotations

import asyncio
import bisect
import concurrent.futures
import logging
import os
import queue
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from contentlint import __version__, api, model
from contentlint.config import CONFIG_FILES, ConfigError, Settings, find_config, load_settings, repository_root
from contentlint.document import BOM
from contentlint.discover import gitignored, walked, within
from contentlint.report.common import DOCS_URL
from contentlint.report.escape import printable

log = logging.getLogger(__name__)

# Wait this long after a change before linting: typing re-schedules it.
DEBOUNCE_SECONDS = 0.2
FIX_ALL = "source.fixAll.contentlint"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as LSP and contentlint count lines
_SEVERITY = {
    model.Severity.ERROR: types.DiagnosticSeverity.Error,
    model.Severity.WARNING: types.DiagnosticSeverity.Warning,
    model.Severity.INFO: types.DiagnosticSeverity.Information,
}
_UNITS: dict[str, Callable[[str], int]] = {
    "utf-8": lambda s: len(s.encode("utf-8", errors="surrogatepass")),
    "utf-16": lambda s: len(s.encode("utf-16-le", errors="surrogatepass")) // 2,
    "utf-32": len,
}


class Lines:
    """Positions in one text as the client counts them: lines end at \\r\\n, \\r
    or \\n; characters are code units of the negotiated position encoding."""

    def __init__(self, text: str, encoding: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.units = _UNITS.get(encoding, _UNITS["utf-16"])

    def at(self, offset: int) -> types.Position:
        """The client position of a character offset into the text."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return types.Position(line, self.units(self.text[self.starts[line]:offset]))

    def of(self, position: model.Position) -> types.Position:
        """The client position of contentlint's (1-based lines, 1-based code-point
        columns, a leading BOM not counted)."""
        line = max(0, min(position.line - 1, len(self.starts) - 1))
        start = self.starts[line] + (1 if line == 0 and self.text.startswith(BOM) else 0)
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n":
            end -= 1
        return self.at(min(start + position.column - 1, end))

    def end(self) -> types.Position:
        return self.at(len(self.text))


@dataclass(frozen=True)
class Linted:
    """One document's findings, and the text and settings they were found with."""

    text: str
    path: str
    settings: Settings
    lines: Lines
    findings: list[tuple[model.Diagnostic, types.Diagnostic]]
    version: int | None = None  # the document version linted: edits name it
    # What code actions computed for this very text (each verified fix, the
    # fix-all), kept: an editor asks again at every cursor move.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def fix_of(self, finding: model.Diagnostic) -> str | None:
        """``api.apply_fix`` of one finding, once; the text is loaded once for all."""
        key = ("fix", id(finding))
        if key not in self.memo:
            if "checker" not in self.memo:
                self.memo["checker"] = api.fix_checker(self.text, self.path)
            self.memo[key] = self.memo["checker"](finding)
        return self.memo[key]

    def fix_all(self) -> api.FixResult:
        if "all" not in self.memo:
            self.memo["all"] = api.fix_text(self.text, self.path, settings=self.settings)
        return self.memo["all"]


class MainThread:
    """Runs the lints in the process's main thread, the one place where
    Python runs signal handlers: a schema's own regular expressions are
    bounded there (timebox.py), while pygls serves the client from another
    thread. In a worker thread a runaway `pattern` held the interpreter lock
    for ever and the server answered nothing more, `exit` included."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()

    async def call(self, work: Callable[..., Any], *args: Any) -> Any:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((future, work, args))
        return await asyncio.wrap_future(future)

    def serve(self, alive: Callable[[], bool]) -> None:
        """Run the queued work while ``alive()``."""
        while alive():
            try:
                future, work, args = self.jobs.get(timeout=0.2)
            except queue.Empty:
                continue
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(*args))
            except Exception as exc:  # the caller's to handle
                future.set_exception(exc)


class ContentlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("contentlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        # The documents the client has open, by its URI as it wrote it (pygls
        # keys its own by the URI unquoted: `my%20notes` is `my notes` there,
        # and a second unquote turned `x%2541.md` into `xA.md`, read from disk).
        self.open: dict[str, None] = {}
        self.main_thread = MainThread()
        self.shutdown_requested = False  # LSP: exit 0 after `shutdown`, 1 without
        self.linted: dict[str, Linted] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.settings_cache: dict[tuple, Settings] = {}
        self.reported: set[str] = set()  # config errors already shown

    # -- settings and messages ------------------------------------------------------

    def _settings_place(self, uri: str) -> str:
        """Where the settings of a document that is no file are looked up: the
        file its URI's path names when that folder exists (`git:/repo/a.md?...`,
        a diff view), else the workspace root, else the working folder."""
        from urllib.parse import unquote, urlsplit

        try:
            named = unquote(urlsplit(uri).path)
        except ValueError:
            named = ""
        if os.path.isabs(named) and os.path.isdir(os.path.dirname(named)):
            return named
        root = self.workspace.root_path
        return os.path.join(root, "untitled") if root else os.path.join(os.getcwd(), "untitled")

    def settings_for(self, path: str) -> Settings:
        """The repository's settings for ``path``, cached per folder until the config file changes."""
        folder = os.path.dirname(path) if os.path.isabs(path) else os.getcwd()
        config = find_config(folder)
        try:
            info = os.stat(config) if config else None
        except OSError:
            info = None
        key = (folder, config, info and (info.st_mtime_ns, info.st_size, info.st_ino))
        if key not in self.settings_cache:
            if len(self.settings_cache) > 256:  # old keys of edited config files
                self.settings_cache.clear()
            # No config: the root is what `check .` would be run from, the
            # workspace folder (else the repository) holding the document,
            # so hidden, vendored and ignored folders are judged from there.
            self.settings_cache[key] = load_settings(config, cwd=folder if config else self._root_of(folder))
        return self.settings_cache[key]

    def _root_of(self, folder: str) -> str:
        roots = [to_fs_path(f.uri) for f in self.workspace.folders.values()] + [self.workspace.root_path]
        inside = [r for r in roots if r and within(os.path.abspath(folder), os.path.abspath(r))]
        return max(inside, key=len) if inside else repository_root(folder, folder)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        self.window_log_message(types.LogMessageParams(kind, f"contentlint: {message}"))

    def show_once(self, message: str) -> None:
        if message not in self.reported:
            self.reported.add(message)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, f"contentlint: {message}"))

    # -- diagnostics -----------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, replacing a lint still waiting."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._lint_later(uri, delay))

    async def _lint_later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        if uri not in self.open:  # closed meanwhile: never read from disk
            return
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        try:
            linted = await self.main_thread.call(self.lint, uri, text, version)
        except ConfigError as exc:  # the user's config: said once, no diagnostics
            self.show_once(str(exc))
            linted = None
        except Exception as exc:  # a bug: logged, never a crash
            log.exception("lint failed")
            self.log(f"internal error while checking {uri}: {type(exc).__name__}: {exc}")
            linted = None
        if self.pending.get(uri) is asyncio.current_task():
            del self.pending[uri]
        if linted is None:
            self.linted.pop(uri, None)
        else:
            self.linted[uri] = linted
        found = [lsp for _, lsp in linted.findings] if linted else []
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, found, version))

    def lint(self, uri: str, text: str, version: int | None = None) -> Linted | None:
        """The document's findings; None when it is not a record."""
        file = to_fs_path(uri)
        path = file or uri
        settings = self.settings_for(file or self._settings_place(uri))
        if file is not None and (not walked(file, settings) or gitignored(file, settings)):
            return None  # a file `check` would not walk to: excluded, hidden, ignored, another type
        if not api.is_record(text, path, settings):  # as `check` decides: kinds, or front matter
            return None
        encoding = self.workspace.position_encoding  # pygls: the enum by default, the client's string once negotiated
        lines = Lines(text, str(getattr(encoding, "value", encoding) or "utf-16"))
        found = api.check_text(text, path, settings=settings)
        return Linted(text, path, settings, lines, [(d, to_lsp(d, lines)) for d in found], version)

    def relint_all(self) -> None:
        """Lint every open document again (a config or schema file changed),
        after the debounce, unless a lint of it already waits (it reads the
        settings when it runs): a burst of changes (a checkout, a build
        writing JSON every 100 ms) is one lint per document and never
        postpones the lint of an edit."""
        for uri in list(self.open):
            if uri not in self.pending:
                self.schedule(uri, DEBOUNCE_SECONDS)

    def current(self, uri: str) -> Linted | None:
        """The findings of the document's text as it is now (None when stale)."""
        linted = self.linted.get(uri)
        if linted is None or uri not in self.open:
            return None
        document = self.workspace.get_text_document(uri)
        if document.source != linted.text:
            return None
        if linted.version != document.version:  # the same text again (an undo): now this version's
            linted = self.linted[uri] = replace(linted, version=document.version, memo=linted.memo)
        return linted

    def fresh(self, uri: str) -> Linted | None:
        """``current``, or, while the debounced lint of the last change waits,
        a lint of the text as it is now (in the main thread, as every lint):
        a fix-on-save request right after a keystroke must not find nothing."""
        linted = self.current(uri)
        if linted is not None or uri not in self.open:
            return linted
        document = self.workspace.get_text_document(uri)
        try:
            return self.lint(uri, document.source, document.version)
        except ConfigError:  # shown by the debounced lint
            return None

    # -- code actions and hover --------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams, linted: Linted | None) -> list[types.CodeAction]:
        """The actions for ``linted`` (the document's current lint). Run in
        the main thread, as a lint is: the fixes re-lint the text."""
        uri = params.text_document.uri
        if linted is None:
            return []
        only = params.context.only
        lazy = self.resolves_edits()
        actions = []
        if _wanted(only, types.CodeActionKind.QuickFix):
            for index, (finding, diagnostic) in enumerate(linted.findings):
                if finding.fixable and _overlaps(diagnostic.range, params.range):
                    if lazy:  # checked and written when the editor resolves the one chosen
                        actions.append(_quick_fix_action(finding, diagnostic, data=self._data(uri, linted, index)))
                        continue
                    action = self.quick_fix(uri, linted, finding, diagnostic)
                    if action is not None:
                        actions.append(action)
        if _wanted(only, FIX_ALL) and any(f.fixable and f.fix.applicability == model.Applicability.SAFE
                                          for f, _ in linted.findings):
            if lazy:
                actions.append(types.CodeAction(FIX_ALL_TITLE, kind=FIX_ALL, data=self._data(uri, linted, "all")))
            else:
                action = self.fix_all(uri, linted)
                if action is not None:
                    actions.append(action)
        return actions

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """A lazy action's edit, if the document is still the text it was
        offered for (its version) and the fix passes the fixer's checks."""
        data = action.data if isinstance(action.data, dict) else {}
        uri, item = data.get("uri"), data.get("item")
        linted = self.fresh(uri) if isinstance(uri, str) else None
        if linted is None or linted.version != data.get("version"):
            return action
        if item == "all":
            done = self.fix_all(uri, linted)
        elif type(item) is int and 0 <= item < len(linted.findings):
            done = self.quick_fix(uri, linted, *linted.findings[item])
        else:
            done = None
        if done is not None:
            action.edit = done.edit
        return action

    def resolves_edits(self) -> bool:
        """Whether the client resolves a code action's `edit` (`codeAction/resolve`):
        then the fixes are checked only for the action the user picks."""
        support = getattr(getattr(getattr(self.client_capabilities, "text_document", None), "code_action", None),
                          "resolve_support", None)
        return "edit" in (getattr(support, "properties", None) or ())

    @staticmethod
    def _data(uri: str, linted: Linted, item: int | str) -> dict:
        return {"uri": uri, "version": linted.version, "item": item}

    def quick_fix(self, uri: str, linted: Linted, finding: model.Diagnostic,
                  diagnostic: types.Diagnostic) -> types.CodeAction | None:
        """One finding's fix, if it passes the fixer's checks on this text."""
        if linted.fix_of(finding) is None:
            return None
        edits = [types.TextEdit(types.Range(linted.lines.at(e.start), linted.lines.at(e.end)), e.content)
                 for e in finding.fix.edits]
        return _quick_fix_action(finding, diagnostic, edit=self.workspace_edit(uri, linted, edits))

    def fix_all(self, uri: str, linted: Linted) -> types.CodeAction | None:
        result = linted.fix_all()
        if not result.changed:
            return None
        edit = types.TextEdit(types.Range(types.Position(0, 0), linted.lines.end()), result.text)
        return types.CodeAction(FIX_ALL_TITLE, kind=FIX_ALL, edit=self.workspace_edit(uri, linted, [edit]))

    def workspace_edit(self, uri: str, linted: Linted, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        """Edits naming the document version they were made for, where the
        client takes `documentChanges`: applied to a newer text (the user typed
        meanwhile), a fix-all would replace it with the old one."""
        workspace = getattr(self.client_capabilities, "workspace", None)
        versioned = getattr(getattr(workspace, "workspace_edit", None), "document_changes", False)
        if not versioned or linted.version is None:
            return types.WorkspaceEdit(changes={uri: edits})
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=linted.version), edits)])

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        linted = self.fresh(params.text_document.uri)
        if linted is None:
            return None
        hits = [(f, d) for f, d in linted.findings if _contains(d.range, params.position)]
        if not hits:
            return None
        parts, seen = [], set()
        for finding, _ in hits:  # the rule's documentation only: a message quotes the record
            info = api.rule(finding.code)
            if info is not None and info.code not in seen:
                seen.add(info.code)
                parts.append(f"### {info.code} {info.name}\n\n{info.doc}")
        content = types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(parts))
        return types.Hover(content, hits[0][1].range)


def to_lsp(d: model.Diagnostic, lines: Lines) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(lines.of(d.start), lines.of(d.end)),
        message=printable(d.message),  # record content, shown to a person: as the text format shows it
        severity=_SEVERITY[d.severity],
        code=d.code,
        code_description=types.CodeDescription(DOCS_URL.format(code=d.code.lower())),
        source="contentlint",
    )


FIX_ALL_TITLE = "contentlint: fix all safe fixes"


def _quick_fix_action(finding: model.Diagnostic, diagnostic: types.Diagnostic, edit: types.WorkspaceEdit | None = None,
                      data: dict | None = None) -> types.CodeAction:
    safe = finding.fix.applicability == model.Applicability.SAFE
    return types.CodeAction(
        f"{finding.code}: {printable(finding.fix.message)}" + ("" if safe else " (unsafe)"),
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=safe,
        edit=edit,
        data=data,
    )


def _wanted(only, kind: str) -> bool:
    """Does the client's ``only`` filter (kinds or their prefixes) let ``kind`` through?"""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in map(str, only))


def _key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _contains(r: types.Range, position: types.Position) -> bool:
    return _key(r.start) <= _key(position) <= _key(r.end)


def build() -> ContentlintServer:
    server = ContentlintServer()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ContentlintServer, params: None) -> None:
        ls.shutdown_requested = True

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ContentlintServer, params: types.InitializedParams) -> None:
        """Ask the client to report changes to config and schema files on disk
        (where it can: dynamic registration), whoever makes them: the editor
        does not send a TOML or JSON buffer to a server for Markdown."""
        workspace = getattr(ls.client_capabilities, "workspace", None)
        watched = getattr(workspace, "did_change_watched_files", None)
        if not getattr(watched, "dynamic_registration", False):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in (*CONFIG_FILES, "*.json")]
        try:
            await ls.client_register_capability_async(types.RegistrationParams([types.Registration(
                "contentlint-watched-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                types.DidChangeWatchedFilesRegistrationOptions(watchers))]))
        except Exception as exc:  # a client that refuses: changes then apply at the next edit
            ls.log(f"cannot watch config and schema files: {exc}", types.MessageType.Info)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ContentlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.relint_all()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ContentlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open[params.text_document.uri] = None
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ContentlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ContentlintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri) or ""
        if os.path.basename(path) in CONFIG_FILES or path.endswith(".json"):
            ls.relint_all()  # the settings or a schema may have changed

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ContentlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.open.pop(uri, None)
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.linted.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True))
    async def code_action(ls: ContentlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        try:
            return await ls.main_thread.call(lambda: ls.code_actions(params, ls.fresh(params.text_document.uri)))
        except Exception as exc:  # a bug: no actions, logged
            log.exception("code actions failed")
            ls.log(f"internal error in code actions: {type(exc).__name__}: {exc}")
            return []

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: ContentlintServer, action: types.CodeAction) -> types.CodeAction:
        try:
            return await ls.main_thread.call(ls.resolve, action)
        except Exception as exc:  # a bug: the action without an edit, logged
            log.exception("code action resolve failed")
            ls.log(f"internal error in code actions: {type(exc).__name__}: {exc}")
            return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ContentlintServer, params: types.HoverParams) -> types.Hover | None:
        try:
            return await ls.main_thread.call(ls.hover, params)
        except Exception as exc:
            log.exception("hover failed")
            ls.log(f"internal error in hover: {type(exc).__name__}: {exc}")
            return None

    return server


def serve() -> int:
    """Run until the client says exit (or closes the connection): pygls in a
    thread of its own, the lints in the main thread (``MainThread``). Exit
    status 0 after a `shutdown` request, else 1, as the LSP asks."""
    server = build()
    connection = threading.Thread(target=server.start_io, name="lsp", daemon=True)
    connection.start()
    server.main_thread.serve(connection.is_alive)
    return 0 if server.shutdown_requested else 1  # the LSP's exit code (pygls's is its thread's)
