"""Tests of `-tokenizer words` (csrc/tokenize_words.c) and `-lowercase 1` (csrc/lowercase.c).

The rules (README, "Training on raw text"): a token is a run of letters and digits of any
script; ' ’ - _ · join inside a token, '.' and ',' between digits; every other character
separates; newlines still give "</s>".  -lowercase 1 lowercases each token after the 100-byte
cut.  Here: the rules on small crafted inputs (ASCII, Latin, Greek, Cyrillic, CJK, emoji, bytes
that are not UTF-8), chunking that must not matter (hypothesis), and the vocabulary of raw
Wikipedia (../shared/data/wiki_raw_20M.xz), which must come out clean.
"""
import subprocess
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from w2vfast.vocab import build_vocabulary, new_dictionary

from shared import DATA  # tests/shared.py


def tokens(text, tokenizer="words", lowercase=0, chunks=None):
    """The tokens of `text` in corpus order, "</s>" included, fed whole or in `chunks` sizes."""
    d = new_dictionary(tokenizer, lowercase, record_ids=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if chunks is None:
        d.feed(data)
    else:
        k = 0
        for size in chunks:
            d.feed(data[k:k + size])
            k += size
        d.feed(data[k:])
    d.feed(b"", last=True)
    d.finalize(1, keep_order=True)
    words = d.words()
    return [words[i].decode("utf-8", "surrogateescape") for i in d.ids()]


def words(text, **kw):
    return [t for t in tokens(text, **kw) if t != "</s>"]


@pytest.mark.parametrize("text, expected", [
    ("Hello, world!", ["Hello", "world"]),
    ("(parenthesised) [bracketed] {braced} <angled>", ["parenthesised", "bracketed", "braced", "angled"]),
    ('"quoted" \'single\' end.', ["quoted", "single", "end"]),
    ("don't can't rock'n'roll o'clock", ["don't", "can't", "rock'n'roll", "o'clock"]),
    ("don’t l’été", ["don’t", "l’été"]),
    ("well-known state-of-the-art", ["well-known", "state-of-the-art"]),
    ("end- -start a--b a - b", ["end", "start", "a", "b", "a", "b"]),
    ("dogs' 'tis", ["dogs", "tis"]),
    ("new_york __init__", ["new_york", "init"]),
    ("3.14 1,000 1,000,000.5 1990s 10.5.2", ["3.14", "1,000", "1,000,000.5", "1990s", "10.5.2"]),
    ("It costs $5.50, or 5%.", ["It", "costs", "5.50", "or", "5"]),
    ("end.Start a.b 3.x x.3 1,a", ["end", "Start", "a", "b", "3", "x", "x", "3", "1", "a"]),
    ("U.S. e.g. Mr. Smith", ["U", "S", "e", "g", "Mr", "Smith"]),
    ("2-3 pages, 1990-1995", ["2-3", "pages", "1990-1995"]),
    ("a/b a\\b a|b a&b a+b a=b a@b a#b a*b a~b a^b a`b", ["a", "b"] * 12),
    ("tab\tsep\rcr\x0bvt\x0cff", ["tab", "sep", "cr", "vt", "ff"]),
])
def test_ascii_rules(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("«Bonjour», dit-il ¡Hola! ¿Qué?", ["Bonjour", "dit-il", "Hola", "Qué"]),
    ("Straße Ærøskøbing naïve café", ["Straße", "Ærøskøbing", "naïve", "café"]),
    ("col·lecció", ["col·lecció"]),
    ("Ελληνικά; κείμενο· εδώ", ["Ελληνικά", "κείμενο", "εδώ"]),
    ("Русский текст — «цитата»… Москва.", ["Русский", "текст", "цитата", "Москва"]),
    ("日本語の文章。「引用」、東京", ["日本語の文章", "引用", "東京"]),
    ("中文，标点！问号？", ["中文", "标点", "问号"]),
    ("עברית־מקף שלום", ["עברית־מקף", "שלום"]),
    ("العربية، نص؟ هنا", ["العربية", "نص", "هنا"]),
    ("हिन्दी। पाठ", ["हिन्दी", "पाठ"]),
    ("می\u200cخواهم", ["می\u200cخواهم"]),
    ("I ❤️ emoji 😀👍🏽 yes", ["I", "emoji", "yes"]),
    ("“curly” ‘quotes’ – dashes — … • bullets", ["curly", "quotes", "dashes", "bullets"]),
    ("\ufeffbom\u00a0nbsp\u2009thin", ["bom", "nbsp", "thin"]),
    ("price: 5€ or £3 ©2020 °C ½", ["price", "5", "or", "3", "2020", "C"]),
    ("e\u0301 (decomposed é)", ["e\u0301", "decomposed", "é"]),
    ("ＡＢＣ，ｄｅｆ", ["ＡＢＣ", "ｄｅｆ"]),
])
def test_unicode_rules(text, expected):
    assert words(text) == expected


def test_bytes_that_are_not_utf8_are_letters_alone():
    # Latin-1 "café, déjà" and a lone continuation byte: ASCII punctuation still splits
    assert words(b"caf\xe9, d\xe9j\xe0 \x80x!") == [
        "caf\udce9", "d\udce9j\udce0", "\udc80x"]
    # a UTF-8 start cut short by a non-continuation byte is a letter byte of its own
    assert words(b"a\xe2\x80b c") == ["a\udce2\udc80b", "c"]


def test_newlines_give_sentence_ends_and_cr_separates():
    assert tokens("Hi, there.\r\nBye!\n\nEnd") == ["Hi", "there", "</s>", "Bye", "</s>", "</s>", "End"]
    assert tokens("a\u2028b") == ["a", "b"]  # Unicode's line separator is a space here


def test_a_joiner_at_the_end_of_the_input_is_dropped():
    assert words("don'") == ["don"]
    assert words("3.") == ["3"]
    assert words("x-") == ["x"]


@pytest.mark.parametrize("text, expected", [
    ("HELLO World mIxEd", ["hello", "world", "mixed"]),
    ("ÀÉÎÕÜ ÇØÞ ÿ Ÿ", ["àéîõü", "çøþ", "ÿ", "ÿ"]),
    ("ĀĂĄĆĈĊČĎ ĹĻĽĿŁŃŅŇ ŊŌŎŐŒ ŹŻŽ İ", ["āăąćĉċčď", "ĺļľŀłńņň", "ŋōŏőœ", "źżž", "i"]),
    ("ΑΒΓΔ ΆΈΉΊΌΎΏ ΪΫ", ["αβγδ", "άέήίόύώ", "ϊϋ"]),
    ("МОСКВА ЁЖИК ЂЉЊ ҐҒ ӀӁ ӐӒ", ["москва", "ёжик", "ђљњ", "ґғ", "ӏӂ", "ӑӓ"]),
    ("ԱԲԳ ẠẢẤ ẞ ȘȚ ǍǏ ＡＢ", ["աբգ", "ạảấ", "ß", "șț", "ǎǐ", "ａｂ"]),
    ("ß ı ĸ ŉ ſ µ 中文 😀", ["ß", "ı", "ĸ", "ŉ", "ſ", "µ", "中文", "😀"]),
])
def test_lowercase(text, expected):
    assert words(text, tokenizer="space", lowercase=1) == expected


# the blocks -lowercase maps (csrc/lowercase.h), and the capitals in them it leaves: Latin
# Extended-B's irregular ones (African and Pan-Nigerian letters, the Croatian digraphs' title case)
# and archaic Greek and Cyrillic letters
MAPPED_BLOCKS = [(0x41, 0x5A), (0xC0, 0x24F), (0x370, 0x52F), (0x531, 0x556), (0x1E00, 0x1EFF),
                 (0x1F00, 0x1FFF), (0xFF21, 0xFF3A)]
UNMAPPED = set(range(0x181, 0x1CD)) | set(range(0x1F1, 0x1F8)) | set(range(0x220, 0x222)) \
    | set(range(0x23A, 0x250)) | set(range(0x370, 0x386)) | set(range(0x3CF, 0x400))


def test_lowercase_is_unicodes_simple_mapping_in_its_blocks():
    chars = [chr(c) for lo, hi in MAPPED_BLOCKS for c in range(lo, hi + 1)
             if unicodedata.category(chr(c)) in ("Lu", "Lt") and c not in UNMAPPED]
    got = words(" ".join(chars), tokenizer="space", lowercase=1)
    # Python's str.lower is the full mapping: İ becomes i and a combining dot there
    expected = ["i" if ch == "İ" else ch.lower() for ch in chars]
    wrong = [(ch, g, e) for ch, g, e in zip(chars, got, expected) if g != e]
    assert len(got) == len(chars) and wrong == []
    small = [chr(c) for lo, hi in MAPPED_BLOCKS for c in range(lo, hi + 1)
             if unicodedata.category(chr(c)) == "Ll"]
    assert words(" ".join(small), tokenizer="space", lowercase=1) == small


def test_lowercase_with_words():
    assert words("The U.S. Army's HQ, in Washington.", lowercase=1) == [
        "the", "u", "s", "army's", "hq", "in", "washington"]


def test_lowercase_comes_after_the_100_byte_cut():
    # İ (2 bytes) lowercases to i (1 byte): the cut is taken on the text as it is
    assert words("İ" * 60, tokenizer="space", lowercase=1) == ["i" * 50]
    assert words("A" * 150 + " b", tokenizer="words", lowercase=1) == ["a" * 100, "b"]


def test_space_tokenizer_is_untouched_without_lowercase():
    assert words("Hello, World!") == ["Hello", "World"]
    assert words("Hello, World!", tokenizer="space") == ["Hello,", "World!"]


def test_long_tokens_are_cut_at_a_character_start():
    text = "é" * 70 + "," + "x"  # 140 bytes of letters: cut to 100, after a whole é
    assert words(text) == ["é" * 50, "x"]
    assert words("a-" * 80 + "b") == [("a-" * 80 + "b")[:100]]


# characters that exercise every rule, the multi-byte ones cut by chunk ends
ALPHABET = ["a", "Z", "7", "0", " ", "\n", "\r", "'", "-", ".", ",", "_", "!", "’", "é", "É",
            "€", "😀", "中", "\u200d", "·", "\u00a0", "\xe9".encode("latin-1"), b"\x80", b"\xe2\x80"]


@st.composite
def raw_text(draw):
    parts = draw(st.lists(st.sampled_from(ALPHABET), max_size=80))
    return b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in parts)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_text(), st.lists(st.integers(0, 7), max_size=40), st.sampled_from([0, 1]))
@example(b"aa7.\xe9a", [5], 0)  # a joiner fails on a carried byte, which starts the next token
def test_chunking_does_not_matter(data, sizes, lowercase):
    assert tokens(data, lowercase=lowercase, chunks=sizes) == tokens(data, lowercase=lowercase)


@settings(max_examples=100, deadline=None)
@given(raw_text())
def test_words_never_hold_a_separator(data):
    for w in words(data):
        assert w and not any(c in w for c in " \n\r!€😀\u00a0") and w[-1] not in "'-.,_’·"


def test_byte_by_byte_feed_of_unicode_text():
    text = "«Ça va?» — l’été, 3.14€; don't 😀中文.\nΑΒΓ-δ x\u200dy\n" * 3
    assert tokens(text, chunks=[1] * len(text.encode())) == tokens(text)


def test_parallel_first_pass_equals_one_pass(tmp_path):
    # a file over PARALLEL_MIN_BYTES is cut at whitespace for threads: the same vocabulary
    line = "Alpha, beta's gamma-ray (3.14) «delta» — ÉPSILON.\n"
    path = tmp_path / "big.txt"
    path.write_text(line * ((17 << 20) // len(line.encode()) + 1), encoding="utf-8")
    one = build_vocabulary(str(path), min_count=1, tokenizer="words", lowercase=1, threads=1)
    two = build_vocabulary(str(path), min_count=1, tokenizer="words", lowercase=1, threads=2)
    assert one.words() == two.words() and list(one.counts()) == list(two.counts())
    assert "épsilon".encode() in one.words() and b"gamma-ray" in one.words()


WIKI = DATA / "wiki_raw_20M.xz"


@pytest.mark.skipif(not WIKI.exists(), reason=f"{WIKI} is absent (the shared data sets: ../shared/data)")
def test_raw_wikipedia_vocabulary_is_clean(tmp_path):
    """-tokenizer words -lowercase 1 on WikiExtractor's output: a handful of words at most keep a
    capital or end in punctuation."""
    path = tmp_path / "wiki.txt"
    with open(path, "wb") as f:
        subprocess.run(["xz", "-dc", str(WIKI)], stdout=f, check=True)
    d = build_vocabulary(str(path), min_count=5, record_ids=False, tokenizer="words", lowercase=1)
    vocab = [w.decode("utf-8", "replace") for w in d.words()[1:]]
    assert len(vocab) > 10_000
    capitals = [w for w in vocab if w != w.lower()]
    punctuated = [w for w in vocab if w[-1] in ",.;:!?"]
    assert len(capitals) <= 5, capitals[:20]
    assert punctuated == []
