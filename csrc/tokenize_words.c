/* tokenize_words.c: the words tokenizer (-tokenizer words), feeding the vocabulary chunk by
 * chunk as tokenize.c does, for raw text: punctuation is split off and dropped.
 *
 * The rules, on UTF-8 (README, "Training on raw text", says the same):
 *   - a token is a run of letters and digits of any script; '_' and the joiners below join;
 *   - ASCII letters and digits are letters and digits; a non-ASCII character is a letter unless
 *     it is in one of the punctuation, symbol and space blocks of `separators` below (general
 *     punctuation U+2000-U+206F, Latin-1's « » ¡ ¿ § © ° and the like, CJK and fullwidth
 *     punctuation, arrows, maths and box drawing, emoji); combining marks are letters, so a
 *     decomposed accent stays in its word;
 *   - ' ’ - ‐ ‑ _ · (and ZWNJ, ZWJ, Hebrew maqaf) stay inside a token when a letter or digit
 *     follows and one precedes: don't, well-known, rock'n'roll, l·l, new_york; elsewhere they
 *     separate ('quoted' gives quoted, end- gives end);
 *   - '.' and ',' stay between two ASCII digits, so numbers are whole: 3.14, 1,000, 10.5.2;
 *     1990s is a run of letters and digits anyway;
 *   - everything else separates; a newline still gives the sentence end "</s>"; '\r' is a
 *     separator (a word2vec.c token drops it instead);
 *   - a byte that does not start a well-formed UTF-8 character (Latin-1 text, say) is a letter
 *     on its own, so text in other 8-bit encodings is split at ASCII punctuation only.
 * Tokens are then cut and lowercased as tokenize.c's (tokenbatch.h).
 *
 * A token ends at the first character that cannot continue it, and a joiner is kept or dropped
 * by the character after it: both may lie in the next chunk.  So the state between chunks is the
 * token begun (its first bytes in d->token, where it and its tentative joiner start), and the
 * bytes of a character cut by the chunk's end (d->cp_carry), taken up with the next chunk. */
#include <string.h>

#include "dictionary.h"
#include "tokenbatch.h"

enum { C_SEP, C_NEWLINE, C_LETTER, C_DIGIT, C_JOIN, C_NUMJOIN, C_INCOMPLETE };

#define R(lo, hi, cls) {lo, hi, cls}
typedef struct {
    uint32_t lo, hi;
    uint8_t cls;
} cp_range;

/* The non-ASCII characters that are not letters, in order; every other one is a letter. */
static const cp_range separators[] = {
    R(0x80, 0xA9, C_SEP), R(0xAB, 0xB4, C_SEP), R(0xB6, 0xB6, C_SEP), R(0xB7, 0xB7, C_JOIN),
    R(0xB8, 0xB9, C_SEP), R(0xBB, 0xBF, C_SEP), R(0xD7, 0xD7, C_SEP), R(0xF7, 0xF7, C_SEP),
    R(0x37E, 0x37E, C_SEP), R(0x387, 0x387, C_SEP), R(0x55A, 0x55F, C_SEP), R(0x589, 0x58A, C_SEP),
    R(0x5BE, 0x5BE, C_JOIN), R(0x5C0, 0x5C0, C_SEP), R(0x5C3, 0x5C3, C_SEP), R(0x5C6, 0x5C6, C_SEP),
    R(0x5F3, 0x5F4, C_SEP), R(0x609, 0x60D, C_SEP), R(0x61B, 0x61B, C_SEP), R(0x61D, 0x61F, C_SEP),
    R(0x66A, 0x66D, C_SEP), R(0x6D4, 0x6D4, C_SEP), R(0x964, 0x965, C_SEP), R(0x970, 0x970, C_SEP),
    R(0xE4F, 0xE4F, C_SEP), R(0xE5A, 0xE5B, C_SEP), R(0x10FB, 0x10FB, C_SEP), R(0x1361, 0x1368, C_SEP),
    R(0x166E, 0x166E, C_SEP), R(0x1680, 0x1680, C_SEP), R(0x169B, 0x169C, C_SEP),
    R(0x16EB, 0x16ED, C_SEP), R(0x17D4, 0x17D6, C_SEP), R(0x17D8, 0x17DA, C_SEP),
    R(0x1800, 0x180A, C_SEP),
    /* general punctuation, but for the zero-width (non-)joiners, hyphens and ’ that join */
    R(0x2000, 0x200B, C_SEP), R(0x200C, 0x200D, C_JOIN), R(0x200E, 0x200F, C_SEP),
    R(0x2010, 0x2011, C_JOIN), R(0x2012, 0x2018, C_SEP), R(0x2019, 0x2019, C_JOIN),
    R(0x201A, 0x206F, C_SEP),
    R(0x20A0, 0x20CF, C_SEP), R(0x20D0, 0x20FF, C_SEP), /* currency; marks that enclose symbols */
    R(0x2190, 0x27FF, C_SEP), R(0x2900, 0x2BFF, C_SEP), /* arrows, maths, technical, shapes, dingbats */
    R(0x2E00, 0x2E7F, C_SEP), R(0x3000, 0x3004, C_SEP), R(0x3008, 0x3020, C_SEP),
    R(0x3030, 0x3030, C_SEP), R(0x303D, 0x303D, C_SEP), R(0x30FB, 0x30FB, C_SEP),
    R(0xFD3E, 0xFD3F, C_SEP), R(0xFE00, 0xFE19, C_SEP), R(0xFE30, 0xFE6F, C_SEP),
    R(0xFEFF, 0xFEFF, C_SEP), R(0xFF01, 0xFF0F, C_SEP), R(0xFF1A, 0xFF20, C_SEP),
    R(0xFF3B, 0xFF40, C_SEP), R(0xFF5B, 0xFF65, C_SEP), R(0xFFE0, 0xFFEE, C_SEP),
    R(0xFFF9, 0xFFFF, C_SEP), R(0x1F000, 0x1FAFF, C_SEP), R(0xE0000, 0xE007F, C_SEP),
};

static int non_ascii_class(uint32_t c) {
    int lo = 0, hi = (int)(sizeof separators / sizeof separators[0]) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < separators[mid].lo) hi = mid - 1;
        else if (c > separators[mid].hi) lo = mid + 1;
        else return separators[mid].cls;
    }
    return C_LETTER;
}

/* ASCII: letters and digits, the joiners, '.' and ',' between digits, newline; the rest
 * (controls, space, other punctuation) separates. */
static const unsigned char ascii_class[128] = {
    ['\n'] = C_NEWLINE, ['\''] = C_JOIN, ['-'] = C_JOIN, ['_'] = C_JOIN,
    ['.'] = C_NUMJOIN, [','] = C_NUMJOIN,
    ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
    ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
#define L4(c) [c] = C_LETTER, [c + 1] = C_LETTER, [c + 2] = C_LETTER, [c + 3] = C_LETTER
    L4('A'), L4('E'), L4('I'), L4('M'), L4('Q'), L4('U'), ['Y'] = C_LETTER, ['Z'] = C_LETTER,
    L4('a'), L4('e'), L4('i'), L4('m'), L4('q'), L4('u'), ['y'] = C_LETTER, ['z'] = C_LETTER,
#undef L4
};

/* The class of the character at p[k] (k < n) and its length in *len.  C_INCOMPLETE: p[k..n) is
 * the well-formed start of a longer character and more input may come (not `last`). */
static inline int char_class(const unsigned char *p, uint64_t k, uint64_t n, int last, uint32_t *len) {
    unsigned char b = p[k];
    *len = 1;
    if (b < 0x80) return ascii_class[b];
    uint32_t need = (b >= 0xC2 && b <= 0xDF) ? 2 : (b >= 0xE0 && b <= 0xEF) ? 3 : (b >= 0xF0 && b <= 0xF4) ? 4 : 1;
    if (need == 1) return C_LETTER;
    uint32_t c = b & (0x7F >> need);
    for (uint32_t j = 1; j < need; j++) {
        if (k + j >= n) return last ? C_LETTER : C_INCOMPLETE;
        if ((p[k + j] & 0xC0) != 0x80) return C_LETTER;
        c = c << 6 | (p[k + j] & 0x3F);
    }
    *len = need;
    return non_ascii_class(c);
}

/* One chunk's walk: where its bytes sit in the input, and the tokens found, not yet counted. */
typedef struct {
    w2v_dict *d;
    const unsigned char *p;
    uint64_t base; /* the input offset of p[0] */
    w2v_token_batch batch;
} walk;

/* The token that began at d->word_start ends before input offset e: count it. */
static int end_word(walk *w, uint64_t e) {
    w2v_dict *d = w->d;
    uint64_t len = e - d->word_start;
    d->in_word = 0;
    if (d->word_start >= w->base) {
        const unsigned char *tok = w->p + (d->word_start - w->base);
        return w2v_batch_push(d, &w->batch, tok, w2v_token_cut(d, tok, len));
    }
    /* begun in an earlier chunk: its first bytes are in d->token, the rest starts at p[0] */
    uint64_t held = w->base - d->word_start, want = len < W2V_MAX_TOKEN + 1 ? len : W2V_MAX_TOKEN + 1;
    if (held > W2V_MAX_TOKEN + 1) held = W2V_MAX_TOKEN + 1;
    if (want > held) memcpy(d->token + held, w->p, want - held);
    /* counted at once: d->token may take the next held token before the batch would be */
    int rc = w2v_batch_push(d, &w->batch, d->token, w2v_token_cut(d, d->token, len));
    return rc ? rc : w2v_count_batch(d, &w->batch);
}

/* The character of class cls starting at input offset a: the rules of the header. */
static int step(walk *w, int cls, uint64_t a) {
    w2v_dict *d = w->d;
    if (d->in_word) {
        int word = cls == C_LETTER || cls == C_DIGIT;
        if (d->joiner) {
            if (word && (d->joiner == C_JOIN || cls == C_DIGIT)) {
                d->joiner = 0;
                d->last_digit = cls == C_DIGIT;
                return W2V_OK;
            }
            d->joiner = 0;
            int rc = end_word(w, d->joiner_start);
            if (rc) return rc;
        } else if (word) {
            d->last_digit = cls == C_DIGIT;
            return W2V_OK;
        } else if (cls == C_JOIN || (cls == C_NUMJOIN && d->last_digit)) {
            d->joiner = (uint8_t)cls;
            d->joiner_start = a;
            return W2V_OK;
        } else {
            int rc = end_word(w, a);
            if (rc) return rc;
        }
    }
    if (cls == C_LETTER || cls == C_DIGIT) {
        d->in_word = 1;
        d->word_start = a;
        d->last_digit = cls == C_DIGIT;
    } else if (cls == C_NEWLINE) {
        return w2v_batch_push(d, &w->batch, (const unsigned char *)W2V_EOS, 4);
    }
    return W2V_OK;
}

/* The characters that begin in the bytes carried from the last chunk, completed by this chunk's
 * first bytes; returns the offset in p where the walk goes on, or n + 1 when p still does not
 * complete them (then they stay carried). */
static uint64_t take_carry(walk *w, uint64_t n, int last, int *rc) {
    w2v_dict *d = w->d;
    unsigned char tmp[8];
    uint32_t c = d->cp_carry_len, m = n < 4 ? (uint32_t)n : 4, j = 0, len;
    memcpy(tmp, d->cp_carry, c);
    if (m) memcpy(tmp + c, w->p, m);
    while (j < c) {
        int cls = char_class(tmp, j, c + m, last && m == n, &len);
        if (cls == C_INCOMPLETE) { /* n < 4: the whole chunk joins the carried bytes */
            memmove(d->cp_carry, tmp + j, c + m - j);
            d->cp_carry_len = (uint8_t)(c + m - j);
            if (d->in_word) { /* the token's held copy gets this chunk's bytes too */
                uint64_t held = w->base - d->word_start;
                for (uint32_t i = 0; i < m; i++)
                    if (held + i < W2V_MAX_TOKEN + 1) d->token[held + i] = w->p[i];
            }
            return n + 1;
        }
        uint64_t a = w->base - c + j;
        if ((*rc = step(w, cls, a))) return n + 1;
        if (d->in_word && d->word_start == a) /* a token starts in the carried bytes: its first */
            memcpy(d->token, tmp + j, c - j);
        j += len;
    }
    d->cp_carry_len = 0;
    return j - c;
}

/* Where the run of ASCII letters and digits from p[k] ends: the first byte at or after k that is
 * not one, or n.  Eight bytes at a time: for an ASCII byte x, x + (0x80 - lo) has its top bit set
 * from lo up and x + (0x7F - hi) above hi (no carry leaves an ASCII byte); letters are tested on
 * x | 0x20, which folds capitals onto small letters (and no other byte onto them), digits on x.
 * A byte >= 0x80 stops the run by its own top bit, and its carries only reach the bytes after
 * it, which ctz does not look at. */
static inline uint64_t alnum_end(const unsigned char *p, uint64_t k, uint64_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, top = 0x8080808080808080ULL;
    while (k + 8 <= n) {
        uint64_t x = w2v_load8(p + k), folded = x | 0x20 * ones;
        uint64_t letter = (folded + (0x80 - 'a') * ones) & ~(folded + (0x7F - 'z') * ones);
        uint64_t digit = (x + (0x80 - '0') * ones) & ~(x + (0x7F - '9') * ones);
        uint64_t stop = (x | ~(letter | digit)) & top;
        if (stop) return k + ((uint64_t)__builtin_ctzll(stop) >> 3);
        k += 8;
    }
#endif
    while (k < n && p[k] < 0x80 && (ascii_class[p[k]] == C_LETTER || ascii_class[p[k]] == C_DIGIT)) k++;
    return k;
}

int w2v_dict_feed_words(w2v_dict *d, const unsigned char *p, uint64_t n, int last) {
    walk w;
    w.d = d;
    w.p = p;
    w.base = d->fed;
    w.batch.n = 0;
    int rc = W2V_OK;
    uint64_t k = 0;
    if (d->cp_carry_len) {
        k = take_carry(&w, n, last, &rc);
        if (rc) return d->status = rc;
        if (k > n) { /* the chunk only added to the carried bytes (never when `last`) */
            d->fed += n;
            return W2V_OK;
        }
    }
    while (k < n && rc == W2V_OK) {
        /* the common cases first, ASCII: a separator between tokens, a token of letters and
         * digits ended by a space or a newline, letters and digits continuing a token */
        if (!d->in_word && p[k] < 0x80 && ascii_class[p[k]] != C_LETTER && ascii_class[p[k]] != C_DIGIT) {
            if (ascii_class[p[k]] == C_NEWLINE) rc = w2v_batch_push(d, &w.batch, (const unsigned char *)W2V_EOS, 4);
            k++;
            continue;
        }
        if (!d->in_word && p[k] < 0x80) {
            uint64_t start = k;
            k = alnum_end(p, k, n);
            if (k < n && (p[k] == ' ' || p[k] == '\n')) {
                rc = w2v_batch_push(d, &w.batch, p + start, w2v_token_cut(d, p + start, k - start));
                continue;
            }
            d->in_word = 1;
            d->word_start = w.base + start;
            d->last_digit = ascii_class[p[k - 1]] == C_DIGIT;
            if (k == n) break;
        } else if (d->in_word && !d->joiner) {
            uint64_t k0 = k;
            k = alnum_end(p, k, n);
            if (k > k0) d->last_digit = ascii_class[p[k - 1]] == C_DIGIT;
            if (k == n) break;
        }
        uint32_t len;
        int cls = char_class(p, k, n, last, &len);
        if (cls == C_INCOMPLETE) { /* the chunk ends inside a character: the next completes it */
            d->cp_carry_len = (uint8_t)(n - k);
            memcpy(d->cp_carry, p + k, n - k);
            break;
        }
        rc = step(&w, cls, w.base + k);
        k += len;
    }
    if (rc == W2V_OK && d->in_word) {
        if (last) {
            uint64_t e = d->joiner ? d->joiner_start : w.base + n;
            d->joiner = 0;
            rc = end_word(&w, e);
        } else { /* the token goes on into the next chunk: keep its first bytes */
            uint64_t held = w.base > d->word_start ? w.base - d->word_start : 0;
            uint64_t from = d->word_start > w.base ? d->word_start - w.base : 0;
            for (uint64_t i = from; i < n && held < W2V_MAX_TOKEN + 1; i++) d->token[held++] = p[i];
        }
    }
    if (rc == W2V_OK) rc = w2v_count_batch(d, &w.batch);
    d->fed += n;
    if (last) {
        d->fed = 0;
        d->in_word = d->joiner = 0;
        d->cp_carry_len = 0;
    }
    if (rc) d->status = rc;
    return rc;
}
