/* documents.h: the corpus's lines as documents, for paragraph vectors (input.h's PV inputs).
 *
 * Each line of the corpus is one document, and its id stream ends in a 0 (the sentence end) as
 * every line's does; the last line may lack it.  A document's row in the input matrix is
 * doc_row0 + line_doc[line] (line_doc NULL: one row per line, doc_row0 + line), so repeated tags
 * share a row.  A thread starts its blocks anywhere in the stream (schedule.c), so it finds the
 * line it is in from the lines' starting offsets, by binary search, and counts the line ends it
 * reads from there: a long line cut into sentences (-max-sentence-length) keeps its document.
 */
#ifndef W2V_DOCUMENTS_H
#define W2V_DOCUMENTS_H

#include <stdint.h>

#include "w2v.h"

/* The number of lines in a stream of ids: its 0s, and one more when the last id is not a 0;
 * *empty (unless NULL) gets how many of them hold no id. */
uint64_t w2v_count_lines(const uint8_t *ids, uint64_t len, uint64_t *empty);

/* The byte offset of each line's first id into starts (n_lines entries). */
void w2v_line_starts(const uint8_t *ids, uint64_t len, uint64_t *starts, uint64_t n_lines);

/* The line the id at byte offset pos belongs to (the last line starting at or before pos). */
uint64_t w2v_line_at(const w2v_model *m, uint64_t pos);

/* The input row of line `line`'s document. */
static inline uint32_t w2v_doc_row(const w2v_model *m, uint64_t line) {
    return m->doc_row0 + (m->line_doc ? m->line_doc[line] : (uint32_t)line);
}

#endif
