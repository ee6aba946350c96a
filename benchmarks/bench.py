#!/usr/bin/env python3
"""contentlint's benchmark: every figure is a ratio against a peer measured in the same run.

    python benchmarks/bench.py                    # 10,000 generated records
    python benchmarks/bench.py -n 2000 --invalid-share 0.34   # a third invalid, 24-28 KB each
    python benchmarks/bench.py --records ../shared/corpus    # any folder of real records
    python benchmarks/bench.py --memory-scale     # also peak memory at 5x the files
    python benchmarks/bench.py --worst            # only the worst records (issue 17)

On the same files, one after the other:

  (a) parse floor   read + split + parse every file with the fastest C YAML
                    loader available (PyYAML's CSafeLoader, else libyaml via
                    ruamel.yaml), in this one process
  (b) cold          `contentlint check` with an empty cache, all default rules,
                    with `--jobs 1` (per-core efficiency: it does not depend on
                    the machine's core count) and with the default jobs
  (c) warm          the same again, nothing changed (cache warm)
  (d) peer          `check-jsonschema --schemafile schemas/article.schema.json`
                    on the front matter extracted to .yaml files (its best
                    case); on a sample when there are many files, scaled
  (e) one file      `contentlint check --no-cache FILE` against
                    `check-jsonschema` on that one record; and the pre-commit
                    case: a changed file, the repository's cache present

Commands run as subprocesses (the `contentlint` console script, as users run
it); wall time is measured around each, the fastest of ``--repeat`` runs (3)
is kept (the one least disturbed by other work on a shared machine; cold runs
get a new cache folder each time), peak memory is the largest resident set
of the command and its workers. Targets (issue
17): cold --jobs 1 <= 1.3x floor, cold default jobs <= 0.7x floor, warm <=
0.02x cold, >= 15x the peer's throughput with 2 jobs, one file without a
cache >= 3x faster than the peer; peak memory at 5x files <= 1.3x (issue 6).

Worst records (``--worst``, issue 17): three single records built to make
super-linear per-record work show (``generate.py --worst``): 60,000 keys
with trailing spaces, 25,000 duplicate related entries, 30,000 unused
suppressions. For each, `check`, `fix --diff` and `fix --unsafe-fixes` (on a
fresh copy) against the record's parse floor (read + PyYAML C load of the
same file, best of 3). Target: each under 10 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.S | re.M)  # LF and CRLF records

# Runs a command and prints "<seconds> <peak KiB of it and its children>".
_MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, check=True).stdout.split()
    return float(out[0]), int(out[1])


def parse_floor(files: list[Path]) -> float:
    try:
        import yaml

        class Loader(yaml.CSafeLoader):
            pass

        Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)

        def parse(text):
            return yaml.load(text, Loader=Loader)
    except (ImportError, AttributeError):  # no PyYAML with libyaml: libyaml via ruamel
        from ruamel.yaml import YAML

        parse = YAML(typ="safe", pure=False).load
    start = time.perf_counter()
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        match = FENCE.match(text)
        if match:
            try:
                parse(match.group(1))
            except Exception:
                pass
    return time.perf_counter() - start


def extract_yaml(files: list[Path], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in files:
        match = FENCE.match(path.read_bytes().decode("utf-8", errors="replace"))
        if match:
            target = folder / (path.stem + ".yaml")
            target.write_text(match.group(1), encoding="utf-8")
            out.append(target)
    return out


def contentlint_exe() -> list[str]:
    """The command users run: the console script pip installed beside this
    Python (no runpy), else ``python -m contentlint``."""
    script = Path(sys.executable).parent / "contentlint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "contentlint"]


def contentlint_cmd(*args: str) -> list[str]:
    return [*contentlint_exe(), "check", "--exit-zero", *args]


def best(repeat: int, once) -> tuple[float, int]:
    """The fastest of ``repeat`` runs (the least disturbed by other work on
    the machine) and the largest peak memory seen."""
    runs = [once(i) for i in range(repeat)]
    return min(s for s, _ in runs), max(k for _, k in runs)


def peer_cmd(files: list[Path]) -> list[str] | None:
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not os.path.exists(exe):
        return None
    return [exe, "--schemafile", str(REPO / "schemas" / "article.schema.json"), *map(str, files)]


def run(files: list[Path], work: Path, peer_sample: int, label: str, repeat: int = 3) -> dict:
    n = len(files)
    folder = str(files[0].parent)
    results: dict = {"files": n, "label": label, "repeat": repeat}
    results["floor"] = min(parse_floor(files) for _ in range(repeat))
    results["cold1"], _ = best(repeat, lambda i: measure(
        contentlint_cmd("--jobs", "1", "--cache-dir", str(work / f"cache1-{i}"), folder)))
    results["cold"], results["cold_kib"] = best(repeat, lambda i: measure(
        contentlint_cmd("--cache-dir", str(work / f"cache-{i}"), folder)))
    cache = work / "cache-0"
    results["warm"], results["warm_kib"] = best(repeat, lambda i: measure(contentlint_cmd("--cache-dir", str(cache), folder)))
    yaml_files = extract_yaml(files, work / "yaml")
    sample = yaml_files[:peer_sample]
    cmd = peer_cmd(sample)
    if cmd is not None:
        seconds, _ = best(repeat, lambda i: measure(cmd))
        results["peer"] = seconds * len(yaml_files) / len(sample)
        results["peer_files"] = len(yaml_files)  # records with front matter to extract
        results["peer_sampled"] = len(sample) < len(yaml_files)
        one_peer = peer_cmd(yaml_files[:1])
        results["one_peer"] = min(measure(one_peer)[0] for _ in range(5))
    # One file, no cache (a first run, CI on one file), then the pre-commit
    # case: a changed file in a repository whose cache exists.
    results["one_cold"] = min(measure(contentlint_cmd("--no-cache", str(files[0])))[0] for _ in range(5))
    changed = work / "one" / files[0].name
    changed.parent.mkdir(parents=True, exist_ok=True)

    def edit_and_check(i: int) -> float:  # a new edit each time: never a cache hit
        changed.write_bytes(files[0].read_bytes() + b"\nAn edited body line, edit %d.\n" % i)
        return measure(contentlint_cmd("--cache-dir", str(cache), str(changed)))[0]

    results["one"] = min(edit_and_check(i) for i in range(5))
    return results


def report(r: dict) -> str:
    n = r["files"]
    floor = r["floor"]
    rows = [
        ("(a) parse floor, 1 process", floor, n, ""),
        ("(b1) contentlint check, cold, --jobs 1", r["cold1"], n, f"{r['cold1'] / floor:.2f}x floor (target <= 1.3)"),
        ("(b) contentlint check, cold, default jobs", r["cold"], n, f"{r['cold'] / floor:.2f}x floor (target <= 0.7)"),
        ("(c) contentlint check, warm", r["warm"], n, f"{r['warm'] / r['cold']:.3f}x cold (target <= 0.02)"),
    ]
    if "peer" in r:
        note = " (sampled, scaled)" if r["peer_sampled"] else ""
        peer_rate = r["peer_files"] / r["peer"]
        rows.append((f"(d) check-jsonschema, .yaml{note}", r["peer"], r["peer_files"],
                     f"contentlint cold is {(n / r['cold']) / peer_rate:.1f}x its throughput (target >= 15), "
                     f"{(n / r['cold1']) / peer_rate:.1f}x with --jobs 1"))
    lines = [f"{r['label']}: {n:,} files, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
             f"best of {r['repeat']} runs each, load average {os.getloadavg()[0]:.1f}",
             f"{'':44} {'seconds':>9} {'files/s':>9}"]
    for name, seconds, count, note in rows:
        lines.append(f"{name:44} {seconds:9.2f} {count / seconds:9.0f}  {note}")
    one = f"(e) one file, no cache: contentlint {r['one_cold'] * 1000:.0f} ms"
    if "one_peer" in r:
        one += (f", check-jsonschema {r['one_peer'] * 1000:.0f} ms "
                f"({r['one_peer'] / r['one_cold']:.2f}x faster; target >= 3)")
    lines.append(one)
    lines.append(f"(e) one changed file, cache present: {r['one'] * 1000:.0f} ms")
    lines.append(f"peak memory: cold {r['cold_kib'] / 1024:.0f} MiB, warm {r['warm_kib'] / 1024:.0f} MiB")
    return "\n".join(lines)


WORST_COMMANDS = (
    ("check", ["check", "--exit-zero"]),
    ("fix --diff", ["fix", "--diff"]),
    ("fix --unsafe-fixes", ["fix", "--unsafe-fixes"]),
)
WORST_TARGET = 10.0  # seconds, each command on each record


def worst(work: Path) -> list[dict]:
    """Time each command on each worst record (issue 17), with its parse floor."""
    folder = work / "worst"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--worst", str(folder), "-q"], check=True)
    rows = []
    for path in sorted(folder.iterdir()):
        row = {"name": path.name, "bytes": path.stat().st_size,
               "floor": min(parse_floor([path]) for _ in range(3))}
        for label, args in WORST_COMMANDS:
            target = path
            if "fix" in args and "--diff" not in args:  # it writes: a fresh copy each time
                target = work / "worst-fixed" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            row[label] = measure([*contentlint_exe(), *args, "--no-cache", str(target)])[0]
        rows.append(row)
    return rows


def worst_report(rows: list[dict]) -> str:
    lines = [f"worst records: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
             f"seconds (x parse floor); target < {WORST_TARGET:.0f} s each",
             f"{'record':26} {'KB':>5} {'floor':>6}" + "".join(f" {label:>24}" for label, _ in WORST_COMMANDS)]
    for row in rows:
        cells = "".join(f" {row[label]:8.2f} s ({row[label] / row['floor']:6.1f}x)"
                        + (" " if row[label] < WORST_TARGET else "!") for label, _ in WORST_COMMANDS)
        lines.append(f"{row['name']:26} {row['bytes'] // 1000:5} {row['floor']:6.2f}{cells}")
    return "\n".join(lines)


def generate(out: Path, count: int, seed: int, sources: list[str], invalid_share: float = 0.0) -> list[Path]:
    cmd = [sys.executable, str(HERE / "generate.py"), str(out), "-n", str(count), "--seed", str(seed), "-q",
           "--invalid-share", str(invalid_share)]
    for source in sources:
        cmd += ["--source", source]
    subprocess.run(cmd, check=True)
    return sorted(out.glob("*.txt"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--count", type=int, default=10_000, help="generated records (default 10000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--source", action="append", default=[], help="extra real records to generate from")
    ap.add_argument("--records", "--corpus", dest="records", metavar="DIR",
                    help="benchmark this folder of real records (.md/.txt, searched recursively) instead of generated ones")
    ap.add_argument("--invalid-share", type=float, default=0.0, metavar="F",
                    help="generated records: this share 24-28 KB with one schema defect (generate.py)")
    ap.add_argument("--peer-sample", type=int, default=1000, help="files given to check-jsonschema (scaled)")
    ap.add_argument("--memory-scale", action="store_true", help="also compare peak memory at 5x the files")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    ap.add_argument("--repeat", type=int, default=3, metavar="R",
                    help="run each measurement R times and keep the fastest (default 3)")
    ap.add_argument("--worst", action="store_true", help="only the worst records (issue 17)")
    args = ap.parse_args(argv)
    # As `pip install` does: without bytecode (PYTHONDONTWRITEBYTECODE, a
    # source checkout) every run would compile contentlint's sources, ~80 ms.
    import compileall
    import contentlint

    compileall.compile_dir(os.path.dirname(contentlint.__file__), quiet=1)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="contentlint-bench-"))
    try:
        if args.worst:
            print(worst_report(worst(work)))
            return 0
        if args.records:
            files = sorted(p for p in Path(args.records).rglob("*") if p.suffix in (".md", ".txt") and p.name != "README.md")
            flat = work / "corpus"
            flat.mkdir(parents=True, exist_ok=True)
            for i, path in enumerate(files):  # one folder, unique names, like a generated set
                shutil.copyfile(path, flat / f"{i:05d}-{path.name}")
            files = sorted(flat.iterdir())
            label = f"records {args.records}"
        else:
            files = generate(work / "records", args.count, args.seed, args.source, args.invalid_share)
            label = f"generated (seed {args.seed}, invalid share {args.invalid_share})"
        result = run(files, work / "run", args.peer_sample, label, max(1, args.repeat))
        print(report(result))
        if args.memory_scale:
            big = generate(work / "records5x", len(files) * 5, args.seed, args.source, args.invalid_share)
            _, small_kib = measure(contentlint_cmd("--no-cache", str(files[0].parent)))
            _, big_kib = measure(contentlint_cmd("--no-cache", str(big[0].parent)))
            print(f"peak memory, no cache: {len(files):,} files {small_kib / 1024:.0f} MiB, "
                  f"{len(big):,} files {big_kib / 1024:.0f} MiB ({big_kib / small_kib:.2f}x; target <= 1.3)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
