"""`check --shard K/N` and `merge`: the merged report is a single run's, and a
shard file is untrusted data (docs/ci.md, contentlint/shard.py)."""

from __future__ import annotations

import json
import os

import pytest

from contentlint import shard
from tests.conftest import CORPUS, needs_corpus, run_cli


def _shards(paths, n, folder, capsys, *extra) -> list[str]:
    """Run every shard of ``n`` through the CLI; their result files (in ``folder``)."""
    folder.mkdir(exist_ok=True)
    files = []
    for k in range(1, n + 1):
        out = folder / f"shard-{k}-of-{n}.json"
        code, stdout, err = run_cli(["check", "--no-cache", "--shard", f"{k}/{n}", "-o", out, *extra, *paths], capsys)
        assert (code, stdout) == (0, ""), err
        assert f"shard {k}/{n}: checked" in err
        files.append(str(out))
    return files


def _merge(files, capsys, *extra) -> tuple[int, str, str]:
    return run_cli(["merge", *extra, *files], capsys)


# -- the merged result is a single run's ---------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("n", [1, 3, 7])
def test_merged_shards_equal_a_single_run_on_the_corpus(n, tmp_path, capsys):
    single_code, single, _ = run_cli(["check", "--no-cache", "--format", "json", CORPUS], capsys)
    assert single_code == 1 and json.loads(single)  # the corpus has findings (CL305 among them)
    files = _shards([CORPUS], n, tmp_path, capsys)
    counts = [len(json.loads(open(f).read())["files"]) for f in files]
    assert sum(counts) == json.loads(open(files[0]).read())["total"]
    code, merged, err = _merge(files, capsys, "--format", "json")
    assert (code, merged) == (single_code, single), err
    assert "CL305" in {f["code"] for f in json.loads(merged)}


DUPLICATE = '---\nwebUrl: "https://example.com/same"\ntitle: "One"\n---\n'


def _split_pair(n: int, root: str) -> list[str]:
    """Names of files that fall into at least two different shards of ``n``."""
    names, buckets = [], set()
    for i in range(100):
        name = f"r{i}.md"
        names.append(name)
        buckets.add(shard.bucket(os.path.join(root, name), root, n))
        if len(buckets) > 1 and len(names) >= 3:
            return names
    raise AssertionError("blake2b put 100 names into one bucket")


def _suppressing_repo(write, tmp_path) -> list[str]:
    """Duplicates across shards, one suppressed, and a CL305 suppression that
    suppresses nothing (CL009 judged only once the whole run is known)."""
    names = _split_pair(2, str(tmp_path))
    for name in names:
        write(name, DUPLICATE)
    write(names[0], '---\nwebUrl: "https://example.com/same"  # contentlint: ignore[CL305]\ntitle: "One"\n---\n')
    write("unused.md", '---\nwebUrl: "https://example.com/alone"  # contentlint: ignore[CL305]\ntitle: "x"\n---\n')
    write("broken.md", "---\ntitle: [\n---\n")
    return names


@pytest.mark.parametrize("fmt", ["json", "text", "junit", "sarif"])
def test_merge_settles_suppressions_and_duplicates_across_shards(fmt, write, tmp_path, monkeypatch, capsys):
    names = _suppressing_repo(write, tmp_path)
    monkeypatch.chdir(tmp_path)
    single = run_cli(["check", "--no-cache", "--format", fmt, "--statistics", "."], capsys)
    files = _shards(["."], 2, tmp_path / "out", capsys)
    merged = _merge(files, capsys, "--format", fmt, "--statistics")
    assert merged == single
    if fmt == "json":
        found = {(f["path"], f["code"]) for f in json.loads(merged[1])}
        assert (os.path.join(".", "unused.md"), "CL009") in found
        assert (os.path.join(".", names[0]), "CL305") not in found
        assert {(os.path.join(".", name), "CL305") for name in names[1:]} <= found


def test_merge_takes_the_shards_in_any_order_and_keeps_exit_zero(write, tmp_path, monkeypatch, capsys):
    _suppressing_repo(write, tmp_path)
    monkeypatch.chdir(tmp_path)
    files = _shards(["."], 3, tmp_path / "out", capsys)
    forward = _merge(files, capsys, "--format", "json")
    assert forward[0] == 1
    assert _merge(files[::-1], capsys, "--format", "json") == forward
    assert _merge(files, capsys, "--format", "json", "--exit-zero") == (0, *forward[1:])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_merge_applies_the_baseline_as_a_single_run_does(fmt, write, tmp_path, monkeypatch, capsys):
    names = _suppressing_repo(write, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", "--no-cache", "--write-baseline", "base.json", "."], capsys)[0] == 0
    write(names[1], '---\nwebUrl: "https://example.com/same"\ntitle: "One"\nnew: 1\n---\n')  # one new finding
    single = run_cli(["check", "--no-cache", "--format", fmt, "--baseline", "base.json", "."], capsys)
    files = _shards(["."], 3, tmp_path / "out", capsys)
    assert _merge(files, capsys, "--format", fmt, "--baseline", "base.json") == single
    assert [f["code"] for f in json.loads(_merge(files, capsys, "--format", "json", "--baseline", "base.json")[1])] \
        == ["CL104"]
    # `baseline` in the config: the shards write every finding, merge filters
    write("contentlint.toml", 'baseline = "base.json"\n')
    single = run_cli(["check", "--no-cache", "--format", fmt, "."], capsys)  # now with a config file
    files = _shards(["."], 2, tmp_path / "out2", capsys)
    assert _merge(files, capsys, "--format", fmt) == single


@pytest.mark.parametrize("flag", [["--baseline", "b.json"], ["--changed-since", "HEAD"], ["--write-baseline", "b.json"],
                                  ["--add-suppressions"]], ids=["baseline", "changed", "write", "add"])
def test_report_filters_are_refused_with_shard(flag, write, tmp_path, monkeypatch, capsys):
    write("a.md", DUPLICATE)
    write("b.json", "{}")
    monkeypatch.chdir(tmp_path)
    _usage_error(["check", "--shard", "1/2", "-o", "s.json", *flag, "."], capsys, flag[0])
    assert not (tmp_path / "s.json").exists()


def test_show_files_with_shard_lists_that_shards_files(write, tmp_path, monkeypatch, capsys):
    for i in range(12):
        write(f"r{i}.md", DUPLICATE)
    monkeypatch.chdir(tmp_path)
    listed = []
    for k, result in enumerate(_shards(["."], 3, tmp_path / "out", capsys), 1):
        code, out, _ = run_cli(["check", "--show-files", "--shard", f"{k}/3", "."], capsys)
        assert code == 0
        listed.append(out.split())
        content = json.loads(open(result).read())
        assert sorted(entry[1] for entry in content["files"]) == sorted(listed[-1])  # what the shard checks
    assert sorted(sum(listed, [])) == sorted(run_cli(["check", "--show-files", "."], capsys)[1].split())
    assert all(listed)


def test_more_shards_than_files(write, tmp_path, monkeypatch, capsys):
    write("a.md", DUPLICATE)
    write("b.md", DUPLICATE)
    monkeypatch.chdir(tmp_path)
    single = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    files = _shards(["."], 9, tmp_path / "out", capsys)
    assert sum(len(json.loads(open(f).read())["files"]) for f in files) == 2
    assert _merge(files, capsys, "--format", "json") == single


def test_the_split_is_by_relative_path_and_independent_of_order(tmp_path):
    root = str(tmp_path)
    paths = [os.path.join(root, "content", f"{i}.md") for i in range(200)]
    buckets = [shard.bucket(p, root, 7) for p in paths]
    assert set(buckets) == set(range(7))  # every shard gets files
    assert [shard.bucket(p, root, 7) for p in reversed(paths)] == buckets[::-1]
    # The same repository checked out elsewhere: the same split.
    other = str(tmp_path / "elsewhere")
    assert [shard.bucket(p.replace(root, other, 1), other, 7) for p in paths] == buckets


def test_the_split_is_the_same_from_another_folder(write, tmp_path, monkeypatch):
    """A relative path from the root and an absolute one name the same file: the same shard."""
    write("content/a.md", DUPLICATE)
    monkeypatch.chdir(tmp_path / "content")
    assert shard.bucket("a.md", str(tmp_path), 5) == shard.bucket(str(tmp_path / "content" / "a.md"),
                                                                  str(tmp_path), 5)


# -- the shards must be one run's ---------------------------------------------------------------


@pytest.fixture
def three(write, tmp_path, monkeypatch, capsys) -> list[str]:
    _suppressing_repo(write, tmp_path)
    monkeypatch.chdir(tmp_path)
    return _shards(["."], 3, tmp_path / "out", capsys)


def _usage_error(args, capsys, *needles) -> str:
    code, out, err = run_cli(args, capsys)
    assert (code, out) == (2, ""), err
    assert err.startswith("contentlint: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err
    return err


def test_a_missing_shard_is_an_error(three, capsys):
    _usage_error(["merge", three[0], three[2]], capsys, "missing shard 2 of 3")


def test_a_shard_given_twice_is_an_error(three, capsys):
    _usage_error(["merge", *three, three[1]], capsys, "shard 2/3 given twice")


def test_shards_of_another_split_are_refused(three, tmp_path, capsys):
    two = _shards(["."], 2, tmp_path / "out2", capsys)
    _usage_error(["merge", *three[:2], two[1]], capsys, "not one run's shards")


def test_shards_of_other_settings_are_refused(three, tmp_path, capsys):
    _usage_error(["merge", "--select", "CL1", *three], capsys, "other settings", three[0])


def test_shards_of_another_tool_version_are_refused(three, capsys):
    data = json.loads(open(three[1]).read())
    data["tool"] = "0.0.0-other"
    open(three[1], "w").write(json.dumps(data))
    _usage_error(["merge", *three], capsys, "written by contentlint '0.0.0-other'", three[1])


def test_a_file_in_two_shards_is_refused(three, capsys):
    first, second = (json.loads(open(f).read()) for f in three[:2])
    assert first["files"]
    second["files"].append(first["files"][0])
    open(three[1], "w").write(json.dumps(second))
    _usage_error(["merge", *three], capsys, "in more than one shard")


def test_a_file_missing_from_the_shards_is_refused(three, capsys):
    data = max((json.loads(open(f).read()) for f in three), key=lambda d: len(d["files"]))
    name = three[data["shard"][0] - 1]
    data["files"].pop()
    open(name, "w").write(json.dumps(data))
    _usage_error(["merge", *three], capsys, f"of the run's {data['total']} files")


# -- a shard file is untrusted data ---------------------------------------------------------------


def _forged(data: dict, change) -> dict:
    data = json.loads(json.dumps(data))
    change(data)
    return data


def _first_row(data):
    return next(entry for entry in data["files"] if entry[2]["d"])


FORGERIES = {
    "version": lambda d: d.update(version=2),
    "format": lambda d: d.update(format="other"),
    "extra field": lambda d: d.update(extra=1),
    "online not a bool": lambda d: d.update(online=0),
    "shard k zero": lambda d: d.update(shard=[0, 3]),
    "shard k over n": lambda d: d.update(shard=[4, 3]),
    "shard as text": lambda d: d.update(shard="1/3"),
    "total a bool": lambda d: d.update(total=True),
    "files not a list": lambda d: d.update(files={}),
    "entry too short": lambda d: d["files"][0].pop(),
    "index a string": lambda d: d["files"][0].__setitem__(0, "0"),
    "index out of range": lambda d: d["files"][0].__setitem__(0, d["total"]),
    "path a number": lambda d: d["files"][0].__setitem__(1, 7),
    "error a list": lambda d: d["files"][0].__setitem__(4, ["x"]),
    "row not a mapping": lambda d: d["files"][0].__setitem__(2, "{}"),
    "unknown code": lambda d: _first_row(d)[2]["d"][0].__setitem__(0, "CL999"),
    "line zero": lambda d: _first_row(d)[2]["d"][0].__setitem__(1, [0, 1]),
    "message a number": lambda d: _first_row(d)[2]["d"][0].__setitem__(3, 1),
    "facts of another rule": lambda d: d["files"][0][2]["f"].update(CL100=[1]),
    "facts too short": lambda d: next(e for e in d["files"] if e[2]["f"].get("CL305"))[2]["f"].update(CL305=[1, 0]),
    "online row with facts": lambda d: d["files"][0].__setitem__(3, {"d": [], "f": {"CL305": None}, "s": []}),
    "host counts negative": lambda d: d.update(hosts={"h": {"ok": -1}}),
    # N past `--shard`'s own bound: merge once built the list of 4 billion missing shards.
    "n of four billion": lambda d: d.update(shard=[1, 2**32 - 1]),
    # Paths no file system takes (a NUL; a surrogate that is no undecodable byte):
    # the SARIF report and --changed-since ended in tracebacks.
    "path with a nul": lambda d: d["files"][0].__setitem__(1, "a\0b.md"),
    "path with a forged surrogate": lambda d: d["files"][0].__setitem__(1, "/x\ud800.md"),
    # A fix edit that ends before it starts: the html report's diff raised IndexError.
    "fix edit backwards": lambda d: _first_row(d)[2]["d"][0].__setitem__(
        slice(4, 6), [["m", 2, [[3, 5, "x"]]], [[[1, 5], [1, 3], "x"]]]),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_a_forged_shard_file_is_a_usage_error_naming_it(name, three, capsys):
    shards = {f: json.loads(open(f).read()) for f in three}
    # A shard with a finding and CL305 facts: each forgery has something to change.
    target = next(f for f, data in shards.items()
                  if any(e[2]["d"] for e in data["files"]) and any(e[2]["f"].get("CL305") for e in data["files"]))
    open(target, "w").write(json.dumps(_forged(shards[target], FORGERIES[name])))
    _usage_error(["merge", *three], capsys, target)


@pytest.mark.parametrize("content", [
    None,  # truncated: set below
    b"\xff\xfe not utf-8",
    b"[" * 100_000 + b"]" * 100_000,  # deeper than the parser recurses
    b"[]",
    b"",
])
def test_a_damaged_shard_file_is_a_usage_error_naming_it(content, three, capsys):
    raw = open(three[0], "rb").read()
    open(three[0], "wb").write(raw[:len(raw) // 2] if content is None else content)
    _usage_error(["merge", *three], capsys, three[0])


def test_a_shard_file_larger_than_the_bound_is_not_read(three, tmp_path, capsys, monkeypatch):
    from contentlint import shard

    monkeypatch.setattr(shard, "MAX_SHARD_BYTES", 64)
    _usage_error(["merge", *three], capsys, "larger than 64 bytes")


def test_merge_html_shows_no_context_of_files_a_walk_would_not_check(three, tmp_path, capsys):
    # A forged entry naming `.git/config` (where CI keeps its token) copied its lines into the report.
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    data = json.loads(open(three[0]).read())
    entry = next(e for e in data["files"] if e[2]["d"])
    entry[1] = "./.git/config"
    open(three[0], "w").write(json.dumps(data))
    code, out, err = _merge(three, capsys, "--format", "html")
    assert code == 1 and ".git/config" in out and "AUTHORIZATION" not in out and "c2VjcmV0" not in out


def test_a_shard_file_that_is_not_a_file(three, tmp_path, capsys):
    os.mkfifo(tmp_path / "fifo")  # must not wait for a writer
    _usage_error(["merge", str(tmp_path / "fifo"), *three[1:]], capsys, "not a regular file")
    _usage_error(["merge", str(tmp_path / "nothing.json"), *three[1:]], capsys, "cannot read shard file")


# -- the command line ------------------------------------------------------------------------------


def test_shard_needs_an_output_file(write, tmp_path, monkeypatch, capsys):
    write("a.md", DUPLICATE)
    monkeypatch.chdir(tmp_path)
    _usage_error(["check", "--shard", "1/2", "."], capsys, "--output-file")
    _usage_error(["check", "--shard", "1/2", "-o", "s.json", "--format", "json", "."], capsys, "merge")
    assert not (tmp_path / "s.json").exists()


@pytest.mark.parametrize("spec", ["0/3", "4/3", "a/b", "3", "1/0", "-1/2", "1/100001"])
def test_a_bad_shard_spec_is_a_usage_error(spec, capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli(["check", "--shard", spec, "-o", "x.json", "."], capsys)
    assert stop.value.code == 2
    assert "K/N" in capsys.readouterr().err


def test_a_shard_exits_zero_with_findings_and_writes_ascii(write, tmp_path, monkeypatch, capsys):
    write("caf\u00e9.md", '---\ntitle: "caf\u00c3\u00a9"\n---\n')  # a finding (CL200) in a non-ASCII name
    (tmp_path / os.fsdecode(b"bad-\xff.md")).write_bytes(DUPLICATE.encode())  # a name that is not UTF-8
    monkeypatch.chdir(tmp_path)
    single = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    code, out, err = run_cli(["check", "--no-cache", "--shard", "1/1", "-o", "s.json", "."], capsys)
    assert (code, out) == (0, "")
    assert (tmp_path / "s.json").read_bytes().isascii()
    merged = run_cli(["merge", "--format", "json", "s.json"], capsys)
    assert merged == single
    assert merged[0] == 1
    assert (os.path.join(".", "caf\u00e9.md"), "CL200") in {(f["path"], f["code"]) for f in json.loads(merged[1])}


def test_online_findings_are_made_in_the_shards_and_settled_in_merge(write, tmp_path, monkeypatch, capsys):
    """The network checks run where each file is checked; `merge` settles the
    suppressions of their codes with the rest (a real server on 127.0.0.1)."""
    httpserver = pytest.importorskip("pytest_httpserver").HTTPServer(host="127.0.0.1", port=0)
    httpserver.start()
    try:
        httpserver.expect_request("/gone").respond_with_data("no", status=404)
        base = f"http://127.0.0.1:{httpserver.port}"
        write("contentlint.toml", "[online]\nretries = 0\nper-host-interval = 0\n")
        names = _split_pair(2, str(tmp_path))
        for index, name in enumerate(names):
            comment = "  # contentlint: ignore[CL900]" if index == 0 else ""
            write(name, f'---\nwebUrl: "{base}/gone"{comment}\ntitle: "{index}"\n---\n')
        write("unused.md", f'---\nwebUrl: "{base}/gone?x"  # contentlint: ignore[CL901]\ntitle: "u"\n---\n')
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("CONTENTLINT_RESOLVE_OVERRIDE", raising=False)
        monkeypatch.setenv("CONTENTLINT_ALLOW_NETWORKS", "127.0.0.1/32")
        online = ["--online", "--select", "CL9,CL009,CL305"]
        single = run_cli(["check", "--no-cache", "--format", "json", *online, "."], capsys)
        files = _shards(["."], 2, tmp_path / "out", capsys, *online)
        merged = _merge(files, capsys, "--format", "json", "--select", "CL9,CL009,CL305")
    finally:
        httpserver.clear()
        httpserver.stop()
    assert merged == single
    found = {(f["path"], f["code"]) for f in json.loads(merged[1])}
    assert (os.path.join(".", names[0]), "CL900") not in found
    assert {(os.path.join(".", name), "CL900") for name in names[1:]} <= found
    assert (os.path.join(".", "unused.md"), "CL009") in found
