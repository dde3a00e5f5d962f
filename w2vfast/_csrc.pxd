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

    enum:
        W2V_MAX_LOSSES
        W2V_LOSS_TABLES
        W2V_INPUT_SKIPGRAM
        W2V_INPUT_CBOW
        W2V_INPUT_PV_DBOW
        W2V_INPUT_PV_DM

    ctypedef struct w2v_loss:
        int kind, param, max_targets
        float *out
        uint64_t out_rows

    ctypedef struct w2v_model:
        int dim, window, input, cbow_mean, iter, max_sentence_length, batch
        float alpha, min_alpha_ratio
        uint32_t vocab_size
        const uint64_t *keep_threshold
        const float *sigmoid
        int n_losses
        w2v_loss loss[2]
        const uint8_t *ids
        uint64_t ids_len
        int ids_in_file
        uint64_t n_ids
        uint64_t n_blocks
        const uint64_t *line_starts
        uint64_t n_lines
        const uint32_t *line_doc
        uint32_t doc_row0
        int doc_words
        int frozen
        float *syn0
        w2v_shared *shared
        const void *isa

    ctypedef struct w2v_thread:
        uint64_t rng
        uint64_t block, begin, end
        int epoch
        uint64_t pos
        uint64_t unreported
        uint64_t line
        float *hot
        float *hot_base
        uint32_t hot_lo, hot_n
        int hot_loss
        uint64_t words_done
        double loss
        uint64_t examples

cdef extern from "documents.h" nogil:
    uint64_t w2v_count_lines(const uint8_t *ids, uint64_t len, uint64_t *empty)
    void w2v_line_starts(const uint8_t *ids, uint64_t len, uint64_t *starts, uint64_t n_lines)
    uint64_t w2v_line_at(const w2v_model *m, uint64_t pos)

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
        int split_words
        int lowercase
        int tags_first
        char *tags
        uint64_t tags_len
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

cdef extern from "loss.h" nogil:
    enum:
        W2V_LOSS_HS
        W2V_LOSS_NS
    int w2v_loss_init(w2v_loss *l, const char *name, int param, float *out, uint64_t out_rows,
                      int n_tables, const void *const *tables, const uint64_t *table_len,
                      uint32_t vocab_size)

cdef extern from "scratch.h" nogil:
    w2v_thread *w2v_threads_new(const w2v_model *m, int n, uint64_t seed, uint32_t hot_rows)
    void w2v_threads_free(w2v_thread *threads, int n)

cdef extern from "hot.h" nogil:
    enum: W2V_HOT_NODES
    uint32_t w2v_hot_node_count(uint64_t vocab_size, uint64_t dim, uint64_t threads)
    void w2v_hot_load(const w2v_model *m, w2v_thread *t)
    void w2v_hot_merge(const w2v_model *m, w2v_thread *t)

cdef extern from "schedule.h" nogil:
    enum: W2V_BLOCK_BYTES
    uint64_t w2v_slice_start(const w2v_model *m, uint64_t i, uint64_t n)
    uint64_t w2v_block_count(uint64_t ids_len, uint64_t block_bytes)
    float w2v_alpha_at(const w2v_model *m, uint64_t words_done)
    uint64_t w2v_words_done(const w2v_shared *s)
    uint64_t w2v_thread_words_done(const w2v_thread *t)
    void w2v_request_stop(w2v_shared *s)
    void w2v_thread_loss(const w2v_thread *t, double *loss, uint64_t *examples)

cdef extern from "isa.h" nogil:
    ctypedef struct w2v_isa:
        const char *name
        int floats
    ctypedef struct w2v_probe:
        float (*sg_pair)(const w2v_model *m, uint32_t word, uint32_t context, const uint32_t *targets,
                         float alpha, float *neu1e)
        float (*sg_window)(const w2v_model *m, w2v_thread *t, uint32_t word, const uint32_t *context,
                           int n_context, const uint32_t *targets, float alpha)
        float (*cbow)(const w2v_model *m, uint32_t word, const uint32_t *context, int n_context,
                      const uint32_t *targets, float alpha, float *neu1, float *neu1e)
        float (*one_context)(const w2v_model *m, w2v_thread *t, uint32_t word, uint32_t context,
                             const uint32_t *targets, float alpha, int learn)
    const w2v_isa *w2v_isa_select(const char *name)
    const w2v_probe *w2v_probe_of(const w2v_isa *isa)
    int w2v_train_thread(const w2v_model *m, w2v_thread *t)

cdef extern from "heap.h" nogil:
    int w2v_map_large_blocks(int bytes)
