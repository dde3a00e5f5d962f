/* hot.h: output rows a thread trains in copies of its own.
 *
 * Every Huffman path starts at the root, so the inner nodes of the top levels are in nearly
 * every window, and with Hogwild threads each write to one of them by one core takes its cache
 * lines from the other's cache before the next read there: measured on enwiki SG-HS, 2 threads
 * spent ~20 % more CPU time than 1 for the same work, all of it on the shared rows of those
 * nodes (a run with private HS rows per thread used the same CPU time as 1 thread).  So each
 * thread trains its own copies of those nodes, exactly as it would the shared rows, and every
 * W2V_HOT_MERGE_EVERY windows adds what it changed to the shared rows and takes the shared
 * rows, which hold the other threads' changes, as its new copies: one transfer of each hot row
 * per merge instead of one for about every other visit.  The 255 nodes of the top 8 levels,
 * merged every 256 windows, take 2 threads from 1.6 x one thread's speed to 1.9 x, what private
 * rows per thread give; the other threads' updates reach a thread up to 256 windows later than
 * under plain Hogwild, which, like Hogwild's own races, leaves the accuracy as it is
 * (BENCHMARKS.md).  A single thread has no copies and trains exactly as without them.
 *
 * The rows are the highest-numbered inner nodes: word2vec.c's construction numbers the merges
 * in order of increasing count, so the last hot_n of them are the hot_n most visited.
 */
#ifndef W2V_HOT_H
#define W2V_HOT_H

#include "w2v.h"

#define W2V_HOT_NODES 255
#define W2V_HOT_MERGE_EVERY 256
/* ... but at most so many bytes per copy (they are meant to stay in the thread's cache: 255
 * rows for -size 128, 32 for -size 1000), and at most so many for all threads' copies and
 * bases together (4096 threads would otherwise hold 800 MB of them at -size 100). */
#define W2V_HOT_COPY_BYTES (128 * 1024)
#define W2V_HOT_ALL_BYTES (64 * 1024 * 1024)

/* The inner nodes each of `threads` threads copies for a tree over vocab_size words: none for
 * one thread; else W2V_HOT_NODES, fewer for wide rows and for many threads, and at most the
 * tree's vocab_size - 1 inner nodes. */
uint32_t w2v_hot_node_count(uint64_t vocab_size, uint64_t dim, uint64_t threads);

/* Copy the thread's hot rows from the shared rows (before it trains), and add its changes to
 * them back into the shared rows, taking the shared rows as the new copies (every
 * W2V_HOT_MERGE_EVERY windows and whenever it stops).  Both do nothing for a thread without hot
 * rows (t->hot_n == 0). */
void w2v_hot_load(const w2v_model *m, w2v_thread *t);
void w2v_hot_merge(const w2v_model *m, w2v_thread *t);

#endif
