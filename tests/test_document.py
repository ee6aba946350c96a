"""The document model: front-matter split, positions, and CL001-CL008."""

from __future__ import annotations

import pytest

from contentlint.document import load
from contentlint.model import Position
from tests.conftest import check_json, findings

SYNTAX = ["--select", "CL0"]


def codes_at(doc):
    return [(code, doc.position(v.start)) for code, v in doc.problems]


def test_positions_lf_crlf_and_bom():
    text = "---\ntitle: \"Café\"\nn: 3\n---\nbody\n"
    for variant in (text, text.replace("\n", "\r\n"), "\ufeff" + text):
        doc = load("x.md", variant.encode("utf-8"))
        assert doc.data == {"title": "Café", "n": 3}
        title = doc.span(("title",))
        assert doc.position(title.key_start) == Position(2, 1)
        assert doc.position(title.start) == Position(2, 8)  # the opening quote
        assert doc.text[title.start:title.end] == '"Café"'
        assert doc.position(doc.span(("n",)).start) == Position(3, 4)


def test_line_separators_inside_values_do_not_shift_lines():
    # libyaml counts U+2028 as a line break (YAML 1.1); positions must not.
    doc = load("x.md", '---\na: "x\u2028y"\nb: 1\n---\n'.encode())
    assert doc.position(doc.span(("b",)).start) == Position(3, 4)


def test_yaml_12_core_schema_and_timestamps_stay_strings():
    doc = load("x.md", b"---\na: yes\nb: 0o17\nc: 1.5\nd: ~\ne: 2021-12-08T16:33:00Z\nf: true\ng: 010\n---\n")
    assert doc.data == {"a": "yes", "b": 15, "c": 1.5, "d": None, "e": "2021-12-08T16:33:00Z", "f": True, "g": 10}


def test_nested_paths_and_body_untouched():
    doc = load("x.md", b"---\nrelated:\n  - webUrl: \"https://a.example/\"\n    quality: 5\n---\nbody: not yaml: [\n")
    assert doc.data == {"related": [{"webUrl": "https://a.example/", "quality": 5}]}
    span = doc.span(("related", 0, "quality"))
    assert doc.position(span.start) == Position(4, 14)
    assert doc.position(span.key_start) == Position(4, 5)
    assert doc.position(doc.span(("related", 0)).start) == Position(3, 5)


CASES = [
    # (name, bytes, expected (code, line, column) list)
    ("invalid utf-8", b"---\ntitle: \"caf\xe9\"\n---\n", [("CL001", 2, 12)]),
    ("invalid utf-8 in body", b"---\na: 1\n---\nok\n\xff\n", [("CL001", 5, 1)]),
    ("utf-16", "---\na: 1\n---\n".encode("utf-16"), [("CL001", 1, 1)]),
    ("no front matter", b"title: x\n", [("CL002", 1, 1)]),
    ("empty file", b"", [("CL002", 1, 1)]),
    ("unterminated", b"---\ntitle: x\n", [("CL002", 1, 1)]),
    ("unterminated after bom", b"\xef\xbb\xbf---\ntitle: x\n", [("CL002", 1, 1), ("CL005", 1, 1)]),
    ("syntax error", b"---\ntitle: x\nbad: [1, 2\n---\n", [("CL003", 4, 1)]),
    ("mapping in scalar", b"---\ntitle: a: b\n---\n", [("CL003", 2, 9)]),
    ("tab indentation", b"---\na:\n\tb: 1\n---\n", [("CL003", 3, 1)]),
    ("duplicate key", b"---\ntitle: a\nn: 1\ntitle: b\n---\n", [("CL004", 4, 1)]),
    ("nested duplicate", b"---\np:\n  name: a\n  name: b\n---\n", [("CL004", 4, 3)]),
    ("different complex keys", b"---\n? [a, b]\n: c\n? {x: 1}\n: y\n? ['1']\n: z\n? [1]\n: w\n---\n", []),
    ("equal complex keys", b"---\n? [a, b]\n: c\n? {x: 1}\n: y\n? [a, b]\n: z\n---\n", [("CL004", 6, 3)]),
    ("equal complex keys with an anchor", b"---\na: &x 1\n? [a]\n: c\n? [a]\n: z\n---\n", [("CL004", 5, 3)]),
    ("bom", b"\xef\xbb\xbf---\ntitle: x\n---\n", [("CL005", 1, 1)]),
    ("list front matter", b"---\n- a\n- b\n---\n", [("CL006", 1, 1)]),
    ("scalar front matter", b"---\njust text\n---\n", [("CL006", 1, 1)]),
    ("empty front matter", b"---\n---\nbody\n", []),  # an empty mapping: the schema judges it
    ("alias", b"---\na: &x\n  k: 1\nb: *x\nc: *x\n---\n", [("CL007", 2, 4)]),
    ("crlf syntax error", b"---\r\na: 1\r\nb: [\r\n---\r\n", [("CL003", 4, 1)]),
    ("deep nesting", b"---\na: " + b"[" * 1000 + b"]" * 1000 + b"\n---\n", [("CL003", 2, 68)]),
]


@pytest.mark.parametrize("name,raw,expected", CASES, ids=[c[0] for c in CASES])
def test_syntax_findings_exact(name, raw, expected, write, capsys):
    path = write("case.md", raw)
    assert sorted(findings([path], capsys, *SYNTAX)) == sorted(expected)


def test_a_document_end_line_does_not_close_front_matter_and_cl002_says_so(write, capsys):
    # The contract (SPEC) closes front matter with `---` only; Jekyll and Pandoc also take `...`.
    _, result = check_json([write("case.md", b"---\ntitle: Pandoc doc\n...\n\n# Body\n")], capsys, *SYNTAX)
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in result] == [
        ("CL002", 1, 1, "front matter opened here is never closed by a `---` line "
                        "(a `...` line, YAML's document end, does not close it: write `---`)")]


@pytest.mark.parametrize("raw, language", [(b"---json\n{\"title\": \"x\"}\n---\nBody\n", "json"),
                                           (b"---yaml \r\ntitle: x\r\n---\r\n", "yaml"), (b"---js\n", "js")])
def test_a_gray_matter_language_fence_is_named(raw, language, write, capsys):
    # Eleventy (gray-matter) opens front matter with `---json`: the finding says why it is not read.
    _, result = check_json([write("case.md", raw)], capsys, *SYNTAX)
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in result] == [
        ("CL002", 1, 1, f"front matter opened with `---{language}` is not read: "
                        "open YAML with `---`, TOML with `+++`, JSON with `{` on the first line")]


def test_alias_bomb_is_not_expanded(write, capsys):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = write("bomb.md", "---\n" + "\n".join(levels) + "\n---\n")
    # 9**12 items if expanded; one CL007 per anchor that is aliased (a0-a10), at the anchor.
    result = findings([path], capsys, *SYNTAX)
    assert result == [("CL007", line, 5) for line in range(2, 12)] + [("CL007", 12, 6)]


def test_bad_files_do_not_stop_the_run(write, capsys, tmp_path):
    write("a.md", b"---\nbad: [\n---\n")
    write("b.md", b"\xff\xfe")
    write("c.md", b"---\ntitle: x\ntitle: y\n---\n")
    (tmp_path / "dir.md").mkdir()  # a folder named like a record is walked, not read
    result = findings([tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md", tmp_path / "missing.md"],
                      capsys, *SYNTAX)
    assert result == [("CL003", 3, 1), ("CL001", 1, 1), ("CL004", 3, 1), ("CL008", 1, 1)]


def test_anchor_free_builder_gives_the_same_data_and_problems():
    # Without an anchor the data is built without node tracking (_may_have_anchor);
    # both builders must agree wherever the shortcut is taken.
    from contentlint import document
    from tests.conftest import CORPUS

    blocks = ["a: 1\nb: [x, {c: null}]\nb: ~\nd: \"AT & T\"\ne: https://x.example/?a=1&b=2\n",
              "a: &x 1\nb: *x\n", "- &a [1]\n", "a: !!str 3\nb: ! 4\n"]
    for path in sorted(CORPUS.rglob("*.md"))[:300] if CORPUS.is_dir() else []:
        doc = load(str(path), path.read_bytes())
        if doc.ok:
            blocks.append(doc.text[doc.fm_start:doc.fm_end])
    shortcut = 0
    for block in blocks:
        root = document.compose(block)
        slow_doc, fast_doc = document.Document("t", b""), document.Document("t", b"")
        slow, fast = document._Builder(slow_doc).build(root), document._Builder(fast_doc).build_tree(root)
        if not document._may_have_anchor(block):
            shortcut += 1
            assert slow == fast and slow_doc.problems == fast_doc.problems
    assert document._may_have_anchor("a: &x 1\nb: *x\n") and document._may_have_anchor("- &a [1]\n")
    assert not document._may_have_anchor("d: \"AT & T\"\ne: https://x.example/?a=1&b=2\n")
    assert shortcut >= (250 if CORPUS.is_dir() else 2)  # the shortcut is the common case


@pytest.mark.parametrize("text", ["\ufeff---\nab: 1\n---\n", "---\r\na: b\r\n---\r\n", "---\rx: 1\r---\r",
                                  "---\n" + "k: v\n" * 900 + "---\n", "\n\n", ""])
def test_positions_before_and_after_the_line_index_agree(text):
    counted, indexed = load("a.md", text.encode()), load("a.md", text.encode())
    indexed.line_starts  # noqa: B018 - builds the index
    offsets = range(len(text) + 2)
    assert [counted.position(o) for o in offsets] == [indexed.position(o) for o in offsets]


@pytest.mark.parametrize("value,expected", [
    ("!!int 1_000", 1000), ("!!int -0012", -12), ("!!int 0x1F", 31), ("!!int 0o17", 15), ('!!int "7"', 7),
    ("!!float 1", 1.0), ("!!float -.Inf", float("-inf")), ("!!float 1e400", float("inf")), ("!!float 2_5.5", 25.5),
    ("!!bool FALSE", False), ("!!bool true", True), ("!!null ~", None), ("!!null ''", None),
    ("!!str 12", "12"), ("!!binary aGk=", "aGk="), ("!local x", "x"),
    ("-" + "9" * 4300, -int("9" * 4300)), ("0" * 5000 + "1", 1), ("0x" + "f" * 3500, 16 ** 3500 - 1),
    ("9" * 4300, int("9" * 4300)), ("007", 7), ("0", 0), ("１２", "１２"), ('"12"', "12"), ("12_3", "12_3"),
])
def test_tagged_and_long_scalars_that_are_data(value, expected):
    doc = load("x.md", f"---\nq: {value}\n---\n".encode())
    assert doc.problems == [] and type(doc.data["q"]) is type(expected) and doc.data["q"] == expected


@pytest.mark.parametrize("value,message", [
    ("!!int abc", "`!!int abc` is not an integer"),
    ("!!int 0xZZ", "`!!int 0xZZ` is not an integer"),
    ("!!int 1.5", "`!!int 1.5` is not an integer"),
    ("!!int ١٢", "`!!int ١٢` is not an integer"),  # Python's int() would take Arabic-Indic digits
    ("!<tag:yaml.org,2002:int> x", "`!!int x` is not an integer"),
    ('!!int "a\\tb"', "`!!int a\\tb` is not an integer"),
    ("!!float abc", "`!!float abc` is not a number"),
    ("!!float infinity", "`!!float infinity` is not a number"),
    ("!!bool yes", "`!!bool yes` is not a boolean (true or false)"),
    ("!!null x", "`!!null x` is not null"),
    ("!!int " + "x" * 50, "`!!int " + "x" * 40 + "…` is not an integer"),
    ("9" * 4301, "integer `" + "9" * 40 + "…` has more than 4,300 digits"),
    ("0x" + "f" * 4000, "integer `0x" + "f" * 38 + "…` has more than 4,300 digits"),
])
def test_scalars_that_are_not_their_type_are_cl003_at_the_value(value, message):
    doc = load("x.md", f"---\ntitle: x\nq: {value}\nr: !!int y\n---\n".encode())
    assert [(code, doc.position(v.start), v.message) for code, v in doc.problems] == [
        ("CL003", Position(3, 4), message)]  # the first such value only, like a syntax error
    assert doc.text[doc.problems[0][1].start:doc.problems[0][1].end] == value
    assert doc.data is None  # the rules that read data do not run


def test_each_problem_recorded_while_reading_is_handed_on_by_the_rule_of_its_code():
    from contentlint import engine, problems, registry

    codes = {getattr(problems, name) for name in dir(problems) if name.isupper()}
    assert codes == {f"CL00{n}" for n in range(1, 9)}
    docs = [load("x.md", raw) for raw in (
        b"\xef\xbb\xbf---\ntitle: a\ntitle: b\nx: &a 1\ny: *a\n---\n",  # CL005, CL004, CL007
        b"---\ntitle: caf\xe9\n---\n", b"title: a\n", b"---\ntitle: a\n",  # CL001, CL002, CL002
        b"---\ntitle: \"a \"b\"\n---\n", b"---\n- a\n---\n",  # CL003, CL006
        b"+++\ntitle = \n+++\n", b"{\"title\": }\n")]  # CL003 from TOML and JSON front matter
    docs.append(engine.unreadable("gone.md", "file does not exist"))  # CL008
    recorded = [(code, v) for doc in docs for code, v in doc.problems]
    assert {code for code, _ in recorded} == codes
    for doc in docs:
        for code in codes:
            rule = registry.get(code)
            assert rule is not None and rule.needs_data is False
            found = [(v.start, v.end, v.message) for v in rule.check(doc, None)]
            assert found == [(v.start, v.end, v.message) for c, v in doc.problems if c == code]


def test_a_span_found_by_walking_is_the_indexed_span():
    # A finding's span is found by walking the tree along its path; the full
    # index (every value) is built only when asked for. Both must agree on
    # every path, duplicates, complex keys, steps that lead nowhere included.
    from tests.conftest import CORPUS

    texts = ["---\na: 1\nb: [x, {c: null}]\n? [k]\n: v\nf: |\n  g\n'h': [[i], {j: 'k'}]\n---\n",
             "---\n" + "".join(f"k{i}: [{i}]\n" for i in range(70)) + "---\n",
             "---\nx:" + " [" * 64 + "1" + "]" * 64 + "\n---\n"]
    for path in sorted(CORPUS.rglob("*.md"))[:150] if CORPUS.is_dir() else []:
        texts.append(path.read_bytes().decode("utf-8", "replace"))
    walked = 0
    for text in texts:
        indexed, lazy = load("a.md", text.encode()), load("a.md", text.encode())
        if not lazy._tree:
            continue
        walked += 1
        paths = list(indexed.spans)
        paths += [p + (0,) for p in paths] + [p + ("b",) for p in paths] + [p[:-1] + (-1,) for p in paths if p]
        paths += [p[:-1] + (str(p[-1]),) for p in paths if p and isinstance(p[-1], int)]
        assert [lazy.span(p) for p in paths] == [indexed.span(p) for p in paths]
        assert [lazy.value_span(p) for p in paths] == [indexed.value_span(p) for p in paths]
        assert lazy._spans is None  # never indexed
    assert walked >= (100 if CORPUS.is_dir() else 3)
    aliased = load("a.md", b"---\na: &x {b: 1}\nc: *x\n---\n")
    # Shared nodes (an alias) and duplicate keys keep the index: a value is at
    # its first path only; a path under an earlier duplicate stays.
    duplicated = load("a.md", b"---\nb: [x]\nb: {d: e}\n---\n")
    assert not duplicated._tree and duplicated.value_span(("b", 0)) == (8, 9)
    assert not aliased._tree
    assert aliased.value_span(("a", "b")) == (14, 15) and aliased.value_span(("c", "b")) == (4, 23)


def test_values_walk_every_value_in_document_order():
    from tests.conftest import CORPUS

    def reference(path, value):
        yield path, value
        if isinstance(value, dict):
            for key, child in value.items():
                yield from reference(path + (key,), child)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                yield from reference(path + (index,), child)

    texts = ["---\na: [[], [1, {b: [null, {}]}], {}]\nc: {d: {e: 'f'}}\ng: 2\n---\n", "---\n---\n", "---\n# only a comment\n---\n"]
    texts += [p.read_text("utf-8", "replace") for p in sorted(CORPUS.rglob("*.md"))[:100]] if CORPUS.is_dir() else []
    for text in texts:
        doc = load("a.md", text.encode())
        assert doc.values() == (list(reference((), doc.data)) if doc.data is not None else [])
    nested = load("a.md", texts[0].encode()).values()
    assert [p for p, _ in nested][:6] == [(), ("a",), ("a", 0), ("a", 1), ("a", 1, 0), ("a", 1, 1)]


@pytest.mark.parametrize("value,expected", [("007", 7), ("!!int 0042", 42), ("1" * 4300, int("1" * 4300))])
def test_plain_digit_integers(value, expected):
    assert load("a.md", f"---\nn: {value}\n---\n".encode()).data == {"n": expected}
    arabic = load("a.md", "---\nn: !!int ١٢\n---\n".encode())
    assert arabic.data is None and arabic.problems[0][1].message == "`!!int ١٢` is not an integer"


class _CountingStr(str):
    """A block that records which substrings are counted in it."""

    def count(self, sub, *args):
        self.counted.append(sub)
        return super().count(sub, *args)


def test_the_block_nesting_guard_counts_two_character_indicators_only_past_the_one_character_bound():
    """`- ` and `? ` are counted (a scan of the block each) only in a block
    with 60 indicators and blanks in a row; the guard's answers are unchanged."""
    from contentlint.document import MAX_DEPTH, _too_deep

    record = _CountingStr("title: a-b\nrelated:\n  - webUrl: https://x.example/a-b-c?d=1\n")
    record.counted = []
    assert _too_deep(record) is None
    assert record.counted == []
    dashes = _CountingStr("slug: " + "a-" * (MAX_DEPTH + 1) + "\n")  # many `-`, no run
    dashes.counted = []
    assert _too_deep(dashes) is None
    assert dashes.counted == []
    deep = "x:\n" + "- " * (MAX_DEPTH + 1) + "a\n"
    assert _too_deep(deep) == (3 + 2 * MAX_DEPTH, MAX_DEPTH)
    assert _too_deep("x:\n" + "? " * (MAX_DEPTH + 1) + "a\n") == (3 + 2 * MAX_DEPTH, MAX_DEPTH)
    assert _too_deep("x:\n" + "-\t" * (MAX_DEPTH + 1) + "a\n") == (3 + 2 * MAX_DEPTH, MAX_DEPTH)


def test_the_block_nesting_guard_stops_counting_indicators_once_past_the_bound():
    """A record with more than MAX_DEPTH `- ` items needs no `? `, `-\\t` or
    `?\\t` count (each scans the whole block); a run mixing them is still found."""
    from contentlint.document import MAX_DEPTH, _too_deep

    items = _CountingStr("rule: " + "-" * 60 + "\ntopics:\n" + "  - a\n" * (MAX_DEPTH + 1))  # the rule is a run
    items.counted = []
    assert _too_deep(items) is None
    assert "- " in items.counted
    assert not {"? ", "-\t", "?\t"} & set(items.counted)
    mixed = "x:\n" + "- ? " * (MAX_DEPTH // 2) + "-\t?\ta\n"  # 33 `- `, 33 `? `, one each with a tab
    assert _too_deep(mixed) == (3 + 2 * MAX_DEPTH, MAX_DEPTH)


def test_a_json_style_surrogate_pair_is_explained(write, capsys):
    path = write("a.md", '---\ntitle: "Hello \\ud83d\\ude00"\n---\n')
    (found,) = check_json([path], capsys, "--select", "CL003")[1]
    assert (found["line"], found["column"]) == (2, 17)
    assert found["message"].endswith("surrogate pair is JSON's way to write a character beyond U+FFFF; "
                                     "YAML writes it `\\U0001F600`, or the character itself)")
    other = write("b.md", '---\ntitle: "bad \\q escape"\n---\n')
    assert "surrogate" not in check_json([other], capsys, "--select", "CL003")[1][0]["message"]
