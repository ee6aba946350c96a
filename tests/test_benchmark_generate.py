"""The benchmark corpus generator (benchmarks/generate.py, issue 6 item 1)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "generate.py"
CORPUS = REPO.parent / "shared" / "corpus"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


def _load_generator():
    spec = importlib.util.spec_from_file_location("benchmark_generate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def run(*args) -> subprocess.CompletedProcess:
    """Run the script as a user would: a separate interpreter, no imports."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def manifest(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {row["name"]: row for row in rows}


def front_matter(data: bytes) -> str:
    text = data.decode("utf-8").replace("\r\n", "\n")
    fm = gen.split_record(text)
    assert fm is not None
    return fm


def load_yaml(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


@pytest.fixture(scope="module")
def corpus200(tmp_path_factory):
    """200 records from the default sources (seeds/), with manifest and yaml."""
    root = tmp_path_factory.mktemp("gen200")
    out, yaml_dir, man = root / "out", root / "yaml", root / "manifest.jsonl"
    result = run(out, "-n", 200, "--seed", 1, "--extract-yaml", yaml_dir, "--manifest", man)
    assert result.returncode == 0, result.stderr
    return out, yaml_dir, manifest(man), json.loads(result.stderr)


def test_same_seed_gives_byte_identical_output(tmp_path, corpus200):
    out, _, _, _ = corpus200
    again = tmp_path / "again"
    result = run(again, "-n", 200, "--seed", 1, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    first, second = files(out), files(again)
    assert len(first) == 200
    assert list(first) == list(second)
    assert first == second


def test_other_seed_gives_other_records(tmp_path, corpus200):
    out, _, _, _ = corpus200
    other = tmp_path / "other"
    assert run(other, "-n", 20, "--seed", 2, "-q").returncode == 0
    first = files(out)
    assert not set(files(other).values()) & set(first.values())


def test_prefix_of_a_bigger_corpus_is_identical(tmp_path, corpus200):
    out, _, _, _ = corpus200
    small = tmp_path / "small"
    assert run(small, "-n", 50, "--seed", 1, "-q").returncode == 0
    first = files(out)
    assert all(first[name] == data for name, data in files(small).items())


def test_every_file_is_a_front_matter_record(corpus200):
    out, _, man, _ = corpus200
    for name, data in files(out).items():
        assert re.fullmatch(r"\d{5}_[0-9a-f]{16}\.txt", name)
        crlf = man[name]["crlf"]
        eol = b"\r\n" if crlf else b"\n"
        assert data.startswith(b"---" + eol), name
        lines = data.split(eol)
        assert b"---" in lines[1:], f"{name}: no closing --- line"
        # front matter only: nothing but an empty line after the closing ---
        assert data.endswith(eol + b"---" + eol + eol), name
        if crlf:
            assert b"\n" not in data.replace(b"\r\n", b""), f"{name}: mixed line endings"
        else:
            assert b"\r" not in data, name
        assert data.decode("utf-8").replace("\r\n", "\n").startswith("---\n")


def test_size_mix(corpus200):
    out, _, man, stats = corpus200
    sizes = [len(d) for d in files(out).values()]
    mean = sum(sizes) / len(sizes)
    assert 8_000 <= mean <= 12_500, mean
    in_range = sum(2_048 <= s < 12_288 for s in sizes)
    assert in_range >= 0.75 * len(sizes)
    big = [name for name, data in files(out).items() if len(data) >= 60_000]
    assert 1 <= len(big) <= 4  # 1 per 100 files
    for name in big:
        assert len(files(out)[name]) <= 125_000
        assert man[name]["related"] >= 100
        assert files(out)[name].count(b"\n  - title: ") >= 100
    assert max(sizes) <= 125_000
    assert stats["files"] == 200 and stats["bytes"] == sum(sizes)


def test_crlf_share(corpus200):
    _, _, man, _ = corpus200
    crlf = sum(row["crlf"] for row in man.values())
    assert crlf == 6  # 3 per 100 files, like the real corpus (2.3 %)


def test_defect_share_and_kinds(corpus200):
    out, _, man, _ = corpus200
    data = files(out)
    defective = {name: row["defect"] for name, row in man.items() if row["defect"]}
    assert len(defective) == 10  # 5 per 100 files
    assert set(defective.values()) <= set(gen.DEFECT_KINDS)
    assert len(set(defective.values())) >= 5
    for name, kind in defective.items():
        text = data[name].decode("utf-8").replace("\r\n", "\n")
        head = text.split("\n\n", 1)[0]
        title = next(line for line in head.split("\n") if line.startswith("title: "))
        excerpt = next(line for line in head.split("\n") if line.startswith("excerpt: "))
        if kind == "mojibake-title":
            assert "\u00e2\u20ac" in title
        elif kind == "html-entity-excerpt":
            assert re.search(r"&(amp|#39);", excerpt)
        elif kind == "duplicate-related-url":
            urls = [gen.url_key(u) for u in re.findall(r'\n    webUrl: "(.*)"', text)]
            assert len(urls) != len(set(urls))
        elif kind == "url-trailing-space":
            assert re.search(r'(?m)^ *(webUrl|originalUrl): "\S+ "$', text)
        elif kind == "missing-cdn-amp-url":
            assert text.count("ampWebUrl: ") - text.count("cdnAmpWebUrl: ") == 1
        elif kind == "invisible-char-title":
            assert re.search("[\u200b\u2060\ufeff]", title)
        elif kind == "null-topic":
            assert "\n  - \n" in text
        load_yaml(front_matter(data[name]))  # still parses: a finding, not a crash


def test_clean_records_follow_the_conventions(corpus200):
    """The 95 % without an injected defect must not trip the linter's rules."""
    out, _, man, _ = corpus200
    seen_urls = set()
    for name, data in files(out).items():
        record = load_yaml(front_matter(data))
        assert isinstance(record, dict)
        for key in ("category", "title", "excerpt", "publishedDateTime", "type", "provider", "topics", "secured"):
            assert key in record, (name, key)
        if man[name]["defect"]:
            continue
        text = front_matter(data)
        assert not re.search(r"&(#\d+|[a-z]+);|\u00e2\u20ac|[\u200b-\u200f\u2060\ufeff]", text), name
        assert all(record["topics"])
        if "webUrl" in record:
            assert record["webUrl"] not in seen_urls  # no duplicate articles
            seen_urls.add(record["webUrl"])
        related = record.get("related") or []
        qualities = [entry["quality"] for entry in related]
        assert qualities == sorted(qualities, reverse=True), name  # CL601
        keys = [gen.url_key(entry["webUrl"]) for entry in related]
        assert len(keys) == len(set(keys)), name  # CL300
        if "webUrl" in record:
            assert gen.url_key(record["webUrl"]) not in keys  # CL301
        for item in [record, *related]:
            assert ("ampWebUrl" in item) == ("cdnAmpWebUrl" in item)
            if "ampWebUrl" in item:
                assert gen.amp_cache_url(item["ampWebUrl"]) == item["cdnAmpWebUrl"]
            url = item.get("webUrl") or item["originalUrl"]
            assert url == url.strip() and gen.clean_url(url)
            assert gen.domain_matches(item["provider"]["domain"], url)


def test_extract_yaml_writes_the_front_matter(corpus200):
    out, yaml_dir, _, _ = corpus200
    records = files(out)
    extracted = files(yaml_dir)
    assert sorted(extracted) == sorted(n[:-4] + ".yaml" for n in records)
    for name, data in records.items():
        fm = extracted[name[:-4] + ".yaml"]
        assert gen.front_matter_bytes(data) == fm
        assert not fm.startswith(b"---") and not fm.rstrip().endswith(b"---")
        assert load_yaml(fm.decode("utf-8"))["title"]


def test_extract_from_existing_records(tmp_path):
    dest = tmp_path / "yaml"
    result = run("--extract-from", REPO / "seeds", "--extract-yaml", dest)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr) == {"written": 2, "skipped": 0}
    for seed in (REPO / "seeds").iterdir():
        fm = (dest / (seed.stem + ".yaml")).read_bytes()
        assert fm == gen.front_matter_bytes(seed.read_bytes())


def test_rerun_replaces_earlier_output(tmp_path):
    out = tmp_path / "out"
    assert run(out, "-n", 5, "-q").returncode == 0
    five = sorted(p.name for p in out.iterdir())
    assert run(out, "-n", 3, "-q").returncode == 0  # no leftovers from the bigger run
    assert sorted(p.name for p in out.iterdir()) == five[:3]


def test_refuses_foreign_files_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.md").write_text("x", encoding="utf-8")
    result = run(out, "-n", 3, "-q")
    assert result.returncode != 0 and "did not generate" in result.stderr
    assert list(out.iterdir()) == [out / "keep.md"]
    stale = out / "99999_0123456789abcdef.txt"
    stale.write_text("old", encoding="utf-8")
    assert run(out, "-n", 3, "-q", "--force").returncode == 0
    assert not stale.exists()  # files generated earlier are replaced
    assert (out / "keep.md").exists()  # anything else is left alone
    assert len(list(out.glob("*.txt"))) == 3


def test_usage_errors(tmp_path):
    assert run().returncode == 2
    assert run(tmp_path / "x", "--source", tmp_path / "missing").returncode == 2
    assert run("--extract-from", REPO / "seeds").returncode == 2


@needs_corpus
def test_real_corpus_sources(tmp_path):
    out, man_path = tmp_path / "out", tmp_path / "m.jsonl"
    result = run(out, "-n", 300, "--seed", 7, "--source", CORPUS, "--manifest", man_path)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stderr)
    assert stats["pool"]["heads"] > 1000 and stats["pool"]["related_entries"] > 500
    man = manifest(man_path)
    seen = set()
    for name, data in files(out).items():
        record = load_yaml(front_matter(data))
        if man[name]["defect"] is None and "webUrl" in record:
            assert record["webUrl"] not in seen
            seen.add(record["webUrl"])
    assert 8_000 <= stats["mean_bytes"] <= 12_500


# -- worst records (issue 17) ------------------------------------------------------------


def test_worst_records_are_deterministic_and_within_the_limits(tmp_path):
    from contentlint.document import MAX_FRONT_MATTER_CHARS
    from contentlint.engine import MAX_FILE_BYTES

    for out in (tmp_path / "a", tmp_path / "b"):
        assert run(out, "--worst", "-q").returncode == 0
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert first == second
    assert sorted(first) == ["duplicate-related.txt", "trailing-spaces.txt", "unused-suppressions.txt"]
    for data in first.values():
        assert len(data) < MAX_FILE_BYTES
        assert len(front_matter(data)) < MAX_FRONT_MATTER_CHARS  # else one CL003 is all there is
    assert 800_000 <= len(first["trailing-spaces.txt"]) <= 860_000  # the record of the issue: ~830 KB


@pytest.mark.parametrize("build,count,expected", [
    ("worst_trailing_spaces", gen.WORST_TRAILING_KEYS, {"CL203": 40, "CL104": 40}),
    ("worst_duplicate_related", gen.WORST_DUPLICATE_RELATED, {"CL300": 40, "CL101": 6 * 41}),
    ("worst_unused_suppressions", gen.WORST_UNUSED_SUPPRESSIONS, {"CL009": 40}),
])
def test_worst_records_hold_one_finding_per_item(build, count, expected):
    from collections import Counter

    from contentlint import engine
    from contentlint.config import Settings

    text = getattr(gen, build)()
    assert text == getattr(gen, build)(count)  # the full record is the same builder at full count
    small = getattr(gen, build)(40)
    settings = Settings()
    _, result = engine.lint_bytes("worst.txt", small.encode(), engine.enabled_rules(settings), engine.Context(settings))
    assert Counter(d.code for d in result.diagnostics) == expected


def test_invalid_share_makes_large_invalid_records_and_leaves_the_others_alone(tmp_path, capsys):
    from tests.conftest import check_json

    plain, mixed = tmp_path / "plain", tmp_path / "mixed"
    gen.generate(plain, 100, seed=3, sources=[gen.default_source()])
    stats = gen.generate(mixed, 100, seed=3, sources=[gen.default_source()], manifest=tmp_path / "m.jsonl",
                         invalid_share=0.34)
    rows = {row["name"]: row for row in map(json.loads, (tmp_path / "m.jsonl").read_text().splitlines())}
    invalid = {name for name, row in rows.items() if row["defect"] in gen.SCHEMA_DEFECTS and row["bytes"] > 20_000}
    assert len(invalid) == 34 and sum(stats["defects"][k] for k in gen.SCHEMA_DEFECTS[:3]) >= 20
    for path in sorted(plain.iterdir()):
        if path.name not in invalid:
            assert (mixed / path.name).read_bytes() == path.read_bytes(), path.name
    _, found = check_json([mixed], capsys, "--select", "CL1")
    reported = {Path(f["path"]).name for f in found}
    assert invalid <= reported  # the others: an injected null topic or URL with a space (schema findings too)
    assert {rows[name]["defect"] for name in reported - invalid} <= {"null-topic", "url-trailing-space"}
