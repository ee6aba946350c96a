"""`contentlint server`, driven over stdio by pygls' own LSP client.

Each test starts the real server as a subprocess (`python -m contentlint
server`), speaks LSP to it, and shuts it down; every wait is bounded.
Expected positions are computed here from the text, independently of the
server's conversion code.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from contentlint import api

from .conftest import REPO, SEEDS

TIMEOUT = 60  # seconds for one test's whole conversation (a bound, not a measurement)
MOJIBAKE = SEEDS / "004_55d079596040aeb8.txt"  # a real record: one CL200 on line 3
GARBLED = "Securityâ€™s"


class Session:
    def __init__(self, client: LanguageClient, result: types.InitializeResult):
        self.client = client
        self.result = result
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.logs: list[str] = []
        self.event = asyncio.Event()
        self.registered: list[types.Registration] = []  # client/registerCapability requests

    async def diagnostics(self, uri: str, version: int) -> list[types.Diagnostic]:
        """The diagnostics published for ``uri`` at ``version`` (waits for them)."""
        while True:
            self.event.clear()
            for params in self.published.get(uri, []):
                if params.version == version:
                    return list(params.diagnostics)
            await self.event.wait()

    async def open(self, path: Path, text: str, version: int = 1) -> list[types.Diagnostic]:
        uri = from_fs_path(str(path))
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "markdown", version, text)))
        return await self.diagnostics(uri, version)

    async def change(self, path: Path, text: str, version: int) -> None:
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, from_fs_path(str(path))),
            [types.TextDocumentContentChangeWholeDocument(text)]))

    async def actions(self, path: Path, at: types.Range, only=None) -> list[types.CodeAction]:
        return list(await self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(from_fs_path(str(path))), at,
            types.CodeActionContext(diagnostics=[], only=only))) or [])


@contextlib.asynccontextmanager
async def server(cwd: Path = REPO, encodings: list[str] | None = None, watch: bool = False,
                 resolve: bool = False, versioned: bool = False, root: Path | None = None):
    """``watch``: the client offers to watch files for the server (dynamic
    registration); ``resolve``: it resolves code actions' edits;
    ``versioned``: it takes `documentChanges` in workspace edits."""
    client = LanguageClient("contentlint-tests", "1")
    session: Session | None = None
    early: list = []
    registered: list = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        (session.published if session else {}).setdefault(params.uri, []).append(params)
        if session:
            session.event.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        (session.logs if session else early).append(params.message)

    await client.start_io(sys.executable, "-m", "contentlint", "server", cwd=str(cwd))
    try:
        general = types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
        workspace = types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
            if watch else None,
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True) if versioned else None)
        text_document = types.TextDocumentClientCapabilities(code_action=types.CodeActionClientCapabilities(
            resolve_support=types.ClientCodeActionResolveOptions(["edit"]))) if resolve else None
        result = await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(general=general, workspace=workspace, text_document=text_document),
            root_uri=from_fs_path(str(root or cwd))))
        session = Session(client, result)
        session.registered = registered
        client.initialized(types.InitializedParams())
        yield session
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(client.stop(), 20)
    finally:
        process = client._server
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


def run(scenario) -> None:
    asyncio.run(asyncio.wait_for(scenario(), TIMEOUT))


def units(text: str, encoding: str = "utf-16") -> int:
    """``text``'s length in the code units of a position encoding."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text.encode("utf-8"))


def apply(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    """Apply LSP edits (client positions) to ``text`` as a client does: back to front."""
    lines = text.splitlines(keepends=True)  # the test texts have only \n breaks

    def offset(position: types.Position) -> int:
        line = lines[position.line] if position.line < len(lines) else ""
        column = 0
        while column < len(line) and units(line[:column], encoding) < position.character:
            column += 1
        assert units(line[:column], encoding) == position.character, "a position inside a character"
        return sum(len(line) for line in lines[:position.line]) + column

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def garbled_range(text: str, encoding: str = "utf-16") -> types.Range:
    """Where CL200 anchors in the seed: on `â€™` inside the garbled word."""
    for number, line in enumerate(text.split("\n")):
        if GARBLED in line:
            start = line.index(GARBLED) + len("Security")
            return types.Range(types.Position(number, units(line[:start], encoding)),
                               types.Position(number, units(line[:start + 3], encoding)))
    raise AssertionError("no garbled word")


def edits_of(action: types.CodeAction, path: Path) -> list[types.TextEdit]:
    return list(action.edit.changes[from_fs_path(str(path))])


def test_mojibake_quick_fix_repairs_the_text_and_clears_the_diagnostic(tmp_path):
    path = tmp_path / "record.md"
    text = MOJIBAKE.read_text(encoding="utf-8")
    repaired = text.replace(GARBLED, "Security’s")

    async def scenario():
        async with server(tmp_path) as s:
            assert s.result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
            found = await s.open(path, text)
            assert [(d.code, d.range, d.severity, d.source) for d in found] == [
                ("CL200", garbled_range(text), types.DiagnosticSeverity.Error, "contentlint")]
            assert found[0].message == api.check_text(text, str(path))[0].message
            actions = await s.actions(path, found[0].range)
            assert [(a.title, a.kind, a.is_preferred) for a in actions] == [
                ("CL200: Repair: `Security’s`", types.CodeActionKind.QuickFix, True),
                ("contentlint: fix all safe fixes", "source.fixAll.contentlint", None)]
            assert list(actions[0].diagnostics) == found
            fixed = apply(text, edits_of(actions[0], path))
            assert fixed == repaired
            assert apply(text, edits_of(actions[1], path)) == repaired
            await s.change(path, fixed, 2)
            assert await s.diagnostics(from_fs_path(str(path)), 2) == []
            assert await s.actions(path, found[0].range) == []

    run(scenario)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_positions_in_the_negotiated_encoding_after_emoji(tmp_path, encoding):
    path = tmp_path / "record.md"
    text = MOJIBAKE.read_text(encoding="utf-8").replace("ACLU Calls", "🎉🙂 ACLU Calls")
    line = text.split("\n")[2]
    assert units(line[:line.index(GARBLED)], "utf-16") != line.index(GARBLED)  # the emoji count

    async def scenario():
        # The client prefers `encoding` (utf-16 last: the LSP default must be offered too).
        async with server(tmp_path, [encoding, "utf-16"]) as s:
            assert s.result.capabilities.position_encoding == encoding
            found = await s.open(path, text)
            assert [(d.code, d.range) for d in found] == [("CL200", garbled_range(text, encoding))]
            (action,) = await s.actions(path, found[0].range, only=[types.CodeActionKind.QuickFix])
            assert apply(text, edits_of(action, path), encoding) == text.replace(GARBLED, "Security’s")
            hover = await s.client.text_document_hover_async(types.HoverParams(
                types.TextDocumentIdentifier(from_fs_path(str(path))), found[0].range.start))
            assert hover.range == found[0].range

    run(scenario)


def test_unsafe_fix_is_labelled_and_not_preferred_and_fix_all_applies_only_safe_fixes(tmp_path):
    path = tmp_path / "record.md"
    text = (SEEDS / "000_b69a69cbeae9117f.txt").read_text(encoding="utf-8")
    text = text.replace("title: \"Homeland Security Worries", "title: \"Homeland Securityâ€™s Worries", 1)

    async def scenario():
        async with server(tmp_path) as s:
            found = await s.open(path, text)
            assert [(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in found] == [
                ("CL200", 3, 26), ("CL300", 215, 13)]  # as `check` gives them
            assert found[0].range == garbled_range(text)
            actions = await s.actions(path, found[1].range, only=[types.CodeActionKind.QuickFix])
            assert [(a.title, a.kind, a.is_preferred) for a in actions] == [
                ("CL300: Remove the duplicate related entry (unsafe)", types.CodeActionKind.QuickFix, False)]
            assert apply(text, edits_of(actions[0], path)) == api.fix_text(text, str(path), unsafe=True,
                                                                         select=["CL300"]).text
            (fix_all,) = await s.actions(path, found[1].range, only=[types.CodeActionKind.SourceFixAll])
            assert fix_all.kind == "source.fixAll.contentlint"
            fixed = apply(text, edits_of(fix_all, path))
            assert fixed == text.replace(GARBLED + " Worries", "Security’s Worries")  # CL300 stays
            assert await s.actions(path, found[0].range, only=["source"]) == [fix_all]

    run(scenario)


def test_code_actions_right_after_a_change_answer_for_the_new_text(tmp_path):
    """Fix-on-save sends `didChange` then `codeAction` at once, before the
    debounced lint: the actions are for the text as it is then, not none."""
    path = tmp_path / "record.md"
    clean = "---\ntitle: Fine\n---\n"
    garbled = "---\ntitle: Securityâ€™s\n---\n"
    everything = types.Range(types.Position(0, 0), types.Position(3, 0))

    async def scenario():
        async with server(tmp_path) as s:
            assert [d.code for d in await s.open(path, clean) if d.code == "CL200"] == []
            await s.change(path, garbled, 2)
            (fix_all,) = await s.actions(path, everything, only=[types.CodeActionKind.SourceFixAll])
            assert apply(garbled, edits_of(fix_all, path)) == "---\ntitle: Security’s\n---\n"

    run(scenario)


def test_a_config_or_schema_changed_on_disk_relints_the_open_documents(tmp_path):
    (tmp_path / "contentlint.toml").write_text('select = ["CL2"]\n')
    path = tmp_path / "a.md"
    uri = from_fs_path(str(path))

    async def republished(s: Session, before: int) -> list[str]:
        while len(s.published.get(uri, [])) <= before:
            s.event.clear()
            await s.event.wait()
        return [d.code for d in s.published[uri][-1].diagnostics]

    async def scenario():
        async with server(tmp_path, watch=True) as s:
            assert [d.code for d in await s.open(path, "---\ntitle: Securityâ€™s &amp; co\n---\n")] == [
                "CL200", "CL201"]
            for _ in range(100):  # the registration follows `initialized`
                if s.registered:
                    break
                await asyncio.sleep(0.05)
            (registration,) = s.registered
            assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
            assert [w["globPattern"] for w in registration.register_options["watchers"]] == [
                "**/.contentlint.toml", "**/contentlint.toml", "**/pyproject.toml", "**/*.json"]
            (tmp_path / "contentlint.toml").write_text('select = ["CL200"]\n')
            before = len(s.published[uri])
            s.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(
                from_fs_path(str(tmp_path / "contentlint.toml")), types.FileChangeType.Changed)]))
            assert await republished(s, before) == ["CL200"]
            # A build writing JSON every 50 ms does not hold back the lint of an edit.
            before = len(s.published[uri])
            await s.change(path, "---\ntitle: Securityâ€™s &amp; co\nb: 1\nb: 2\n---\n", 2)
            events = types.DidChangeWatchedFilesParams([types.FileEvent(
                from_fs_path(str(tmp_path / "build.json")), types.FileChangeType.Changed)])
            waiting = asyncio.ensure_future(s.diagnostics(uri, 2))
            for _ in range(40):  # 2 s of events, ten debounce periods
                if waiting.done():
                    break
                s.client.workspace_did_change_watched_files(events)
                await asyncio.sleep(0.05)
            assert waiting.done(), "the edit's lint waited for the events to stop"

    run(scenario)


def test_with_resolve_support_only_the_chosen_action_is_checked_and_edits_name_their_version(tmp_path):
    """A client that resolves edits gets actions without them (a record with
    hundreds of fixes costs one check per action picked, not per action
    listed); each edit names the version it was made for."""
    path = tmp_path / "record.md"
    text = "---\ntitle: Securityâ€™s\nexcerpt: a &amp; b\n---\n"
    everything = types.Range(types.Position(0, 0), types.Position(4, 0))

    async def scenario():
        async with server(tmp_path, resolve=True, versioned=True) as s:
            await s.open(path, text, 7)
            actions = await s.actions(path, everything)
            assert [(a.title, a.edit) for a in actions] == [
                ("CL200: Repair: `Security’s`", None), ("CL201: Decode the HTML entities", None),
                ("contentlint: fix all safe fixes", None)]
            resolved = [await s.client.code_action_resolve_async(a) for a in actions]
            for action in resolved:
                (change,) = action.edit.document_changes
                assert (change.text_document.uri, change.text_document.version) == (from_fs_path(str(path)), 7)
            assert apply(text, resolved[2].edit.document_changes[0].edits) == "---\ntitle: Security’s\nexcerpt: a & b\n---\n"
            # Offered for version 7, resolved after an edit: no edit, nothing overwritten.
            await s.change(path, text + "body\n", 8)
            assert (await s.client.code_action_resolve_async(actions[2])).edit is None
            # Back to the same text (an undo), asked at once: the edit names version 9, not 7.
            await s.change(path, text, 9)
            (fix_all,) = await s.actions(path, everything, only=[types.CodeActionKind.SourceFixAll])
            resolved = await s.client.code_action_resolve_async(fix_all)
            assert resolved.edit.document_changes[0].text_document.version == 9

    run(scenario)


def test_a_document_that_is_no_file_takes_the_settings_of_its_workspace(tmp_path):
    """`untitled:` takes the workspace root's config, a diff view's `git:/repo/a.md?...`
    the config of the folder its path names; not the server's working folder."""
    here, workspace = tmp_path / "here", tmp_path / "workspace"
    for folder, ignored in ((here, "CL200"), (workspace, "CL201")):
        (folder / "sub").mkdir(parents=True)
        (folder / "contentlint.toml").write_text(f'ignore = ["{ignored}"]\n')
    text = "---\ntitle: Securityâ€™s &amp; co\n---\n"

    async def scenario():
        async with server(here, root=workspace) as s:
            for version, uri in enumerate(["untitled:Untitled-1",
                                           f"git:{(workspace / 'sub' / 'r.md').as_posix()}?%7B%7D"], 1):
                s.client.text_document_did_open(types.DidOpenTextDocumentParams(
                    types.TextDocumentItem(uri, "markdown", version, text)))
                codes = [d.code for d in await s.diagnostics(uri, version)]
                assert "CL200" in codes and "CL201" not in codes, uri

    run(scenario)


def test_hover_shows_the_rule_documentation(tmp_path):
    path = tmp_path / "record.md"
    text = MOJIBAKE.read_text(encoding="utf-8")

    async def scenario():
        async with server(tmp_path) as s:
            (found,) = await s.open(path, text)
            uri = types.TextDocumentIdentifier(from_fs_path(str(path)))
            hover = await s.client.text_document_hover_async(types.HoverParams(uri, found.range.end))
            assert hover.contents.kind == types.MarkupKind.Markdown
            assert hover.contents.value == "### CL200 mojibake\n\n" + api.rule("CL200").doc
            assert await s.client.text_document_hover_async(types.HoverParams(uri, types.Position(0, 0))) is None

    run(scenario)


HOSTILE = {
    "yaml-error.md": "---\ntitle: [unclosed\nurl: x\n---\nbody\n",
    "unclosed.md": "---\ntitle: x\n",
    "deep.md": "---\nk: " + "[" * 5000 + "\n---\n",
    "alias-bomb.md": "---\na: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n---\n",
    "not-a-mapping.md": "---\n- a\n- b\n---\n",
    "nul-and-controls.md": "---\ntitle: \"a\x00b\x1b[31m\"\n---\n",
    "lone-surrogate.md": "---\ntitle: \"a\udcffb\"\n---\n",
    "empty-front-matter.md": "---\n---\n",
    "crlf-cr.md": "---\r\ntitle: Securityâ€™s\rurl: x\r\n---\r\n",
}


def test_malformed_records_get_the_check_findings_and_never_crash_the_server(tmp_path):
    async def scenario():
        async with server(tmp_path) as s:
            for version, (name, text) in enumerate(HOSTILE.items(), 1):
                path = tmp_path / name
                found = await s.open(path, text, version)
                expected = api.check_text(text, str(path))
                assert expected, name  # each is a finding of `check`
                # ASCII up to every finding: characters are code points are UTF-16 units.
                assert [(d.code, d.message, d.range.start.line + 1, d.range.start.character + 1,
                         d.range.end.line + 1, d.range.end.character + 1) for d in found] == [
                    (d.code, d.message, d.start.line, d.start.column, d.end.line, d.end.column)
                    for d in expected], name
                await s.actions(path, types.Range(types.Position(0, 0), types.Position(99, 0)))
            # Still serving: a change to a good record is checked.
            path = tmp_path / "yaml-error.md"
            await s.change(path, MOJIBAKE.read_text(encoding="utf-8"), 99)
            assert [d.code for d in await s.diagnostics(from_fs_path(str(path)), 99)] == ["CL200"]
            assert not [m for m in s.logs if "internal error" in m]

    run(scenario)


def test_files_that_are_not_records_get_no_diagnostics(tmp_path):
    async def scenario():
        async with server(tmp_path) as s:
            assert await s.open(tmp_path / "README.md", "# Notes\n\nSecurityâ€™s\n") == []
            assert await s.open(tmp_path / "empty.md", "", 2) == []
            # The same text as a record does get findings (CL002 is `check`'s for the first).
            assert [d.code for d in await s.open(tmp_path / "r.md", "\ufeff---\ntitle: Securityâ€™s\n---\n", 3)
                    if d.code == "CL200"] == ["CL200"]

    run(scenario)


@pytest.mark.parametrize("config", ['exclude = ["drafts/", "skip.md"]\n', None])
def test_files_a_walk_would_not_check_get_no_diagnostics(tmp_path, config):
    """Excluded, gitignored, hidden and vendored folders, and files of other
    types: `check .` does not walk to them, so the editor shows nothing there.
    Without a config the walk is judged from the workspace folder (where
    `check .` runs), not from the document's own folder."""
    quiet = [".github/ISSUE_TEMPLATE/bug.md", "_site/built.md", "node_modules/pkg/README.md", "data.json", "cfg.yml"]
    if config is not None:
        (tmp_path / "contentlint.toml").write_text(config)
        quiet += ["skip.md", "drafts/d.md"]
    (tmp_path / ".gitignore").write_text("_site/\n")
    record = "---\ntitle: Securityâ€™s\n---\n"
    for name in quiet:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)

    async def scenario():
        async with server(tmp_path) as s:
            for version, name in enumerate(quiet, 1):
                assert await s.open(tmp_path / name, record, version) == [], name
            assert "CL200" in [d.code for d in await s.open(tmp_path / "ok.md", record, 99)]

    run(scenario)


def test_with_kinds_the_kinds_decide_what_is_a_record(tmp_path):
    (tmp_path / "contentlint.toml").write_text('[[kinds]]\nname = "docs"\ninclude = ["docs/*.md"]\n')
    (tmp_path / "docs").mkdir()

    async def scenario():
        async with server(tmp_path) as s:
            # Claimed but without front matter: `check` says CL002, so does the editor.
            assert [d.code for d in await s.open(tmp_path / "docs" / "a.md", "# A page\n")] == ["CL002"]
            # Front matter, but no kind claims it: not a record for this repository.
            assert await s.open(tmp_path / "README.md", "---\ntitle: Securityâ€™s\n---\n", 2) == []

    run(scenario)


def test_settings_come_from_the_repository_config_and_online_rules_never_run(tmp_path, httpserver):
    repo = tmp_path / "repo"
    (repo / "news").mkdir(parents=True)
    (repo / "contentlint.toml").write_text(
        'extend-select = ["CL900", "CL901", "CL902", "CL402", "CL503"]\n'
        '[per-file-ignores]\n"news/*" = ["CL200"]\n', encoding="utf-8")
    url = httpserver.url_for("/article")
    text = MOJIBAKE.read_text(encoding="utf-8")
    text = text.replace('webUrl: "', f'webUrl: "{url}?u=', 1)
    assert url in text

    async def scenario():
        async with server(tmp_path) as s:  # started outside the repository
            ignored = await s.open(repo / "news" / "a.md", text)
            checked = await s.open(repo / "b.md", text, 2)
            assert [d.code for d in ignored] == [d.code for d in api.check_text(text, str(repo / "news" / "a.md"))]
            assert "CL200" not in [d.code for d in ignored]
            assert "CL200" in [d.code for d in checked]

    run(scenario)
    assert httpserver.log == []  # no request reached the record's URL


def test_a_broken_config_is_shown_and_gives_no_diagnostics(tmp_path):
    (tmp_path / "contentlint.toml").write_text('select = ["NOPE"]\n', encoding="utf-8")
    messages: list = []

    async def scenario():
        async with server(tmp_path) as s:
            s.client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: messages.append(params.message))
            assert await s.open(tmp_path / "r.md", MOJIBAKE.read_text(encoding="utf-8")) == []
            assert await s.open(tmp_path / "s.md", MOJIBAKE.read_text(encoding="utf-8"), 2) == []

    run(scenario)
    assert len(messages) == 1 and "`NOPE` matches no rule code" in messages[0]


def test_changes_are_debounced_to_the_latest_text(tmp_path):
    path = tmp_path / "record.md"
    text = MOJIBAKE.read_text(encoding="utf-8")

    async def scenario():
        async with server(tmp_path) as s:
            await s.open(path, text)
            for version in range(2, 6):  # typing: only the last text matters
                await s.change(path, text if version % 2 else text.replace(GARBLED, "Security’s"), version)
            assert [d.code for d in await s.diagnostics(from_fs_path(str(path)), 5)] == ["CL200"]
            published = [p.version for p in s.published[from_fs_path(str(path))]]
            assert published[0] == 1 and published[-1] == 5 and published == sorted(published)

    run(scenario)


def test_uris_with_escapes_are_the_clients_own_and_nothing_is_read_from_disk(tmp_path):
    """pygls keys documents by the URI unquoted; the server once unquoted it
    again (`x%2541.md` -> `xA.md`, read from disk: here /dev/zero), answered
    no code action or hover for `my%20notes`, and published re-lints after a
    config save to the unquoted URI, which the client does not know."""
    folder = tmp_path / "my notes"
    folder.mkdir()
    (folder / "xA.md").symlink_to("/dev/zero")
    path = folder / "x%41.md"
    text = MOJIBAKE.read_text(encoding="utf-8")
    uri = from_fs_path(str(path))
    assert "my%20notes/x%2541.md" in uri

    async def scenario():
        async with server(tmp_path) as s:
            found = await s.open(path, text)
            assert [d.code for d in found] == ["CL200"]
            assert [a.title for a in await s.actions(path, found[0].range)][0] == "CL200: Repair: `Security’s`"
            hover = await s.client.text_document_hover_async(types.HoverParams(
                types.TextDocumentIdentifier(uri), found[0].range.start))
            assert hover is not None and "CL200" in hover.contents.value
            (tmp_path / "contentlint.toml").write_text('ignore = ["CL200"]\n', encoding="utf-8")
            s.client.text_document_did_save(types.DidSaveTextDocumentParams(
                types.TextDocumentIdentifier(from_fs_path(str(tmp_path / "contentlint.toml")))))
            while len(s.published.get(uri, [])) < 2:
                s.event.clear()
                await s.event.wait()
            assert list(s.published) == [uri] and list(s.published[uri][-1].diagnostics) == []

    run(scenario)


def test_a_document_with_a_lone_surrogate_gets_its_diagnostics(tmp_path):
    async def scenario():
        async with server(tmp_path) as s:
            found = await s.open(tmp_path / "a.md", "---\ntitle: \ud800x\n---\n")
            assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [("CL001", 1, 7)]

    run(scenario)


def test_a_runaway_schema_pattern_is_bounded_and_the_server_keeps_answering(tmp_path):
    """Lints run in the main thread, where the schema check's bound works:
    in a worker thread `^(a+)+$` held the interpreter lock for ever, and
    hover, shutdown and exit went unanswered."""
    import json

    (tmp_path / "s.json").write_text(json.dumps(
        {"type": "object", "properties": {"title": {"type": "string", "pattern": "^(a+)+$"}}}), encoding="utf-8")
    path = tmp_path / "a.md"
    text = "---\n$schema: s.json\ntitle: " + "a" * 40 + "!\ndescription: \"x \"\n---\n"

    async def scenario():
        async with server(tmp_path) as s:
            found = await s.open(path, text)
            assert [(d.code, d.range.start.line) for d in found] == [("CL100", 1), ("CL203", 3)]
            assert "did not finish in 10 s" in found[0].message
            hover = await s.client.text_document_hover_async(types.HoverParams(
                types.TextDocumentIdentifier(from_fs_path(str(path))), found[0].range.start))
            assert hover is not None and "CL100" in hover.contents.value
            # "Fix all" re-lints the text: in the main thread too, bounded.
            actions = await s.actions(path, found[1].range)
            assert [a.title for a in actions] == ["CL203: Strip the whitespace", "contentlint: fix all safe fixes"]

    run(scenario)


def test_controls_and_bidi_overrides_in_messages_are_shown_escaped(tmp_path):
    # As the text format shows them: an ESC or a U+202E from a record must
    # not reach the editor's problem list raw (Trojan Source reordering).
    text = '---\n"x\\u202ey\\x1bz": "a "\n---\n'  # an unknown key, quoted in CL104's message

    async def scenario():
        async with server(tmp_path) as s:
            found = await s.open(tmp_path / "a.md", text)
            assert found and all("\u202e" not in d.message and "\x1b" not in d.message for d in found)
            assert any("\\u202e" in d.message or "\\x1b" in d.message for d in found)
            for action in await s.actions(tmp_path / "a.md", found[0].range):
                assert "\u202e" not in action.title and "\x1b" not in action.title

    run(scenario)


@pytest.mark.parametrize("shutdown, code", [(True, 0), (False, 1)])
def test_the_exit_status_says_whether_shutdown_came_first(tmp_path, shutdown, code):
    # LSP: "exit with success code 0 if the shutdown request has been received before; otherwise 1".
    async def scenario():
        client = LanguageClient("contentlint-tests", "1")
        await client.start_io(sys.executable, "-m", "contentlint", "server", cwd=str(tmp_path))
        try:
            await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
            client.initialized(types.InitializedParams())
            if shutdown:
                await client.shutdown_async(None)
            client.exit(None)
            assert await asyncio.wait_for(client._server.wait(), 20) == code
        finally:
            if client._server.returncode is None:
                client._server.kill()
                await client._server.wait()

    run(scenario)
