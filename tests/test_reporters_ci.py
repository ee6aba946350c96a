"""The CI formats against their real consumers' schemas, on a folder with
findings of every offline code (the online codes are built as Diagnostics).

- JUnit against the Jenkins xUnit plugin's junit-10.xsd (tests/data/),
- SARIF against the official SARIF 2.1.0 schema, with the real registry's
  rule documentation as fullDescription and help,
- GitLab Code Quality against GitLab's own entry schema (codeclimate.json),
- fingerprints that survive a line inserted above every finding,
- repository-relative paths whichever folder contentlint runs in.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from contentlint import registry
from contentlint.model import Diagnostic, Position, Severity
from contentlint.report import ReportContext, renderer
from tests.conftest import SEEDS, run_cli

DATA = Path(__file__).parent / "data"
ALL_CODES = ",".join(r.code for r in registry.all_rules() if not r.online)
ONLINE = [r for r in registry.all_rules() if r.online]

SEED = (SEEDS / "004_55d079596040aeb8.txt").read_text(encoding="utf-8")  # a real record
HEAD = '---\ntitle: "T"\nwebUrl: "https://self.example/a"\n'


def related(*entries: tuple[str, int]) -> str:
    return "related:\n" + "".join(f'  - title: "R"\n    webUrl: "{url}"\n    quality: {q}\n' for url, q in entries)


# One small record per finding kind; together they trigger every offline code.
RECORDS = {
    "enc.md": b"---\ntitle: \"caf\xe9\"\n---\n",  # CL001
    "none.md": b"---\ntitle: never closed\n",  # CL002 (a file with no front matter at all is no record)
    "yaml.md": b"---\ntitle: [unclosed\n---\n",  # CL003
    "dup.md": b"---\ntitle: a\ntitle: b\n---\n",  # CL004
    "bom.md": b"\xef\xbb\xbf" + SEED.encode(),  # CL005 (+ CL200 of the seed)
    "list.md": b"---\n- a\n---\n",  # CL006
    "alias.md": b"---\na: &x 1\nb: *x\n---\n",  # CL007
    "unused.md": (SEED.replace("published: false", "published: false  # contentlint: ignore[CL200]")
                  .replace("Securityâ€™s", "Security's")).encode(),  # CL009
    "schema.md": (HEAD + "quality: high\npublishedDateTime: \"yesterday\"\nbogus: 1\ncategory: gossip\n"
                  'images:\n  - url: "https://i.example/p.jpg"\n    width: 0\n    height: 382\n'
                  '  - url: "https://i.example/q.jpg"\n    width: 1200\n    height: 63\n'
                  'provider:\n  name: X\n  domain: other.example\n'
                  'ampWebUrl: "https://self.example/a/amp"\n'
                  'cdnAmpWebUrl: "https://wrong.cdn.ampproject.org/c/s/x.example/amp"\n'
                  + related(("https://r.example/1", 10), ("https://R.example/1/", 90),
                            ("https://self.example/a", 5), ("ht tp://bad url", 1))
                  + "---\n").encode(),
    "entities.md": (HEAD + 'excerpt: "Tom &amp; Jerry\u200b "\n---\n').encode(),  # CL201-CL203
    "twin.md": (HEAD + "---\n").encode(),  # CL305 with schema.md / entities.md
    "hint.md": (HEAD + 'images:\n  - url: "https://i.example/photo-300x200.jpg"\n'
                "    width: 400\n    height: 400\n---\n").encode(),  # CL502
    "amp.md": (HEAD + 'ampWebUrl: "https://self.example/amp/a"\ntype: article\n---\n').encode(),  # CL400
}


@pytest.fixture
def content(tmp_path, monkeypatch):
    """A repository (``.git``) with a content/ folder of every record; the cwd is its root."""
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "content"
    folder.mkdir()
    for name, raw in RECORDS.items():
        (folder / name).write_bytes(raw)
    shutil.copy(SEEDS / "000_b69a69cbeae9117f.txt", folder / "seed.txt")  # CL300, CL601 …
    monkeypatch.chdir(tmp_path)
    return folder


def check(capsys, fmt: str, *paths, extra=()) -> str:
    code, out, err = run_cli(["check", "--no-cache", "--select", ALL_CODES, "--format", fmt, *extra,
                              *(paths or ["content"])], capsys)
    assert code == 1 and "Traceback" not in err, err
    return out


def online_findings() -> list[Diagnostic]:
    return [Diagnostic("content/seed.txt", r.code, r.name, r.severity, Position(40 + i, 5), Position(40 + i, 30),
                       f"`images[{i}].url` check {r.code}") for i, r in enumerate(ONLINE)]


def test_the_fixture_triggers_every_offline_code(content, capsys):
    codes = {f["code"] for f in json.loads(check(capsys, "json"))}
    # CL008: a file that vanishes, below; CL010: a rule that crashed (no record
    # triggers it: tests/test_bad_input.py makes a rule raise).
    assert codes == set(ALL_CODES.split(",")) - {"CL008", "CL010"}
    assert ONLINE and {r.code for r in ONLINE} | codes | {"CL008", "CL010"} == {r.code for r in registry.all_rules()}


# -- the schemas -------------------------------------------------------------------------


def test_schema_copies_are_the_published_ones():
    digests = {name: hashlib.sha256((DATA / name).read_bytes()).hexdigest()
               for name in ("junit-10.xsd", "gitlab-codeclimate.json")}
    assert digests == {"junit-10.xsd": "62ca5a7bd8a6b8268818a64192bd8f94dbf38b63eb85a19c159deba08244f1fd",
                       "gitlab-codeclimate.json": "66b43685a7569ad97e773a552f0d9d98e35b45c03fbe31b6a478c1af8d737a92"}


def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(DATA / "junit-10.xsd"))


def test_junit_validates_against_jenkins_xsd(content, capsys):
    schema = junit_schema()
    out = check(capsys, "junit", "content", "content/gone.md")  # CL008 too
    schema.validate(out)
    root = ET.fromstring(out)
    assert {s.get("file") for s in root.iter("testsuite")} >= {"content/bom.md", "content/gone.md"}
    assert not any("file" in c.attrib or "line" in c.attrib for c in root.iter("testcase"))
    schema.validate(renderer("junit")(online_findings(), ReportContext()))
    schema.validate(renderer("junit")([], ReportContext()))


def test_junit_with_file_and_line_on_testcase_is_rejected():
    # The defect this format had: the schema really checks testcase attributes.
    bad = ('<testsuites><testsuite name="a" tests="1" failures="0" errors="0">'
           '<testcase name="x" classname="a" file="a.md" line="3"/></testsuite></testsuites>')
    assert not junit_schema().is_valid(bad)


def validate_sarif(out: str) -> dict:
    log = json.loads(out)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, errors
    return log


def test_sarif_validates_with_every_rule_documented(content, capsys):
    log = validate_sarif(check(capsys, "sarif"))
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": content.parent.as_uri() + "/"}}
    by_code = {r.code: r for r in registry.all_rules()}
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == len(ALL_CODES.split(",")) - 2  # not CL008, CL010
    for descriptor in rules:
        doc = by_code[descriptor["id"]].doc.strip()
        assert descriptor["fullDescription"] == {"text": doc, "markdown": doc}
        assert descriptor["help"]["markdown"].startswith(doc + "\n\nDocs: run `contentlint rule ")
        assert descriptor["help"]["text"] == descriptor["help"]["markdown"]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%" and location["uri"].startswith("content/")
    validate_sarif(renderer("sarif")(online_findings(), ReportContext(root=str(content.parent))))


def test_gitlab_validates_against_gitlabs_schema(content, capsys):
    schema = json.loads((DATA / "gitlab-codeclimate.json").read_text(encoding="utf-8"))
    issues = json.loads(check(capsys, "gitlab")) + json.loads(renderer("gitlab")(online_findings(), ReportContext()))
    for issue in issues:  # GitLab validates each entry and stops at the first invalid one
        jsonschema.Draft7Validator(schema).validate(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"].startswith("content/")
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab keys entries by fingerprint


# -- fingerprints ------------------------------------------------------------------------


def insert_line_above_everything(folder: Path) -> None:
    """A YAML comment after the opening `---` (a blank second line elsewhere):
    every finding below line 1 moves down one line, nothing else changes."""
    for path in folder.iterdir():
        raw = path.read_bytes()
        first, sep, rest = raw.partition(b"\n")
        if sep:
            path.write_bytes(first + b"\n# inserted\n" + rest if first.endswith(b"---") else first + b"\n\n" + rest)


def test_fingerprints_survive_a_line_inserted_above_each_finding(content, capsys):
    before = {fmt: check(capsys, fmt) for fmt in ("json", "gitlab", "sarif")}
    insert_line_above_everything(content)
    after = {fmt: check(capsys, fmt) for fmt in ("json", "gitlab", "sarif")}
    lines_before = [(f["path"], f["code"], f["line"]) for f in json.loads(before["json"])]
    lines_after = [(f["path"], f["code"], f["line"]) for f in json.loads(after["json"])]
    moved = [b for b, a in zip(lines_before, lines_after, strict=True) if a[2] == b[2] + 1]
    assert {code for _, code, _ in moved} >= {"CL300", "CL305", "CL601"}  # the rules that quoted lines
    assert len(moved) >= len(lines_before) - 8  # all but the findings at line 1

    def gitlab_prints(out):
        return [(i["location"]["path"], i["check_name"], i["fingerprint"]) for i in json.loads(out)]

    def sarif_prints(out):
        return [(r["ruleId"], r["partialFingerprints"]["contentlint/v1"]) for r in json.loads(out)["runs"][0]["results"]]

    # Every finding keeps its fingerprint (CL001's message names the byte, not its position).
    assert gitlab_prints(after["gitlab"]) == gitlab_prints(before["gitlab"])
    assert sarif_prints(after["sarif"]) == sarif_prints(before["sarif"])
    assert "CL001" in {code for _, code, _ in lines_before}


# -- paths ---------------------------------------------------------------------------------


def test_ci_paths_are_repository_relative_from_a_subfolder(content, capsys, monkeypatch):
    monkeypatch.chdir(content)
    github = check(capsys, "github", ".")
    assert "::error file=content/dup.md,line=3," in github
    assert "file=./" not in github and "file=dup.md" not in github
    sarif = json.loads(check(capsys, "sarif", "."))["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["results"]}
    assert "content/dup.md" in uris and all(u.startswith("content/") for u in uris)
    assert sarif["originalUriBaseIds"]["%SRCROOT%"]["uri"] == content.parent.as_uri() + "/"
    gitlab = {i["location"]["path"] for i in json.loads(check(capsys, "gitlab", "."))}
    assert "content/dup.md" in gitlab and all(p.startswith("content/") for p in gitlab)
    junit = {s.get("name") for s in ET.fromstring(check(capsys, "junit", "."))}
    assert "content/dup.md" in junit and all(n.startswith("content/") for n in junit)
    # text and json keep the paths as given on the command line
    assert any(f["path"] == "./dup.md" for f in json.loads(check(capsys, "json", ".")))
    assert "\n./dup.md:3:1: error: CL004 " in "\n" + check(capsys, "text", ".")


def test_ci_paths_without_git_are_relative_to_the_config_folder(tmp_path, capsys, monkeypatch):
    (tmp_path / "site" / "posts").mkdir(parents=True)
    (tmp_path / "site" / "contentlint.toml").write_text("")
    (tmp_path / "site" / "posts" / "a.md").write_bytes(b"---\ntitle: a\ntitle: b\n---\n")
    monkeypatch.chdir(tmp_path / "site" / "posts")
    if any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("the temporary folder is inside a git checkout")
    code, out, _ = run_cli(["check", "--no-cache", "--select", "CL004", "--format", "gitlab", "a.md"], capsys)
    assert [i["location"]["path"] for i in json.loads(out)] == ["posts/a.md"]
