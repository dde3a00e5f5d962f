/* lowercase.c: a token's capitals to small letters, UTF-8 in and out (lowercase.h). */
#include "lowercase.h"

/* Unicode's simple lowercase mapping of c for the scripts named in lowercase.h; c itself
 * elsewhere.  Where capitals and small letters alternate, the capital's parity is given. */
static uint32_t lower_cp(uint32_t c) {
    if (c < 0x100) return (c >= 0xC0 && c <= 0xDE && c != 0xD7) ? c + 0x20 : c;
    if (c < 0x180) { /* Latin Extended-A */
        if (c == 0x130) return 'i';
        if (c == 0x178) return 0xFF;
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c; /* ı ĸ ŉ ſ: small */
        if ((c >= 0x139 && c <= 0x148) || c >= 0x179) return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c < 0x250) { /* Latin Extended-B: its regular runs (Ǎ..ǜ, Ǟ..ǯ, Ǹ..ȟ, Ȣ..ȳ) */
        if (c >= 0x1CD && c <= 0x1DC) return (c & 1) ? c + 1 : c;
        if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) || (c >= 0x222 && c <= 0x233))
            return (c & 1) ? c : c + 1;
        return c;
    }
    if (c < 0x370) return c;
    if (c < 0x400) { /* Greek */
        if (c == 0x386) return 0x3AC;
        if (c >= 0x388 && c <= 0x38A) return c + 0x25;
        if (c == 0x38C) return 0x3CC;
        if (c == 0x38E || c == 0x38F) return c + 0x3F;
        if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
        return c;
    }
    if (c < 0x530) { /* Cyrillic and its supplement */
        if (c < 0x410) return c + 0x50;
        if (c < 0x430) return c + 0x20;
        if (c == 0x4C0) return 0x4CF;
        if (c >= 0x4C1 && c <= 0x4CE) return (c & 1) ? c + 1 : c;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0)
            return (c & 1) ? c : c + 1;
        return c;
    }
    if (c >= 0x531 && c <= 0x556) return c + 0x30; /* Armenian */
    if (c >= 0x1E00 && c <= 0x1EFF) { /* Latin Extended Additional */
        if (c == 0x1E9E) return 0xDF;
        if (c <= 0x1E95 || c >= 0x1EA0) return (c & 1) ? c : c + 1;
        return c;
    }
    if (c >= 0x1F00 && c <= 0x1FFF) { /* Greek Extended (polytonic): capitals 8 after their small letters */
        if ((c < 0x1F70 || (c >= 0x1F80 && c <= 0x1FAF)) && (c & 0xF) >= 8) return c - 8;
        switch (c) {
        case 0x1FB8: case 0x1FB9: case 0x1FD8: case 0x1FD9: case 0x1FE8: case 0x1FE9: return c - 8;
        case 0x1FBA: case 0x1FBB: return c - 0x4A;
        case 0x1FC8: case 0x1FC9: case 0x1FCA: case 0x1FCB: return c - 0x56;
        case 0x1FDA: case 0x1FDB: return c - 0x64;
        case 0x1FEA: case 0x1FEB: return c - 0x70;
        case 0x1FF8: case 0x1FF9: return c - 0x80;
        case 0x1FFA: case 0x1FFB: return c - 0x7E;
        case 0x1FBC: case 0x1FCC: case 0x1FFC: return c - 9;
        case 0x1FEC: return 0x1FE5;
        }
        return c;
    }
    if (c >= 0xFF21 && c <= 0xFF3A) return c + 0x20; /* fullwidth Latin */
    return c;
}

static uint32_t put_utf8(uint32_t c, unsigned char *out) {
    if (c < 0x80) {
        out[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (unsigned char)(0xC0 | c >> 6);
        out[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    out[0] = (unsigned char)(0xE0 | c >> 12);
    out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    out[2] = (unsigned char)(0x80 | (c & 0x3F));
    return 3;
}

uint32_t w2v_lowercase(const unsigned char *in, uint32_t n, unsigned char *out) {
    uint32_t i = 0, o = 0;
    while (i < n) {
        unsigned char b = in[i];
        if (b < 0x80) {
            out[o++] = (unsigned char)((unsigned)(b - 'A') < 26u ? b + 0x20 : b);
            i++;
            continue;
        }
        /* only 2- and 3-byte characters have capitals here; anything else is copied byte by
         * byte, a stray continuation byte or a cut character included */
        uint32_t len = (b >= 0xC2 && b <= 0xDF) ? 2 : (b >= 0xE1 && b <= 0xEF) ? 3 : 1;
        for (uint32_t j = 1; j < len; j++) {
            if (i + j >= n || (in[i + j] & 0xC0) != 0x80) len = 1;
        }
        if (len == 1) {
            out[o++] = b;
            i++;
            continue;
        }
        uint32_t c = len == 2 ? (uint32_t)(b & 0x1F) << 6 | (in[i + 1] & 0x3F)
                              : (uint32_t)(b & 0x0F) << 12 | (uint32_t)(in[i + 1] & 0x3F) << 6 | (in[i + 2] & 0x3F);
        uint32_t lc = lower_cp(c);
        if (lc == c) {
            for (uint32_t j = 0; j < len; j++) out[o++] = in[i + j];
        } else {
            o += put_utf8(lc, out + o);
        }
        i += len;
    }
    return o;
}
