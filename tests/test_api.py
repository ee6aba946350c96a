"""contentlint.api: the documented Python API (docs/api.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import contentlint
from contentlint import api, registry
from contentlint.config import ConfigError
from contentlint.engine import MAX_FILE_BYTES
from contentlint.model import Applicability

from .conftest import REPO, SEEDS, run_cli

MOJIBAKE = SEEDS / "004_55d079596040aeb8.txt"
DUPLICATE = SEEDS / "000_b69a69cbeae9117f.txt"


def codes(diagnostics) -> list[tuple[str, int, int]]:
    return [(d.code, d.start.line, d.start.column) for d in diagnostics]


@pytest.mark.parametrize("seed", [MOJIBAKE, DUPLICATE])
def test_check_text_equals_checking_the_file(seed, monkeypatch):
    monkeypatch.chdir(REPO)
    from_text = api.check_text(seed.read_bytes(), str(seed))
    assert from_text == api.check_paths([str(seed)])
    assert api.check_text(seed.read_text(encoding="utf-8"), str(seed)) == from_text
    assert codes(from_text) == {MOJIBAKE: [("CL200", 3, 49)], DUPLICATE: [("CL300", 215, 13)]}[seed]


def test_selection_and_ignores():
    text = MOJIBAKE.read_text(encoding="utf-8")
    assert codes(api.check_text(text, select=["CL3"])) == []
    assert codes(api.check_text(text, ignore=["cl200"])) == []
    assert codes(api.check_text(text, select=["CL2"])) == [("CL200", 3, 49)]


def test_select_replaces_the_configured_extend_select_too():
    from contentlint.engine import enabled_rules

    settings = api.settings_with(api.Settings(), select=["CL2"]).replace(extend_select=("CL403",))
    assert [r.code for r in enabled_rules(settings)] == ["CL200", "CL201", "CL202", "CL203", "CL403"]
    assert [r.code for r in enabled_rules(api.settings_with(settings, select=["CL201"]))] == ["CL201"]
    assert [r.code for r in enabled_rules(api.settings_with(settings, ignore=["CL2"]))] == ["CL403"]
    # No codes to add leave the configured lists as they are.
    ignoring = settings.replace(ignore=("CL200",))
    assert api.settings_with(ignoring, ignore=[]).ignore == ("CL200",)
    assert api.settings_with(ignoring, ignore=["CL201"]).ignore == ("CL200", "CL201")


def test_config_found_from_the_files_folder_with_per_file_ignores(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "news").mkdir(parents=True)
    (repo / "contentlint.toml").write_text('[per-file-ignores]\n"news/*" = ["CL200"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the repository: the file's folder decides
    text = MOJIBAKE.read_bytes()
    assert api.load_settings_for(str(repo / "news" / "a.md")).config_file == str(repo / "contentlint.toml")
    assert codes(api.check_text(text, str(repo / "news" / "a.md"))) == []
    assert codes(api.check_text(text, str(repo / "b.md"))) == [("CL200", 3, 49)]
    assert api.load_settings_for(str(tmp_path / "x.md")).config_file is None


def test_a_bad_config_raises_config_error(tmp_path):
    (tmp_path / "contentlint.toml").write_text("select = [\"NOPE\"]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="`NOPE` matches no rule code"):
        api.check_text("---\n---\n", str(tmp_path / "a.md"))


def test_whole_run_judges_suppressions_of_whole_run_rules_as_check_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = tmp_path / "a.md"
    text = MOJIBAKE.read_text(encoding="utf-8").replace("type: article", "type: article  # contentlint: ignore[CL305]", 1)
    record.write_text(text, encoding="utf-8")
    # One text alone: CL305 needs the other files, so its suppression is not judged.
    assert [d.code for d in api.check_text(text, str(record))] == ["CL200"]
    # A run of one file, exactly `contentlint check a.md`: the suppression is unused.
    alone = api.check_text(text, str(record), whole_run=True)
    assert [d.code for d in alone] == ["CL200", "CL009"]
    assert alone == api.check_paths([str(record)])


def test_fix_text_equals_fixing_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "a.md"
    shutil.copy(MOJIBAKE, copy)
    result = api.fix_text(MOJIBAKE.read_bytes(), str(copy))
    assert run_cli(["fix", "--no-cache", copy], capsys)[0] == 0
    assert result.data == copy.read_bytes() != MOJIBAKE.read_bytes()
    assert result.text == copy.read_text(encoding="utf-8")
    assert (result.applied, result.remaining, result.changed) == ({"CL200": 1}, [], True)


def test_fix_text_applies_unsafe_fixes_only_when_asked():
    text = DUPLICATE.read_text(encoding="utf-8")
    safe = api.fix_text(text)
    assert (safe.changed, safe.data, codes(safe.remaining)) == (False, text.encode(), [("CL300", 215, 13)])
    unsafe = api.fix_text(text, unsafe=True)
    assert unsafe.applied == {"CL300": 1} and unsafe.remaining == []
    assert len(unsafe.text.splitlines()) == len(text.splitlines()) - 16  # the duplicate entry


@pytest.mark.parametrize("data", [b"---\ntitle: [x\n---\n", b"---\ntitle: \xff\n---\n", b"no front matter\n"])
def test_fix_text_leaves_text_it_does_not_understand_alone(data):
    result = api.fix_text(data)
    assert (result.data, result.changed) == (data, False)
    assert result.remaining and result.remaining[0].code in ("CL001", "CL002", "CL003")


def test_oversized_text_is_cl008_not_parsed():
    data = b"---\n" + b"x" * MAX_FILE_BYTES
    assert [d.code for d in api.check_text(data)] == ["CL008"]
    assert api.fix_text(data).data is data


def test_apply_fix_applies_one_verified_fix():
    text = MOJIBAKE.read_text(encoding="utf-8")
    (finding,) = api.check_text(text)
    assert api.apply_fix(text, finding) == text.replace("Securityâ€™s", "Security’s")
    display_only = api.check_text('---\ntitle: "â€œquotedâ€?"\n---\n', select=["CL200"])[0]
    assert display_only.fix.applicability == Applicability.DISPLAY_ONLY
    assert api.apply_fix('---\ntitle: "â€œquotedâ€?"\n---\n', display_only) is None
    # A fix from another text does not apply here.
    assert api.apply_fix("---\ntitle: x\n---\n", finding) is None


def test_rules_list_every_rule_with_its_documentation():
    infos = api.rules()
    assert [r.code for r in infos] == [r.code for r in registry.all_rules()]
    mojibake = api.rule("mojibake")
    assert mojibake == api.rule("cl200") and mojibake in infos
    assert (mojibake.code, mojibake.fix, mojibake.online) == ("CL200", Applicability.SAFE, False)
    assert mojibake.doc.startswith(mojibake.summary) and "## Fix safety" in mojibake.doc
    assert api.rule("CL999") is None
    assert {r.code for r in infos if r.online} == {"CL402", "CL503", "CL900", "CL901", "CL902"}


@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: x\n---\n", True), ("\ufeff---\n", True), (b"\xef\xbb\xbf---\n", True), (b"---", True),
    ('+++\ntitle = "x"\n+++\n', True), ('{\n  "title": "x"\n}\n', True),  # TOML and JSON front matter
    ("\n---\ntitle: x\n---\n", True), (b"\xff---", True),  # broken attempts: check says why (CL002, CL001)
    ("# Notes\n", False), ("", False), (" ---\n", False), ("Body, then\n---\n", False),
])
def test_is_record_as_check_decides_for_a_walked_file(text, expected, tmp_path, capsys):
    assert api.is_record(text, "a.md") is expected
    (tmp_path / "a.md").write_bytes(text.encode() if isinstance(text, str) else text)
    assert run_cli(["check", "--no-cache", "--show-files", str(tmp_path)], capsys)[1] == \
        (f"{tmp_path / 'a.md'}\n" if expected else "")


def test_is_record_with_kinds_is_whether_a_kind_claims_the_path(tmp_path):
    (tmp_path / "contentlint.toml").write_text('[[kinds]]\nname = "docs"\ninclude = ["docs/**/*.md"]\n')
    (tmp_path / "docs" / "guide").mkdir(parents=True)
    settings = api.load_settings_for(str(tmp_path / "docs" / "guide" / "a.md"))
    assert settings.kinds
    assert api.is_record("# A page without front matter\n", str(tmp_path / "docs" / "guide" / "a.md"), settings)
    assert not api.is_record("---\ntitle: x\n---\n", str(tmp_path / "README.md"), settings)
    assert api.is_record("---\ntitle: x\n---\n", str(tmp_path / "README.md"))  # no settings: by the text


def test_the_package_exports_the_api_lazily():
    assert contentlint.check_text is api.check_text and contentlint.Diagnostic is api.Diagnostic
    assert set(api.__all__) <= set(contentlint.__all__)
    with pytest.raises(AttributeError):
        contentlint.nothing_here  # noqa: B018
    probe = "import sys, contentlint; print('contentlint.engine' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert (REPO / "contentlint" / "py.typed").is_file()


def test_the_package_api_rules_is_callable_in_a_fresh_process_whatever_was_imported_first():
    # `contentlint.rules` is also the rules package, which Python binds on the
    # package once it is imported: the call must work before and after.
    script = ("import contentlint; first = [r.code for r in contentlint.rules()];"
              "contentlint.check_text('---\\ntitle: x\\n---\\n'); from contentlint import rules;"
              "assert [r.code for r in contentlint.rules()] == [r.code for r in rules()] == first;"
              "print(len(first), first[0])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out == f"{len(registry.all_rules())} CL001\n"
