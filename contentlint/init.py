"""`contentlint init`: scan a repository, propose kinds, infer their schemas,
write `contentlint.toml` and `schemas/<kind>.schema.json`, print what was found.

One direction: scan (files -> records) -> propose (records -> kinds) ->
infer (kinds -> schemas, contentlint.infer) -> outliers (records the schemas
reject, with positions) -> print and write. Decisions: docs/init.md.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Any, Iterator

from contentlint import document, gitignore
from contentlint.config import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from contentlint.linear_regex import matchable
from contentlint.problems import BYTE_ORDER_MARK
from contentlint.discover import temp_name
from contentlint.frontmatter import head_of, read_regular, starts_like_record
from contentlint.gitignore import Ignores
from contentlint.infer import infer_schema
from contentlint.report.escape import line_start, no_command, printable
from contentlint.yamlparse import YamlError, compose

EXIT_OK, EXIT_ERROR = 0, 2
CONFIG_NAME = "contentlint.toml"
SCHEMA_FOLDER = "schemas"
# Templates, data and build output: files there may have front matter
# (Jekyll layouts do; Hugo's archetypes, Hexo's scaffolds and an Obsidian
# vault's note templates are templates of it, `{{ .Date }}`, which neither
# parse nor infer as records) but they are not content records. Inside a
# folder named `content` (Hugo's, Astro's) every folder is content,
# whatever its name.
TEMPLATE_FOLDERS = frozenset({"_layouts", "_includes", "layouts", "partials", "_data", "assets", "static",
                              "node_modules", "_site", "public", "resources", "archetypes", "scaffolds",
                              "Templates", "_templates"})  # not `templates`: docs sites hold pages about them there
# Hugo reads front-matter keys in any case (`linktitle` is `linkTitle`): a
# site is Hugo's when it has Hugo's configuration, or section index pages
# (`_index.md`, a Hugo convention) inside a `content` folder.
HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
HUGO_SECTION_INDEX = re.compile(r"(?:^|/)content/(?:.+/)?_index\.[^/]+\Z")
# Two folders are one kind when their usual keys overlap this much (Jaccard).
SIMILAR_KEYS = 0.5
# Larger files are not read: a record is a few KB (see document.MAX_FRONT_MATTER_CHARS).
MAX_FILE_BYTES = 16 * 1024 * 1024


class InitError(Exception):
    """Refused: a file would be overwritten, or the target is unsafe (exit 2)."""


@dataclass
class Record:
    path: str  # relative to the root, `/`-separated
    doc: Any  # contentlint.document.Document (or a later format's equivalent)

    @property
    def data(self) -> dict | None:
        if self.doc.ok:
            return self.doc.data
        return {} if self.doc.data is None and _empty(self.doc) else None


def _empty(doc) -> bool:
    """A front-matter block with nothing in it (blank, or comments only)."""
    if doc.fm_start < 0 or [code for code, _ in doc.problems if code != "CL005"] != ["CL006"]:
        return False
    try:
        return compose(doc.text[doc.fm_start:doc.fm_end]) is None
    except YamlError:
        return False


def read_record(path: str, raw: bytes):
    """A record read as `check` reads it (YAML, TOML or JSON front matter),
    or None when the file is none. A broken attempt at one (not UTF-8, a
    block never closed) is a record, as `check` decides
    (``starts_like_record``): its kind claims it, so `check` reports it."""
    doc = document.load(path, raw)
    return doc if doc.fm_start >= 0 or starts_like_record(head_of(raw)) else None


@dataclass
class Scan:
    records: list[Record] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # content-like files without front matter
    skipped_folders: list[str] = field(default_factory=list)  # template/data folders not entered


def scan(root: str) -> Scan:
    found = Scan()
    for rel in _walk(root, found):
        raw = read_regular(os.path.join(root, rel), MAX_FILE_BYTES + 1)  # never blocks on a FIFO
        if raw is None:
            continue
        doc = None if len(raw) > MAX_FILE_BYTES else read_record(rel, raw)
        if doc is None:
            found.others.append(rel)
        else:
            found.records.append(Record(rel, doc))
    return found


def _walk(root: str, found: Scan) -> Iterator[str]:
    """Content files under root, sorted, folder by folder (pre-order),
    honouring every .gitignore on the way. A stack, not recursion: a hostile
    checkout may nest folders deeper than Python's recursion limit."""
    stack = [("", Ignores.at_root(root), False)]  # (folder, the ignore files in force, inside a `content` folder)
    while stack:
        rel, ignores, in_content = stack.pop()
        folder = os.path.join(root, rel)
        if rel:
            ignores = ignores.enter(folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        folders = []
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if entry.name.startswith(".") or entry.is_symlink() or ignores.ignored(entry.path, is_dir):
                continue
            if is_dir:
                if entry.name in TEMPLATE_FOLDERS and not in_content:
                    found.skipped_folders.append(path)
                elif entry.name not in DEFAULT_EXCLUDE and not os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")):
                    folders.append((path, ignores, in_content or entry.name == "content"))
            elif any(fnmatch(entry.name, pattern) for pattern in DEFAULT_INCLUDE) and _encodable(path):
                yield path
        stack.extend(reversed(folders))


def hugo_site(root: str, found: Scan) -> bool:
    """Whether Hugo builds this checkout (it reads front-matter keys in any case)."""
    configs = [os.path.join(root, name) for name in HUGO_CONFIGS]
    configs += [os.path.join(root, "config", "_default", name) for name in HUGO_CONFIGS]
    if any(os.path.isfile(path) for path in configs):
        return True
    # A section index page's site is the folder holding its `content` folder
    # (Zola's own repository keeps its site in `docs/`).
    sites = {record.path[:index.start() + index.group().startswith("/")]
             for record in found.records if (index := HUGO_SECTION_INDEX.search(record.path))}
    return any(not _zola_site(os.path.join(root, site)) for site in sites)


def _zola_site(root: str) -> bool:
    """Whether Zola builds this checkout: it has `content/**/_index.md`
    section pages as Hugo has, but reads front-matter keys as written. Its
    configuration is `zola.toml`, or a `config.toml` with `base_url` (Hugo's
    is `baseURL`, and Hugo knows no `base_url`)."""
    if os.path.isfile(os.path.join(root, "zola.toml")):
        return True
    raw = read_regular(os.path.join(root, "config.toml"), MAX_FILE_BYTES + 1)
    if raw is None or len(raw) > MAX_FILE_BYTES:
        return False
    from contentlint.config import tomllib

    try:
        return "base_url" in tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False


def _encodable(path: str) -> bool:
    """A name TOML can hold (not bytes that are not UTF-8): others are not claimed."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- proposing kinds -------------------------------------------------------------


@dataclass
class Kind:
    name: str
    folders: list[str]  # the sections (or "" for loose files) it holds
    records: list[Record]
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    schema: dict = field(default_factory=dict)
    any_case: bool = False  # keys match in any case (Hugo)

    @property
    def schema_path(self) -> str:
        return f"{SCHEMA_FOLDER}/{self.name}.schema.json"


def propose(found: Scan) -> list[Kind]:
    """Kinds by folder: one group per section (the first folder below the
    folder all records share), sections with similar usual keys merged."""
    records = found.records
    if not records:
        return []
    base = _common_folder([r.path for r in records])
    if base and (all(r.path.count("/") == base.count("/") + 1 for r in records) or _bundles(records, base)):
        # One folder of records, or of page bundles (`posts/<slug>/index.md`):
        # it is the section, so the next record or bundle is claimed too.
        base = base.rsplit("/", 1)[0] if "/" in base else ""
    sections: dict[str, list[Record]] = {}
    for record in records:
        below = record.path[len(base) + 1:] if base else record.path
        sections.setdefault(below.split("/")[0] if "/" in below else "", []).append(record)
    order = sorted(sections, key=lambda s: (-len(sections[s]), s))
    kinds: list[tuple[frozenset, Kind]] = []
    having: dict[str, list[int]] = {}  # key -> the kinds whose founding keys hold it
    for section in order:
        keys = _usual_keys(sections[section])
        # Only a kind sharing a key can be similar: asked of those alone, so
        # 20,000 folders of different keys cost no 20,000 x 20,000 comparisons.
        candidates = sorted({i for key in keys for i in having.get(key, ())})
        best = max(candidates, key=lambda i: _jaccard(kinds[i][0], keys), default=None)
        if best is not None and _jaccard(kinds[best][0], keys) >= SIMILAR_KEYS:
            kinds[best][1].folders.append(section)
            kinds[best][1].records.extend(sections[section])
        else:
            for key in keys:
                having.setdefault(key, []).append(len(kinds))
            kinds.append((keys, Kind(section, [section], list(sections[section]))))
    result = [kind for _, kind in kinds]
    _name(result)
    for kind in result:
        kind.records.sort(key=lambda r: r.path)
        _globs(kind, base, found)
    return result


_BUNDLE_INDEX = re.compile(r"_?index\.[^./]+")


def _bundles(records: list[Record], base: str) -> bool:
    """Whether the records are page bundles below ``base``: each an `index.*`
    (or a branch's `_index.*`) in a folder of its own, in two folders or more
    (Hugo's bundles, MDN's `web/api/<name>/index.md`, Quarto's posts)."""
    folders = set()
    for record in records:
        folder, _, name = record.path.rpartition("/")
        if not _BUNDLE_INDEX.fullmatch(name):
            return False
        if folder != base:
            folders.add(folder[len(base) + 1:].split("/")[0])
    return len(folders) >= 2


def _common_folder(paths: list[str]) -> str:
    folders = [p.rsplit("/", 1)[0] if "/" in p else "" for p in paths]
    common = os.path.commonpath(folders) if all(folders) else ""
    return common.replace(os.sep, "/")


def _usual_keys(records: list[Record]) -> frozenset:
    """Keys present in more than half of the readable records."""
    data = [r.data for r in records if r.data is not None]
    counts = Counter(key for d in data for key in d)
    return frozenset(k for k, c in counts.items() if c * 2 > len(data))


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _name(kinds: list[Kind]) -> None:
    """After the folder (the largest, for merged ones): lower-case letters,
    digits and `-`, unique; loose files at the top are "pages"."""
    taken: set[str] = set()
    for kind in kinds:
        stem = re.sub(r"[^a-z0-9]+", "-", kind.folders[0].lower()).strip("-") or "pages"
        name, number = stem, 2
        while name in taken:
            name, number = f"{stem}-{number}", number + 1
        taken.add(name)
        kind.name = name


def _globs(kind: Kind, base: str, found: Scan) -> None:
    """A section folder is claimed by extension. Loose files too, in the
    folder only (`notes/*.md`, `/*.md`), when records outnumber the files of
    that extension there without front matter (a flat notes vault: the next
    note is claimed); else by name (a site's `about.md` beside README.md and
    CHANGELOG.md, which a glob would claim as they come). Whatever else the
    globs would claim (files without front matter, template folders) is
    excluded by name."""
    prefix = f"{base}/" if base else ""
    for section in sorted(kind.folders):
        if section:
            extensions = sorted({_extension(r.path) for r in kind.records if r.path.startswith(f"{prefix}{section}/")})
            kind.include.extend(f"{_escape(prefix + section)}/**/*{_escape(ext)}" for ext in extensions)
            continue
        level = prefix.count("/")
        loose = [r.path for r in kind.records if r.path.count("/") == level]
        for ext in sorted({_extension(p) for p in loose}):
            named = [p for p in loose if _extension(p) == ext]
            beside = [p for p in found.others if p.startswith(prefix) and p.count("/") == level and _extension(p) == ext]
            if ext and len(named) > len(beside):
                kind.include.append(f"{_escape(prefix) if prefix else '/'}*{_escape(ext)}")
            else:
                kind.include.extend(_literal(p) for p in named)
    folders = [prefix + section + "/" for section in kind.folders if section]
    kind.exclude = [_escape(p) + "/" for p in found.skipped_folders if p.startswith(tuple(folders))]
    spec = gitignore.spec(kind.include)
    kind.exclude += [_literal(p) for p in found.others if spec.match_file(matchable(p))]
    kind.exclude.sort()


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[name.rfind("."):] if "." in name[1:] else ""


def _literal(path: str) -> str:
    """One file as a pattern: a name at the top is anchored (`/about.md`), or
    it would also claim or exclude `vendor/theme/about.md`."""
    return _escape(path) if "/" in path else "/" + _escape(path)


def _escape(text: str) -> str:
    """A literal path as a gitignore pattern: glob characters lose their meaning."""
    text = re.sub(r"([\\*?\[\]])", r"\\\1", text)
    if text.endswith(" "):  # trailing spaces are trimmed unless escaped
        text = text[:-1] + "\\ "
    return "\\" + text if text.startswith(("#", "!")) else text


# -- outliers ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Outlier:
    path: str
    line: int
    column: int
    kind: str
    message: str


def outliers(kind: Kind) -> list[Outlier]:
    """The records the kind's schema rejects: they disagree with the majority."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(kind.schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = []
    for record in kind.records:
        doc = record.doc
        if record.data is None:
            # Where it cannot be read: a byte order mark (CL005) is no reason.
            offset = next((v.start for code, v in doc.problems if code != BYTE_ORDER_MARK), doc.opener[0])
            found.append(_at(record, kind, offset, "front matter cannot be read; not used to infer the schema"))
            continue
        for error in validator.iter_errors(record.data):
            found.extend(_explain(record, kind, error))
    return sorted(set(found))


def _at(record: Record, kind: Kind, offset: int, message: str) -> Outlier:
    position = record.doc.position(offset)
    return Outlier(record.path, position.line, position.column, kind.name, message)


def _offset(doc, path: tuple) -> int:
    """Where a value's key is (or the value, for list items and the root)."""
    span = doc.span(path)
    if span is None:
        return doc.value_span(path)[0]
    return span.key_start if span.key_start is not None else span.start


def _explain(record: Record, kind: Kind, error) -> list[Outlier]:
    from contentlint.validation import describe_path

    path = tuple(error.absolute_path)
    name = describe_path(path)
    doc = record.doc
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return [_at(record, kind, _offset(doc, path), f"missing `{k}`, which the other records of this kind have")
                for k in missing]
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        return [_at(record, kind, _offset(doc, path + (k,)), f"unexpected key `{k}`: a typo of a key the other records use?")
                for k in error.instance if k not in known]
    value = error.instance
    messages = {
        "type": f"`{name}` is {_a(value)} where the other records have {_expected(error.validator_value)}",
        "format": f"`{name}` is not a valid {error.validator_value}: {_short(value)}",
        "pattern": f"`{name}` does not have the shape of the other records' values: {_short(value)}",
        "enum": f"`{name}` is {_short(value)}, not one of the values the other records use",
        "minLength": f"`{name}` is empty",
        "minItems": f"`{name}` is an empty list",
    }
    return [_at(record, kind, _offset(doc, path), messages.get(error.validator, error.message))]


def _a(value: Any) -> str:
    from contentlint.infer import json_type

    kind = json_type(value)
    return "null" if kind == "null" else ("an " if kind[0] in "aeiou" else "a ") + kind


def _expected(types: Any) -> str:
    return " or ".join(types) if isinstance(types, list) else types


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# -- the command -----------------------------------------------------------------------


def run(root: str = ".", force: bool = False, dry_run: bool = False, out=None) -> int:
    out = out or sys.stdout
    if not os.path.isdir(root):
        raise InitError(f"{root} is not a folder")
    found = scan(root)
    kinds = propose(found)
    any_case = hugo_site(root, found)
    for kind in kinds:
        kind.any_case = any_case
        data = [r.data for r in kind.records if r.data is not None]
        folders = ", ".join(f"`{f}`" if f else "the top folder" for f in sorted(kind.folders))
        kind.schema = infer_schema(
            data, title=kind.name, any_case=any_case,
            description=f"Inferred by `contentlint init` from {len(data)} records in {folders}; edit freely."
            + (" Keys match in any case, as Hugo reads them." if any_case else ""))
    found_outliers = sorted(o for kind in kinds for o in outliers(kind))
    files = {CONFIG_NAME: config_text(kinds)}
    files.update({kind.schema_path: json.dumps(kind.schema, indent=2, ensure_ascii=False) + "\n" for kind in kinds})
    if not dry_run:
        _check_targets(root, files, force)
    out.write(summary(found, kinds, found_outliers))
    if not kinds:
        out.write("no records (files starting with a front-matter block) found: nothing to write\n")
        return EXIT_OK
    if dry_run:
        out.write("dry run: nothing written\n")
        return EXIT_OK
    for rel, text in files.items():
        try:
            _write(os.path.join(root, rel), text)
        except OSError as exc:
            raise InitError(f"cannot write {rel}: {exc.strerror or exc}") from None
    out.write(f"wrote {CONFIG_NAME} and {len(kinds)} schema{'s' if len(kinds) != 1 else ''} in {SCHEMA_FOLDER}/; "
              "next: contentlint check\n")
    return EXIT_OK


def _check_targets(root: str, files: dict, force: bool) -> None:
    folder = os.path.join(root, SCHEMA_FOLDER)
    if os.path.islink(folder) or (os.path.lexists(folder) and not os.path.isdir(folder)):
        raise InitError(f"{SCHEMA_FOLDER} is not a folder (a link or a file): refusing to write through it")
    for rel in files:
        if os.path.islink(os.path.join(root, rel)):
            raise InitError(f"{rel} is a link: refusing to write through it or replace it")
    if force:
        return
    for rel in files:
        if os.path.lexists(os.path.join(root, rel)):
            raise InitError(f"{rel} exists: not overwritten (use --force to replace it)")


def _write(path: str, text: str) -> None:
    """Atomic: a reader sees the old file or the new one, never half of it. The
    temporary file has a random name (discover.temp_name) and is created with
    O_EXCL|O_NOFOLLOW: a planted file or symlink of that name is never written
    through (a checkout may hold anything)."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = os.path.join(folder, temp_name(os.path.basename(path)))
        try:
            fd = os.open(temp, flags, 0o666)  # the umask applies, as for any new file
            break
        except FileExistsError:
            continue
    else:
        raise InitError(f"no free temporary name for {path}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def config_text(kinds: list[Kind]) -> str:
    lines = ["# Written by `contentlint init` (docs/init.md): the kinds of records in this",
             "# repository, the globs that claim their files, and the schema inferred for each.",
             "# Files no kind claims are not records and are not checked. Edit freely."]
    for kind in kinds:
        lines += ["", "[[kinds]]", f"name = {_toml(kind.name)}", f"include = {_toml_list(kind.include)}"]
        if kind.exclude:
            lines.append(f"exclude = {_toml_list(kind.exclude)}")
        lines.append(f"schema = {_toml(kind.schema_path)}")
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def _toml_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "[" + ", ".join(_toml(i) for i in items) + "]"
    return "[\n" + "".join(f"  {_toml(i)},\n" for i in items) + "]"


def summary(found: Scan, kinds: list[Kind], found_outliers: list[Outlier]) -> str:
    """What init found, in a fixed order; every name from the checkout escaped."""
    records = sum(len(k.records) for k in kinds)
    others = len(found.others)
    lines = [f"{records} record{'s' if records != 1 else ''} in {len(kinds)} kind{'s' if len(kinds) != 1 else ''}; "
             + (f"{others} files without front matter are not records" if others != 1
                else "1 file without front matter is not a record")]
    if found.skipped_folders:
        lines.append("not scanned (templates, data, build output): " + ", ".join(found.skipped_folders))
    for kind in kinds:
        lines += ["", f"kind {kind.name}: {len(kind.records)} records, schema {kind.schema_path}"]
        lines += [f"  include {p}" for p in kind.include] + [f"  exclude {p}" for p in kind.exclude]
        if kind.any_case:
            lines.append("  keys match in any case, as Hugo reads them")
        lines += ["  " + row for row in _field_rows(kind.schema)]
    lines += ["", f"{len(found_outliers)} outliers (records that disagree with the majority: likely defects)"]
    lines = [no_command(printable(line)) for line in lines]
    lines += [f"{line_start(o.path)}:{o.line}:{o.column}: [{printable(o.kind)}] {printable(o.message)}"
              for o in found_outliers]
    return "\n".join(lines) + "\n"


def _field_rows(schema: dict, prefix: str = "") -> Iterator[str]:
    required = set(schema.get("required", ()))  # and, keys in any case, those required unless in another case
    required.update(key for part in schema.get("allOf", ()) for key in part.get("then", {}).get("required", ()))
    for key, field_schema in schema.get("properties", {}).items():
        name = prefix + key
        types = field_schema.get("type", "any")
        facts = ["|".join(types) if isinstance(types, list) else types]
        facts.append("required" if key in required else "optional")
        if "format" in field_schema:
            facts.append(f"format {field_schema['format']}")
        if "pattern" in field_schema:
            facts.append("date-time pattern")
        if "enum" in field_schema:
            facts.append("one of " + ", ".join(field_schema["enum"]))
        items = field_schema.get("items", {})
        for keyword in ("format", "enum"):
            if keyword in items:
                facts.append(f"items: {keyword} " + (", ".join(items[keyword]) if keyword == "enum" else items[keyword]))
        yield f"{name}: " + ", ".join(facts)
        yield from _field_rows(field_schema, name + ".")
        if "properties" in items:
            yield from _field_rows(items, name + "[].")
