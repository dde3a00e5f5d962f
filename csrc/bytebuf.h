/* bytebuf.h: a growable byte buffer that moves out of memory when it gets large.
 *
 * The corpus, once tokenized, is a stream of word ids (a byte or two a token).  For most corpora
 * it fits in memory with room to spare, but a corpus read from a pipe can be larger than RAM and
 * its size is unknown until it ends.  So the buffer starts on the heap and, once it would grow
 * past `spill_above` bytes, moves to an unlinked temporary file in `spill_dir` mapped into memory
 * (MAP_SHARED).  From then on its pages belong to the page cache: the kernel writes them back and
 * drops them under memory pressure, and reads them in again as the training loop walks the stream
 * once per epoch, so resident memory stays bounded whatever the corpus size.
 *
 * Once in a file, the pages already written are dropped from the process's resident set as the
 * buffer grows (w2v_bytebuf_reserve is called every W2V_BYTEBUF_WINDOW bytes for that), and the
 * training loop drops the pages behind its read position (w2v_pages_release): the stream lives
 * in the page cache, as a text corpus that word2vec.c re-reads every epoch does, and the
 * process holds only the few MB around its read and write positions.
 *
 * `heap_limit` (>= spill_above) lets a buffer that prefers the file (spill_above 0) stay on the
 * heap when no file can be made (no writable temporary directory), up to that size.
 *
 * The file is unlinked as soon as it is created, so it disappears when the buffer is freed or the
 * process ends in any way (error, signal, SIGKILL).  Disk space is reserved with posix_fallocate
 * before the mapping grows, so a full disk is an error code (W2V_EIO, with errno ENOSPC), never a
 * SIGBUS on a write into a page with no block behind it.
 */
#ifndef W2V_BYTEBUF_H
#define W2V_BYTEBUF_H

#include <stdint.h>

/* A spilled buffer's writers come back to w2v_bytebuf_reserve every this many bytes. */
#define W2V_BYTEBUF_WINDOW ((uint64_t)1 << 20)

typedef struct {
    uint8_t *data;
    uint64_t len;          /* bytes used */
    uint64_t cap;          /* bytes writable before the next w2v_bytebuf_reserve */
    uint64_t size;         /* bytes allocated (heap) or mapped (file) */
    uint64_t released;     /* file: the pages before this offset are out of the resident set */
    int fd;                /* the backing file once spilled, -1 while on the heap */
    uint64_t spill_above;  /* move to a file when size would exceed this many bytes (UINT64_MAX: never) */
    uint64_t heap_limit;   /* when no file can be made, stay on the heap up to this size */
    int spill_failed;      /* making the file failed once: stay on the heap up to heap_limit */
    char *spill_dir;       /* where the file goes (NULL: $TMPDIR, else /tmp) */
    int err;               /* errno of the last failed file operation, for the message */
} w2v_bytebuf;

/* An empty heap buffer; spill settings are copied.  Returns W2V_OK or W2V_ENOMEM. */
int w2v_bytebuf_init(w2v_bytebuf *b, uint64_t spill_above, uint64_t heap_limit, const char *spill_dir);
/* An empty buffer with the same spill settings as `like`. */
int w2v_bytebuf_init_like(w2v_bytebuf *b, const w2v_bytebuf *like);
void w2v_bytebuf_free(w2v_bytebuf *b);

/* Make room for at least `need` bytes in all (amortised growth).  W2V_OK, W2V_ENOMEM, or
 * W2V_EIO when the spill file cannot be created, extended or mapped (b->err holds the errno). */
int w2v_bytebuf_reserve(w2v_bytebuf *b, uint64_t need);
/* Give back the unused capacity (best effort; the buffer stays valid either way). */
void w2v_bytebuf_trim(w2v_bytebuf *b);

static inline int w2v_bytebuf_spilled(const w2v_bytebuf *b) { return b->fd >= 0; }

/* Drop the whole pages of [from, to) of a file mapping from the resident set (madvise
 * MADV_DONTNEED): the data stays in the file and the page cache, and a later read maps it back. */
void w2v_pages_release(const uint8_t *base, uint64_t from, uint64_t to);

#endif
