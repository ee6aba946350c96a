"""Content kinds, what is a record, .gitignore, TOML/JSON/empty front matter,
and the rules the schema aims (CL303, CL202, CL103 giving way to CL303)."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from pathlib import Path

from contentlint.config import ConfigError, load_settings
from tests.conftest import SHARED, check_json, findings, run_cli

OTHER = SHARED / "other-content"

NEWS_SCHEMA = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "x-single-line": True},
        "url": {"type": "string", "format": "uri-reference"},
        "link": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}


def project(tmp_path, config: str, files: dict) -> None:
    (tmp_path / "contentlint.toml").write_text(config, encoding="utf-8")
    (tmp_path / "news.schema.json").write_text(json.dumps(NEWS_SCHEMA), encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def found(tmp_path, capsys, *extra):
    code, result = check_json([tmp_path], capsys, "--config", tmp_path / "contentlint.toml", *extra)
    return sorted((f["path"].removeprefix(str(tmp_path) + "/"), f["code"], f["line"], f["column"]) for f in result)


KINDS = """
[[kinds]]
name = "news"
include = ["_news/**"]
exclude = ["_news/drafts/"]
schema = "news.schema.json"

[[kinds]]
name = "everything"
include = ["**/*.md"]
ignore = ["CL202"]
"""


def test_first_matching_kind_wins_with_its_schema_and_selection(tmp_path, capsys):
    project(tmp_path, KINDS, {
        "_news/a.md": "---\ntitle: A\nextra: 1\n---\n",  # news schema: CL104 at the key
        "_news/drafts/b.md": "---\ntitle: \"B\\u200B\"\n---\n",  # excluded from news: `everything`, CL202 ignored
        "other/c.md": "no front matter\n",  # claimed by `everything`: a broken record
        "README": "---\nnot: claimed\n",  # claimed by no kind: not checked
    })
    assert found(tmp_path, capsys) == [("_news/a.md", "CL104", 3, 1), ("other/c.md", "CL002", 1, 1)]


def test_kind_without_schema_runs_no_schema_rule_but_structure_rules(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "pages"\ninclude = ["*.md"]\n', {
        "p.md": "---\nanything: 1\nwebUrl: \"https://a.example/x y\"\n---\n",
    })
    assert found(tmp_path, capsys) == [("p.md", "CL303", 3, 29)]


def test_shipped_article_schema_by_name(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "a"\ninclude = ["*.md"]\nschema = "contentlint:article"\n',
            {"p.md": "---\ntitle: x\n---\n"})
    assert {code for _, code, _, _ in found(tmp_path, capsys)} == {"CL101"}


@pytest.mark.parametrize("kind, message", [
    ('name = "n"\ninclude = ["*"]\nschemas = "x"', "kind `n`: unknown key `schemas`"),
    ('include = ["*"]', "kinds[0] needs a `name`"),
    ('name = "n"', "kind `n`: `include` (a list of globs) is required"),
    ('name = "n"\ninclude = ["*"]\nschema = "contentlint:nope"', "kind `n`: no shipped schema `contentlint:nope`"),
    ('name = "n"\ninclude = ["*"]\nignore = ["CL9999"]', "kind `n`: `ignore`: `CL9999` matches no rule code"),
    ('name = "n"\ninclude = ["*"]\n[kinds.rules.CL202]\nnope = 1', "unknown option `nope` for rule CL202"),
])
def test_bad_kind_is_a_config_error_naming_the_kind(tmp_path, kind, message):
    (tmp_path / "contentlint.toml").write_text(f"[[kinds]]\n{kind}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(str(tmp_path / "contentlint.toml"))


def test_kind_rule_options(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\n[kinds.rules.CL202]\nmultiline-fields = ["body"]\n',
            {"p.md": '---\nbody: "a\\nb"\nother: "a\\nb"\n---\n'})
    assert found(tmp_path, capsys) == [("p.md", "CL202", 3, 10)]


# -- what is a record --------------------------------------------------------------


def test_without_kinds_only_files_with_front_matter_or_a_broken_attempt_are_records(tmp_path, capsys):
    for name, text in {"README.md": "# Read me\n", "LICENSE.txt": "MIT\n", "_includes/nav.html": "<nav></nav>\n",
                       "blank.md": "\n\n---\ntitle: x\n---\n", "open.md": "---\ntitle: x\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = findings([tmp_path], capsys, "--select", "CL0")
    assert result == [("CL002", 1, 1), ("CL002", 1, 1)]
    code, out = check_json([tmp_path / "README.md"], capsys, "--select", "CL0")  # named: checked
    assert [(f["code"], f["line"]) for f in out] == [("CL002", 1)]


def test_gitignore_ignore_and_info_exclude_are_honoured(tmp_path, capsys):
    record = "---\ntitle: a\ntitle: b\n---\n"  # CL004 at 3:1
    for name in ("keep.md", "_site/a.md", "sub/gen.md", "sub/keep.md", "sub/x.swp.md", "local.md", "dot.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(record, encoding="utf-8")
    (tmp_path / ".gitignore").write_text("_site/\n*.swp.md\n", encoding="utf-8")
    (tmp_path / "sub" / ".gitignore").write_text("gen.md\n", encoding="utf-8")
    (tmp_path / ".ignore").write_text("dot.md\n", encoding="utf-8")
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.md\n", encoding="utf-8")
    (tmp_path / "contentlint.toml").write_text("", encoding="utf-8")
    checked = {path for path, *_ in found(tmp_path, capsys, "--select", "CL004")}
    assert checked == {"keep.md", "sub/keep.md"}
    everything = {path for path, *_ in found(tmp_path, capsys, "--select", "CL004", "--no-respect-gitignore")}
    assert everything == {"keep.md", "_site/a.md", "sub/gen.md", "sub/keep.md", "sub/x.swp.md", "local.md", "dot.md"}


# -- front matter formats ----------------------------------------------------------------


def test_empty_front_matter_is_an_empty_mapping_the_schema_judges(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n',
            {"empty.md": "---\n---\nbody\n", "comments.md": "---\n# nothing yet\n---\n"})
    assert found(tmp_path, capsys) == [("comments.md", "CL101", 1, 1), ("empty.md", "CL101", 1, 1)]


def test_toml_front_matter_with_positions(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n', {
        "t.md": '+++\ntitle = "T"\nlink = "/relative/"\n[params]\nx = 1\n+++\nbody with --- and +++\n',
        "bad.md": '+++\ntitle = "T"\nlink = \n+++\n',
        "open.md": '+++\ntitle = "T"\n',
    })
    assert found(tmp_path, capsys) == [
        ("bad.md", "CL003", 3, 8),
        ("open.md", "CL002", 1, 1),
        ("t.md", "CL104", 4, 1),  # the `[params]` table
        ("t.md", "CL303", 3, 9),  # `format: uri`: absolute required (CL103 gives way)
    ]


def test_toml_positions_skip_multi_line_strings(tmp_path, capsys):
    """Lines inside a multi-line string look like keys and tables; the real
    ones after it keep their own lines."""
    front = "\n".join([
        '+++',
        'description = """',
        'link = "https://fake.example/"',
        '[params]',
        r'a \""" is still the string',
        '"""',
        "title = '''T''' # a one-line ''' string",
        'link = "/relative/" # """ not a string',
        '[params]',
        "x = '''",
        '[fake]',
        "'''",
        '+++',
        '',
    ])
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n', {"t.md": front})
    # The multi-line strings' line breaks are theirs (as a block scalar's):
    # no CL202/CL203 there (test_toml_multi_line_strings_are_multi_line_...).
    assert found(tmp_path, capsys) == [
        ("t.md", "CL104", 9, 1),  # the real `[params]` table
        ("t.md", "CL303", 8, 9),  # the real `link`
    ]


def test_toml_dates_and_times_are_rfc_3339_text(tmp_path, capsys):
    """TOML's own date-times (Hugo's archetypes write `date = 2024-...Z`) are
    judged as the text a YAML record has, not as "a mapping"."""
    schema = {"type": "object", "properties": {
        "date": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"},
        "local": {"type": "string", "format": "date-time"}, "at": {"type": "string", "format": "time"},
        "list": {"type": "array", "items": {"type": "string", "format": "date-time"}},
        "deep": {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}}},
    }}
    (tmp_path / "contentlint.toml").write_text('[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "s.json"\n')
    (tmp_path / "s.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "t.md").write_text(
        "+++\ndate = 2024-01-05T10:00:00Z\nday = 2024-01-05\nlocal = 2024-01-05T10:00:00\nat = 10:00:00\n"
        "list = [2024-01-05T10:00:00+02:00, 2024-01-05 10:00:00.5-01:30]\n[deep]\nwhen = 1979-05-27T07:32:00Z\n+++\n",
        encoding="utf-8")
    code, result = check_json([tmp_path], capsys, "--config", tmp_path / "contentlint.toml")
    # Only what RFC 3339 itself rejects: a date-time without an offset, a time without one.
    assert [(f["code"], f["line"], f["message"]) for f in result] == [
        ("CL103", 4, "`local` must be an RFC 3339 date and time such as 2021-12-08T16:33:00Z, "
                     "not '2024-01-05T10:00:00'"),
        ("CL103", 5, "`at` must be a time of day with its offset, such as 16:33:00Z, not '10:00:00'"),
    ]
    from contentlint.document import load

    data = load("t.md", (tmp_path / "t.md").read_bytes()).data
    assert data == {"date": "2024-01-05T10:00:00Z", "day": "2024-01-05", "local": "2024-01-05T10:00:00",
                    "at": "10:00:00", "list": ["2024-01-05T10:00:00+02:00", "2024-01-05T10:00:00.500000-01:30"],
                    "deep": {"when": "1979-05-27T07:32:00Z"}}


def test_json_front_matter_with_exact_positions(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n', {
        "j.md": '{\n  "title": "T",\n  "description": 5,\n  "url": "/a b/"\n}\nbody\n',
        "bad.md": '{\n  "title": }\n',
    })
    assert found(tmp_path, capsys) == [
        ("bad.md", "CL003", 2, 12),
        ("j.md", "CL102", 3, 18),
        ("j.md", "CL303", 4, 13),
    ]


def test_json_front_matter_is_json_as_rfc_8259_has_it(tmp_path, capsys):
    # A repeated key is CL004 as in YAML; NaN, Infinity, a number too large
    # for a float and half a character (a lone `\udXXX`) are not JSON data:
    # CL003 at the value, never CL010 in the rules that would meet them.
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\n', {
        "dup.md": '{\n"title": "a", "title": "b"\n}\n',
        "nan.md": '{\n"n": NaN\n}\n', "inf.md": '{\n"n": -Infinity\n}\n', "big.md": '{\n"n": 1e99999\n}\n',
        "half.md": '{\n"webUrl": "https://e.com/\\udc80"\n}\n', "key.md": '{\n"\\ud800": 1\n}\n',
        "pair.md": '{\n"title": "\\ud83d\\ude00"\n}\n',
    })
    _, result = check_json([tmp_path], capsys, "--config", tmp_path / "contentlint.toml")
    assert sorted((f["path"].rsplit("/", 1)[1], f["code"], f["line"], f["column"], f["message"]) for f in result) == [
        ("big.md", "CL003", 2, 6, "JSON syntax error: `1e99999` is too large for a number"),
        ("dup.md", "CL004", 2, 15, "duplicate key `title`: the earlier value is silently overwritten"),
        ("half.md", "CL003", 2, 11, "JSON syntax error: `\\udc80` is half of a character (a lone surrogate)"),
        ("inf.md", "CL003", 2, 6, "JSON syntax error: `-Infinity` is not a JSON value"),
        ("key.md", "CL003", 2, 1, "JSON syntax error: `\\ud800` is half of a character (a lone surrogate)"),
        ("nan.md", "CL003", 2, 6, "JSON syntax error: `NaN` is not a JSON value"),
    ]


def test_no_fix_is_offered_in_toml_or_json_but_the_byte_order_marks_removal(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\n', {
        "t.md": '\ufeff+++\nwebUrl = "<https://a.example/>"\n+++\n', "j.md": '\ufeff{"webUrl": "https://a.example/ "}\n'})
    code, result = check_json([tmp_path], capsys, "--config", tmp_path / "contentlint.toml")
    assert [(f["path"].rsplit("/", 1)[1], f["code"], f["fix"] is None) for f in result] == [
        ("j.md", "CL005", False), ("j.md", "CL203", True), ("t.md", "CL005", False), ("t.md", "CL303", True)]
    run_cli(["fix", "--config", str(tmp_path / "contentlint.toml"), "--no-cache", str(tmp_path)], capsys)
    assert (tmp_path / "t.md").read_text(encoding="utf-8") == '+++\nwebUrl = "<https://a.example/>"\n+++\n'
    assert (tmp_path / "j.md").read_text(encoding="utf-8") == '{"webUrl": "https://a.example/ "}\n'


def test_a_suppression_comment_inside_a_toml_or_json_string_is_text(tmp_path, capsys):
    """It was taken for a comment: it hid findings, and CL009's safe fix cut
    the string (`title = "Q&A  # contentlint: ignore[CL201]"` became `"Q&A"`)."""
    files = {
        "t.md": '+++\ntitle = "Q&A  # contentlint: ignore[CL201]"\nx = "a&amp;b"  # contentlint: ignore[CL201]\n'
                'y = 1 # contentlint: ignore[CL200]\nz = """\nA # contentlint: ignore-file[CL2]\n"""\n'
                'w = "T&amp;J"\n+++\nbody\n',
        "j.md": '{"title": "Tom &amp; Jerry", "note": "see # contentlint: ignore-file[CL2]"}\nbody\n',
    }
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', files)
    assert found(tmp_path, capsys) == [("j.md", "CL201", 1, 16), ("t.md", "CL009", 4, 7), ("t.md", "CL201", 8, 7)]
    run_cli(["fix", "--no-cache", "--config", str(tmp_path / "contentlint.toml"), str(tmp_path)], capsys)
    assert (tmp_path / "t.md").read_text(encoding="utf-8") == files["t.md"].replace(
        "y = 1 # contentlint: ignore[CL200]", "y = 1")  # only the real, unused comment goes
    assert (tmp_path / "j.md").read_text(encoding="utf-8") == files["j.md"]


def test_a_toml_string_with_a_line_separator_is_one_line_for_comments_and_positions(tmp_path, capsys):
    # TOML lines end at LF only: split at U+2028, a `#` after it inside the string was taken for a comment.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "a.md": '+++\ntitle = "Hello\u2028 # contentlint: ignore-file[CL2]"\ndescription = "x "\n+++\nbody\n'})
    assert found(tmp_path, capsys) == [("a.md", "CL202", 2, 15), ("a.md", "CL203", 3, 17)]


def test_whitespace_before_toml_front_matter_is_skipped_as_hugo_and_zola_skip_it(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\n', {
        "t.md": '\n\n  +++\ntitle = "T "\n+++\nbody\n', "crlf.md": '\r\n+++\r\ntitle = "T "\r\n+++\r\n',
        "y.md": '\n---\ntitle: T\n---\n'})
    # Before `---` it stays CL002: Jekyll, Astro and Eleventy want it on the first line.
    assert found(tmp_path, capsys) == [("crlf.md", "CL203", 3, 11), ("t.md", "CL203", 4, 11), ("y.md", "CL002", 1, 1)]


# -- rules aimed by the schema ---------------------------------------------------------


def test_one_defect_one_finding_where_schema_format_and_cl303_overlap(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n',
            {"p.md": '---\ntitle: T\nlink: "https://a.example/a b"\n---\n'})
    assert found(tmp_path, capsys) == [("p.md", "CL303", 3, 27)]
    # CL303 off: the schema's CL103 reports the same defect.
    assert found(tmp_path, capsys, "--ignore", "CL303") == [("p.md", "CL103", 3, 7)]


def test_one_defect_one_finding_where_a_url_pattern_and_cl303_overlap(tmp_path, capsys):
    # The shipped article schema checks its URLs with a `pattern` (CL100), not `format`.
    seed = (Path(__file__).resolve().parents[1] / "seeds" / "004_55d079596040aeb8.txt").read_text("utf-8")
    line = next(n for n, text in enumerate(seed.splitlines(), 1) if text.startswith("webUrl: "))
    record = seed.replace(seed.splitlines()[line - 1], 'webUrl: "/news/a-relative-address"', 1)
    project(tmp_path, "", {"a.md": record})
    assert [f for f in found(tmp_path, capsys, "--select", "CL100,CL303")] == [("a.md", "CL303", line, 10)]
    # CL303 off: the schema's CL100 (`pattern`) reports the same defect.
    assert found(tmp_path, capsys, "--select", "CL100") == [("a.md", "CL100", line, 9)]


def test_site_relative_permalinks_are_not_malformed_where_relative_is_allowed(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["free/*.md"]\n'
                      '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n', {
        "p.md": '---\ntitle: T\nurl: /commands/hugo/\nlink: /commands/hugo/\n---\n',
        "free/q.md": '---\nurl: /commands/hugo/\nimageUrl: images/a.png\n---\n',
    })
    assert found(tmp_path, capsys) == [("p.md", "CL303", 4, 7)]


def test_network_path_references_are_judged_as_the_https_url_a_browser_follows(tmp_path, capsys):
    # `//host/path` is a relative reference too (the page's scheme): not "no
    # scheme" where a relative address may stand, but its host and the rest
    # are checked as in `https://host/path`, with the fix written back as is.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "p.md": '---\nembedUrl: "//www.youtube.com/embed/dQw4w9WgXcQ"\nhostUrl: "//exa!mple.com/"\n'
                'cdnUrl: "//cdn.example.com/a b.js"\nemptyUrl: "///a"\n---\n',
    })
    assert found(tmp_path, capsys) == [("p.md", "CL303", 3, 13), ("p.md", "CL303", 4, 29), ("p.md", "CL303", 5, 11)]
    code, out, _ = run_cli(["fix", "--diff", "--unsafe-fixes", "--no-cache", "--config", str(tmp_path / "contentlint.toml"),
                            str(tmp_path)], capsys)
    assert '+cdnUrl: "//cdn.example.com/a%20b.js"' in out.splitlines()
    # In the article format, whose URLs must be absolute, it is still "no scheme".
    project(tmp_path, "", {"p.md": '---\nwebUrl: "//www.example.com/a"\n---\n'})
    assert found(tmp_path, capsys, "--select", "CL303") == [("p.md", "CL303", 2, 10)]


def test_links_of_other_schemes_are_their_applications_business_outside_the_article_format(tmp_path, capsys):
    # `mailto:`, `tel:`, `obsidian:` in a team page's links are no malformed
    # web addresses; a script is never an address. `curl` is no URL key.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "p.md": '---\nsocial:\n  - url: mailto:ann@example.com\n  - url: "tel:+1-555-0100"\n'
                '  - url: obsidian://open?vault=a b\n  - url: " JavaScript:alert(1)"\n'
                'install:\n  curl: curl -sSL https://get.example.com | sh\n---\n',
    })
    assert found(tmp_path, capsys, "--select", "CL303") == [("p.md", "CL303", 6, 12)]
    # A web address written wrong is still one: a misspelt scheme, a host and
    # port without one; `ftp:` and a `tel:` number are other applications'.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "p.md": '---\na_url: "htps://example.com/a/"\nb_url: "localhost:4000/img/a.png"\n'
                'c_url: "www.example.com:8080/a/"\nd_url: "ftp://files.example.org/a"\ne_url: "tel:5551234"\n'
                'f_url: "C:/img/a.png"\ng_url: "data:text/html,<script>alert(1)</script>"\n'
                'h_url: "data:image/png;base64,iVBO"\n---\n'})
    assert found(tmp_path, capsys, "--select", "CL303") == [("p.md", "CL303", 2, 9), ("p.md", "CL303", 3, 9),
                                                             ("p.md", "CL303", 4, 9), ("p.md", "CL303", 7, 9),
                                                             ("p.md", "CL303", 8, 9)]
    # In the article format, whose addresses are web pages and images, a
    # `mailto:` is still "not http or https".
    project(tmp_path, "", {"p.md": '---\nwebUrl: "mailto:ann@example.com"\n---\n'})
    assert found(tmp_path, capsys, "--select", "CL303") == [("p.md", "CL303", 2, 10)]


@pytest.mark.parametrize("key,url", [
    ("url", True), ("URL", True), ("Url", True), ("webUrl", True), ("cdnAmpWebUrl", True), ("imageURL", True),
    ("image_url", True), ("og:url", True), ("og-url", True), ("AMPUrl", True), ("OG_URL", True),
    ("canonicalurl", True), ("editurl", True), ("imageurl", True), ("purl", True),  # a Wikipedia export's keys
    ("curl", False), ("hurl", False), ("CURL", False), ("install_curl", False), ("imageCurl", False),
    ("unfurl", False), ("urls", False), ("title", False),
])
def test_url_keys_end_in_url_as_a_word(key, url):
    from contentlint.rules.text import is_url_key

    assert is_url_key(key) is url


def test_line_breaks_only_in_single_line_fields(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n', {
        "p.md": '---\ntitle: "a\\nb"\ndescription: |\n  one\n  two\n---\n',
        "q.md": '---\ntitle: |\n  a\n  b\ndescription: "a\\nb"\n---\n',
    })
    # A title is single-line even as a block scalar; an undeclared quoted value too; a block scalar is not.
    assert found(tmp_path, capsys) == [("p.md", "CL202", 2, 10), ("q.md", "CL202", 2, 8),
                                       ("q.md", "CL202", 5, 16)]


def test_iris_are_urls_where_the_schema_does_not_ask_for_ascii(tmp_path, capsys):
    # `uri`/`uri-reference` want the ASCII form (CL303 and the schema agree);
    # `iri`/`iri-reference`, and an undeclared field outside the article
    # format, take an IRI as browsers and Hugo do (an IDN host, a Unicode path).
    schema = {"type": "object", "properties": {"ascii": {"format": "uri-reference"}, "any": {"format": "iri-reference"},
                                               "abs": {"format": "iri"}}}
    (tmp_path / "s.json").write_text(json.dumps(schema), encoding="utf-8")
    project(tmp_path, '[[kinds]]\nname = "s"\ninclude = ["s/*.md"]\nschema = "s.json"\n'
                      '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "p.md": '---\ncityUrl: "https://münchen.de/"\nurl: "/été-à-paris/"\nbadUrl: "/a b/"\n---\n',
        "s/q.md": '---\nascii: "/été/"\nany: "/été/"\nabs: "https://münchen.de/é"\n---\n',
    })
    assert found(tmp_path, capsys, "--select", "CL1,CL303") == [("p.md", "CL303", 4, 12), ("s/q.md", "CL303", 2, 10)]


def test_toml_multi_line_strings_are_multi_line_as_block_scalars_are(tmp_path, capsys):
    # Three quotes are TOML's `|`: line breaks in them, and the one before
    # the closing line, are the author's; a "\n" escape in a one-line string is not.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "p.md": "+++\nsummary = \"\"\"\nWritten on its own lines.\n\"\"\"\nquote = '''\nRoses are red\nViolets are blue'''\n"
                "bad = \"a\\nb\"\nlead = \"\"\" x\"\"\"\n+++\nBody\n",
    })
    assert found(tmp_path, capsys) == [("p.md", "CL202", 8, 9), ("p.md", "CL203", 9, 11)]


def test_toml_strings_inside_inline_lists_and_tables_are_found_at_their_value(tmp_path, capsys):
    # Hugo's `tags = ["a ", "b"]`: such a string has no span of its own (spans
    # are to the line), so the finding is at the list or table; never CL010.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "c.md": '+++\nlst = [" o", "p\\u200b"]\ninl = { m = " n" }\ntags = ["a ", "b"]\n+++\nbody\n',
    })
    assert found(tmp_path, capsys) == [("c.md", "CL202", 2, 7), ("c.md", "CL203", 2, 7), ("c.md", "CL203", 3, 7),
                                       ("c.md", "CL203", 4, 8)]


def test_toml_string_columns_follow_each_kind_of_string(tmp_path, capsys):
    # A TOML value's span runs to its line's end; columns inside it follow
    # the string's own quotes and escapes (a literal string has none).
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "q.md": "+++\ntitle = 'T '  # a comment\nlit = 'C:\\u0041\\path '\nesc = \"\\u00e9\\t \"\n+++\n",
    })
    assert found(tmp_path, capsys) == [("q.md", "CL203", 2, 11), ("q.md", "CL203", 3, 21), ("q.md", "CL203", 4, 14)]


def test_schema_named_in_front_matter(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["**/*.md"]\nschema = "contentlint:article"\n', {
        "docs/p.md": '---\n$schema: ../news.schema.json\ntitle: T\nextra: 1\n---\n',
        "docs/q.md": '---\n$schema: /etc/passwd\ntitle: T\n---\n',
    })
    assert found(tmp_path, capsys) == [("docs/p.md", "CL104", 4, 1), ("docs/q.md", "CL100", 2, 10)]


def test_toml_keys_nested_past_the_bound_are_cl003_before_tomllib_reads_them(tmp_path, capsys):
    # 200 KB of `a.a.a...` cost tomllib minutes and ~40 GB (quadratic); 1,000
    # levels of table header gave CL010 in ten rules. 64 levels are read.
    project(tmp_path, '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "dotted.md": "+++\ntitle = 'T'\n" + "a." * 100_000 + "b = 1\n+++\n",
        "header.md": "+++\ntitle = 'T'\n[" + "a." * 1000 + "b]\nc = 1\n+++\n",
        "fine.md": "+++\n" + "a." * 63 + "b = 'x '\nurl = '/" + "x." * 100 + "'\n+++\n",
    })
    assert found(tmp_path, capsys) == [("dotted.md", "CL003", 3, 1), ("fine.md", "CL203", 2, 133),
                                       ("header.md", "CL003", 3, 1)]
    # Dots that are no key's: in an array's values, a multi-line string, a quoted key.
    versions = ", ".join(f'"1.{i}.0"' for i in range(33))
    (tmp_path / "values").mkdir()
    project(tmp_path / "values", '[[kinds]]\nname = "free"\ninclude = ["*.md"]\n', {
        "values.md": f"+++\ntitle = 'T'\nversions = [\n  {versions} ]\n"
                     f"text = \"\"\"\n[{'.' * 66}]\n\"\"\"\n\"{'.' * 70}\" = 'x '\n+++\n"})
    assert found(tmp_path / "values", capsys) == [("values.md", "CL203", 8, 78)]


def test_a_schema_name_with_a_nul_is_a_finding_not_a_crash(tmp_path, capsys):
    # It ended the whole run in a traceback (`embedded null byte`), in every format of front matter.
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "contentlint:article"\n', {
        "y.md": '---\n$schema: "\\0"\ntitle: T\n---\n', "j.md": '{"$schema": "\\u0000", "title": "T"}\n',
        "t.md": '+++\n"$schema" = "\\u0000"\ntitle = "T"\n+++\n'})
    assert [f for f in found(tmp_path, capsys, "--select", "CL100")] == [
        ("j.md", "CL100", 1, 13), ("t.md", "CL100", 2, 13), ("y.md", "CL100", 2, 10)]
    from contentlint import api

    assert [d.code for d in api.check_text('---\n$schema: "\\0"\ntitle: T\n---\n', select=["CL100"])] == ["CL100"]


@pytest.mark.parametrize("config", ['schema = "\\u0000"', 'baseline = "\\u0000"', 'cache-dir = "\\u0000"',
                                    '[online]\ncache-path = "a\\u0000"',
                                    '[[kinds]]\nname = "k"\ninclude = ["*.md"]\nschema = "\\u0000"'])
def test_a_config_path_with_a_nul_is_a_usage_error(config, tmp_path, capsys):
    project(tmp_path, config + "\n", {"a.md": "---\ntitle: T\n---\n"})
    code, out, err = run_cli(["check", "--config", str(tmp_path / "contentlint.toml"), str(tmp_path)], capsys)
    assert code == 2 and "Traceback" not in err and "path" in err and "contentlint.toml" in err


# -- real sites ------------------------------------------------------------------------


SITE_KINDS = {
    "jekyll__jekyll": '[[kinds]]\nname = "docs"\ninclude = ["docs/_docs/**/*.md", "docs/_posts/**", "docs/pages/**"]\n',
    "gohugoio__hugoDocs": '[[kinds]]\nname = "content"\ninclude = ["content/en/**/*.md"]\n',
}


@pytest.mark.skipif(not OTHER.is_dir(), reason="../shared/other-content not present")
@pytest.mark.parametrize("site", sorted(SITE_KINDS))
@pytest.mark.parametrize("configured", [True, False])
def test_no_finding_on_files_that_are_not_records(site, configured, tmp_path, capsys, monkeypatch):
    root = tmp_path / site
    shutil.copytree(OTHER / site, root)
    base = root / "docs" if site == "jekyll__jekyll" else root
    (base / ".gitignore").write_text("_site/\n", encoding="utf-8")
    (base / "_site").mkdir()
    (base / "_site" / "copy.md").write_text("---\ntitle: built\n---\n", encoding="utf-8")
    (root / "LICENSE.md").write_text("MIT License\n", encoding="utf-8")
    (root / "data.txt").write_text("1.2.3\n", encoding="utf-8")
    if configured:
        (root / "contentlint.toml").write_text(SITE_KINDS[site], encoding="utf-8")
    monkeypatch.chdir(root)
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", "."], capsys)
    assert "Traceback" not in err
    paths = {f["path"].removeprefix("./") for f in json.loads(out)}
    assert paths or configured, "the records are still checked"
    assert not paths & {"LICENSE.md", "data.txt", "docs/readme.md", "docs/latest_version.txt", "content/LICENSE.md",
                        "README.md"}
    for path in paths:
        assert "_site/" not in path
        if configured:
            assert "_includes/" not in path and "_layouts/" not in path
        assert (root / path).read_bytes().startswith((b"---", b"+++", b"{")), path


def test_a_changed_kind_schema_invalidates_cached_results(tmp_path, capsys):
    project(tmp_path, '[[kinds]]\nname = "n"\ninclude = ["*.md"]\nschema = "news.schema.json"\n',
            {"p.md": "---\ntitle: T\nextra: 1\n---\n"})
    args = ["check", "--format", "json", "--config", tmp_path / "contentlint.toml", "--cache-dir", tmp_path / ".cache",
            tmp_path / "p.md"]
    first = json.loads(run_cli(args, capsys)[1])
    assert [f["code"] for f in first] == ["CL104"]
    (tmp_path / "news.schema.json").write_text(json.dumps({**NEWS_SCHEMA, "additionalProperties": True}))
    assert json.loads(run_cli(args, capsys)[1]) == []


def test_a_yaml_11_boolean_where_a_boolean_is_expected_says_why_it_is_text(tmp_path, capsys):
    # Jekyll reads front matter as YAML 1.1, where `yes`/`off` are booleans.
    (tmp_path / "s.json").write_text('{"type": "object", "properties": {"comments": {"type": "boolean"},'
                                     ' "pub": {"type": ["boolean", "null"]}, "n": {"type": "string"}}}')
    project(tmp_path, '[[kinds]]\nname = "all"\ninclude = ["*.md"]\nschema = "s.json"\n',
            {"a.md": "---\ncomments: yes\npub: Off\nn: no\n---\n", "b.md": "---\ncomments: maybe\n---\n"})
    _, result = check_json([tmp_path], capsys, "--config", tmp_path / "contentlint.toml")
    assert [(f["path"][-4:], f["line"], f["message"]) for f in result] == [
        ("a.md", 2, "`comments` must be true or false, not a string "
                    "(`yes` is a boolean only in YAML 1.1; YAML 1.2 reads text: write `true`)"),
        ("a.md", 3, "`pub` must be true or false or null, not a string "
                    "(`Off` is a boolean only in YAML 1.1; YAML 1.2 reads text: write `false`)"),
        ("b.md", 2, "`comments` must be true or false, not a string"),
    ]


def test_select_on_the_command_line_replaces_a_kinds_selection_too(tmp_path, capsys):
    # "only these codes": the kind's own `select` no longer wins over --select.
    project(tmp_path, '[[kinds]]\nname = "k"\ninclude = ["*.md"]\nselect = ["CL2"]\n',
            {"a.md": '---\ntitle: "x "\nwebUrl: "https://x.com/a b"\n---\n'})
    assert found(tmp_path, capsys) == [("a.md", "CL203", 2, 10)]
    assert found(tmp_path, capsys, "--select", "CL3") == [("a.md", "CL303", 3, 25)]
    from contentlint import api

    settings = api.load_settings_for(str(tmp_path / "a.md"), config=str(tmp_path / "contentlint.toml"))
    text = (tmp_path / "a.md").read_text()
    assert [d.code for d in api.check_text(text, str(tmp_path / "a.md"), settings=settings, select=["CL3"])] == [
        "CL303"]
