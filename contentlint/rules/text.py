"""CL200-CL203: defects inside string values (mojibake, entities, invisible
characters, surrounding whitespace).

Each rule reads the parsed value, decides what it should be, and emits one
Edit that replaces the whole scalar's source text with the new value rendered
in the old style (contentlint.scalars). Findings are anchored on the defective
characters when the scalar is one line (exact columns), else on the value.

Fields are told apart by key name: URL fields (key ending in `url`, but `curl`, or a
value starting with `http://`/`https://`) get unsafe fixes where a change
alters which resource the link names; HTML fields (`featuredContent`) hold
markup, so entities and surrounding whitespace are theirs to keep;
multi-line fields (`excerpt`) may contain line breaks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from contentlint import mojibake_gate, scalars
from contentlint.model import Applicability, Fix, Severity, Violation
from contentlint.problems import YAML_ALIAS
from contentlint.registry import rule

SAFE, UNSAFE, DISPLAY = Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY

_HTTP = re.compile(r"\s*https?://", re.IGNORECASE)


def field_name(path) -> str:
    """The key a value belongs to (for list items, the list's key)."""
    return next((p for p in reversed(path) if isinstance(p, str)), "")


def is_url(path, value: str) -> bool:
    return is_url_key(field_name(path)) or _HTTP.match(value) is not None


def is_url_key(name: str) -> bool:
    """Whether a key names an address: a name ending in `url`, any case
    (`webUrl`, `imageURL`, `image_url`, `canonicalurl`), unless its last word
    is an English word that ends so (`curl`, `install_curl`, `unfurl`)."""
    if name[-3:].lower() != "url":
        return False
    words = _WORDS.findall(name)
    return not words or words[-1].lower() not in _URL_LOOKALIKES


# The last word of a key: camelCase and separators split words (`imageCurl` -> `Curl`).
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# English words ending in "url" that name no address (PURL, a persistent URL, is one).
_URL_LOOKALIKES = frozenset({"curl", "hurl", "churl", "furl", "unfurl", "knurl", "burl"})


def string_values(doc):
    """``(path, value)`` of every string value that has its own source text.

    An alias repeats a value without a span of its own; CL007 reports it,
    and fixing the anchored value fixes both.
    """
    if not any(code == YAML_ALIAS for code, _ in doc.problems):
        return doc.strings()  # no alias: every string has its own source text
    if "own strings" not in doc.memo:  # four rules read the same strings
        doc.memo["own strings"] = [(p, v) for p, v in doc.strings()
                                   if (span := doc.span(p)) is not None and span.kind == "scalar"]
    return doc.memo["own strings"]


def _where(doc, path, start: int, end: int) -> tuple[int, int]:
    """Text offsets of value characters ``start:end``, or of the whole value."""
    offsets = scalars.source_offsets(doc, path)
    if offsets is not None and end <= len(offsets) - 1:
        return offsets[start], offsets[end]
    return doc.value_span(path)  # a TOML value inside an inline list or table: its line


def _violation(doc, path, start: int, end: int, message: str, fix_message: str,
               new_value: str, applicability: Applicability) -> Violation:
    """A finding on value characters ``start:end`` whose fix sets the value to ``new_value``."""
    edit = scalars.replacement(doc, path, new_value)
    if edit is None:  # block, tagged or anchored scalar: show the repair, apply nothing
        span = doc.span(path)
        why = ("a value inside a list or table written on one line" if span is None
               else "a block scalar" if span.style in ("|", ">") else "a tagged or anchored value")
        fix = Fix.of(f"{fix_message} (edit by hand: {why})", DISPLAY)
    else:
        fix = Fix.of(fix_message, applicability, edit)
    first, last = _where(doc, path, start, end)
    return Violation(first, max(first, last), message, fix)


def show(text: str, limit: int = 60) -> str:
    """``text`` for a message: invisible and control characters as escapes."""
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ch == "`":
            out.append("'")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or (ch.isspace() and ch != " "):
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
    result = "".join(out)
    return result if len(result) <= limit else result[: limit - 1] + "…"


def _changed_region(old: str, new: str) -> tuple[int, int, int, int]:
    """The smallest ``old[a:b]`` -> ``new[c:d]`` change (common prefix and suffix cut)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, len(old) - suffix, prefix, len(new) - suffix


def _word_context(old: str, new: str) -> tuple[str, str, int, int]:
    """The changed text of ``old`` and ``new`` with the words around it, and the change's span in ``old``."""
    a, b, _, _ = _changed_region(old, new)
    left, right = _grow(old, a, -1), _grow(old, b, +1)
    tail = len(old) - right
    return old[left:right], new[left:len(new) - tail], a, b


def _grow(text: str, i: int, step: int, limit: int = 24) -> int:
    """Move from ``i`` over a word; if none is adjacent, over one separator and the word beyond."""
    def at(j):  # the character we would take next
        return text[j - 1] if step < 0 else text[j]

    def inside(j):
        return 0 < j if step < 0 else j < len(text)

    j = i
    while inside(j) and at(j).isalnum() and abs(j - i) < limit:
        j += step
    if j == i and inside(j) and not at(j).isspace():
        j += step
        while inside(j) and at(j).isalnum() and abs(j - i) < limit:
            j += step
    return j


# -- CL200 mojibake ----------------------------------------------------------------

# ftfy restricted to mojibake: no HTML unescaping, quote uncurling, width,
# ligature, line-break or Unicode normalisation, no control-character removal
# (CL202's job), no C1-control guessing.
@functools.lru_cache(maxsize=None)
def _ftfy():
    """ftfy and its mojibake-only config, imported on the first string the gate
    lets through (~50 ms to import: a run without mojibake-like text never pays it)."""
    import ftfy
    import ftfy.badness

    config = ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_encoding=True,
        restore_byte_a0=True, replace_lossy_sequences=True, decode_inconsistent_utf8=True,
        fix_c1_controls=False, fix_latin_ligatures=False, fix_character_width=False,
        uncurl_quotes=False, fix_line_breaks=False, fix_surrogates=False,
        remove_control_chars=False, normalization=None, explain=True,
    )
    return ftfy, config

# Plan steps that only re-read the same bytes with the right codec. Any other
# step (restore_byte_a0 guesses that a space was a no-break space;
# replace_lossy_sequences writes U+FFFD for bytes that were lost) makes the
# repair a suggestion.
_PURE_STEPS = {"encode", "decode"}
_PURE_APPLY = {("apply", "decode_inconsistent_utf8")}


def mojibake_repair(value: str) -> tuple[str, Applicability] | None:
    """ftfy's repair of ``value`` and how far it can be trusted; None if no mojibake."""
    return None if value.isascii() else _non_ascii_repair(value)


# Only non-ASCII values reach the cache (~5 of a record's ~110 strings), so
# it holds the values that recur across records (related entries) and spares
# ftfy's badness regex (~50 us on an excerpt). The gate clears nearly all real
# text without importing ftfy (docs/performance.md, seventh round).
@functools.lru_cache(maxsize=1 << 11)
def _non_ascii_repair(value: str) -> tuple[str, Applicability] | None:
    if not mojibake_gate.may_be_bad(value):
        return None  # ftfy's is_bad would say no
    ftfy, config = _ftfy()
    if not ftfy.badness.is_bad(value):
        return None  # the very test ftfy starts with; the other fixers are off
    result = ftfy.fix_and_explain(value, config)
    if result.text == value:
        return None
    plan = [tuple(step) for step in result.explanation or ()]
    pure = all(step[0] in _PURE_STEPS or step in _PURE_APPLY for step in plan)
    lossless = result.text.count("\ufffd") <= value.count("\ufffd")
    if not (pure and lossless):
        return result.text, DISPLAY
    runs = _changed_runs(value, result.text)
    # decode_inconsistent_utf8 repairs each garbled stretch with ftfy's
    # default fix_encoding, guesses included (a space read back as a
    # no-break space: `ð Ÿ˜€` became `𠟘€`): pure only when the change is
    # the repair read back with the wrong codec.
    if any(step in _PURE_APPLY for step in plan) and not _read_back(value, result.text, runs):
        return result.text, DISPLAY
    return result.text, DISPLAY if _breaks_the_case(value, result.text, runs) else SAFE


def _changed_runs(value: str, repaired: str) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) of each run ``value[i1:i2]`` the repair changed into ``repaired[j1:j2]``."""
    import difflib

    return [(i1, i2, j1, j2) for op, i1, i2, j1, j2
            in difflib.SequenceMatcher(None, value, repaired, autojunk=False).get_opcodes() if op != "equal"]


def _breaks_the_case(value: str, repaired: str, runs: list[tuple[int, int, int, int]]) -> bool:
    """Whether a repair puts a lower-case letter right after two capitals:
    `CAMPEÃ\u00a0MUNDIAL` or `CAMPEÃ\u00a0em` (Portuguese capitals and a
    no-break space) "repairs" to `CAMPEàMUNDIAL`. A capital word's mojibake
    reads back as capitals (`CAFÃ‰` for `CAFÉ`), so there the garbled
    reading is as likely as the repair: a suggestion, not a fix. Each
    changed run is judged where it stands; `Bàn`, `Hà Nội` and `voilà` keep
    their safe repair."""
    for i1, i2, j1, j2 in runs:
        if not any(ch.islower() for ch in repaired[j1:j2]):
            continue
        before = value[max(0, i1 - 2):i1]
        if len(before) == 2 and before.isalpha() and before.isupper():
            return True
    return False


# The codecs mojibake comes from in practice (ftfy's sloppy ones decode every byte).
_WRONG_CODECS = ("sloppy-windows-1252", "latin-1", "sloppy-windows-1251")


def _read_back(value: str, repaired: str, runs: list[tuple[int, int, int, int]]) -> bool:
    """Whether each stretch that changed is the repaired text's UTF-8 read
    with one of the wrong codecs, byte for byte (`Itâ€™s “quoted” and
    itâ€™s`: two stretches, correct text between them)."""
    if all(_reads_back(value[i1:i2], repaired[j1:j2]) for i1, i2, j1, j2 in runs):
        return True
    # The matcher may split one garbled run at a character it shares with the
    # repair: the whole changed stretch, from its first change to its last.
    a, b, c, d = _changed_region(value, repaired)
    return _reads_back(value[a:b], repaired[c:d])


def _reads_back(garbled: str, meant: str) -> bool:
    encoded = meant.encode("utf-8", errors="surrogatepass")
    for codec in _WRONG_CODECS:
        try:
            if encoded.decode(codec) == garbled:
                return True
        except UnicodeDecodeError:
            continue
    return False


@rule("CL200", "mojibake", fix=SAFE)
def mojibake(doc, ctx):
    """Finds text decoded with the wrong codec (`â€™` for `’`, `Ã©` for `é`).

    ## What it does
    Runs ftfy's mojibake detection over every non-ASCII string value of the
    front matter, URLs included, and reports the value with the repaired
    reading. Only mojibake is looked for: quotes stay curly, HTML entities,
    width, ligatures, line breaks and Unicode normalisation are left alone,
    so legitimate text in any language, symbols and emoji are not flagged.
    The finding is anchored on the garbled word when the value is one line.

    ## Why is this bad?
    A UTF-8 text read as Windows-1252 (or Latin-1, MacRoman …) and saved
    again shows `Securityâ€™s` on the page, in search results and in feeds.
    In a URL it names a page that does not exist.

    ## Example
    ```yaml
    title: "Homeland Securityâ€™s Use Of Facial Recognition"
    ```
    Use instead:
    ```yaml
    title: "Homeland Security’s Use Of Facial Recognition"
    ```

    ## Fix safety
    Safe when ftfy's plan only re-encodes and re-decodes the text and the
    result has no new U+FFFD: that recovers the exact original characters.
    Inside otherwise correct text ftfy repairs each garbled run on its own
    (`decode_inconsistent_utf8`), with its guesses on: safe only when the
    changed stretch is the repair's UTF-8 read back with Windows-1252,
    Latin-1 or Windows-1251, byte for byte. Any other plan (guessing a lost
    no-break space, or bytes that were lost for good) is shown as a
    display-only suggestion and never applied. Block scalars get a
    display-only suggestion too, and so does a repair that would put a
    lower-case letter right after two capitals (`CAMPEÃ\u00a0MUNDIAL` is
    Portuguese capitals and a no-break space as likely as a garbled `à`).
    """
    for path, value in string_values(doc):
        if value.isascii():  # most values: mojibake_repair's own first test, without its call
            continue
        repair = mojibake_repair(value)
        if repair is None:
            continue
        fixed, applicability = repair
        before, after, a, b = _word_context(value, fixed)
        message = f"mojibake `{show(before)}` (text decoded with the wrong codec); reads `{show(after)}`"
        verb = "Repair" if applicability is SAFE else "Suggested repair"
        yield _violation(doc, path, a, b, message, f"{verb}: `{show(after)}`", fixed, applicability)


# -- CL201 html-entity -------------------------------------------------------------

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# For messages: a reference with its extra escaping levels (`&amp;#39;`).
_ESCAPED_ENTITY = re.compile(r"&(?:amp;)*(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _decode_entity(match: re.Match) -> str:
    import html.entities  # (~1 ms to import) only once an entity-like text is found

    text = match.group()
    if text[1] != "#" and text[1:] not in html.entities.html5:
        return text  # `&Foo;` is not an entity: leave it
    return html.unescape(text)


def unescape_entities(value: str) -> str:
    """Decode HTML character references until none is left (`&amp;#39;` -> `'`).

    Only complete references with the closing `;` count: `AT&T` and the
    `&copy=1` of a query string are text, not entities.
    """
    for _ in range(8):  # `&amp;amp;amp;...`: each round removes one level
        decoded = _ENTITY.sub(_decode_entity, value)
        if decoded == value:
            break
        value = decoded
    return value


@rule("CL201", "html-entity", fix=SAFE, options={"html-fields": ["featuredContent"]})
def html_entity(doc, ctx):
    """Finds HTML character references (`&amp;`, `&#8217;`, `&amp;#39;`) in plain-text values.

    ## What it does
    Reports string values that contain an HTML character reference — a named
    entity of HTML5 or a numeric reference, with its closing `;` — including
    double-escaped ones such as `&amp;#39;`. Fields that hold HTML (option
    `html-fields`, default `["featuredContent"]`) are skipped.

    ## Why is this bad?
    Titles, excerpts and names are plain text: templates escape them again,
    so readers see `We&amp;#39;re` or `Tom &amp; Jerry` literally. In a URL
    (`?a=1&#038;b=2`) the `#` starts a fragment and the query is cut short.

    ## Example
    ```yaml
    excerpt: "We&amp;#39;re hard at work on the next update"
    ```
    Use instead:
    ```yaml
    excerpt: "We're hard at work on the next update"
    ```

    ## Fix safety
    Safe in text: the references are decoded until nothing changes, which
    is exactly what a browser would have shown. Unsafe in URLs, because the
    decoded URL asks the server for something else (usually what was
    meant), and where decoding writes `<` or `>` (`&lt;br&gt;`): a
    template that does not escape the value (Jekyll's `{{ page.title }}`)
    would then output a tag instead of showing the text. A decoding that
    would produce U+FFFD (`&#0;`) is display-only.
    """
    skip = set(ctx.options("CL201")["html-fields"])
    for path, value in string_values(doc):
        if "&" not in value or field_name(path) in skip:
            continue
        found = [m for m in _ESCAPED_ENTITY.finditer(value) if unescape_entities(m.group()) != m.group()]
        if not found:
            continue
        decoded = unescape_entities(value)
        if decoded == value:
            continue
        entities = Counter(m.group() for m in found)
        listed = ", ".join(f"`{e}`" + (f" ×{n}" if n > 1 else "") for e, n in entities.most_common(3))
        more = len(entities) - 3
        message = (f"HTML entit{'ies' if len(found) > 1 else 'y'} {listed}"
                   + (f" and {more} more" if more > 0 else "") + f" in `{field_name(path)}`")
        if decoded.count("\ufffd") > value.count("\ufffd"):
            applicability = DISPLAY
        elif is_url(path, value) or _writes_markup(value, decoded):
            applicability = UNSAFE
        else:
            applicability = SAFE
        yield _violation(doc, path, found[0].start(), found[-1].end(), message,
                         "Decode the HTML entities", decoded, applicability)


def _writes_markup(value: str, decoded: str) -> bool:
    """Whether decoding writes a `<` or `>` that was an entity: where a template
    does not escape the value (Jekyll's `{{ page.title }}`), that is a tag."""
    return decoded.count("<") > value.count("<") or decoded.count(">") > value.count(">")


# -- CL202 invisible-character -----------------------------------------------------

_BREAKS = "\r\n\x85\u2028\u2029"
# Invisible in every context: removed.
_ZERO_WIDTH = frozenset("\u200b\u2060\ufeff\u180e\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
                        "\ufff9\ufffa\ufffb")
# Bidirectional controls: needed in right-to-left text, junk elsewhere.
_BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The controls that keep left-to-right text intact on a right-to-left page
# (LRM, LRE, LRI and the closers PDF, PDI), which cannot reorder it.
_LEFT_TO_RIGHT = frozenset("\u200e\u202a\u2066\u202c\u2069")
# Every character the scan below may act on (Cc is \x00-\x1f, \x7f-\x9f):
# a value without one of them is skipped without the per-character loop.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200c\u200d"
                      + re.escape("".join(sorted(set(_BREAKS) | _ZERO_WIDTH | _BIDI))) + "]")
# Scripts written without spaces, where U+200B marks word boundaries.
_NO_SPACE_SCRIPTS = ("THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN", "CJK", "HIRAGANA", "KATAKANA")


def _no_space_script(ch: str) -> bool:
    """A character of a script written without spaces, its punctuation
    (U+3000-U+303F: `。`, `、`, `「`, `々`) and full-width forms (`，`, `（`) included."""
    return ("\u3000" < ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
            or unicodedata.name(ch, "").startswith(_NO_SPACE_SCRIPTS))


def _ideographic(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA"))


def _has_rtl(value: str) -> bool:
    """Right-to-left letters: the marks themselves (RLM is `R`, ALM `AL`) are none."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") and c not in _BIDI for c in value)


def _legitimate(value: str, i: int) -> bool:
    """True when the format character ``value[i]`` does a job where it stands."""
    ch = value[i]
    before = value[i - 1] if i > 0 else ""
    after = value[i + 1] if i + 1 < len(value) else ""
    if ch == "\u00ad":  # a hyphenation hint belongs inside a word (a vowel sign or accent is of its letter)
        return _in_word(before) and _in_word(after)
    if ch in "\u200c\u200d":  # joiners shape Indic/Arabic script and emoji sequences
        if before and unicodedata.combining(before) == 9:
            return True  # after a virama (ccc 9) it picks a form, even at a word's end (Malayalam's chillu, U+0D28 U+0D4D U+200D)
        return bool(before) and bool(after) and not before.isspace() and not after.isspace()
    if ch == "\u200b":  # a word boundary in a no-space script, beside its punctuation or a digit too
        return (bool(before) and bool(after) and not before.isspace() and not after.isspace()
                and (_no_space_script(before) or _no_space_script(after)))
    if ch == "\u2060":  # a word joiner forbids a line break beside punctuation (`1⁠/⁠2`) or in a no-space script
        if not before or not after or before.isspace() or after.isspace():
            return False
        # Between two letters or digits of a spaced script no line may break anyway:
        # there it only hides a word from search and filters (`Pay⁠Pal`).
        return (not (before.isalnum() and after.isalnum())
                or _no_space_script(before) and _no_space_script(after))
    if ch == "\u180e":  # Mongolian's vowel separator picks the next letter's form
        return _mongolian(before) and _mongolian(after)
    return False


def _in_word(ch: str) -> bool:
    """A letter, or a combining mark of one (Mn, Mc: `o` + U+0308 in NFD, a Devanagari vowel sign)."""
    return ch.isalpha() or bool(ch) and unicodedata.category(ch) in ("Mn", "Mc")


def _joins_letters_in_a_url(value: str, i: int) -> bool:
    """A joiner (U+200C/U+200D) between two non-ASCII letters of a URL: part of
    the word an IRI spells (Persian `زبان‌های`, after a virama in Indic
    scripts). Anywhere else in a URL (beside ASCII, punctuation) it is junk."""
    before = value[i - 1] if i > 0 else ""
    after = value[i + 1] if i + 1 < len(value) else ""
    if value[i] not in "\u200c\u200d" or not before or not after or before.isascii() or after.isascii():
        return False
    return (unicodedata.combining(before) == 9 or _in_word(before)) and _in_word(after)


def _mongolian(ch: str) -> bool:
    return "\u1800" <= ch <= "\u18af"


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"


def invisible_repair(value: str, *, url: bool, multiline: bool,
                     rtl_elsewhere: bool = False) -> tuple[str, Counter, Applicability] | None:
    """The value without its invisible characters, what was found, and the fix's safety.

    Leading and trailing whitespace is CL203's: only the inner part is read.
    ``rtl_elsewhere``: the record's other values have right-to-left letters,
    so left-to-right controls may keep a left-to-right value intact (`C++`
    + LRM, or `\u2066C++\u2069`, as a tag on a Persian page, which shows
    `++C` without them), as long as none in the value sets right to left.
    """
    if not _SUSPECT.search(value):
        return None
    core_start = len(value) - len(value.lstrip(WHITESPACE))
    core_end = len(value.rstrip(WHITESPACE))
    if core_end <= core_start:
        return None
    core = value[core_start:core_end]
    found: Counter = Counter()
    applicability = UNSAFE if url else SAFE
    rtl = None
    out = []
    i = 0
    while i < len(core):
        ch = core[i]
        if ch in _BREAKS and not (multiline and ch in "\r\n"):
            if multiline:  # U+2028, U+2029 or U+0085 in a multi-line field
                found[_char_name(ch)] += 1
                out.append("\n")
                i += 1
                continue
            run_end = i
            while run_end < len(core) and core[run_end] in _BREAKS:
                run_end += 1
            for kind in {"line break" if c in "\r\n" else _char_name(c) for c in core[i:run_end]}:
                found[kind] += 1
            if not url:  # the break and the blanks around it become one space
                while out and out[-1] in " \t":
                    out.pop()
                while run_end < len(core) and core[run_end] in " \t":
                    run_end += 1
                out.append(" ")
            i = run_end
            continue
        if ch == "\t" and not multiline:
            found["tab"] += 1
            out.append("" if url else " ")
        elif unicodedata.category(ch) == "Cc" and ch not in "\t\r\n":
            found[_char_name(ch)] += 1
        elif ch in _ZERO_WIDTH or ch in "\u00ad\u200c\u200d":
            if _joins_letters_in_a_url(core, i) if url else _legitimate(core, i):
                out.append(ch)
            else:
                found[_char_name(ch)] += 1
        elif ch in _BIDI:
            if rtl is None:
                rtl = _has_rtl(value)
            # Another value's right-to-left text lets left-to-right controls
            # keep this one's text intact; one that sets right to left (an
            # override, an RLI) reorders it (`Invoice` + RLI/LRI nesting shows
            # `...exe.pdf`): then every control of the value is reported.
            if url or not (rtl or rtl_elsewhere and _BIDI.intersection(value) <= _LEFT_TO_RIGHT):
                found[_char_name(ch)] += 1
                applicability = UNSAFE  # removing an override changes what is displayed
            else:
                out.append(ch)
        else:
            out.append(ch)
        i += 1
    if not found:
        return None
    return value[:core_start] + "".join(out) + value[core_end:], found, applicability


# Where a value holds mojibake, an invisible character or a trailing space
# may be one of its bytes (`â€\x9d` is `”`, `Ã\xa0` is `à`): removing it
# first loses what CL200 repairs, so the removal waits for that repair.
_AFTER_MOJIBAKE = " once the mojibake (CL200) is repaired: they may be part of it"


def _joins_an_entity(value: str, fixed: str) -> bool:
    """Whether removing the characters makes a character reference that was
    not there (`&#x2\x00028;` -> `&#x2028;`): CL201 would then decode what
    nobody wrote."""
    def references(text: str) -> list[str]:
        return [m.group() for m in _ESCAPED_ENTITY.finditer(text) if unescape_entities(m.group()) != m.group()]

    return references(fixed) != references(value)


def _in_mojibake(value: str) -> bool:
    return not value.isascii() and mojibake_repair(value) is not None


def _multi_line(doc, ctx, path, names: set) -> bool:
    """Whether line breaks belong in the value: the schema says so
    (`x-single-line`, a `format` such as `uri`), else the kind's or the
    rule's `multiline-fields` name the field, else a block scalar (`|`,
    `>`) or a TOML multi-line string is multi-line by the author's choice."""
    declared = ctx.field_info(path).single_line
    if declared is not None:
        return not declared
    if field_name(path) in names:
        return True
    return _written_on_lines(doc, path)


_INDENTATION_INDICATOR = re.compile(r"[|>](?:[+-]?[1-9]|[1-9][+-])")


def _indentation_indicator(doc, path) -> bool:
    """Whether the value is a YAML block scalar with an explicit indentation
    indicator (`|2`, `>-1`): its leading spaces are kept on purpose."""
    span = doc.span(path)
    return (span is not None and doc.format == "yaml" and span.style in ("|", ">")
            and _INDENTATION_INDICATOR.match(doc.text, span.start) is not None)


def _written_on_lines(doc, path) -> bool:
    """Whether the author wrote the value over lines of its own: a YAML block
    scalar (`|`, `>`) or a TOML multi-line string (three quotes), whose
    final line break, before the closing line, belongs to the form."""
    span = doc.span(path)
    if span is None:
        return False
    if doc.format == "toml":
        return doc.text.startswith(('"""', "'''"), span.start)
    return span.style in ("|", ">")


@rule("CL202", "invisible-character", severity=Severity.WARNING, fix=SAFE,
      options={"multiline-fields": ["excerpt", "featuredContent"]})
def invisible_character(doc, ctx):
    """Finds control characters, zero-width characters and stray line breaks in values.

    ## What it does
    Reports string values that contain:
    - control characters (C0 other than tab and line breaks, DEL, C1);
    - zero-width and invisible format characters (U+200B ZERO WIDTH SPACE,
      U+2060 WORD JOINER, U+FEFF inside text, invisible operators …);
      U+200B beside a character of a script written without spaces (Thai,
      Lao, Khmer, Myanmar, Chinese, Japanese, their punctuation and
      full-width forms), with no space on either side, is a word-boundary hint,
      U+2060 beside punctuation (`1⁠/⁠2`) or inside such a script forbids a
      line break there (between two letters of a spaced script, `Pay⁠Pal`,
      it only hides the word), and U+180E between two Mongolian letters
      picks a letter's form: these are kept;
    - a soft hyphen (U+00AD) that is not inside a word, and zero-width
      joiners (U+200C/U+200D) next to a space or at an end (inside a word or
      an emoji sequence, or after a virama, where they pick a letter's form,
      they do a job and are kept; in a URL only between two non-ASCII
      letters, as a Persian IRI spells `زبان‌های`);
    - bidirectional controls in a value with no right-to-left letters,
      but for left-to-right ones (LRM, LRE, LRI and the closers PDF, PDI)
      in a record that has some (on a Persian page, `C++` + U+200E or
      `\u2066C++\u2069` keeps a tag from showing as `++C`); one control
      that sets right to left in such a value (an override, an RLI, which
      can show `Invoice…exe` as `Invoiceexe.pdf`) reports them all;
    - U+2028/U+2029/U+0085, and raw line breaks and tabs inside single-line
      fields. A field is single-line when the schema says so
      (`x-single-line: true`, or a `format` such as `uri` or `date-time`;
      the article schema marks its titles), multi-line when the schema
      says `x-single-line: false`, the field is in option
      `multiline-fields` (default `["excerpt", "featuredContent"]`) or
      its value is a block scalar (`|`, `>`) or a TOML multi-line string
      (three quotes); otherwise single-line.

    No-break spaces (U+00A0, U+202F) are not reported: in prose they are
    deliberate (`10 km`, French punctuation). At the ends of a value they
    are CL203's. Leading and trailing whitespace is left to CL203.

    ## Why is this bad?
    Invisible characters make equal-looking titles differ (duplicates slip
    through, search misses them), break URLs, and U+2028 ends a line in
    JavaScript and some JSON consumers. A line break in a title ends up in
    the page's `<title>` and in social cards.

    ## Example
    ```yaml
    excerpt: "a rough idea of \\u200B\\u200Bwhat the game will look like"
    ```
    Use instead:
    ```yaml
    excerpt: "a rough idea of what the game will look like"
    ```

    ## Fix safety
    Safe in text: invisible characters are removed; line breaks and tabs in
    a single-line field become one space; U+2028/U+2029 in a multi-line
    field become a line break. In a value that holds mojibake (CL200) the
    removal waits for CL200's repair (a display-only suggestion until
    then): a C1 control may be one of its bytes (`â€\x9d` is `”`). A
    removal that would join an HTML entity (`&#x2\x00028;`) is left to a
    person (display-only): CL201 would then decode what nobody wrote. Unsafe in URLs (the characters are removed,
    which changes the URL) and for bidirectional controls (removing them
    changes how the text is displayed).
    """
    multiline = set(ctx.options("CL202")["multiline-fields"])
    for path, value in string_values(doc):
        if value.isascii() and value.isprintable():
            continue
        url = is_url(path, value)
        if not _SUSPECT.search(value):
            continue
        rtl = not url and _has_bidi(value) and _record_has_rtl(doc)
        repair = invisible_repair(value, url=url, multiline=not url and _multi_line(doc, ctx, path, multiline),
                                  rtl_elsewhere=rtl)
        if repair is None:
            continue
        fixed, found, applicability = repair
        what = ", ".join(f"{kind}" + (f" ×{n}" if n > 1 else "") for kind, n in found.most_common())
        a, b, _, _ = _changed_region(value, fixed)
        message = f"`{field_name(path)}` contains {what}"
        breaks = any(kind in ("line break", "tab") for kind in found)
        others = any(kind not in ("line break", "tab") for kind in found)
        if url:
            action = "Remove them from the URL"
        else:
            action = " and ".join(([ "Remove the invisible characters"] if others else [])
                                  + (["replace line breaks and tabs with a space"] if breaks else []))
            action = action[0].upper() + action[1:]
        if _in_mojibake(value):
            action, applicability = action + _AFTER_MOJIBAKE, DISPLAY
        elif "&" in fixed and _joins_an_entity(value, fixed):
            action, applicability = action + " by hand: removing them joins an HTML entity", DISPLAY
        yield _violation(doc, path, a, b, message, action, fixed, applicability)


def _has_bidi(value: str) -> bool:
    return not _BIDI.isdisjoint(value)


def _record_has_rtl(doc) -> bool:
    """Whether any string of the record has right-to-left letters (once per document)."""
    if "rtl" not in doc.memo:
        doc.memo["rtl"] = any(not value.isascii() and _has_rtl(value) for _, value in string_values(doc))
    return doc.memo["rtl"]


# -- CL203 surrounding-whitespace --------------------------------------------------

# Unicode White_Space (str.isspace also counts U+001C-U+001F, which are
# controls for CL202).
WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
             "\u2028\u2029\u202f\u205f\u3000"


@rule("CL203", "surrounding-whitespace", severity=Severity.WARNING, fix=SAFE, options={"html-fields": ["featuredContent"]})
def surrounding_whitespace(doc, ctx):
    """Finds leading or trailing whitespace in a text or URL value.

    ## What it does
    Reports string values that start or end with whitespace: spaces, tabs,
    line breaks, no-break spaces and the other Unicode space characters.
    Ideographic spaces (U+3000) at the start of Chinese or Japanese text
    are a paragraph indent (字下げ, also before `「` or a digit) and are
    kept; trailing ones are reported. So
    are the leading spaces of a block scalar with an indentation indicator
    (`|2`), which exists to keep them.
    Fields that hold HTML (option `html-fields`, default
    `["featuredContent"]`) are skipped, and so is the final line break that
    a `|`/`>` block scalar (or a TOML multi-line string closed on a line
    of its own) carries by its form.

    ## Why is this bad?
    `"Diablo 4 "` and `"Diablo 4"` look the same but compare different:
    duplicates slip through, sorting and exact search misbehave, a URL with
    a trailing space or line break is a different (broken) URL, and a
    trailing line break in an excerpt shows up as an empty line.

    ## Example
    ```yaml
    excerpt: "Join the Diablo IV team in previewing the content "
    ```
    Use instead:
    ```yaml
    excerpt: "Join the Diablo IV team in previewing the content"
    ```

    ## Fix safety
    Safe: the whitespace is stripped; nothing a reader sees changes. In a
    value that holds mojibake (CL200) it waits for CL200's repair (a
    display-only suggestion until then): the space may be one of its bytes
    (`Ã` and a no-break space are `à`).
    """
    skip = set(ctx.options("CL203")["html-fields"])
    for path, value in string_values(doc):
        if not value or (value[0] not in WHITESPACE and value[-1] not in WHITESPACE):
            continue
        if field_name(path) in skip:
            continue
        checked = value.rstrip("\n") if _written_on_lines(doc, path) else value
        lead = checked[: len(checked) - len(checked.lstrip(WHITESPACE))]
        trail = checked[len(checked.rstrip(WHITESPACE)):]
        if lead and lead != checked and (lead.strip("\u3000") == "" and any(map(_ideographic, checked))
                                         or _indentation_indicator(doc, path)):
            # Japanese and Chinese indent a paragraph with ideographic spaces
            # (字下げ); `|2` says how far the block is indented so that its
            # first line may start with spaces of its own.
            lead = ""
        if not lead and not trail:
            continue
        stripped = checked[len(lead):len(checked) - len(trail)]
        name = field_name(path)
        if lead == checked:
            message, a, b, stripped = f"`{name}` is only whitespace", 0, len(checked), ""
        else:
            sides = [f"{side} `{show(ws)}`" for side, ws in (("leading", lead), ("trailing", trail)) if ws]
            message = f"`{name}` has {' and '.join(sides)} whitespace"
            a, b = (0, len(lead)) if lead else (len(checked) - len(trail), len(checked))
        action, applicability = "Strip the whitespace", SAFE
        if _in_mojibake(value):
            action, applicability = action + _AFTER_MOJIBAKE, DISPLAY
        yield _violation(doc, path, a, b, message, action,
                         stripped + value[len(checked):], applicability)
