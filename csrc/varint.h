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

/* The first id start at or after byte offset `pos` (len if none). */
static inline uint64_t w2v_varint_align(const uint8_t *buf, uint64_t len, uint64_t pos) {
    while (pos > 0 && pos < len && (buf[pos - 1] & 0x80)) pos++;
    return pos < len ? pos : len;
}

#endif
