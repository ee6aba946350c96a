"""CL200-CL203 (and CL005): exact findings and exact bytes after `fix`.

One table drives both: each case lists the findings (code, line, column,
fix applicability) and the file after fixing with the safe fixes (None: the
bytes stay identical). The no-op cases sit beside the rewrites: legitimate
text in many languages must produce no finding and no change.
"""

from __future__ import annotations

import pytest

from contentlint import engine, registry
from contentlint.config import Settings
from contentlint.model import Applicability
from contentlint.rules.text import invisible_repair, mojibake_repair, unescape_entities
from tests.conftest import fix_text, fm, lint_text

SAFE, UNSAFE, DISPLAY = "safe", "unsafe", "display-only"
TEXT_RULES = ("CL005", "CL200", "CL201", "CL202", "CL203")


def lint(text: str, select=TEXT_RULES):
    return lint_text(text, *select)[1]


def fix(text: str, select=TEXT_RULES, unsafe=False) -> str:
    applicability = Applicability.UNSAFE if unsafe else Applicability.SAFE
    outcome = fix_text(text, *select, applicability=applicability)
    assert outcome.error is None and outcome.warnings == []
    return (outcome.fixed or outcome.original).decode("utf-8")


def summary(diagnostics):
    return [(d.code, d.start.line, d.start.column, d.fix.applicability.label if d.fix else None)
            for d in diagnostics]


CASES = [
    # -- CL200 mojibake ---------------------------------------------------------
    ("seed title", fm('title: "ACLU Calls for Halt of Homeland Securityâ€™s Use Of Facial Recognition"'),
     [("CL200", 2, 49, SAFE)],
     fm('title: "ACLU Calls for Halt of Homeland Security’s Use Of Facial Recognition"')),
    ("mojibake in a URL", fm('webUrl: "https://www.msn.com/best-diablo-4-settings-â€“-how-to/ar-AA1"'),
     [("CL200", 2, 53, SAFE)],
     fm('webUrl: "https://www.msn.com/best-diablo-4-settings-–-how-to/ar-AA1"')),
    ("mixed plain stays plain", fm("title: Pokémon doesnâ€™t care"),
     [("CL200", 2, 21, SAFE)], fm("title: Pokémon doesn’t care")),
    ("triple mojibake", fm('excerpt: "doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t"'),
     [("CL200", 2, 16, SAFE)], fm('excerpt: "doesn’t"')),
    ("U+2028 hidden in mojibake is repaired (removing it from a URL is unsafe)",
     fm('webUrl: "https://example.com/a-â€¨b"'),
     [("CL200", 2, 32, SAFE)], fm('webUrl: "https://example.com/a-\\Lb"')),
    ("Windows-1252 read as Latin-1 (a C1 control): re-decoded, not removed",
     fm('title: "Security\\x92s"'), [("CL200", 2, 17, SAFE), ("CL202", 2, 17, DISPLAY)],
     fm('title: "Security\\u2019s"')),  # the old scalar was ASCII with escapes: so is the new one
    ("lossy mojibake is display-only", fm('title: "â€œquotedâ€?"'), [("CL200", 2, 9, DISPLAY)], None),
    # A byte of the mojibake removed first is lost to its repair: the removal waits for it.
    ("a control inside display-only mojibake is kept", fm('title: "He said â€œHiâ€\\x9d to Â you"'),
     [("CL200", 2, 17, DISPLAY), ("CL202", 2, 24, DISPLAY)], None),
    ("a trailing space of display-only mojibake is kept", fm('b: "Power AppsÂ "'),
     [("CL200", 2, 15, DISPLAY), ("CL203", 2, 16, DISPLAY)], None),
    ("safe mojibake first, then the trailing space", fm('c: "Securityâ€™s x "'),
     [("CL200", 2, 13, SAFE), ("CL203", 2, 19, DISPLAY)], fm('c: "Security’s x"')),
    ("guessed no-break space is display-only", fm('title: "voilÃ le travail"'), [("CL200", 2, 13, DISPLAY)], None),
    # Beside correct text, ftfy repairs each garbled stretch with its guesses on:
    # safe only where the repair read back with the wrong codec is the stretch.
    ("a guess beside correct text is display-only", fm('title: "139ð Ÿ˜€ — café"'), [("CL200", 2, 12, DISPLAY)],
     None),
    ("a read-back beside correct text is safe", fm('title: "naïve cafÃ© and crÃ¨me"'), [("CL200", 2, 18, SAFE)],
     fm('title: "naïve café and crème"')),
    ("two read-backs with correct text between them are safe", fm('title: "cafÃ© and naïve and rÃ©sumÃ©"'),
     [("CL200", 2, 12, SAFE)], fm('title: "café and naïve and résumé"')),
    ("block scalar: display-only", fm("title: |", "  Securityâ€™s"), [("CL200", 2, 8, DISPLAY)], None),
    # -- CL201 html-entity -----------------------------------------------------------
    ("double-escaped entity", fm('excerpt: "We&amp;#39;re here, we&amp;#39;ve seen"'),
     [("CL201", 2, 13, SAFE)], fm('excerpt: "We\'re here, we\'ve seen"')),
    ("named and numeric", fm("title: Tom &amp; Jerry&#8217;s &hellip;"),
     [("CL201", 2, 12, SAFE)], fm("title: Tom & Jerry’s …")),
    ("entity in a URL is unsafe", fm('url: "https://i2.wp.com/a.png?fit=1280%2C720&#038;ssl=1"'),
     [("CL201", 2, 45, UNSAFE)], None),
    ("entity decoding to U+FFFD is display-only", fm('title: "a &#0; b"'), [("CL201", 2, 11, DISPLAY)], None),
    ("entity decoding to markup is unsafe", fm('title: "How to type &lt;br&gt; in Markdown"'),
     [("CL201", 2, 21, UNSAFE)], None),
    ("&nbsp; then trailing no-break space", fm('title: "Security in Dataverse&nbsp;"'),
     [("CL201", 2, 30, SAFE)], fm('title: "Security in Dataverse"')),
    # -- CL202 invisible-character ------------------------------------------------------
    ("zero-width spaces", fm('excerpt: "a rough idea of \u200b\u200bwhat the game"'),
     [("CL202", 2, 27, SAFE)], fm('excerpt: "a rough idea of what the game"')),
    ("escaped zero-width space keeps escape style",
     fm('excerpt: "caf\\u00e9 \\u200bbar"'),
     [("CL202", 2, 21, SAFE)], fm('excerpt: "caf\\xE9 bar"')),
    ("right-to-left marks with no right-to-left letter", fm('a: "\u200fPython 3.12"', 'c: "\u061cPython"'),
     [("CL202", 2, 5, UNSAFE), ("CL202", 3, 5, UNSAFE)], None),
    ("a removal that would join an HTML entity is left to a person", fm('b: "GameSpot&#x2\\x00028;"'),
     [("CL202", 2, 17, DISPLAY)], None),
    ("word joiner before a space", fm('title: "Low\u2060 Code"'),
     [("CL202", 2, 12, SAFE)], fm('title: "Low Code"')),
    ("word joiner between two letters hides a word", fm('title: "Pay\u2060Pal account"'),
     [("CL202", 2, 12, SAFE)], fm('title: "PayPal account"')),
    ("mongolian vowel separator in latin text", fm('title: "Low\u180eCode"'),
     [("CL202", 2, 12, SAFE)], fm('title: "LowCode"')),
    ("soft hyphens outside a word", fm('title: "\u00ad\u00adDataverse Low Code"'),
     [("CL202", 2, 9, SAFE)], fm('title: "Dataverse Low Code"')),
    ("line break in a title", fm('title: "Line one \\r\\n  line two"'),
     [("CL202", 2, 18, SAFE)], fm('title: "Line one line two"')),
    ("U+2028 in a URL is unsafe", fm('webUrl: "https://example.com/a\\Lb"'), [("CL202", 2, 31, UNSAFE)], None),
    ("U+2028 in an excerpt becomes a line break", fm('excerpt: "one\\Ltwo"'),
     [("CL202", 2, 14, SAFE)], fm('excerpt: "one\\ntwo"')),
    ("control character", fm('title: "bell\\a here"'), [("CL202", 2, 13, SAFE)], fm('title: "bell here"')),
    ("bidi override in latin text is unsafe", fm('title: "abc\u202edef"'), [("CL202", 2, 12, UNSAFE)], None),
    ("tab in a single-line plain value", fm("title: 'a\tb'"), [("CL202", 2, 10, SAFE)], fm("title: 'a b'")),
    # -- CL203 surrounding-whitespace ---------------------------------------------------
    ("trailing space", fm('excerpt: "the content "'), [("CL203", 2, 22, SAFE)], fm('excerpt: "the content"')),
    ("trailing escaped CRLF", fm('excerpt: "Q2 2021.\\r\\n"'), [("CL203", 2, 19, SAFE)], fm('excerpt: "Q2 2021."')),
    ("leading and trailing, single-quoted", fm("title: ' It''s  '"), [("CL203", 2, 9, SAFE)], fm("title: 'It''s'")),
    ("trailing no-break spaces", fm('title: "Dataverse \u00a0\u00a0"'),
     [("CL203", 2, 18, SAFE)], fm('title: "Dataverse"')),
    ("whitespace-only value", fm('title: "  "'), [("CL203", 2, 9, SAFE)], fm('title: ""')),
    ("ideographic spaces: an indent kept, trailing ones stripped", fm('excerpt: "\u3000本日は晴天なり。\u3000"'),
     [("CL203", 2, 20, SAFE)], fm('excerpt: "\u3000本日は晴天なり。"')),
    ("a block scalar's indentation indicator keeps its leading spaces; its trailing ones are reported",
     fm("snippet: |2", "    indented code", "  end  ", "other: x"), [("CL203", 2, 10, DISPLAY)], None),
    ("leading spaces of a block scalar without an indicator", fm("snippet: >-", "  \u00a0x"),
     [("CL203", 2, 10, DISPLAY)], None),
    ("ideographic space before latin text", fm('title: "\u3000Tokyo"'), [("CL203", 2, 9, SAFE)],
     fm('title: "Tokyo"')),
    ("ideographic spaces only", fm('title: "\u3000\u3000"'), [("CL203", 2, 9, SAFE)], fm('title: ""')),
    ("URL with a trailing line break", fm('webUrl: "https://example.com/\\n"'),
     [("CL203", 2, 30, SAFE)], fm('webUrl: "https://example.com/"')),
    ("plain that would read as a boolean is quoted", fm('title: " yes"'), [("CL203", 2, 9, SAFE)],
     fm('title: "yes"')),
    ("flow sequence item", fm('topics: [AI, "Cloud "]'), [("CL203", 2, 20, SAFE)], fm('topics: [AI, "Cloud"]')),
    # -- several rules on one value: one fix per pass, to a fixed point ----------------
    ("entity, zero-width and trailing space", fm('title: "Tom &amp; Jerry\u200b "'),
     [("CL201", 2, 13, SAFE), ("CL202", 2, 24, SAFE), ("CL203", 2, 25, SAFE)], fm('title: "Tom & Jerry"')),
    # -- CL005 ---------------------------------------------------------------------------
    ("byte order mark, CRLF kept", "\ufeff" + fm('title: "x "', newline="\r\n") + "body\r\n",
     [("CL005", 1, 1, SAFE), ("CL203", 2, 10, SAFE)], fm('title: "x"', newline="\r\n") + "body\r\n"),
]

CLEAN = [
    ("languages", fm("title: Björn und Ben erklären", 'excerpt: "Ελληνικά, 日本語, Привет, עברית, عربي, हिन्दी"')),
    ("capitals that look like mojibake", fm("title: SÃO PAULO", "excerpt: NAÇÃO, ÂME, PÃO DE AÇÚCAR")),
    ("symbols and typography", fm('title: "“quoted” ‘single’ – — … © ® ™ € £ ½ x² Diablo 4′s PC´s"')),
    ("emoji with joiner and variation selector", fm('title: "👨\u200d👩\u200d👧 ❤️ 🔥"')),
    ("persian zero-width non-joiner", fm('title: "می\u200cخواهم"')),
    ("malayalam chillu spelled with a joiner after the virama, at a word's end",
     fm('title: "\u0d28\u0d4d\u200d \u0d15\u0d4d\u200d"')),
    ("thai word boundaries", fm('title: "ภาษา\u200bไทย"')),
    ("japanese paragraph indented with an ideographic space", fm('excerpt: "\u3000本日は晴天なり。"')),
    ("an indent before a bracket or a digit of japanese text", fm('excerpt: "\u3000「会議」は終わりました。"',
                                                                  'title: "\u30002日間の会議"')),
    ("word joiners keeping a fraction on one line", fm('title: "1\u2060/\u20602 cup"')),
    ("mongolian vowel separator between letters", fm('title: "\u1828\u1820\u1837\u1822\u180e\u1820"')),
    ("right-to-left text with a mark", fm('title: "שלום\u200f world"')),
    ("soft hyphen inside a word", fm('title: "Donau\u00addampf\u00adschiff"')),
    ("no-break space inside prose", fm('excerpt: "Pokémon\u00a0Bubbles, 10\u00a0km"')),
    ("paragraph breaks in an excerpt", fm('excerpt: "First.\\r\\n\\r\\nSecond."')),
    ("HTML field keeps entities and whitespace", fm('featuredContent: " <p>a &amp; b</p>\\n"')),
    ("ampersands that are not entities", fm('title: "AT&T & R&D"', 'webUrl: "https://x.com/?a=1&copy=2&title=x"')),
    ("block scalar's own final line break", fm("excerpt: |", "  one", "  two")),
    ("leading spaces kept by an indentation indicator", fm("snippet: |2", "    indented code", "  end")),
    ("non-string values", fm("quality: 54", "published: false", "heat: -1", "date: 2021-12-08T16:33:00Z")),
]


@pytest.mark.parametrize("name,text,expected,fixed", CASES, ids=[c[0] for c in CASES])
def test_findings_and_fix(name, text, expected, fixed):
    assert summary(lint(text)) == expected
    assert fix(text) == (text if fixed is None else fixed)


@pytest.mark.parametrize("name,text", CLEAN, ids=[c[0] for c in CLEAN])
def test_legitimate_text_is_not_flagged(name, text):
    assert lint(text) == []
    assert fix(text) == text


def test_mixed_value_that_cannot_stay_plain_becomes_double_quoted():
    # `fans: doesn’t` would be a mapping if written plain.
    text = fm("title: 'Pokémon fans: doesnâ€™t'")
    assert fix(text) == fm("title: 'Pokémon fans: doesn’t'")
    assert fix(fm("title: Pokémon fans doesnâ€™t #1")) == fm("title: Pokémon fans doesn’t #1")


def test_unsafe_fixes_apply_only_when_asked():
    text = fm('url: "https://i2.wp.com/a.png?fit=1%2C7&#038;ssl=1"', 'webUrl: "https://e.com/a\\Lb"')
    assert fix(text) == text
    assert fix(text, unsafe=True) == fm('url: "https://i2.wp.com/a.png?fit=1%2C7&ssl=1"', 'webUrl: "https://e.com/ab"')


def test_messages_name_the_defect():
    (d,) = lint(fm('title: "Homeland Securityâ€™s Use"'))
    assert d.message == "mojibake `Securityâ€™s` (text decoded with the wrong codec); reads `Security’s`"
    assert d.end.column == d.start.column + 3  # the three garbled characters
    (d,) = lint(fm('excerpt: "We&amp;#39;re, we&amp;#39;ve"'))
    assert d.message == "HTML entities `&amp;#39;` ×2 in `excerpt`"
    (d,) = lint(fm('title: "a\\nb\u200b"'))
    assert d.message == "`title` contains line break, U+200B ZERO WIDTH SPACE"
    (d,) = lint(fm('title: "x \u00a0"'))
    assert d.message == "`title` has trailing ` \\u00A0` whitespace"


def test_mojibake_plan_safety():
    assert mojibake_repair("cafÃ© and café") == ("café and café", Applicability.SAFE)  # decode_inconsistent_utf8
    assert mojibake_repair("Ã¢â‚¬Å“Hello") == ("“Hello", Applicability.SAFE)  # two rounds
    assert mojibake_repair("â€œquotedâ€?")[1] is Applicability.DISPLAY_ONLY  # replace_lossy_sequences
    assert mojibake_repair("voilÃ le travail")[1] is Applicability.DISPLAY_ONLY  # restore_byte_a0
    assert mojibake_repair("plain ascii") is None


@pytest.mark.parametrize("value, applicability", [
    # Capitals and a no-break space (Portuguese, Vietnamese): as likely as a garbled `à`.
    ("CAMPE\u00c3\u00a0MUNDIAL: a sele\u00e7\u00e3o feminina", Applicability.DISPLAY_ONLY),
    ("IRM\u00c3\u00a0!", Applicability.DISPLAY_ONLY),
    ("MA\u00c7\u00c3\u00a0\u00bb", Applicability.DISPLAY_ONLY),
    ("NG\u00c3\u00a0BA", Applicability.DISPLAY_ONLY),
    ("SELE\u00c7\u00c3O CAMPE\u00c3\u00a0em 2002", Applicability.DISPLAY_ONLY),  # a lower-case word after it
    # Real mojibake keeps its safe repair, a capital word's included.
    ("voil\u00c3\u00a0 tout", Applicability.SAFE),
    ("B\u00c3\u00a0n", Applicability.SAFE),
    ("H\u00c3\u00a0 N\u00e1\u00bb\u0099i", Applicability.SAFE),
    ("CAF\u00c3\u2030 PARIS", Applicability.SAFE),
    ("CAF\u00c3\u2030 \u00c3\u00a0 la carte", Applicability.SAFE),  # each run judged where it stands
])
def test_a_repair_that_breaks_a_capital_word_is_a_suggestion(value, applicability):
    assert mojibake_repair(value)[1] is applicability


def test_unescape_until_stable():
    assert unescape_entities("&amp;amp;amp;#39;") == "'"
    assert unescape_entities("&NotAnEntity; AT&T &copy=1") == "&NotAnEntity; AT&T &copy=1"
    assert unescape_entities("&#x2019;&#8217;&rsquo;") == "’’’"


def test_invisible_repair_keeps_ends_for_cl203():
    assert invisible_repair("\u200b", url=False, multiline=False) == ("", {"U+200B ZERO WIDTH SPACE": 1}, Applicability.SAFE)
    assert invisible_repair(" \n", url=False, multiline=False) is None  # all whitespace: CL203's
    fixed, found, applicability = invisible_repair("a\n b\u2029c ", url=False, multiline=False)
    assert (fixed, applicability) == ("a b c ", Applicability.SAFE)


def test_options_select_the_fields():
    settings = Settings(select=("CL201", "CL202"), rule_options={
        "CL201": {"html-fields": []}, "CL202": {"multiline-fields": []}})
    rules = engine.enabled_rules(settings)
    text = fm('featuredContent: "<p>a &amp; b</p>"', 'excerpt: "a\\nb"')
    _, result = engine.lint_bytes("x.md", text.encode(), rules, engine.Context(settings))
    assert [(d.code, d.start.line) for d in result.diagnostics] == [("CL201", 2), ("CL202", 3)]


@pytest.mark.parametrize("code", ["CL200", "CL201", "CL202", "CL203"])
def test_rule_docs_have_every_section(code):
    rule = registry.get(code)
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety"):
        assert section in rule.doc
    assert rule.fix is Applicability.SAFE


def test_suspect_prefilter_covers_every_character_the_scan_acts_on():
    # invisible_repair skips values without a _SUSPECT match: it must match
    # every character the per-character scan can report.
    import unicodedata

    from contentlint.rules import text

    acted_on = [chr(c) for c in range(0x110000)
                if unicodedata.category(chr(c)) == "Cc" or chr(c) in text._BREAKS or chr(c) in text._ZERO_WIDTH
                or chr(c) in text._BIDI or chr(c) in "\u00ad\u200c\u200d"]
    assert len(acted_on) > 70
    assert [hex(ord(ch)) for ch in acted_on if not text._SUSPECT.search(ch)] == []


def test_a_display_only_suggestion_shows_its_repair_as_an_edit():
    # Never applied, but reports (JSON, html) show what it would write.
    found = lint(fm('title: "â€œquotedâ€?"', 'b: "Power AppsÂ "'))
    assert [(d.code, d.fix.applicability, [e.content for e in d.fix.edits]) for d in found] == [
        ("CL200", Applicability.DISPLAY_ONLY, ['"“quoted\ufffd"']),
        ("CL200", Applicability.DISPLAY_ONLY, ['"Power Apps\u00a0"']),
        ("CL203", Applicability.DISPLAY_ONLY, ['"Power AppsÂ"'])]


ZWNJ, ZWJ, ZWSP, LRM, SHY = "\u200c", "\u200d", "\u200b", "\u200e", "\u00ad"


@pytest.mark.parametrize("value", [
    f"/posts/زبان{ZWNJ}های-ایرانی/",  # a Persian IRI (Hugo `url`)
    f"https://fa.wikipedia.org/wiki/زبان{ZWNJ}های_ایرانی",
    f"https://hi.wikipedia.org/wiki/क्{ZWJ}ष",  # after a virama
])
def test_a_joiner_inside_a_word_of_an_iri_is_kept(value):
    assert invisible_repair(value, url=True, multiline=False) is None


@pytest.mark.parametrize("value", [
    f"https://example.com/a{ZWNJ}b",  # between ASCII letters: junk, or a lookalike
    f"https://example.com/{ZWNJ}زبان",  # beside punctuation
    f"https://example.com/زبان{ZWSP}های",  # a zero-width space is never part of an address
])
def test_invisible_characters_elsewhere_in_a_url_are_reported(value):
    assert invisible_repair(value, url=True, multiline=False)[2] is Applicability.UNSAFE


@pytest.mark.parametrize("value", [
    f"Gro\u0308{SHY}ße",  # NFD: a soft hyphen after a combining diaeresis
    f"हिन्दी{SHY}भाषा",  # after a vowel sign (Mc)
    f"人々{ZWSP}の{ZWSP}暮らし",  # beside an iteration mark
    f"東京。{ZWSP}大阪",  # beside CJK punctuation
    f"（注{ZWSP}）",  # beside full-width forms
    f"ឆ្នាំ{ZWSP}2024",  # Khmer before digits
])
def test_format_characters_doing_a_job_are_kept(value):
    assert invisible_repair(value, url=False, multiline=False) is None


def test_a_zero_width_space_between_words_of_a_spaced_script_is_still_removed():
    assert invisible_repair(f"Pay{ZWSP}Pal 人", url=False, multiline=False)[0] == "PayPal 人"
    assert invisible_repair(f"东京 {ZWSP}大阪", url=False, multiline=False)[0] == "东京 大阪"


def test_a_mark_setting_direction_is_kept_in_a_right_to_left_record(write, capsys):
    from tests.conftest import check_json

    rtl = write("fa.md", f'---\ntitle: "آموزش ++C"\ntags: ["C++{LRM}", "برنامه{ZWNJ}نویسی"]\n---\n')
    ltr = write("en.md", f'---\ntitle: "Learn C"\ntags: ["C++{LRM}"]\n---\n')
    found = check_json([rtl, ltr], capsys, "--select", "CL202")[1]
    assert [(f["path"].rsplit("/", 1)[-1], f["line"], f["column"]) for f in found] == [("en.md", 3, 12)]


def test_an_override_needs_right_to_left_letters_of_its_own():
    # The record has Arabic elsewhere; `Invoice\u202efdp.exe` shows as `Invoiceexe.pdf`.
    fixed, found, applicability = invisible_repair("Invoice\u202efdp.exe", url=False, multiline=False,
                                                   rtl_elsewhere=True)
    assert (fixed, list(found), applicability) == (
        "Invoicefdp.exe", ["U+202E RIGHT-TO-LEFT OVERRIDE"], Applicability.UNSAFE)
    assert invisible_repair(f"C++{LRM}", url=False, multiline=False, rtl_elsewhere=True) is None
    assert invisible_repair("\u2066C++\u2069", url=False, multiline=False, rtl_elsewhere=True) is None  # an LRI
    assert invisible_repair("\u2066C++\u2069", url=False, multiline=False) is not None  # no right-to-left text
    # An RLI shows `C++` as `++C`; nested isolates show `Invoice…exe` as `Invoiceexe.pdf`: all reported.
    assert invisible_repair("\u2067C++\u2069", url=False, multiline=False, rtl_elsewhere=True) is not None
    spoof = "Invoice\u2067\u2066pdf\u2069\u2066.\u2069\u2066exe\u2069\u2069"
    assert invisible_repair(spoof, url=False, multiline=False, rtl_elsewhere=True)[0] == "Invoicepdf.exe"
    # The override and its closer go together.
    assert invisible_repair("Invoice\u202efdp.exe\u202c", url=False, multiline=False,
                            rtl_elsewhere=True)[0] == "Invoicefdp.exe"
