"""`contentlint init` on real sites (copies of ../shared/other-content) and crafted folders."""

from __future__ import annotations

import datetime
import json
import os
import shutil
from pathlib import Path

import pathspec
import pytest
from jsonschema import Draft202012Validator

from contentlint.config import tomllib
from contentlint.document import load
from tests.conftest import SHARED, check_json, run_cli

OTHER = SHARED / "other-content"
HUGO, JEKYLL = OTHER / "gohugoio__hugoDocs", OTHER / "jekyll__jekyll"
needs_sites = pytest.mark.skipif(not (HUGO.is_dir() and JEKYLL.is_dir()), reason="../shared/other-content not present")


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """Copies of both sites after one `contentlint init` each: (root, stdout)."""
    if not (HUGO.is_dir() and JEKYLL.is_dir()):
        pytest.skip("../shared/other-content not present")
    from contentlint.cli import main
    import contextlib
    import io

    done = {}
    for site in (HUGO, JEKYLL):
        root = tmp_path_factory.mktemp("site") / site.name
        shutil.copytree(site, root)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["init", str(root)]) == 0
        done[site.name] = (root, out.getvalue())
    return done


def kinds_of(root: Path) -> list[dict]:
    return tomllib.loads((root / "contentlint.toml").read_text(encoding="utf-8"))["kinds"]


def claimed(root: Path, kind: dict) -> list[str]:
    """The files a kind's globs claim, as the engine will read them (gitignore-style)."""
    include = pathspec.GitIgnoreSpec.from_lines(kind["include"])
    exclude = pathspec.GitIgnoreSpec.from_lines(kind.get("exclude", []))
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return [f for f in files if include.match_file(f) and not exclude.match_file(f)]


def schema_errors(root: Path, kind: dict, rel: str) -> list[tuple[int, int, str]]:
    """(line, column, keyword) of every error of the kind's schema on one
    record, validated by jsonschema on the loaded front matter; the line is
    the key's (the parent mapping's for a missing key)."""
    schema = json.loads((root / kind["schema"]).read_text(encoding="utf-8"))
    doc = load(rel, (root / rel).read_bytes())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = []
    for error in validator.iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            path += tuple(k for k in error.instance if k not in error.schema["properties"])
        span = doc.span(path)
        at = doc.position(span.key_start if span.key_start is not None else span.start)
        found.append((at.line, at.column, error.validator))
    return sorted(found)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@needs_sites
def test_jekyll_kinds_claim_records_only(initialised):
    root, out = initialised["jekyll__jekyll"]
    kinds = kinds_of(root)
    assert [(k["name"], k["include"], k["schema"]) for k in kinds] == [
        ("posts", ["docs/_posts/**/*.markdown", "docs/_posts/**/*.md", "docs/_tutorials/**/*.md"],
         "schemas/posts.schema.json"),
        ("docs", ["docs/_docs/**/*.md", "docs/pages/**/*.html", "docs/pages/**/*.md"], "schemas/docs.schema.json"),
    ]
    everything = [f for k in kinds for f in claimed(root, k)]
    assert len(everything) == len(set(everything)) == 213
    for rel in everything:  # every claimed file starts with a front-matter block
        assert (root / rel).read_bytes().startswith(b"---")
    for not_record in ("docs/readme.md", "docs/_config.yml", "docs/latest_version.txt", "docs/_layouts/default.html",
                       "docs/_includes/top.html", "contentlint.toml"):
        assert not_record not in everything
    assert "not scanned (templates, data, build output): docs/_data, docs/_includes, docs/_layouts" in out


@needs_sites
def test_jekyll_outliers_are_the_real_defects_with_positions(initialised):
    _, out = initialised["jekyll__jekyll"]
    outliers = out.split("outliers (records that disagree with the majority: likely defects)\n")[1].splitlines()
    assert outliers[:-1] == [
        "docs/_posts/2015-10-26-jekyll-3-0-released.markdown:5:1: [posts] `version` is a number where the "
        "other records have string",
        "docs/_posts/2023-01-29-jekyll-3-9-3-released.markdown:3:1: [posts] `date` does not have the shape of "
        "the other records' values: \"2023-01-29 18:30:22 2023 -0800\"",
        "docs/_tutorials/index.md:2:1: [posts] missing `author`, which the other records of this kind have",
    ]
    assert outliers[-1] == "wrote contentlint.toml and 2 schemas in schemas/; next: contentlint check"


@needs_sites
def test_hugo_kinds(initialised):
    root, out = initialised["gohugoio__hugoDocs"]
    kinds = kinds_of(root)
    assert [k["name"] for k in kinds] == ["functions", "quick-reference", "common", "commands", "news"]
    by_name = {k["name"]: k for k in kinds}
    assert by_name["commands"]["include"] == ["content/en/commands/**/*.md"]
    # Loose files at the top of the content folder, all records: that folder's `*.md`, not below.
    assert by_name["quick-reference"]["include"][:1] == ["content/en/*.md"]
    # Inside `content`, a folder named like a template folder is content (functions/resources).
    assert "content/en/functions/resources/Copy.md" in claimed(root, by_name["functions"])
    assert sum(len(claimed(root, k)) for k in kinds) == 992
    # Hugo reads keys in any case: `linktitle` (one page) is `linkTitle` (the others), not a typo.
    assert "unexpected key" not in out and "  keys match in any case, as Hugo reads them" in out
    functions = json.loads((root / by_name["functions"]["schema"]).read_text(encoding="utf-8"))
    assert functions["patternProperties"]["^(?!linkTitle$)[lL][iI][nN][kK][tT][iI][tT][lL][eE]$(?!\\n)"] == {
        "$ref": "#/properties/linkTitle"}


@needs_sites
@pytest.mark.parametrize("site, kind, rel, old, new, expected", [
    # a typo of a key: rejected at the key's line (and the real key is missing)
    ("gohugoio__hugoDocs", "functions", "content/en/functions/strings/Contains.md",
     "description:", "descripton:", [(2, 1, "required"), (3, 1, "additionalProperties")]),
    # a wrong type
    ("gohugoio__hugoDocs", "functions", "content/en/functions/strings/Contains.md",
     "title: strings.Contains", "title: [strings.Contains]", [(2, 1, "type")]),
    # an impossible date in a date field
    ("gohugoio__hugoDocs", "functions", "content/en/functions/strings/Contains.md",
     "title: strings.Contains\n", "title: strings.Contains\nexpiryDate: 2023-02-30\n", [(3, 1, "format")]),
    # an empty required value
    ("gohugoio__hugoDocs", "functions", "content/en/functions/strings/Contains.md",
     "description: Reports", "description: ''\nx: Reports", [(3, 1, "minLength"), (4, 1, "additionalProperties")]),
    ("jekyll__jekyll", "posts", "docs/_posts/2016-11-14-jekyll-3-3-1-released.markdown",
     "author: ", "autor: ", [(2, 1, "required"), (4, 1, "additionalProperties")]),
    ("jekyll__jekyll", "posts", "docs/_posts/2016-11-14-jekyll-3-3-1-released.markdown",
     "title: 'Jekyll", "title: ''\nx: 'Jekyll", [(2, 1, "minLength"), (3, 1, "additionalProperties")]),
])
def test_inferred_schemas_reject_injected_defects_at_the_exact_line(initialised, tmp_path, site, kind, rel, old,
                                                                     new, expected):
    root = tmp_path / site
    shutil.copytree(initialised[site][0], root)
    schema_kind = next(k for k in kinds_of(root) if k["name"] == kind)
    assert rel in claimed(root, schema_kind)
    assert schema_errors(root, schema_kind, rel) == []
    edit(root, rel, old, new)
    assert schema_errors(root, schema_kind, rel) == expected


NAMED_OUTLIERS = {
    "jekyll__jekyll": {
        ("docs/_posts/2015-10-26-jekyll-3-0-released.markdown", 5, "CL102"),
        ("docs/_posts/2023-01-29-jekyll-3-9-3-released.markdown", 3, "CL100"),
        ("docs/_tutorials/index.md", 2, "CL101"),
    },
    "gohugoio__hugoDocs": {(f"content/en/{rel}", line, code) for rel, line, code in [
        ("functions/cast/ToInt.md", 2, "CL101"), ("functions/compare/Default.md", 2, "CL101"),
        ("functions/global/_index.md", 2, "CL101"), ("functions/images/QR.md", 2, "CL101"),
        ("functions/math/Sum.md", 2, "CL101"), ("functions/math/_index.md", 2, "CL101"),
        ("functions/resources/Copy.md", 2, "CL101"), ("methods/pager/_index.md", 2, "CL101"),
        ("methods/taxonomy/_index.md", 2, "CL101"), ("methods/time/Unix.md", 2, "CL101"),
    ]},
}


@needs_sites
@pytest.mark.parametrize("site", sorted(NAMED_OUTLIERS))
def test_check_after_init_reports_only_records_and_the_named_outliers(initialised, tmp_path, capsys, monkeypatch,
                                                                      site):
    root = tmp_path / site
    shutil.copytree(initialised[site][0], root)
    monkeypatch.chdir(root)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", "."], capsys)
    assert "Traceback" not in err and code == 1
    found = json.loads(out)
    records = {f for k in kinds_of(root) for f in claimed(root, k)}
    assert {f["path"].removeprefix("./") for f in found} <= records
    assert {(f["path"].removeprefix("./"), f["line"], f["code"]) for f in found
            if f["severity"] == "error"} == NAMED_OUTLIERS[site]
    assert not [f["message"] for f in found if "TODO" in f["message"]]  # init's notes are not quoted


@needs_sites
@pytest.mark.parametrize("site, rel, edits, expected", [
    ("gohugoio__hugoDocs", "content/en/functions/strings/Contains.md",
     [("description: Reports", "descripton: Reports"),  # a typo of a key
      ("title: strings.Contains\n", "title: ''\nexpiryDate: 2023-02-30\nweight: ten\n")],  # empty, date, type
     [("CL101", 2, 1), ("CL100", 2, 8), ("CL103", 3, 13), ("CL102", 4, 9), ("CL104", 5, 1)]),
    ("jekyll__jekyll", "docs/_posts/2016-11-14-jekyll-3-3-1-released.markdown",
     [("title: 'Jekyll 3.3.1 Released'", "title: ''"),  # an empty required value
      ("date: 2016-11-14 14:29:59", "date: 2016-02-30 14:29:59"),  # an impossible date
      ("author: parkr", "autor: parkr"),  # a typo of a key
      ("version: 3.3.1", "version: [3.3.1]")],  # a wrong type
     [("CL101", 2, 1), ("CL100", 2, 8), ("CL100", 3, 7), ("CL104", 4, 1), ("CL102", 5, 10)]),
])
def test_check_after_init_rejects_injected_defects_at_the_exact_line(initialised, tmp_path, capsys, monkeypatch,
                                                                     site, rel, edits, expected):
    """The real `contentlint check` with the schemas `init` wrote: each injected
    defect is one error at its own line and column (the missing real key of a
    typo at the front matter's first key)."""
    root = tmp_path / site
    shutil.copytree(initialised[site][0], root)
    monkeypatch.chdir(root)
    assert run_cli(["check", "--no-cache", rel], capsys)[0] == 0
    for old, new in edits:
        edit(root, rel, old, new)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", rel], capsys)
    assert "Traceback" not in err and code == 1
    assert [(f["code"], f["line"], f["column"]) for f in json.loads(out)] == expected


# -- crafted folders -----------------------------------------------------------------


def make(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def post(i: int, **extra) -> str:
    lines = [f"title: Post {i}", f"date: {datetime.date(2024, 1, 1) + datetime.timedelta(days=i)}"] + [f"{k}: {v}" for k, v in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\nbody\n"


def test_two_runs_give_identical_files(tmp_path, capsys):
    files = {f"blog/p{i}.md": post(i) for i in range(12)} | {"README.md": "# readme\n"}
    outputs = []
    for name in ("a", "b"):
        root = make(tmp_path / name, files)
        code, out, _ = run_cli(["init", root], capsys)
        assert code == 0
        outputs.append((out, {p.relative_to(root).as_posix(): p.read_bytes()
                              for p in root.rglob("*") if p.suffix in (".toml", ".json")}))
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0][1]) == ["contentlint.toml", "schemas/blog.schema.json"]
    schema = json.loads(outputs[0][1]["schemas/blog.schema.json"])
    assert schema["required"] == ["date", "title"] and schema["properties"]["date"]["format"] == "date"


def test_never_overwrites_without_force(tmp_path, capsys):
    root = make(tmp_path, {f"blog/p{i}.md": post(i) for i in range(3)} | {"contentlint.toml": "# mine\n"})
    code, out, err = run_cli(["init", root], capsys)
    assert code == 2
    assert err == "contentlint: error: contentlint.toml exists: not overwritten (use --force to replace it)\n"
    assert (root / "contentlint.toml").read_text() == "# mine\n"
    assert not (root / "schemas").exists()
    code, _, _ = run_cli(["init", "--force", root], capsys)
    assert code == 0
    assert (root / "contentlint.toml").read_text().count("[[kinds]]") == 1


def test_an_existing_schema_alone_is_not_overwritten(tmp_path, capsys):
    root = make(tmp_path, {f"blog/p{i}.md": post(i) for i in range(3)} | {"schemas/blog.schema.json": "{}"})
    code, _, err = run_cli(["init", root], capsys)
    assert code == 2 and "schemas/blog.schema.json exists" in err
    assert (root / "schemas/blog.schema.json").read_text() == "{}" and not (root / "contentlint.toml").exists()


def test_schemas_folder_that_is_a_link_is_refused_even_with_force(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make(tmp_path / "repo", {f"blog/p{i}.md": post(i) for i in range(3)})
    (root / "schemas").symlink_to(outside)
    code, _, err = run_cli(["init", "--force", root], capsys)
    assert code == 2 and "refusing to write through it" in err
    assert list(outside.iterdir()) == []


def test_dry_run_writes_nothing(tmp_path, capsys):
    root = make(tmp_path, {f"blog/p{i}.md": post(i) for i in range(3)})
    code, out, _ = run_cli(["init", "--dry-run", root], capsys)
    assert code == 0 and out.endswith("dry run: nothing written\n")
    assert sorted(p.name for p in root.iterdir()) == ["blog"]


def test_outliers_are_listed_with_positions(tmp_path, capsys):
    # 60 records: one in fifty may disagree with a rule that still holds.
    files = {f"blog/p{i:02d}.md": post(i) for i in range(60)}
    files["blog/p03.md"] = "---\ntitle: Post 3\ndate: 2023-02-30\n---\n"
    files["blog/p04.md"] = "---\ntitle: ''\ndate: 2024-01-05\n---\n"
    files["blog/p05.md"] = "---\ntitle: Post 5\n---\n"
    files["blog/p06.md"] = "---\ntitle: Post 6\ndate: 2024-01-07\n  bad: [\n---\n"
    files["blog/p07.md"] = "\ufeff---\ntitle: Hello: world\n---\n"  # a BOM: still at the syntax error
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", "--dry-run", root], capsys)
    assert code == 0
    assert out.split("likely defects)\n")[1] == (
        "blog/p03.md:3:1: [blog] `date` is not a valid date: \"2023-02-30\"\n"
        "blog/p04.md:2:1: [blog] `title` is empty\n"
        "blog/p05.md:2:1: [blog] missing `date`, which the other records of this kind have\n"
        "blog/p06.md:4:6: [blog] front matter cannot be read; not used to infer the schema\n"
        "blog/p07.md:2:13: [blog] front matter cannot be read; not used to infer the schema\n"
        "dry run: nothing written\n"
    )


def test_below_fifty_records_every_record_must_agree(tmp_path, capsys):
    files = {f"blog/p{i:02d}.md": post(i) for i in range(12)}
    files["blog/p04.md"] = "---\ntitle: ''\ndate: 2024-01-05\n---\n"
    files["blog/p05.md"] = "---\ntitle: Post 5\n---\n"
    root = make(tmp_path, files)
    run_cli(["init", root], capsys)
    schema = json.loads((root / "schemas/blog.schema.json").read_text())
    assert schema["required"] == ["title"] and "minLength" not in schema["properties"]["title"]


def test_gitignore_hidden_and_template_folders_are_not_records(tmp_path, capsys):
    files = {f"site/blog/p{i}.md": post(i) for i in range(3)}
    files |= {"site/.gitignore": "drafts/\n", "site/drafts/d.md": post(9), ".github/ISSUE.md": post(8),
              "site/_layouts/default.html": "---\nlayout: base\n---\n<html>\n", "site/blog/README.md": "# no front matter\n",
              "site/blog/node_modules/x.md": post(7)}
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0
    (kind,) = kinds_of(root)
    assert kind["include"] == ["site/blog/**/*.md"]
    assert kind["exclude"] == ["site/blog/README.md", "site/blog/node_modules/"]
    assert claimed(root, kind) == [f"site/blog/p{i}.md" for i in range(3)]


def test_hostile_names_are_escaped_in_globs_and_toml(tmp_path, capsys):
    folder = 'we[ir]d "sec*tion"\\'
    files = {f"{folder}/p{i}.md": post(i) for i in range(3)}
    files |= {"#top.md": "---\nname: top\n---\n", "wexrd/p.md": "---\nother: 1\n---\n"}
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0
    kinds = kinds_of(root)  # valid TOML
    by_name = {k["name"]: k for k in kinds}
    assert claimed(root, by_name["we-ir-d-sec-tion"]) == [f"{folder}/p{i}.md" for i in range(3)]
    assert claimed(root, by_name["pages"]) == ["#top.md"]
    assert claimed(root, by_name["wexrd"]) == ["wexrd/p.md"]


def test_kinds_by_folder_similar_key_sets_merge(tmp_path, capsys):
    files = {f"news/n{i}.md": post(i, author="a") for i in range(6)}
    files |= {f"blog/b{i}.md": post(i, author="b", tags="[x]") for i in range(4)}
    files |= {f"team/t{i}.md": f"---\nname: P{i}\nrole: dev\n---\n" for i in range(3)}
    root = make(tmp_path, files)
    run_cli(["init", root], capsys)
    assert [(k["name"], k["include"]) for k in kinds_of(root)] == [
        ("news", ["blog/**/*.md", "news/**/*.md"]),
        ("team", ["team/**/*.md"]),
    ]


def test_loose_records_are_claimed_by_their_folders_glob_where_they_outnumber_other_files(tmp_path, capsys):
    """A flat notes vault: the next note is claimed and checked. A site's top
    with as many READMEs as pages: by name, so the next README is not."""
    notes = {f"Note {i}.md": f"---\ntags: [n]\ncreated: 2023-10-{i:02d}\n---\n" for i in range(1, 13)}
    root = make(tmp_path / "vault", {**notes, "README.md": "# readme\n"})
    run_cli(["init", root], capsys)
    ((include, exclude),) = [(k["include"], k["exclude"]) for k in kinds_of(root)]
    assert (include, exclude) == (["/*.md"], ["/README.md"])
    (root / "Note 13.md").write_text("---\ntags: 5\ncreated: yesterday\n---\n", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "x.md").write_text("# not claimed: another folder\n", encoding="utf-8")
    assert [(f["path"], f["code"]) for f in check_json([root], capsys, "--config", root / "contentlint.toml")[1]] == [
        (f"{root}/Note 13.md", "CL102"), (f"{root}/Note 13.md", "CL103")]

    site = {f"posts/p{i}.md": post(i) for i in range(6)}
    site |= {"about.md": "---\ntitle: About\n---\n", "README.md": "# site\n", "CHANGELOG.md": "# changes\n"}
    root = make(tmp_path / "site", site)
    run_cli(["init", root], capsys)
    assert sorted(i for k in kinds_of(root) for i in k["include"]) == ["/about.md", "posts/**/*.md"]
    # A name at the top is anchored: a theme's about.md, a post's README.md are not it.
    for name in ("vendor/theme/about.md", "posts/README.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("---\ntitle: 7\n---\n")
    claimed_now = [p for k in kinds_of(root) for p in claimed(root, k)]
    assert "vendor/theme/about.md" not in claimed_now and "posts/README.md" in claimed_now


def test_no_records_writes_nothing(tmp_path, capsys):
    root = make(tmp_path, {"README.md": "# hello\n"})
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0 and "nothing to write" in out and not (root / "contentlint.toml").exists()


def test_not_a_folder(tmp_path, capsys):
    code, _, err = run_cli(["init", tmp_path / "missing"], capsys)
    assert code == 2 and err.startswith("contentlint: error:") and "is not a folder" in err


def test_empty_front_matter_is_a_record_without_keys(tmp_path, capsys):
    files = {f"blog/p{i}.md": post(i) for i in range(3)} | {"blog/empty.md": "---\n# Do not remove front matter.\n---\n"}
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0 and "0 outliers" in out
    (kind,) = kinds_of(root)
    assert "blog/empty.md" in claimed(root, kind)
    assert "required" not in json.loads((root / "schemas/blog.schema.json").read_text())



def test_a_planted_temporary_file_name_is_never_written_through(tmp_path, capsys):
    # The old name was predictable (`contentlint.toml.<pid>.tmp`, the pid of this very process).
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("keep\n")
    root = make(tmp_path / "repo", {f"blog/p{i}.md": post(i) for i in range(3)})
    for rel in ("contentlint.toml", "schemas/blog.schema.json"):
        planted = root / f"{rel}.{os.getpid()}.tmp"
        planted.parent.mkdir(exist_ok=True)
        planted.symlink_to(outside / "victim")
    code, _, err = run_cli(["init", root], capsys)
    assert (code, err) == (0, "")
    assert (outside / "victim").read_text() == "keep\n"
    assert not (root / "contentlint.toml").is_symlink()
    assert (root / "contentlint.toml").read_text().count("[[kinds]]") == 1
    assert sorted(p.name for p in (root / "schemas").iterdir()) == [
        "blog.schema.json", f"blog.schema.json.{os.getpid()}.tmp"]  # the planted link stays, unused


@pytest.mark.parametrize("rel", ["contentlint.toml", "schemas/blog.schema.json"])
def test_a_target_that_is_a_link_is_refused_even_with_force(tmp_path, capsys, rel):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("keep\n")
    root = make(tmp_path / "repo", {f"blog/p{i}.md": post(i) for i in range(3)})
    (root / rel).parent.mkdir(exist_ok=True)
    (root / rel).symlink_to(outside / "victim")
    code, _, err = run_cli(["init", "--force", root], capsys)
    assert code == 2
    assert err == f"contentlint: error: {rel} is a link: refusing to write through it or replace it\n"
    assert (outside / "victim").read_text() == "keep\n" and (root / rel).is_symlink()
    assert not (root / "contentlint.toml").exists() or (root / "contentlint.toml").is_symlink()



@pytest.mark.parametrize("marker, any_case", [
    ({"hugo.toml": "title = 'Site'\n"}, True),  # Hugo's configuration
    ({"config/_default/hugo.yaml": "title: Site\n"}, True),
    ({"content/blog/_index.md": "---\ntitle: Blog\n---\n"}, True),  # a section index page in `content`
    # Zola has section index pages too, but reads keys as written.
    ({"content/blog/_index.md": "+++\ntitle = 'Blog'\n+++\n", "config.toml": "base_url = 'https://a.org'\n"}, False),
    ({"content/blog/_index.md": "+++\ntitle = 'Blog'\n+++\n", "zola.toml": "base_url = 'https://a.org'\n"}, False),
    ({"content/blog/_index.md": "---\ntitle: Blog\n---\n", "config.toml": "baseURL = 'https://a.org'\n"}, True),
    ({"content/blog/_index.md": "---\ntitle: Blog\n---\n", "config.toml": "base_url = [\n"}, True),  # unreadable

    ({}, False),  # Jekyll, Astro, ...: keys are case-sensitive there
])
def test_keys_in_any_case_only_on_a_hugo_site(tmp_path, capsys, monkeypatch, marker, any_case):
    files = {f"content/blog/p{i:02d}.md": f"---\ntitle: Post {i}\nlinkTitle: P{i}\n---\n" for i in range(12)}
    files["content/blog/p05.md"] = "---\nTitle: Post 5\nlinktitle: P5\n---\n"
    files.update(marker)
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0
    schema = json.loads((root / "schemas/blog.schema.json").read_text())
    if any_case:  # the page is Hugo's and Hugo reads it like the others: no outlier, and `check` agrees
        assert "0 outliers" in out and "patternProperties" in schema
        assert "\n  keys match in any case, as Hugo reads them\n" in out
        monkeypatch.chdir(root)
        assert run_cli(["check", "--no-cache", "content"], capsys)[0] == 0
    else:
        assert "content/blog/p05.md:2:1: [blog] unexpected key `Title`: a typo of a key the other records use?" in out
        assert "patternProperties" not in schema and "allOf" not in schema and "any case" not in out


def test_a_zola_site_in_a_subfolder_is_no_hugo_site(tmp_path, capsys):
    # Zola's own repository keeps its site in `docs/` (config.toml, content/).
    files = {f"docs/content/blog/p{i:02d}.md": f"+++\ntitle = 'Post {i}'\n+++\n" for i in range(12)}
    files |= {"docs/content/blog/_index.md": "+++\ntitle = 'Blog'\n+++\n",
              "docs/config.toml": "base_url = 'https://a.org'\n"}
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0 and "any case" not in out
    files["docs/config.toml"] = "baseURL = 'https://a.org'\n"  # Hugo's, there
    root = make(tmp_path / "hugo", files)
    assert "keys match in any case" in run_cli(["init", root], capsys)[1]


def test_toml_front_matter_with_dates_is_inferred_as_date_time_text(tmp_path, capsys):
    """Hugo's TOML archetype (`date = 2024-01-05T10:00:00Z`, `+++`): init
    once ended in a traceback on the date (a TOML datetime is not JSON)."""
    files = {f"content/posts/p{i:02d}.md": f"+++\ntitle = 'Post {i}'\ndate = 2024-01-{i % 28 + 1:02d}T10:00:00Z\n"
             f"draft = false\n+++\nBody.\n" for i in range(60)}  # 60: one may disagree
    files["content/posts/p05.md"] = "+++\ntitle = 'Post 5'\ndate = 2024-01-06T10:00:00\ndraft = false\n+++\n"
    root = make(tmp_path, {**files, "hugo.toml": "baseURL = 'https://example.org/'\n"})
    code, out, err = run_cli(["init", root], capsys)
    assert code == 0 and "Traceback" not in err
    schema = json.loads((root / "schemas/posts.schema.json").read_text())
    assert schema["properties"]["date"]["format"] == "date-time"
    # the local date-time (no offset) is the outlier, at its line
    assert out.split("likely defects)\n")[1].splitlines()[0] == (
        "content/posts/p05.md:3:1: [posts] `date` is not a valid date-time: \"2024-01-06T10:00:00\"")


def test_a_key_required_in_any_case_is_described_when_missing(tmp_path, capsys, monkeypatch):
    """The `then` of `init`'s any-case requirement declares no properties: the
    message still quotes the key's description from its object's `properties`."""
    files = {f"content/blog/p{i:02d}.md": f"---\ntitle: Post {i}\n---\n" for i in range(12)}
    root = make(tmp_path, {**files, "hugo.toml": "title = 'Site'\n"})
    assert run_cli(["init", root], capsys)[0] == 0
    schema_path = root / "schemas/blog.schema.json"
    schema = json.loads(schema_path.read_text())
    schema["properties"]["title"]["description"] = "The page's title, shown in menus."
    schema_path.write_text(json.dumps(schema))
    (root / "content/blog/p00.md").write_text("---\nsummary: x\n---\n")
    monkeypatch.chdir(root)
    code, out, _ = run_cli(["check", "--no-cache", "--select", "CL101", "content/blog/p00.md"], capsys)
    assert out.splitlines()[0] == ("content/blog/p00.md:2:1: error: CL101 missing required field `title`: "
                                   "The page's title, shown in menus.")


@pytest.mark.parametrize("folder", ["scaffolds", "Templates", "_templates"])
def test_hexo_scaffolds_and_note_templates_are_templates_not_records(tmp_path, capsys, folder):
    files = {f"source/_posts/p{i}.md": post(i) for i in range(3)}
    files[f"{folder}/post.md"] = "---\ntitle: {{ title }}\ndate: {{ date }}\ntags:\n---\n"
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0 and f"not scanned (templates, data, build output): {folder}" in out
    (kind,) = kinds_of(root)
    assert claimed(root, kind) == [f"source/_posts/p{i}.md" for i in range(3)]


def test_a_docs_section_named_templates_is_content(tmp_path, capsys):
    # A template gallery (`docs/templates/invoice.md`) is pages, as `docs/guides/` is.
    files = {f"docs/{section}/{name}.md": post(i) for i, (section, name) in enumerate(
        [("guides", "a"), ("guides", "b"), ("templates", "invoice"), ("templates", "resume")])}
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0 and "not scanned" not in out and out.startswith("4 records in 1 kind")


def test_hugo_archetypes_are_templates_not_records(tmp_path, capsys):
    """Hugo's archetypes are Go templates of front matter (`{{ .Date }}`):
    neither a kind nor a sample record that schemas are inferred from."""
    files = {f"content/posts/p{i}.md": post(i) for i in range(3)}
    files |= {"hugo.toml": "baseURL = 'https://example.org/'\n",
              "archetypes/posts.md": '---\ntitle: "{{ replace .Name "-" " " | title }}"\ndate: {{ .Date }}\n---\n',
              "archetypes/default.md": "+++\ndate = '{{ .Date }}'\ndraft = true\n+++\n"}
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0
    assert "not scanned (templates, data, build output): archetypes" in out
    (kind,) = kinds_of(root)
    assert claimed(root, kind) == [f"content/posts/p{i}.md" for i in range(3)]
    assert "archetypes" not in out.split("not scanned")[0]


def test_a_broken_attempt_at_front_matter_is_a_record_its_kind_claims(tmp_path, capsys, monkeypatch):
    """A post saved as Windows-1252 and one whose block is never closed are
    records (as `check` decides): listed as outliers and claimed, so `check`
    reports them, instead of excluded as files without front matter."""
    files = {f"_posts/p{i}.md": post(i) for i in range(3)}
    files |= {"_posts/cafe.md": b'---\r\ntitle: "Caf\xe9 cr\xe8me"\r\ndate: 2024-01-10\r\n---\r\nBody\r\n',
              "_posts/unclosed.md": "---\ntitle: Forgot to close\ndate: 2024-01-11\n\nBody\n",
              "_posts/README.md": "Just a readme\n",
              "legal/LICENSE.txt": b"Copyright \xa9 2003 Example\n"}  # not UTF-8, but no front matter: no record
    root = make(tmp_path, files)
    code, out, _ = run_cli(["init", root], capsys)
    assert code == 0 and out.startswith("5 records in 1 kind; 2 files without front matter are not records\n")
    assert ("_posts/cafe.md:2:12: [posts] front matter cannot be read; not used to infer the schema\n"
            "_posts/unclosed.md:1:1: [posts] front matter cannot be read; not used to infer the schema\n") in out
    (kind,) = kinds_of(root)
    assert kind["exclude"] == ["_posts/README.md"]
    monkeypatch.chdir(root)
    code, out, _ = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)] == [
        ("./_posts/cafe.md", 2, 12, "CL001"), ("./_posts/unclosed.md", 1, 1, "CL002")]


@pytest.mark.parametrize("layout", ["content/posts/{}/index.md", "files/en-us/web/api/{}/index.md",
                                    "posts/{}/index.qmd"])
def test_page_bundles_are_claimed_by_their_folder_so_the_next_one_is_checked(tmp_path, capsys, layout):
    """Hugo bundles, MDN pages, Quarto posts: one folder per page. A glob per
    page folder would leave the next page unclaimed, and unchecked."""
    files = {layout.format(slug): f'---\ntitle: "{slug}"\ndate: 2024-01-0{i}\n---\nx\n'
             for i, slug in enumerate(["first", "second", "third"], 1)}
    root = make(tmp_path, files)
    run_cli(["init", root], capsys)
    section = layout.split("/{}")[0]
    ((include, name),) = [(k["include"], k["name"]) for k in kinds_of(root)]
    assert include == [f"{section}/**/*.{layout.rsplit('.', 1)[1]}"]
    assert name == section.rsplit("/", 1)[-1]
    new = root / layout.format("new")
    new.parent.mkdir()
    new.write_text('---\ntitle: "a"\ntitle: "b"\ndate: 2024-01-04\n---\n')
    found = check_json([root], capsys, "--config", root / "contentlint.toml")[1]
    assert [(f["path"].rsplit("/", 2)[-2], f["code"]) for f in found] == [("new", "CL004")]
