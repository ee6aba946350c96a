"""The article contract on the sibling repositories' news records.

`../shared/corpus-siblings/` holds records of the same publisher from other
repositories. The news records there (`SmartableAI__artificial-intelligence`,
`everyday-cc__ai`) are in the article format with legitimate variation the
corpus lacks (picture captions, pictures without `isCached`). With the default
configuration, this pins the findings per code and that every error-level
finding is a real defect named in docs/schema.md, not a legitimate variation.

`SmartableAI__algorithm` holds no news records (books, courses, coding
challenges, forms: docs/schema.md, "Not article records"). With no
configuration every file that starts with front matter is an article record
(the documented default), so its records get the article schema's errors,
pinned below; once a config gives them kinds of their own (the one `contentlint
init` writes), no error is left.
"""

from __future__ import annotations

from collections import Counter
import shutil
from pathlib import Path

import pytest

from contentlint.document import load
from contentlint.config import tomllib
from tests.conftest import REPO, SHARED, check_json, run_cli

SIBLINGS = SHARED / "corpus-siblings"
NEWS_REPOS = ("SmartableAI__artificial-intelligence", "everyday-cc__ai")
pytestmark = pytest.mark.skipif(not SIBLINGS.is_dir(), reason="../shared/corpus-siblings not present")

NEWS_FILES = 30  # 19 + 11

EXPECTED_COUNTS = {
    "CL303": 1,  # the site-relative logo address (below); the schema's `pattern` (CL100) gives way to it
    "CL302": 2,  # warnings: the provider is not the linked site (not the schema's)
}

LEUKEMIA = "everyday-cc__ai/_archive/_news/2019-12-23-artificial-intelligence-tracks-down-leukemia.md"
# Every error-level finding: (file, line, column, code) -> message. Each is a
# real defect explained in docs/schema.md, "Sibling repositories".
ERRORS = {
    (LEUKEMIA, 16, 12, "CL303"): "URL has no scheme (expected http:// or https://)",
}


def news_files() -> list[Path]:
    return sorted(p for repo in NEWS_REPOS for p in (SIBLINGS / repo).rglob("*.md"))


@pytest.fixture(scope="module")
def default_config(tmp_path_factory):
    """A folder with an empty config file: the defaults, whatever lies above the checkout."""
    folder = tmp_path_factory.mktemp("defaults")
    (folder / ".contentlint.toml").write_text("", encoding="utf-8")
    return folder


@pytest.fixture
def check(default_config, monkeypatch, capsys):
    monkeypatch.chdir(default_config)
    return lambda paths: check_json(paths, capsys)


def _relative(finding: dict) -> str:
    return Path(finding["path"]).relative_to(SIBLINGS).as_posix()


def test_the_news_records_are_the_surveyed_ones():
    files = news_files()
    assert len(files) == NEWS_FILES
    for path in files:
        doc = load(str(path), path.read_bytes())
        assert doc.problems == [] and doc.data["category"] == "news", path
        assert "_news" in path.relative_to(SIBLINGS).parts, path


def test_counts_per_code_with_the_default_config(check):
    code, found = check([SIBLINGS / repo for repo in NEWS_REPOS])
    assert dict(Counter(f["code"] for f in found)) == EXPECTED_COUNTS
    assert code == 1  # the one real defect


def test_every_error_is_a_named_defect(check):
    _, found = check([SIBLINGS / repo for repo in NEWS_REPOS])
    errors = {(_relative(f), f["line"], f["column"], f["code"]): f["message"]
              for f in found if f["severity"] == "error"}
    assert errors == ERRORS
    docs = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    for path, *_ in ERRORS:
        assert f"`{path}`" in docs


def test_files_without_a_defect_pass(check):
    """Captions and pictures without isCached made 15 of these files exit 1."""
    clean = [p for p in news_files() if p.relative_to(SIBLINGS).as_posix() != LEUKEMIA]
    code, found = check(clean)
    assert [f for f in found if f["severity"] == "error"] == []
    assert code == 0


def test_the_variation_is_really_there():
    """The pins above mean something only while the records carry the variation."""
    captions = without_is_cached = 0
    for path in news_files():
        data = load(str(path), path.read_bytes()).data
        pictures = list(data.get("images") or [])
        pictures += [image for entry in data.get("related") or [] for image in entry.get("images") or []]
        captions += sum("title" in picture for picture in pictures)
        without_is_cached += sum("isCached" not in picture for picture in pictures)
    assert (captions, without_is_cached) == (14, 20)


def test_algorithm_records_are_not_news():
    """Not one of them is an article record; they are listed in docs/schema.md by folder."""
    files = sorted((SIBLINGS / "SmartableAI__algorithm").rglob("*.md"))
    assert len(files) == 19
    folders = Counter(p.parent.relative_to(SIBLINGS / "SmartableAI__algorithm").as_posix() for p in files)
    assert folders == {"_learning/books": 5, "_learning/courses": 7, "_challenges": 4, "_forms": 3}
    for path in files:
        data = load(str(path), path.read_bytes()).data
        assert "category" not in data and "publishedDateTime" not in data, path


ALGORITHM = SIBLINGS / "SmartableAI__algorithm"
# With no kinds, the article schema judges books, courses, challenges and
# forms: errors by design of the default, not defects of the records.
ALGORITHM_AS_ARTICLES = {"CL100": 12, "CL101": 64, "CL104": 54, "CL303": 9, "CL203": 1, "CL302": 7}


def test_algorithm_with_the_default_config_is_judged_as_articles(check):
    code, found = check([ALGORITHM])
    assert dict(Counter(f["code"] for f in found)) == ALGORITHM_AS_ARTICLES
    assert len({f["path"] for f in found if f["severity"] == "error"}) == 19 and code == 1


def test_algorithm_records_checked_as_their_own_kinds(tmp_path, monkeypatch, capsys):
    """`contentlint init` then `contentlint check` on a copy: the records get
    kinds of their own, every one of the 19 is checked, and only real
    warnings of two kinds remain (a trailing space; `coursera.com` as the
    provider of seven `www.coursera.org` courses)."""
    root = tmp_path / "algorithm"
    shutil.copytree(ALGORITHM, root)
    monkeypatch.chdir(root)
    assert run_cli(["init"], capsys)[0] == 0
    kinds = tomllib.loads((root / "contentlint.toml").read_text(encoding="utf-8"))["kinds"]
    assert [(k["name"], k["include"]) for k in kinds] == [
        ("learning", ["_challenges/**/*.md", "_learning/**/*.md"]), ("forms", ["_forms/**/*.md"])]
    code, found = check_json(["."], capsys)
    assert code == 0
    assert sorted((f["path"].removeprefix("./"), f["line"], f["column"], f["code"]) for f in found) == [
        ("_learning/books/amazon-algorithms-algorithms_4.md", 3, 182, "CL203")] + [
        (f"_learning/courses/coursera-{name}.md", 15, 11, "CL302") for name in (
            "advanced-algorithms-and-complexity", "algorithms-on-graphs", "algorithms-part-i", "algorithms-part-ii",
            "computer-science-algorithms-theory-and-machines",
            "divide-and-conquer-sorting-and-searching-and-randomized-algorithms",
            "greedy-algorithms-minimum-spanning-trees-and-dynamic-programming")]
    # Every record is claimed by a kind and was checked: an injected defect is found.
    for rel in ("_challenges", "_forms", "_learning/books", "_learning/courses"):
        record = sorted((root / rel).glob("*.md"))[0]
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
        assert "CL104" in {f["code"] for f in check_json([record.relative_to(root)], capsys)[1]}, rel
