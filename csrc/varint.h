/* varint.h: word ids as LEB128 varints (7 bits a byte, high bit set on all but the last).
 *
 * The corpus is stored as ids in frequency order, so the most common words (most tokens) take one
 * byte, the next 16k two: about 1.6 bytes a token on English text instead of 4, which is what
 * lets a corpus of billions of tokens stay in memory.  A byte below 0x80 ends an id, so a reader
 * dropped at any byte offset finds the next id's start by skipping past one.
 */
#ifndef W2V_VARINT_H
#define W2V_VARINT_H

#include <stdint.h>
#include <string.h>

/* A 32-bit word read from or written to memory as little-endian bytes. */
static inline uint32_t w2v_le32(uint32_t x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap32(x);
#else
    return x;
#endif
}

/* Append id at p; returns the new end (at most 5 bytes written). */
static inline uint8_t *w2v_varint_put(uint8_t *p, uint32_t id) {
    while (id >= 0x80) {
        *p++ = (uint8_t)(id | 0x80);
        id >>= 7;
    }
    *p++ = (uint8_t)id;
    return p;
}

/* Read the id at *pos and advance past it. */
static inline uint32_t w2v_varint_get(const uint8_t *buf, uint64_t *pos) {
    uint8_t b = buf[(*pos)++];
    uint32_t id = b & 0x7F;
    for (int shift = 7; b & 0x80; shift += 7) {
        b = buf[(*pos)++];
        id |= (uint32_t)(b & 0x7F) << shift;
    }
    return id;
}

/* The same two for the hot loops (tokenizer, renumbering, training threads), without a branch
 * on the length of ids of up to 3 bytes (below 2^21): consecutive tokens take 1, 2 or 3 bytes
 * at random, so a loop over the bytes mispredicted its exit at about every other token.
 * w2v_varint_next reads the id at *pos of a stream of len bytes (4 bytes at a time where 4 are
 * left); w2v_varint_put_fast writes 4 bytes for such an id (those past it are scratch), so p
 * needs 5 writable bytes like w2v_varint_put. */
static inline uint32_t w2v_varint_next(const uint8_t *buf, uint64_t len, uint64_t *pos) {
    uint32_t x;
    if (*pos + 4 > len) return w2v_varint_get(buf, pos);
    memcpy(&x, buf + *pos, 4);
    x = w2v_le32(x);
    if ((x & 0x808080u) == 0x808080u) return w2v_varint_get(buf, pos); /* 4 bytes or more */
    uint32_t c0 = (x >> 7) & 1, c1 = c0 & (x >> 15);
    *pos += 1 + c0 + c1;
    return (x & 0x7F) | ((x >> 1) & 0x3F80) * c0 | ((x >> 2) & 0x1FC000) * c1;
}

static inline uint8_t *w2v_varint_put_fast(uint8_t *p, uint32_t id) {
    if (id >= (1u << 21)) return w2v_varint_put(p, id);
    uint32_t b1 = id >= 0x80, b2 = id >= 0x4000;
    uint32_t v = (id & 0x7F) | b1 << 7 | (id << 1 & 0x7F00) | b2 << 15 | (id << 2 & 0x7F0000);
    v = w2v_le32(v);
    memcpy(p, &v, 4);
    return p + 1 + b1 + b2;
}

/* The first id start at or after byte offset `pos` (len if none). */
static inline uint64_t w2v_varint_align(const uint8_t *buf, uint64_t len, uint64_t pos) {
    while (pos > 0 && pos < len && (buf[pos - 1] & 0x80)) pos++;
    return pos < len ? pos : len;
}

#endif
