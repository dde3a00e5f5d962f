# Declarations of the C core in csrc/ (see the headers there for what each one does).
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t

cdef extern from "w2v.h" nogil:
    enum:
        W2V_OK
        W2V_ENOMEM
        W2V_EINVAL
        W2V_ESTOPPED
        W2V_EDIVERGED
        W2V_EIO
        W2V_MAX_EXP
        W2V_SIGMOID_TABLE_SIZE
        W2V_BLOCK_CONTEXTS

    ctypedef struct w2v_shared:
        uint64_t words_done
        uint64_t next_block
        uint64_t pause_at
        int32_t stop
        int32_t status

    ctypedef struct w2v_alias:
        uint32_t n
        const uint32_t *threshold
        const uint32_t *alias

    ctypedef struct w2v_model:
        int dim, window, negative, hs, cbow, cbow_mean, iter, max_sentence_length, batch
        float alpha, min_alpha_ratio
        uint32_t vocab_size
        const uint64_t *keep_threshold
        const uint32_t *code_offset
        const uint8_t *codes
        const uint32_t *points
        uint32_t max_code_length
        w2v_alias noise
        const float *sigmoid
        const uint8_t *ids
        uint64_t ids_len
        int ids_in_file
        uint64_t n_ids
        uint64_t n_blocks
        float *syn0
        float *syn1
        float *syn1neg
        w2v_shared *shared
        const void *isa

    ctypedef struct w2v_thread:
        uint64_t rng
        uint64_t block, begin, end
        int epoch
        uint64_t pos
        uint64_t unreported
        float *neu1
        float *neu1e
        uint32_t *sentence
        uint32_t *targets
        uint32_t *next_targets
        uint32_t *context
        float *block_din
        float *block_s
        float *block_k
        float *block_g
        float *block_gt
        float *block_gp
        float *block_labels
        uint32_t *block_targets
        const float **block_x
        float **block_y
        float *hot
        float *hot_base
        uint32_t hot_lo, hot_n
        uint64_t words_done
        double loss
        uint64_t examples

cdef extern from "sigmoid.h" nogil:
    void w2v_sigmoid_table_fill(float *table)

cdef extern from "sampling.h" nogil:
    uint64_t w2v_rand(uint64_t *state)
    uint32_t w2v_sample_noise(const w2v_alias *table, uint64_t *rng)
    int w2v_alias_build(const double *weights, uint32_t n, uint32_t *threshold, uint32_t *alias,
                        uint32_t *work_index, double *work_prob)
    void w2v_keep_thresholds(const uint64_t *counts, uint32_t n, double sample, uint64_t *threshold)
    void w2v_init_uniform(float *m, uint64_t rows, int dim, uint64_t seed)

cdef extern from "huffman.h" nogil:
    int w2v_huffman_total_length(const uint64_t *counts, uint32_t n, uint64_t *total)
    int w2v_huffman_build(const uint64_t *counts, uint32_t n, uint32_t *code_offset, uint8_t *codes,
                          uint32_t *points)

cdef extern from "bytebuf.h" nogil:
    ctypedef struct w2v_bytebuf:
        uint8_t *data
        uint64_t len
        uint64_t cap
        int fd
        int spill_failed
        int err
    int w2v_bytebuf_spilled(const w2v_bytebuf *b)
    void w2v_bytebuf_free(w2v_bytebuf *b)
    void w2v_bytebuf_trim(w2v_bytebuf *b)

cdef extern from "dictionary.h" nogil:
    enum:
        W2V_MAX_TOKEN
    ctypedef struct w2v_dict:
        char *arena
        uint64_t *offset
        uint32_t *length
        uint64_t *count
        uint32_t n_words
        w2v_bytebuf ids
        uint64_t n_ids
        int frozen
        uint64_t n_tokens
        uint64_t n_truncated
        uint64_t n_prunes
        int status
    int w2v_dict_init(w2v_dict *d, uint64_t max_vocab, int record_ids, uint64_t spill_above,
                      uint64_t heap_limit, const char *spill_dir)
    void w2v_dict_free(w2v_dict *d)
    uint32_t w2v_dict_add(w2v_dict *d, const char *word, uint32_t len, uint64_t count)
    uint32_t w2v_dict_find(const w2v_dict *d, const char *word, uint32_t len)
    int w2v_dict_feed(w2v_dict *d, const char *buf, uint64_t n, int last)
    int w2v_dict_finalize(w2v_dict *d, uint64_t min_count, int keep_order)
    void w2v_dict_decode(const w2v_dict *d, uint32_t *out)
    int w2v_dict_merge(w2v_dict *dst, const w2v_dict *src)
    int w2v_dict_merge_words(w2v_dict *dst, const w2v_dict *src, uint32_t *remap)
    int w2v_dict_order(w2v_dict *d, uint64_t min_count, int keep_order, uint32_t *remap)
    int w2v_dict_renumber_ids(w2v_dict *d, const uint32_t *remap)
    int w2v_dict_append_stream(w2v_dict *d, const w2v_bytebuf *src, uint64_t n_ids)
    int w2v_dict_append_remapped(w2v_dict *dst, const w2v_dict *src, const uint32_t *remap)
    int w2v_dict_append_ids(w2v_dict *d, const uint8_t *ids, uint64_t len, uint64_t n_ids)

cdef extern from "train.h" nogil:
    enum: W2V_HOT_NODES
    enum: W2V_HOT_COPY_BYTES
    enum: W2V_HOT_ALL_BYTES
    void w2v_hot_load(const w2v_model *m, w2v_thread *t)
    void w2v_hot_merge(const w2v_model *m, w2v_thread *t)
    ctypedef struct w2v_isa:
        const char *name
        int floats
    const w2v_isa *w2v_isa_select(const char *name)
    int w2v_train_thread(const w2v_model *m, w2v_thread *t)
    uint64_t w2v_slice_start(const w2v_model *m, uint64_t i, uint64_t n)
    enum: W2V_BLOCK_BYTES
    uint64_t w2v_block_count(uint64_t ids_len, uint64_t block_bytes)
    float w2v_alpha_at(const w2v_model *m, uint64_t words_done)
    uint64_t w2v_words_done(const w2v_shared *s)
    uint64_t w2v_thread_words_done(const w2v_thread *t)
    void w2v_request_stop(w2v_shared *s)
    void w2v_thread_loss(const w2v_thread *t, double *loss, uint64_t *examples)
    float w2v_step_sg(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                     float alpha, float *neu1e)
    float w2v_step_sg_window(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                            int n_context, const uint32_t *targets, float alpha)
    float w2v_step_cbow(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                       const uint32_t *targets, float alpha, float *neu1, float *neu1e)
