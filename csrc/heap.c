/* heap.c: glibc's mmap threshold (heap.h). */
#include "heap.h"

#if defined(__GLIBC__)
#include <malloc.h>
int w2v_map_large_blocks(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
#else
int w2v_map_large_blocks(int bytes) {
    (void)bytes;
    return 0;
}
#endif
