/* train_loop.h: one worker's training loop, compiled once per instruction set.
 *
 * train_avx512.c, train_avx2.c and train_generic.c each set the compiler's target, the vector
 * width W2V_VW (16, 8 or 4 floats: one register) and the name W2V_ISA_NAME, then include this
 * file (and probe_loop.h); isa.c picks the build the CPU runs (w2v_isa_select).  One build per
 * target, not GCC's target_clones: the clones share one vector type, and an AVX2 clone of a
 * 16-float type spills its half-size registers (~10x the instructions of the AVX-512 build).
 */
#include <math.h>

#include "bytebuf.h"
#include "documents.h"
#include "hot.h"
#include "input.h"
#include "isa.h"
#include "loss.h"
#include "sampling.h"
#include "schedule.h"
#include "varint.h"

#define W2V_ISA_CAT2(a, b) a##b
#define W2V_ISA_CAT(a, b) W2V_ISA_CAT2(a, b)
#define W2V_ISA_FN(name) W2V_ISA_CAT(W2V_ISA_CAT(w2v_, name), W2V_ISA_CAT(_, W2V_ISA_NAME))

static void publish_loss(w2v_thread *t) {
    __atomic_store(&t->loss_published, &t->loss, __ATOMIC_RELAXED);
    __atomic_store_n(&t->examples_published, t->examples, __ATOMIC_RELAXED);
}

static void fail(w2v_shared *s, int code) {
    int32_t expected = W2V_OK;
    __atomic_compare_exchange_n(&s->status, &expected, code, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    w2v_request_stop(s);
}

static int all_finite(const float *v, int n) {
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += v[i] * 0.0f; /* NaN or inf anywhere makes s NaN */
    return s == 0.0f;
}

/* Read the next sentence of the block into t->sentence, dropping subsampled words; one that
 * reaches the block's end goes on into the next block if that is free (w2v_extend_block).
 * Returns its length; *pos advances and *read counts every id consumed, kept or not (the
 * learning-rate schedule and the progress count all corpus words, as word2vec.c).  With
 * documents, t->doc_row is the sentence's document and t->line counts the line ends read. */
W2V_INLINE int next_sentence(const w2v_model *m, w2v_thread *t, uint64_t *pos, uint64_t *read) {
    const uint64_t always = (uint64_t)1 << 32;
    int len = 0;
    if (m->line_starts) t->doc_row = w2v_doc_row(m, t->line);
    while (*pos < t->end || w2v_extend_block(m, t)) {
        uint32_t w = w2v_varint_next(m->ids, m->ids_len, pos);
        (*read)++;
        if (w == 0) { /* </s> ends the sentence and is not trained on */
            t->line++;
            break;
        }
        if (m->keep_threshold) {
            uint64_t thr = m->keep_threshold[w];
            if (thr < always && (w2v_rand(&t->rng) >> 32) >= thr) continue;
        }
        t->sentence[len++] = w;
        if (len >= m->max_sentence_length) break;
    }
    return len;
}

/* The windows of centre word i: the context rows predict it, together (CBOW, PV-DM with the
 * document's row among them) or each in turn (skip-gram, in blocks or pair by pair). */
W2V_INLINE void train_windows(const w2v_model *m, w2v_thread *t, const w2v_loss *drawn, int len, int i,
                              uint32_t *targets, float alpha, const int input, const int cbow_windows,
                              const int skipgram_pairs, const int learn) {
    const uint32_t *sen = t->sentence;
    const uint32_t word = sen[i];
    /* dynamic window: the radius is uniform in 1..window, which weights near words more */
    int radius = m->window - (int)w2v_rand_below(w2v_rand(&t->rng), (uint32_t)m->window);
    int lo = i - radius < 0 ? 0 : i - radius;
    int hi = i + radius >= len ? len - 1 : i + radius;
    if (!skipgram_pairs) {
        int n = 0;
        for (int c = lo; c <= hi; c++)
            if (c != i) t->context[n++] = sen[c];
        if (input == W2V_INPUT_PV_DM) t->context[n++] = t->doc_row;
        if (cbow_windows) {
            w2v_train_cbow(m, t, word, t->context, n, targets, alpha, t->neu1, t->neu1e, &t->loss, learn,
                           input == W2V_INPUT_PV_DM);
            t->examples += n > 0;
        } else {
            w2v_train_sg_window(m, t, word, t->context, n, targets, alpha, &t->loss);
            t->examples += (uint64_t)n;
        }
    } else {
        int first = 1;
        for (int c = lo; c <= hi; c++) {
            if (c == i) continue;
            /* word2vec.c's exact path: fresh targets for every pair */
            if (drawn && !first) w2v_loss_draw(t, drawn, targets, word);
            first = 0;
            w2v_train_sg_pair(m, t, word, sen[c], targets, alpha, t->neu1e, &t->loss, learn);
            t->examples++;
        }
    }
}

/* PV-DBOW alone: each word is one example of the document's row, and the noise words are the
 * only random numbers drawn, so they are drawn W2V_DRAW_AHEAD words ahead (in the same order,
 * the same draws) and their rows asked for that far ahead. */
W2V_INLINE void train_document_words(const w2v_model *m, w2v_thread *t, const w2v_loss *drawn, int len,
                                     float alpha, const int learn) {
    const uint32_t *sen = t->sentence;
    const int R = drawn->max_targets;
    uint32_t *ring = t->ahead;
    int ahead = len < W2V_DRAW_AHEAD ? len : W2V_DRAW_AHEAD;
    for (int j = 0; j < ahead; j++) {
        w2v_loss_draw(t, drawn, ring + (size_t)j * R, sen[j]);
        w2v_loss_prefetch_targets(m, drawn, ring + (size_t)j * R);
    }
    for (int i = 0, slot = 0; i < len; i++) {
        uint32_t *targets = ring + (size_t)slot * R;
        for (int k = 0; k < m->n_losses; k++) w2v_loss_prefetch_next(&m->loss[k], sen, i, len);
        w2v_train_one_context(m, t, sen[i], t->doc_row, targets, alpha, &t->loss, learn);
        t->examples++;
        if (i + W2V_DRAW_AHEAD < len) {
            w2v_loss_draw(t, drawn, targets, sen[i + W2V_DRAW_AHEAD]);
            w2v_loss_prefetch_targets(m, drawn, targets);
        }
        if (++slot == W2V_DRAW_AHEAD) slot = 0;
    }
}

/* `drawn`: the loss whose targets are drawn for each example (NS), or NULL.  `input` (m->input)
 * is a constant at each call (run_sentence), so each input's loop compiles without a test of it;
 * `learn` (0 when paragraph vectors are inferred, m->frozen: input.h) is one for word2vec's. */
W2V_INLINE void train_sentence(const w2v_model *m, w2v_thread *t, const w2v_loss *drawn, int len, float alpha,
                               const int input, const int learn) {
    const uint32_t *sen = t->sentence;
    const int D = m->dim;
    /* the word windows: CBOW's (and PV-DM's, with the document's row among the contexts), or
     * skip-gram's (and PV-DBOW's with -dbow-words 1, after the document's example) */
    const int cbow_windows = input == W2V_INPUT_CBOW || input == W2V_INPUT_PV_DM;
    const int word_windows = input != W2V_INPUT_PV_DBOW || m->doc_words;
    const int skipgram_pairs = !cbow_windows && !m->batch;
    if (input == W2V_INPUT_PV_DBOW && !word_windows && drawn) {
        train_document_words(m, t, drawn, len, alpha, learn);
        return;
    }
    uint32_t *targets = t->targets, *next_targets = t->next_targets;
    /* the targets of the next window are drawn one window ahead, so their rows can be
     * prefetched while this window trains */
    if (drawn && len > 0) w2v_loss_draw(t, drawn, next_targets, sen[0]);
    for (int i = 0; i < len; i++) {
        uint32_t word = sen[i];
        if (drawn) {
            uint32_t *swap = targets;
            targets = next_targets;
            next_targets = swap;
            if (i + 1 < len) {
                w2v_loss_draw(t, drawn, next_targets, sen[i + 1]);
                w2v_loss_prefetch_targets(m, drawn, next_targets);
            }
        }
        if (i + 1 + m->window < len) w2v_prefetch_row(m->syn0 + (size_t)sen[i + 1 + m->window] * D, D);
        for (int k = 0; k < m->n_losses; k++) w2v_loss_prefetch_next(&m->loss[k], sen, i, len);
        if (input == W2V_INPUT_PV_DBOW) {
            /* the document's row predicts the word: a skip-gram window whose one context is
             * the document (PV-DBOW, Le & Mikolov 2014); as a block, the targets' scores are
             * independent products, not one dependent chain after another */
            w2v_train_one_context(m, t, word, t->doc_row, targets, alpha, &t->loss, learn);
            t->examples++;
            if (drawn && word_windows) w2v_loss_draw(t, drawn, targets, word); /* fresh ones for the windows */
        }
        if (word_windows)
            train_windows(m, t, drawn, len, i, targets, alpha, input, cbow_windows, skipgram_pairs, learn);
        if (t->hot_n && ++t->hot_windows >= W2V_HOT_MERGE_EVERY) w2v_hot_merge(m, t);
    }
    t->targets = targets;
    t->next_targets = next_targets;
}

/* One copy of train_sentence per input, each a function of its own: one sentence is a call, and
 * each copy compiles as if it were the only one (inlined all into the thread's loop, they changed
 * GCC's code for the skip-gram block kernels: +0.9 % instructions).  The word2vec inputs always
 * learn; the paragraph-vector loops test m->frozen (inference) once per update, a branch that
 * always goes the same way, rather than compile twice more for each instruction set. */
#define W2V_SENTENCE_LOOP(name, input, learn)                                                        \
    static __attribute__((noinline)) void name(const w2v_model *m, w2v_thread *t, const w2v_loss *drawn, \
                                               int len, float alpha) {                               \
        train_sentence(m, t, drawn, len, alpha, input, learn);                                       \
    }
W2V_SENTENCE_LOOP(sentence_skipgram, W2V_INPUT_SKIPGRAM, 1)
W2V_SENTENCE_LOOP(sentence_cbow, W2V_INPUT_CBOW, 1)
W2V_SENTENCE_LOOP(sentence_pv_dbow, W2V_INPUT_PV_DBOW, !m->frozen)
W2V_SENTENCE_LOOP(sentence_pv_dm, W2V_INPUT_PV_DM, !m->frozen)

/* The sentence trained by the loop of the model's input, chosen once a sentence. */
W2V_INLINE void run_sentence(const w2v_model *m, w2v_thread *t, const w2v_loss *drawn, int len, float alpha) {
    switch (m->input) {
    case W2V_INPUT_SKIPGRAM: sentence_skipgram(m, t, drawn, len, alpha); break;
    case W2V_INPUT_CBOW: sentence_cbow(m, t, drawn, len, alpha); break;
    case W2V_INPUT_PV_DBOW: sentence_pv_dbow(m, t, drawn, len, alpha); break;
    case W2V_INPUT_PV_DM: sentence_pv_dm(m, t, drawn, len, alpha); break;
    default: break;
    }
}

/* A thread reading ids from a file mapping drops the pages it has read from the process's
 * resident set every few MB (they stay in the page cache and are mapped again next epoch), so
 * the corpus never adds more than that to the run's memory (bytebuf.h).  The call shoots down
 * TLB entries on the other threads, hence not more often. */
#define W2V_RELEASE_EVERY ((uint64_t)4 << 20)

static void release_read_ids(const w2v_model *m, w2v_thread *t, int all) {
    if (!m->ids_in_file) return;
    if (t->ids_released < t->begin || t->ids_released > t->pos) t->ids_released = t->begin;
    if (all || t->pos - t->ids_released >= W2V_RELEASE_EVERY) {
        w2v_pages_release(m->ids, t->ids_released, t->pos);
        t->ids_released = t->pos & ~(uint64_t)4095; /* the page it is in is not done */
    }
}

/* Stopping, for whatever reason, first puts the thread's hot rows back into the shared rows. */
static int stop_thread(const w2v_model *m, w2v_thread *t, int code) {
    w2v_hot_merge(m, t);
    return code;
}

static int train_thread(const w2v_model *m, w2v_thread *t) {
    w2v_shared *shared = m->shared;
    const w2v_loss *drawn = w2v_drawn_loss(m);
    w2v_hot_load(m, t);
    /* the learning rate as of the last report (a resumed thread picks up where it stopped) */
    float alpha = w2v_alpha_at(m, w2v_words_done(shared));
    /* block after block until every epoch's blocks are taken (word2vec.c lets a thread that hit
     * end of file skip its remaining epochs: here every block of every epoch is trained once) */
    for (;;) {
        if (t->pos >= t->end) {
            release_read_ids(m, t, 1);
            if (!w2v_claim_block(m, t)) break;
        }
        while (t->pos < t->end) {
            /* Stop only between sentences, where epoch, pos, rng and unreported are the thread's
             * whole state: run again, it goes on exactly as if it had never stopped. */
            if (__atomic_load_n(&shared->stop, __ATOMIC_RELAXED)) return stop_thread(m, t, W2V_ESTOPPED);
            if (shared->pause_at && w2v_words_done(shared) >= shared->pause_at)
                return stop_thread(m, t, W2V_ESTOPPED);
            int len = next_sentence(m, t, &t->pos, &t->unreported);
            if (t->unreported >= W2V_REPORT_EVERY) {
                uint64_t done = __atomic_add_fetch(&shared->words_done, t->unreported, __ATOMIC_RELAXED);
                __atomic_add_fetch(&t->words_done, t->unreported, __ATOMIC_RELAXED);
                publish_loss(t);
                t->unreported = 0;
                alpha = w2v_alpha_at(m, done);
                /* divergence shows up in the rows just trained: NaN spreads through every update */
                if (len > 0 && !all_finite(m->syn0 + (size_t)t->sentence[0] * m->dim, m->dim)) {
                    fail(shared, W2V_EDIVERGED);
                    return stop_thread(m, t, W2V_EDIVERGED);
                }
            }
            run_sentence(m, t, drawn, len, alpha);
            release_read_ids(m, t, 0);
        }
    }
    __atomic_add_fetch(&shared->words_done, t->unreported, __ATOMIC_RELAXED);
    __atomic_add_fetch(&t->words_done, t->unreported, __ATOMIC_RELAXED);
    t->unreported = 0;
    publish_loss(t);
    return stop_thread(m, t, W2V_OK);
}

const w2v_isa W2V_ISA_FN(isa) = {W2V_ISA_LABEL, W2V_VW, train_thread};
