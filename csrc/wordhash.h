/* wordhash.h: hashing and comparing words of any length, for the vocabulary's hash table
 * (dictionary.c) and the tokenizer (tokenize.c), which hashes each token as it finds it. */
#ifndef W2V_WORDHASH_H
#define W2V_WORDHASH_H

#include <stdint.h>
#include <string.h>

/* Loads of 1 to 8 bytes without a loop over them: a word's bytes as one integer, exact for
 * n <= 8 (for 4..8 bytes two overlapping 4-byte loads, for 1..3 the first, middle and last
 * byte): a byte loop has its exit mispredicted at every word of a new length. */
static inline uint32_t w2v_load4(const unsigned char *s) {
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

static inline uint64_t w2v_load8(const unsigned char *s) {
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint64_t w2v_load_short(const unsigned char *s, uint32_t n) {
    if (n >= 4) return (uint64_t)w2v_load4(s) << 32 | w2v_load4(s + n - 4);
    if (n == 0) return 0;
    return (uint64_t)s[0] << 16 | (uint64_t)s[n / 2] << 8 | s[n - 1];
}

/* The word hash: eight bytes at a time (the last eight overlapping the ones before), each mixed
 * in by a multiply, then a murmur3 finalizer: a byte-at-a-time hash such as FNV-1a puts a chain
 * of one multiply per byte on the tokenizer's critical path.  The slot index takes the low bits,
 * the tag kept in the slot the high 32 (dictionary.c). */
static inline uint64_t w2v_hash_bytes(const unsigned char *s, uint32_t n) {
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = (n + 1) * k;
    if (n <= 8) {
        h = (h ^ w2v_load_short(s, n)) * k;
    } else {
        for (uint32_t i = 0; i + 8 < n; i += 8) h = ((h ^ w2v_load8(s + i)) * k) ^ (h >> 32);
        h = (h ^ w2v_load8(s + n - 8)) * k;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

/* memcmp(a, b, n) == 0, inline: for short words the library call costs more than the compare. */
static inline int w2v_same_bytes(const char *a, const char *b, uint32_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    if (n <= 8) return w2v_load_short(x, n) == w2v_load_short(y, n);
    for (uint32_t i = 0; i + 8 < n; i += 8)
        if (w2v_load8(x + i) != w2v_load8(y + i)) return 0;
    return w2v_load8(x + n - 8) == w2v_load8(y + n - 8);
}

#endif
