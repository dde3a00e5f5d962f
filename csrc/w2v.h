/* w2v.h: the plain C structs shared by the kernels, the training loop and the Cython module.
 *
 * Everything the hot path needs is reachable from a `w2v_model` (read-only options, vocabulary
 * tables, the corpus as word ids, and the parameter matrices) plus one `w2v_thread` per worker
 * (its RNG, scratch buffers and corpus block).  Nothing here allocates, logs or touches Python;
 * functions return W2V_OK or a negative W2V_E* code and the caller turns codes into messages.
 */
#ifndef W2V_H
#define W2V_H

#include <stddef.h>
#include <stdint.h>

#define W2V_OK 0
#define W2V_ENOMEM (-1)
#define W2V_EINVAL (-2)
#define W2V_ESTOPPED (-3)  /* the stop flag was raised (Ctrl-C, SIGTERM) */
#define W2V_EDIVERGED (-4) /* NaN or inf found in the parameters */
#define W2V_EIO (-5)       /* a file operation failed (the caller has its errno) */

/* Sigmoid table: sigma(x) for x in [-W2V_MAX_EXP, W2V_MAX_EXP], as word2vec.c (MAX_EXP 6). */
#define W2V_MAX_EXP 6
#define W2V_SIGMOID_TABLE_SIZE 1024

/* Skip-gram window blocks take at most this many context words at a time (block.h). */
#define W2V_BLOCK_CONTEXTS 16

/* Progress shared by all threads.  Only ever touched through the atomics in schedule.c, so the
 * learning-rate schedule has no data race (word2vec.c's global `alpha` and `word_count_actual`
 * are plain variables written by every thread). */
typedef struct {
    uint64_t words_done;  /* corpus words consumed by all threads, all epochs (before subsampling) */
    uint64_t next_block;  /* the next block of the corpus to hand out, counted over all epochs:
                           * block c is block c % n_blocks of epoch c / n_blocks (schedule.c) */
    uint64_t pause_at;    /* threads return (W2V_ESTOPPED) between sentences once words_done has
                           * reached this: synchronisation points of distributed runs (UINT64_MAX
                           * or 0: never) */
    int32_t stop;         /* set to non-zero to ask every thread to return at its next check */
    int32_t status;       /* first error a thread met (W2V_OK when none) */
} w2v_shared;

/* Walker/Vose alias table: draws word w with probability weight[w] / sum(weight) in O(1). */
typedef struct {
    uint32_t n;
    const uint32_t *threshold; /* accept the bucket when the low 32 random bits are below this */
    const uint32_t *alias;     /* otherwise take this word */
} w2v_alias;

/* The objectives a model can train, each with its own output rows and tables (loss.h names the
 * kinds and dispatches to their kernels, loss_hs.h and loss_ns.h).  A model trains one or two of
 * them on the same input vectors, in the order of its `loss` array, as word2vec.c trains -hs and
 * -negative together (HS first). */
#define W2V_MAX_LOSSES 2
#define W2V_LOSS_TABLES 3

typedef struct {
    int kind;        /* W2V_LOSS_* (loss.h) */
    int param;       /* the kind's whole-number option (NS: noise words per example) */
    int max_targets; /* the most output rows one example updates (NS: param + 1; HS: the
                      * longest Huffman path); sizes the threads' scratch */
    float *out;      /* the output rows (NS: one per word; HS: one per inner node), shared by
                      * all threads as the input rows are (Hogwild, see w2v_model) */
    uint64_t out_rows;
    /* the kind's read-only tables, in the order its init function in loss_*.h takes them */
    const void *table[W2V_LOSS_TABLES];
    uint64_t table_len[W2V_LOSS_TABLES];
} w2v_loss;

/* What forms the input vector of an example (input.h). */
#define W2V_INPUT_SKIPGRAM 0 /* one context word's row predicts the centre word */
#define W2V_INPUT_CBOW 1     /* the mean (or sum) of the context rows predicts the centre word */
#define W2V_INPUT_PV_DBOW 2  /* the document's row predicts each of its words (paragraph vectors) */
#define W2V_INPUT_PV_DM 3    /* the mean (or sum) of the context rows and the document's row
                              * predicts the centre word */

/* How many words ahead PV-DBOW draws its noise words and asks for their rows: the rows are
 * random and mostly cache misses, and one word's update is too short to cover one
 * (BENCHMARKS.md: inference 1.2-1.4 x faster with 16 than with 1; 8 and 32 slower than 16). */
#define W2V_DRAW_AHEAD 16

typedef struct {
    /* options, fixed for the run */
    int dim;                 /* vector size D */
    int window;              /* maximum context radius; the radius is uniform in 1..window */
    int input;               /* W2V_INPUT_* */
    int cbow_mean;           /* CBOW (PV-DM) input is the mean (1) or the sum (0) of the context
                              * vectors (and the document's) */
    int iter;                /* epochs */
    int max_sentence_length; /* sentences are cut after this many kept words */
    int batch;               /* skip-gram: train each window as one block (block.h) */
    float alpha;             /* starting learning rate; decays linearly to alpha * min_alpha_ratio */
    float min_alpha_ratio;

    /* vocabulary, in frequency order; word 0 is the sentence end </s> */
    uint32_t vocab_size;
    const uint64_t *keep_threshold; /* subsampling: keep when 32 random bits < this; NULL keeps all */
    const float *sigmoid;           /* 2 W2V_SIGMOID_TABLE_SIZE entries: sigma, then log sigma */

    /* the objectives, trained in this order on every example */
    int n_losses;
    w2v_loss loss[W2V_MAX_LOSSES];

    /* the corpus as word ids (LEB128 varints, varint.h), 0 marking sentence ends; read-only */
    const uint8_t *ids;
    uint64_t ids_len; /* bytes */
    int ids_in_file;  /* the ids are a file mapping: threads drop the pages behind them */
    uint64_t n_ids;   /* ids: the length of an epoch for the learning-rate schedule */
    uint64_t n_blocks; /* an epoch's ids are handed to the threads in this many blocks (schedule.c) */

    /* paragraph vectors (documents.h): the corpus's lines are documents, line l starting at byte
     * line_starts[l] of ids, its row in syn0 doc_row0 + line_doc[l] (line_doc NULL: + l);
     * doc_words: PV-DBOW trains skip-gram on the words as well */
    const uint64_t *line_starts;
    uint64_t n_lines;
    const uint32_t *line_doc;
    uint32_t doc_row0;
    int doc_words;
    int frozen; /* inferring new documents' vectors: only their rows learn (input.h) */

    /* The input rows, V x D (paragraph vectors: the words' V rows, then the documents').  All threads read and write these rows, and the losses' output
     * rows, without locks: this is Hogwild SGD (Recht et al. 2011), as in word2vec.c.  Two
     * threads may update the same row at once and one update may be lost or mixed; with sparse
     * updates this costs no measurable accuracy and removes all synchronisation from the hot
     * path.  This is the one deliberate data race in the program; every other shared value goes
     * through w2v_shared's atomics. */
    float *syn0;

    w2v_shared *shared;
    const struct w2v_isa *isa; /* the build of the training loop to run (isa.h) */
} w2v_model;

/* One worker's state: owned by that thread alone.  Aligned to a cache line (and so padded to
 * whole lines), so that in an array of them no two threads' fields share a line: rng, loss and
 * examples change on every window, and a shared line would bounce between the cores. */
typedef struct __attribute__((aligned(64))) {
    uint64_t rng;          /* splitmix64 state */
    /* the block of the corpus the thread is on (w2v_claim_block): its number over all epochs,
     * and the bytes [begin, end) of model->ids it covers (end grows when the next block is
     * taken on to finish a sentence) */
    uint64_t block, begin, end;
    /* where the thread is: epoch, the byte offset of its next sentence, and the words read since
     * its last report; with rng and the block, all a stopped thread needs to go on exactly
     * (checkpoints) */
    int epoch;
    uint64_t pos;
    uint64_t unreported;
    uint64_t ids_released; /* ids in a file: the pages of the slice before this are dropped */
    uint64_t line;         /* paragraph vectors: the line of the corpus the thread is in */
    uint32_t doc_row;      /* ... and the input row of the document of its current sentence */
    /* scratch, sized and allocated for the model by w2v_threads_new (scratch.c) */
    float *neu1;           /* D floats: CBOW input vector */
    float *neu1e;          /* D floats: accumulated gradient for the input side */
    uint32_t *sentence;    /* max_sentence_length ids after subsampling */
    uint32_t *targets;     /* R ids: the targets drawn for this example (NS: the word, then its
                            * noise words) */
    uint32_t *next_targets; /* the same for the next window, drawn ahead for prefetching */
    uint32_t *ahead;       /* W2V_DRAW_AHEAD x R ids: PV-DBOW's targets, drawn that many words
                            * ahead (train_loop.h) */
    uint32_t *context;     /* 2 window + 1 ids: the context of one centre word (PV-DM: and the
                            * document's row) */
    /* skip-gram window blocks (block.h): B = min(W2V_BLOCK_CONTEXTS, 2 window) contexts against
     * at most R targets, R the largest max_targets of the model's losses */
    float *block_din;      /* B x D: the context rows' updates */
    float *block_s;        /* B+1 x R rounded up to 16: scores */
    float *block_k;        /* B+1 x B rounded up to 4: Gram matrices K, then H (HS) */
    float *block_g;        /* B x R: gradient factors */
    float *block_gt;       /* R x B: factors per distinct target row (NS) */
    float *block_gp;       /* B x R rounded up to 16: the factors in zero-padded rows (HS) */
    float *block_labels;   /* the sum of the losses' max_targets: each loss's labels in turn */
    uint32_t *block_targets; /* R: the distinct sampled targets of the window (NS) */
    const float **block_x; /* R + B + 4 row pointers: targets, contexts, padding */
    float **block_y;       /* max(R, B) + 3 row pointers: the rows being updated */
    /* Output rows this thread trains in copies of its own, merged into the shared rows every few
     * windows (hot.h): with several threads, the inner nodes of the Huffman tree nearest the
     * root, which every path crosses; rows [hot_lo, hot_lo + hot_n) of loss hot_loss's */
    float *hot;            /* hot_n x D: this thread's copies, or NULL */
    float *hot_base;       /* hot_n x D: those rows as they were at the last merge */
    uint32_t hot_lo, hot_n;
    int hot_loss;          /* the index in the model's losses whose rows these are */
    uint32_t hot_windows;  /* windows trained since the last merge */
    uint64_t words_done;   /* this thread's words, for per-thread speed (published atomically) */
    double loss;           /* sum of the training loss of this thread's examples ... */
    uint64_t examples;     /* ... and their number (pairs for skip-gram, windows for CBOW) */
    double loss_published; /* copies of the two, published atomically with words_done */
    uint64_t examples_published;
} w2v_thread;

#endif
