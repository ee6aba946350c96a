"""The one-file path (pre-commit, no cache) loads only what it needs.

The shipped schema is known good (tests/test_schema_contract.py checks it
against the metaschema), so a run does not import jsonschema to check it
again; a valid record never needs jsonschema; one file starts no process
pool, so multiprocessing stays unimported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from contentlint.validation import SchemaLoadError, default_schema_path, load_schema
from tests.conftest import SEEDS

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__import__("contentlint").__file__)))

HEAVY = ("jsonschema", "concurrent.futures.process", "multiprocessing")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_one_valid_file_imports_neither_jsonschema_nor_multiprocessing():
    record = sorted(SEEDS.glob("*.txt"))[0]
    modules = _modules_after(
        "from contentlint.cli import main\n"
        f"assert main(['check', '--no-cache', '--select', 'CL1', {str(record)!r}]) == 0\n")
    assert not [name for name in HEAVY if name in modules]


def test_shipped_schema_is_not_checked_again():
    assert "jsonschema" not in _modules_after("from contentlint.validation import load_schema\nload_schema(None)")


def test_a_copy_of_the_shipped_schema_elsewhere_is_checked(tmp_path):
    document = json.loads(open(default_schema_path(), "rb").read())
    document["properties"]["title"]["type"] = "text"  # not a JSON type
    path = tmp_path / "article.schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SchemaLoadError, match="not a valid JSON Schema"):
        load_schema(str(path))


def test_one_file_without_patterns_imports_no_pattern_matcher():
    # pathspec (~17 ms of imports) is loaded on the first pattern: a run
    # with no kinds and no ignore file to read never needs it.
    record = sorted(SEEDS.glob("*.txt"))[0]
    modules = _modules_after(
        "from contentlint.cli import main\n"
        f"main(['check', '--no-cache', {str(record)!r}])\n")
    assert "pathspec" not in modules


# The one-file path (pre-commit, an editor, a first run) imports only what
# the run uses: each of these is loaded by the command, format, option or
# finding that needs it (docs/performance.md, "Cold start").
NOT_ON_THE_ONE_FILE_PATH = (
    "jsonschema", "multiprocessing", "concurrent.futures.process",  # valid record, no pool
    "contentlint.online", "contentlint.online.settings", "httpx",  # --online
    "contentlint.stdin", "contentlint.api", "contentlint.fixer", "difflib",  # `-`, fix, an unknown key
    "contentlint.baseline", "contentlint.gitchanges", "subprocess",  # --baseline, --changed-since
    "contentlint.report.html", "contentlint.report.sarif", "contentlint.report.junit",  # --format
    "contentlint.report.json_format", "contentlint.report.github", "contentlint.report.gitlab",
    "contentlint.report.summary", "xml.etree.ElementTree",
    "contentlint.server", "pygls", "contentlint.init", "contentlint.infer", "contentlint.shard",
    "contentlint.show", "contentlint.add_suppressions",
    "importlib.resources",  # the shipped schema is found with importlib.util.find_spec
    "fractions",  # CL501's exact ratio, for an implausible image size only
    "encodings.idna", "stringprep",  # a host with a non-ASCII label
    "shutil", "bz2", "lzma",  # argparse's terminal width, asked only to print help
    "dataclasses", "inspect", "ast", "dis", "tokenize",  # no dataclass on the path, no inspect.cleandoc
    "sqlite3", "_sqlite3",  # --no-cache opens no result cache
    "tomllib", "tomli",  # no config file on the way up
)


def _one_file_run(tmp_path, *args: str) -> set[str]:
    """The modules of `python -m contentlint check --no-cache ARGS` (its own
    interpreter, from a folder with no config file on the way up)."""
    code = ("import runpy, sys\nsys.argv = ['contentlint', 'check', '--no-cache', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('contentlint', run_name='__main__')\nexcept SystemExit as exit:\n"
            "    print('exit', exit.code)\nprint('\\n'.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout
    assert "exit 0\n" in out
    return set(out.split())


def test_one_valid_file_imports_only_the_check(tmp_path):
    record = tmp_path / "record.md"
    record.write_bytes((SEEDS / "000_b69a69cbeae9117f.txt").read_bytes())
    modules = _one_file_run(tmp_path, "--exit-zero", str(record))
    assert "contentlint.engine" in modules and "contentlint.report.text" in modules  # it did check and report
    assert "contentlint.shipped_validator" in modules  # the shipped schema's validator, not compiled
    assert [name for name in NOT_ON_THE_ONE_FILE_PATH if name in modules] == []


def test_an_offline_run_ignores_the_network_options(tmp_path, monkeypatch):
    # The guard's exceptions are read (and a bad one is exit 2) with --online only.
    record = tmp_path / "record.md"
    record.write_bytes((SEEDS / "000_b69a69cbeae9117f.txt").read_bytes())
    monkeypatch.setenv("CONTENTLINT_ALLOW_NETWORKS", "intranet")
    modules = _one_file_run(tmp_path, "--exit-zero", "--resolve-override", "site.test", str(record))
    assert "contentlint.online.settings" not in modules


def test_each_report_filter_loads_its_module_when_asked(tmp_path):
    record = tmp_path / "record.md"
    record.write_bytes((SEEDS / "000_b69a69cbeae9117f.txt").read_bytes())
    baseline = tmp_path / "baseline.json"
    _one_file_run(tmp_path, "--write-baseline", str(baseline), str(record))
    modules = _one_file_run(tmp_path, "--baseline", str(baseline), str(record))
    assert "contentlint.baseline" in modules and "contentlint.gitchanges" not in modules


def test_options_is_built_without_dataclasses_codegen():
    # Options is a NamedTuple: frozen, with every field's default, and cheap to define.
    from contentlint.options import Options

    options = Options(command="check", paths=("a.md",))
    assert (options.command, options.paths, options.no_cache, options.root, options.jobs) == \
        ("check", ("a.md",), False, ".", None)
    with pytest.raises(AttributeError):
        options.no_cache = True  # type: ignore[misc]
    assert "__dataclass_fields__" not in vars(Options)


# The shipped schema's compiled validator is generated ahead
# (contentlint/shipped_validator.py): compiling it cost every process ~6 ms.

def _shipped_document() -> dict:
    return json.loads(open(default_schema_path(), "rb").read())


def test_the_shipped_validator_is_current():
    """Regenerate with `python -m contentlint.validation` when this fails. It
    is built from the shipped schema (checked in every environment) by one
    fastjsonschema release; under another (CI's lower bounds, a newer one)
    it is not used and the schema is compiled as any other."""
    import fastjsonschema

    from contentlint import shipped_validator
    from contentlint.validation import (SHIPPED_VALIDATOR, _built_from, _shipped, default_schema_path,
                                        format_checks, shipped_validator_source)

    document = json.loads(open(default_schema_path(), encoding="utf-8").read())
    formats = format_checks(document)
    assert shipped_validator.BUILT_FROM == _built_from(document, formats)
    if shipped_validator.VERSION != fastjsonschema.VERSION:
        assert _shipped(document, formats) is None
        return
    assert _shipped(document, formats) is not None
    with open(SHIPPED_VALIDATOR, encoding="utf-8", newline="") as handle:
        assert handle.read() == shipped_validator_source()


def _compiles(monkeypatch) -> list:
    import fastjsonschema

    calls = []
    real = fastjsonschema.compile
    monkeypatch.setattr(fastjsonschema, "compile", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def _verdict(fast, data) -> bool:
    try:
        fast(data)
        return True
    except Exception:  # fastjsonschema's JsonSchemaException
        return False


def test_the_shipped_schema_is_not_compiled(monkeypatch):
    import fastjsonschema

    from contentlint import shipped_validator
    if shipped_validator.VERSION != fastjsonschema.VERSION:  # CI's lower bounds: compiled, as the test below holds
        pytest.skip(f"shipped validator built by fastjsonschema {shipped_validator.VERSION}, "
                    f"this environment has {fastjsonschema.VERSION}")
    from contentlint.document import load
    from contentlint.validation import _compile_fast, _fastjsonschema_compile, format_checks

    document = _shipped_document()
    compiled = _fastjsonschema_compile(document, format_checks(document))
    calls = _compiles(monkeypatch)
    fast = _compile_fast(document)
    assert calls == [] and fast.func is shipped_validator.validate
    # Its verdicts are the compiled validator's, on valid and invalid records alike.
    records = [load(p.name, p.read_bytes()).data for p in sorted(SEEDS.glob("*.txt"))]
    records += [{**r, "webUrl": "not a url"} for r in records] + [{**r, "publishedDateTime": "2024-02-30T00:00:00Z"}
                                                                 for r in records]
    records += [{k: v for k, v in r.items() if k != "title"} for r in records]
    verdicts = [_verdict(fast, data) for data in records]
    assert True in verdicts and False in verdicts
    assert verdicts == [_verdict(compiled, data) for data in records]


@pytest.mark.parametrize("change", ["schema", "fastjsonschema"])
def test_another_schema_or_release_is_compiled(monkeypatch, change):
    import fastjsonschema

    from contentlint.validation import _compile_fast

    document = _shipped_document()
    if change == "schema":
        document["properties"]["title"]["maxLength"] = 7
    else:
        monkeypatch.setattr(fastjsonschema, "VERSION", "0.0.1")
    calls = _compiles(monkeypatch)
    fast = _compile_fast(document)
    assert len(calls) == 1
    if change == "schema":  # the compiled validator is the changed schema's
        with pytest.raises(Exception):
            fast({"type": "article", "title": "A long title", "webUrl": "https://example.com/a"})


def test_settings_without_a_config_file_import_no_toml_parser(tmp_path):
    # tomllib (~4 ms) is loaded by the first TOML read; `config.tomllib` still works.
    code = ("import sys\nfrom contentlint import config\n"
            f"settings = config.load_settings(cwd={str(tmp_path)!r})\n"
            "assert settings.config_file is None and 'tomllib' not in sys.modules and 'tomli' not in sys.modules\n"
            f"open({str(tmp_path / '.contentlint.toml')!r}, 'w').write('select = [\"CL1\"]')\n"
            f"assert config.load_settings(cwd={str(tmp_path)!r}).select == ('CL1',)\n"
            "assert config.tomllib.loads('a = 1') == {'a': 1}\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout == "ok\n", out.stderr


def test_the_parser_adds_only_the_named_commands_arguments():
    from contentlint.cli import build_parser, main

    def options(parser, command):
        subparser = parser._subparsers._group_actions[0].choices[command]
        return {flag for action in subparser._actions for flag in action.option_strings} - {"-h", "--help"}

    full, only = build_parser(), build_parser("check")
    assert options(only, "check") == options(full, "check") and "--no-cache" in options(only, "check")
    assert options(only, "fix") == set() and options(full, "fix") >= {"--diff", "--unsafe-fixes"}
    assert list(only._subparsers._group_actions[0].choices) == list(full._subparsers._group_actions[0].choices)
    with pytest.raises(SystemExit):  # an unknown first word is still argparse's error
        main(["chek", "a.md"])


# -- the start of a run (issue 17, eighth round): docs/performance.md --------------------------

def test_an_ascii_record_loads_no_openssl_binding(tmp_path):
    # SHA-256 and BLAKE2 come from their own modules: hashlib imports OpenSSL's
    # binding (~2 ms). A non-ASCII text loads ftfy, whose wcwidth imports
    # `secrets` (and hashlib with it): an ASCII record does not.
    record = tmp_path / "record.md"
    record.write_bytes((SEEDS / "000_b69a69cbeae9117f.txt").read_bytes().decode("utf-8").encode("ascii", "ignore"))
    modules = _one_file_run(tmp_path, "--exit-zero", str(record))
    assert "contentlint.shipped_validator" in modules and "contentlint.rules.links" in modules
    assert "ftfy" not in modules
    assert not modules & {"hashlib", "_hashlib", "hmac"}, modules


def test_the_digests_are_hashlibs():
    import hashlib

    from contentlint import amp_cache, validation
    from contentlint.rules import links

    for data in (b"", b"x", b"www.example.com", bytes(range(256)) * 300):
        assert validation.sha256(data).hexdigest() == amp_cache.sha256(data).hexdigest() == \
            hashlib.sha256(data).hexdigest()
        assert links.blake2b(data, digest_size=8).digest() == hashlib.blake2b(data, digest_size=8).digest()


def test_a_pyproject_without_the_table_is_not_parsed(tmp_path):
    # The walk for a config file reads the working folder's pyproject.toml; without
    # the bytes `contentlint` in it no TOML reading has the table: tomllib is not imported.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ruff]\nline-length = 99\n')
    record = tmp_path / "record.md"
    record.write_bytes((SEEDS / "000_b69a69cbeae9117f.txt").read_bytes())
    modules = _one_file_run(tmp_path, "--exit-zero", str(record))
    assert "tomllib" not in modules and "tomli" not in modules


TABLE_SPELLINGS = [  # each holds [tool.contentlint] for tomllib
    '[tool.contentlint]\nselect = ["CL1"]\n',
    '[ tool . contentlint ]\n',
    '[tool."contentlint"]\n',
    "[ 'tool' . 'contentlint' ]\n",
    '[tool.contentlint.online]\ntimeout = 3\n',
    '[tool]\ncontentlint.select = ["CL1"]\n',
    'tool.contentlint.select = ["CL1"]\n',
    'tool = { contentlint = { select = ["CL1"] } }\n',
    '[[tool.contentlint.kinds]]\nname = "a"\n',
    '[tool."\\u0063ontentlint"]\n',  # an escape in a quoted key: no `contentlint` in the bytes
    '[tool."content\\U0000006cint"]\n',
]
NO_TABLE = [
    '[project]\nname = "contentlint"\n',  # the name elsewhere: parsed, no table
    '[tool.black]\nline-length = 99\n',
    '[tool.ruff]\nextend-exclude = ["a\\\\b"]\n',
    '[tool."contentlint-extra"]\n',
    '# [tool.contentlint]\n[tool.other]\n',
    '[tool.contentlint\n',  # not TOML
    '',
]


@pytest.mark.parametrize("text", TABLE_SPELLINGS + NO_TABLE)
def test_the_byte_search_for_the_table_agrees_with_tomllib(tmp_path, text):
    import tomllib

    from contentlint import config

    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    try:
        expected = "contentlint" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        expected = False
    assert expected == (text in TABLE_SPELLINGS)
    assert config._has_tool_table(str(path)) is expected
    assert (config.find_config(str(tmp_path)) == str(path)) is expected


def test_a_pyproject_that_is_not_utf8_is_no_traceback(tmp_path):
    # tomllib decodes the bytes before parsing; its UnicodeDecodeError was a traceback.
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.contentlint]\nselect = ["CL1"]\n# \xff\n')
    record = tmp_path / "record.md"
    record.write_bytes((SEEDS / "000_b69a69cbeae9117f.txt").read_bytes())
    env = {**os.environ, "PYTHONPATH": _PACKAGE_PARENT}
    found = subprocess.run([sys.executable, "-m", "contentlint", "check", "--no-cache", "--exit-zero", "record.md"],
                           cwd=tmp_path, capture_output=True, text=True, env=env)
    assert (found.returncode, found.stderr) == (0, "")  # no config file: the defaults
    named = subprocess.run([sys.executable, "-m", "contentlint", "check", "--no-cache", "--config",
                            "pyproject.toml", "record.md"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert named.returncode == 2
    assert named.stderr == "contentlint: error: pyproject.toml: invalid TOML: not UTF-8 (byte 38)\n"


def test_cleandoc_is_inspects():
    import inspect

    from contentlint import registry

    docs = [rule.check.__doc__ or "" for rule in registry.all_rules()]
    assert len([doc for doc in docs if "\n" in doc]) > 10  # real, indented docstrings
    docs += ["", "\n", "one line", "  lead\n    a\n      b\n", "\n\n  x\n\n", "a\n\tb\n    c",
             "first\n  \n    deep\n  shallow\n   \n", "a\n   \n", "\u3000x\n \u3000y", "x\n\n\n"]
    assert [registry.cleandoc(doc) for doc in docs] == [inspect.cleandoc(doc) for doc in docs]


def _records():
    from contentlint import engine, kinds, pipeline
    from contentlint.config import Settings

    settings = Settings(select=("CL1",), rule_options={"CL300": {"a": 1}}, kinds=(
        kinds.Kind("news", ("news/**",), rule_options={"CL300": {"b": 2}}),))
    plan = pipeline.Plan(settings, (), cache_dir="c")
    return settings, plan, engine.FileResult("a.md", [], {"CL305": None})


def test_settings_plan_and_kind_are_immutable_records_without_dataclasses():
    import pickle

    from contentlint import kinds, pipeline
    from contentlint.config import Settings

    settings, plan, _ = _records()
    for record in (settings, plan, settings.kinds[0]):
        assert "__dataclass_fields__" not in vars(type(record))
        assert pickle.loads(pickle.dumps(record)) == record  # workers receive the plan
        with pytest.raises(AttributeError):
            record.schema = "x"
        with pytest.raises(TypeError):
            record.replace(no_such_field=1)
    assert Settings().per_file_ignores == {} and Settings().per_file_ignores is not Settings().per_file_ignores
    assert settings.replace(jobs=3) == Settings(select=("CL1",), rule_options={"CL300": {"a": 1}}, jobs=3,
                                                kinds=settings.kinds)
    assert settings.replace(jobs=3) != settings and settings.jobs is None
    assert plan.replace(online=None) == plan and plan.replace(cache_dir=None).cache_dir is None
    assert plan.replace(cache_dir=None) != plan and plan != (settings, (), "c", None, None, None, None)
    assert repr(Settings(jobs=2)).startswith("Settings(select=(), extend_select=(), ignore=(), per_file_ignores={}")
    news = settings.kinds[0]
    # Equal and hashed as the frozen dataclass was: the rule options are not compared.
    assert news == kinds.Kind("news", ("news/**",)) and hash(news) == hash(kinds.Kind("news", ("news/**",)))
    assert news != kinds.Kind("news", ("blog/**",))
    assert news.claims("news/a.md") and not news.claims("blog/a.md")
    assert pickle.loads(pickle.dumps(news)).claims("news/a.md")
    assert pipeline.Plan(settings, ()).cache_dir is None


def test_a_file_result_is_a_mutable_record_without_dataclasses():
    import pickle

    from contentlint import engine

    _, _, result = _records()
    assert "__dataclass_fields__" not in vars(engine.FileResult)
    assert (result.facts, result.error, result.suppressions) == ({"CL305": None}, None, [])
    assert pickle.loads(pickle.dumps(result)) == result  # workers send results back
    changed = result.replace(error="boom")
    assert (changed.path, changed.error, result.error) == ("a.md", "boom", None) and changed != result
    result.diagnostics = ["x"]  # the pipeline sets the remaining findings
    assert result.diagnostics == ["x"]
    with pytest.raises(TypeError):
        hash(result)
    assert repr(engine.FileResult("a", [])) == "FileResult(path='a', diagnostics=[], facts={}, error=None, " \
                                               "suppressions=[], keys=None)"
