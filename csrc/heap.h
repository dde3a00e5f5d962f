/* heap.h: how freed blocks go back to the system.
 *
 * By default glibc raises its mmap threshold each time a mapped block is freed, up to 32 MB, and
 * then serves large blocks from the heap, which keeps freed memory: after the first pass (its
 * provisional id stream, the parallel parts' tables) the Huffman tables' temporaries then leave
 * 20-30 MB behind, counted in the peak of the whole run (BENCHMARKS.md).  Training allocates
 * nothing in its loop, so mapping large blocks costs it nothing. */
#ifndef W2V_HEAP_H
#define W2V_HEAP_H

/* From now on, blocks of `bytes` or more get their own mapping, unmapped when freed (glibc's
 * mallopt M_MMAP_THRESHOLD; elsewhere nothing).  Returns 1 when the setting was taken. */
int w2v_map_large_blocks(int bytes);

#endif
