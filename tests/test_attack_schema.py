"""Attack: schema files a record's `$schema` or a config names are data from
the checkout. A FIFO, a device or a nested-too-deep schema gets a clear
finding (CL100 at `$schema`) or a usage error; never a hang, never CL010."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

TIMEOUT = 60  # a bound on a run that must not block, not a measurement


def run(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "contentlint", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=TIMEOUT, env={**os.environ, "PYTHONPATH": str(REPO)})


def record(folder, schema: str):
    path = folder / "r.md"
    path.write_text(f"---\n$schema: {schema}\ntitle: T\n---\nbody\n", encoding="utf-8")
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_schema_named_by_a_record_that_is_a_fifo_is_a_finding_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "s.json")
    record(tmp_path, "s.json")
    done = run("check", "--no-cache", "--format", "json", "r.md", cwd=tmp_path)
    found = [(f["code"], f["line"], f["column"], f["message"]) for f in json.loads(done.stdout)]
    assert found == [("CL100", 2, 10, f"cannot read schema {tmp_path / 's.json'}: not a regular file")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_kind_schema_that_is_a_fifo_is_a_usage_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "k.json")
    (tmp_path / "contentlint.toml").write_text('[[kinds]]\nname = "a"\ninclude = ["*.md"]\nschema = "k.json"\n')
    (tmp_path / "r.md").write_text("---\ntitle: T\n---\nbody\n")
    done = run("check", "--no-cache", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"contentlint: error: cannot read schema {tmp_path / 'k.json'}: not a regular file\n"


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,  # json.loads itself recurses too deep
    '{"not": ' * 900 + "{}" + "}" * 900,  # valid JSON; jsonschema recurses too deep checking it
], ids=["brackets", "not-chain"])  # short ids: pytest puts the id in PYTEST_CURRENT_TEST, which the
# child inherits, and a 200,000-character variable is over the kernel's limit for one (E2BIG)
def test_a_schema_nested_too_deeply_is_one_cl100_not_internal_errors(tmp_path, text):
    (tmp_path / "s.json").write_text(text)
    record(tmp_path, "s.json")
    done = run("check", "--no-cache", "--format", "json", "r.md", cwd=tmp_path)
    found = [(f["code"], f["line"], f["column"], f["message"]) for f in json.loads(done.stdout)]
    assert found == [("CL100", 2, 10, f"schema {tmp_path / 's.json'} is nested too deeply to read")]
    assert "Traceback" not in done.stderr


def test_a_schema_refers_to_nothing_outside_itself(tmp_path):
    """A `$ref` to a file or a URL would make `check` read outside the
    checkout (quoting it in messages) or open a socket without `--online`:
    refused before any validator sees it; a record naming such a schema gets
    one CL100 at its `$schema`, a configured one is a usage error."""
    import http.server
    import threading

    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b'{"enum": ["FROM-THE-NETWORK"]}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        secret = tmp_path / "outside.json"
        secret.write_text('{"enum": ["TOPSECRET-VALUE"]}')
        checkout = tmp_path / "site"
        checkout.mkdir()
        url = f"http://127.0.0.1:{server.server_address[1]}/remote.json"
        # An `$id` with an address and a fragment names no resource the
        # validator holds: the `#...` references under it would be fetched.
        scoped = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"title": {
            "$id": url + "#frag", "properties": {"a": {"$ref": "#/definitions/x"}}, "definitions": {"x": {}}}}}
        for name, ref in (("file.json", secret.as_uri()), ("http.json", url), ("rel.json", "outside.json#/enum"),
                          ("dyn.json", None), ("id.json", "scoped")):
            schema = scoped if ref == "scoped" else {"type": "object", "properties": {"title": {"$ref": ref}}} if ref \
                else {"type": "object", "properties": {"title": {"$dynamicRef": url}}}
            (checkout / name).write_text(json.dumps(schema))
            record(checkout, name)
            done = run("check", "--no-cache", "--format", "json", "r.md", cwd=checkout)
            found = [(f["code"], f["line"], f["column"], f["message"]) for f in json.loads(done.stdout)]
            shown = url + "#frag" if ref == "scoped" else ref or url
            assert found == [("CL100", 2, 10, f"schema {checkout / name} refers to {shown!r}: only references inside "
                                              "the schema file (`#...`) are followed, never another file or a URL")]
            done = run("check", "--no-cache", "--schema", name, "r.md", cwd=checkout)
            assert done.returncode == 2 and "refers to" in done.stderr and "Traceback" not in done.stderr
            assert "TOPSECRET" not in done.stdout + done.stderr
        # Second wall: the validators themselves retrieve nothing, even for a schema the walk let through.
        from contentlint import validation

        with pytest.raises(validation.SchemaLoadError):
            validation._fastjsonschema_compile({"properties": {"a": {"$ref": url}}}, {})
        from referencing.exceptions import Unresolvable

        loose = validation.Schema("loose.json", {"properties": {"a": {"$ref": url}}})
        with pytest.raises(Unresolvable):
            list(loose.validator.iter_errors({"a": 1}))
        # `$ref`s inside the document, and `$ref` keys in data (`enum`), are schemas as before.
        (checkout / "ok.json").write_text(json.dumps({
            "type": "object", "$defs": {"t": {"type": "string"}},
            "properties": {"title": {"$ref": "#/$defs/t"}, "x": {"enum": [{"$ref": url}]}}}))
        record(checkout, "ok.json")
        done = run("check", "--no-cache", "--format", "json", "r.md", cwd=checkout)
        assert json.loads(done.stdout) == [], done.stderr
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert requests == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_pattern_that_backtracks_without_end_is_bounded(tmp_path, monkeypatch, capsys, jobs):
    """`^(a+)+$` on forty `a`s and a `!` takes Python's engine hours, in the
    validators' code as in ours: each record's check stops at the bound with
    one CL100, every other record is checked, in one process as in workers."""
    from contentlint import schemaindex, validation
    from tests.conftest import check_json

    monkeypatch.setattr(validation, "SCHEMA_CHECK_SECONDS", 1)
    monkeypatch.setattr(schemaindex, "KEY_MATCH_SECONDS", 0.2)
    evil = "^(a+)+$"
    (tmp_path / "s.json").write_text(json.dumps({
        "type": "object", "properties": {"title": {"type": "string", "pattern": evil}},
        "patternProperties": {evil: {"type": "string", "format": "uri"}}}))
    (tmp_path / "contentlint.toml").write_text('[[kinds]]\nname = "k"\ninclude = ["*.md"]\nschema = "s.json"\n')
    for i in range(70):  # a pool with two jobs
        (tmp_path / f"r{i:02d}.md").write_text(f"---\ntitle: {'a' * (i % 5 + 1)}\n---\n")
    (tmp_path / "r03.md").write_text("---\ntitle: " + "a" * 40 + "!\n---\n")
    (tmp_path / "r04.md").write_text("---\ntitle: ab\n" + "a" * 40 + "!: x\n---\n")  # a key only
    monkeypatch.chdir(tmp_path)
    _, found = check_json(["."], capsys, "--no-cache", "--jobs", jobs)
    timed_out = (f"the check against schema {tmp_path / 's.json'} did not finish in 1 s: one of its regular "
                 "expressions backtracks without end on a value of this record (as `^(a+)+$` does on `aaaa…a!`); "
                 "the record is not checked against it")
    assert [(f["path"], f["code"], f["line"], f["message"]) for f in found] == [
        ("./r03.md", "CL100", 2, timed_out), ("./r04.md", "CL100", 2, timed_out)]


def test_many_keys_against_a_runaway_key_pattern_cost_one_bound(tmp_path, monkeypatch, capsys):
    """Aiming the rules, a `patternProperties` pattern meets every key: RE2
    answers where it takes the pattern (no bound needed); a lookahead one
    runs on Python's engine under a bound, and after one runaway it is not
    tried again: 30 keys cost one bound, not 30."""
    from contextlib import contextmanager

    from contentlint import schemaindex, timebox, validation
    from tests.conftest import check_json

    monkeypatch.setattr(validation, "SCHEMA_CHECK_SECONDS", 1)
    monkeypatch.setattr(schemaindex, "KEY_MATCH_SECONDS", 0.5)
    key_bounds = []
    real = timebox.bounded

    @contextmanager
    def counted(seconds):
        if seconds == 0.5:
            key_bounds.append(seconds)
        with real(seconds):
            yield

    monkeypatch.setattr(timebox, "bounded", counted)
    (tmp_path / "r.md").write_text("---\n" + "".join(f"{'a' * 40}!{i}: x\n" for i in range(30)) + "---\n")
    for pattern, bounds in (("^(a+)+$", 0), ("^(?=(a+)+$)", 1)):
        (tmp_path / "s.json").write_text(json.dumps({"type": "object", "patternProperties": {pattern: {"format": "uri"}}}))
        _, found = check_json([tmp_path / "r.md"], capsys, "--no-cache", "--schema", tmp_path / "s.json")
        assert [f["code"] for f in found] == ["CL100"]  # the record's own check ran away: one finding
        assert (len(key_bounds), pattern in schemaindex._RUNAWAY) == (bounds, bounds == 1)
        key_bounds.clear()
    schemaindex._RUNAWAY.clear()
