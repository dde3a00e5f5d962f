#define _GNU_SOURCE /* O_TMPFILE, mremap */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytebuf.h"
#include "w2v.h"

/* A file starts at and grows by at least this much (and by half its size), so a long stream is
 * remapped a few dozen times at most, while a small one reserves little disk. */
#define SPILL_STEP ((uint64_t)4 << 20)

int w2v_bytebuf_init(w2v_bytebuf *b, uint64_t spill_above, uint64_t heap_limit, const char *spill_dir) {
    memset(b, 0, sizeof *b);
    b->fd = -1;
    b->spill_above = spill_above;
    b->heap_limit = heap_limit > spill_above ? heap_limit : spill_above;
    if (spill_dir && *spill_dir) {
        b->spill_dir = strdup(spill_dir);
        if (!b->spill_dir) return W2V_ENOMEM;
    }
    return W2V_OK;
}

int w2v_bytebuf_init_like(w2v_bytebuf *b, const w2v_bytebuf *like) {
    return w2v_bytebuf_init(b, like->spill_above, like->heap_limit, like->spill_dir);
}

void w2v_bytebuf_free(w2v_bytebuf *b) {
    if (b->fd >= 0) {
        if (b->data) munmap(b->data, b->size);
        close(b->fd); /* the file was unlinked at creation: this frees its blocks */
    } else {
        free(b->data);
    }
    free(b->spill_dir);
    memset(b, 0, sizeof *b);
    b->fd = -1;
}

/* An unlinked, private temporary file in the spill directory. */
static int open_spill_file(const w2v_bytebuf *b) {
    const char *dir = b->spill_dir;
    if (!dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
#endif
    /* no O_TMPFILE on this filesystem: create a named file and unlink it at once */
    size_t n = strlen(dir) + sizeof "/w2vfast-ids-XXXXXX";
    char *path = malloc(n);
    if (!path) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(path, n, "%s/w2vfast-ids-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    free(path);
    return fd;
}

/* Make the file `cap` bytes (disk reserved) and map it. */
static int map_file(w2v_bytebuf *b, uint64_t old_cap, uint64_t cap) {
    int rc = posix_fallocate(b->fd, (off_t)old_cap, (off_t)(cap - old_cap));
    if (rc == EOPNOTSUPP || rc == EINVAL) rc = ftruncate(b->fd, (off_t)cap) ? errno : 0;
    if (rc) {
        b->err = rc;
        return W2V_EIO;
    }
    void *p = b->data ? mremap(b->data, old_cap, cap, MREMAP_MAYMOVE)
                      : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
    if (p == MAP_FAILED) {
        b->err = errno;
        return W2V_EIO;
    }
    b->data = p;
    b->size = cap;
    return W2V_OK;
}

void w2v_pages_release(const uint8_t *base, uint64_t from, uint64_t to) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t lo = ((uint64_t)(uintptr_t)(base + from) + page - 1) / page * page;
    uint64_t hi = (uint64_t)(uintptr_t)(base + to) / page * page;
    if (hi > lo) madvise((void *)(uintptr_t)lo, hi - lo, MADV_DONTNEED); /* a hint: errors ignored */
}

/* Move the heap contents into a new spill file of `cap` bytes. */
static int spill(w2v_bytebuf *b, uint64_t cap) {
    int fd = open_spill_file(b);
    if (fd < 0) {
        b->err = errno;
        return W2V_EIO;
    }
    uint8_t *heap = b->data;
    uint64_t heap_size = b->size;
    b->fd = fd;
    b->data = NULL;
    int rc = map_file(b, 0, cap);
    if (rc) {
        close(fd);
        b->fd = -1;
        b->data = heap;
        b->size = heap_size;
        return rc;
    }
    if (b->len) memcpy(b->data, heap, b->len);
    free(heap);
    b->released = 0;
    return W2V_OK;
}

/* The writable window of a spilled buffer: the pages written so far leave the resident set,
 * and the writer comes back here after W2V_BYTEBUF_WINDOW more bytes. */
static void settle(w2v_bytebuf *b, uint64_t need) {
    uint64_t upto = b->len & ~(W2V_BYTEBUF_WINDOW - 1);
    if (upto > b->released) {
        w2v_pages_release(b->data, b->released, upto);
        b->released = upto;
    }
    uint64_t cap = b->len + W2V_BYTEBUF_WINDOW;
    if (cap < need) cap = need;
    b->cap = cap < b->size ? cap : b->size;
}

static int grow_heap(w2v_bytebuf *b, uint64_t size) {
    void *p = realloc(b->data, size);
    if (!p) return W2V_ENOMEM;
    b->data = p;
    b->size = b->cap = size;
    return W2V_OK;
}

int w2v_bytebuf_reserve(w2v_bytebuf *b, uint64_t need) {
    if (need <= b->cap) return W2V_OK;
    uint64_t size = b->size + b->size / 2 + 4096;
    if (size < need) size = need;
    if (b->fd >= 0) {
        if (need > b->size) {
            if (size < b->size + SPILL_STEP) size = b->size + SPILL_STEP;
            int rc = map_file(b, b->size, size);
            if (rc) return rc;
        }
        settle(b, need);
        return W2V_OK;
    }
    if (size > b->spill_above && !(b->spill_failed && size <= b->heap_limit)) {
        int rc = spill(b, size > SPILL_STEP ? size : SPILL_STEP);
        if (rc == W2V_OK) {
            settle(b, need);
            return W2V_OK;
        }
        /* no file: the heap will do while the buffer is within heap_limit */
        if (size > b->heap_limit) return rc;
        b->spill_failed = 1;
    }
    return grow_heap(b, size);
}

void w2v_bytebuf_trim(w2v_bytebuf *b) {
    if (b->len == b->size || b->len == 0) return;
    if (b->fd < 0) {
        void *p = realloc(b->data, b->len);
        if (p) {
            b->data = p;
            b->size = b->cap = b->len;
        }
        return;
    }
    /* shrink the mapping first, then the file, so no mapped page ever lies past the end */
    void *p = mremap(b->data, b->size, b->len, 0);
    if (p == MAP_FAILED) return;
    b->data = p;
    b->size = b->cap = b->len;
    w2v_pages_release(b->data, b->released, b->len); /* all written: out of the resident set */
    b->released = b->len;
    if (ftruncate(b->fd, (off_t)b->len)) { /* the blocks past len stay reserved: harmless */ }
}
