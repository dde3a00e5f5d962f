/* lowercase.h: lowercasing a token's UTF-8 bytes (the tokenizers' -lowercase 1). */
#ifndef W2V_LOWERCASE_H
#define W2V_LOWERCASE_H

#include <stdint.h>

/* Write the n bytes at `in`, lowercased, to `out`; returns the bytes written, never more than n
 * (no mapping here lengthens a character: İ becomes i, ẞ becomes ß).  ASCII and the capitals of
 * Latin-1, Latin Extended-A and -B (its regular pairs), Latin Extended Additional (Vietnamese),
 * Greek (polytonic too), Cyrillic, Armenian and fullwidth Latin are mapped one character to one
 * (Unicode's simple mapping); everything else, bytes that are not UTF-8 included, is copied. */
uint32_t w2v_lowercase(const unsigned char *in, uint32_t n, unsigned char *out);

#endif
