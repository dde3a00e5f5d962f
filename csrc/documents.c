/* documents.c: where the corpus's lines start (documents.h). */
#include "documents.h"
#include "varint.h"

uint64_t w2v_count_lines(const uint8_t *ids, uint64_t len, uint64_t *empty) {
    uint64_t pos = 0, lines = 0, blank = 0;
    uint32_t last = 0;
    while (pos < len) {
        uint32_t id = w2v_varint_next(ids, len, &pos);
        blank += id == 0 && (lines == 0 ? pos == 1 : last == 0);
        lines += id == 0;
        last = id;
    }
    if (empty) *empty = blank;
    return lines + (len > 0 && last != 0);
}

void w2v_line_starts(const uint8_t *ids, uint64_t len, uint64_t *starts, uint64_t n_lines) {
    uint64_t pos = 0, line = 0;
    if (n_lines == 0) return;
    starts[line++] = 0;
    while (pos < len && line < n_lines)
        if (w2v_varint_next(ids, len, &pos) == 0 && pos < len) starts[line++] = pos;
}

uint64_t w2v_line_at(const w2v_model *m, uint64_t pos) {
    uint64_t lo = 0, hi = m->n_lines; /* the answer is in [lo, hi) */
    if (hi == 0) return 0;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (m->line_starts[mid] <= pos) lo = mid;
        else hi = mid;
    }
    return lo;
}
