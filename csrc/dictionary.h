/* dictionary.h: the tokenizers (tokenize.c: word2vec.c's, split at whitespace; tokenize_words.c:
 * words and numbers, punctuation split off), the word-count hash table (dictionary.c) and the
 * corpus as word ids (idstream.c).
 *
 * The corpus is read once.  `w2v_dict_feed` takes raw bytes in chunks of any size (a token may
 * straddle two chunks), splits them as word2vec.c does (space, tab and newline separate tokens,
 * '\r' is dropped, every newline yields the sentence end "</s>"), counts each token in an
 * open-addressing hash table and appends the token's provisional id (its first-occurrence rank)
 * to a growing id stream.  `w2v_dict_finalize` then orders the vocabulary (</s> first, then count
 * descending, ties by first occurrence), drops words under min_count and rewrites the id stream
 * to final ids, so training never parses text again.
 *
 * Bytes are never decoded: any encoding trains.  Tokens longer than W2V_MAX_TOKEN bytes are cut,
 * backing off to a UTF-8 character boundary so a multi-byte character is never split.  Two
 * options change this (both off by default): `split_words` splits as tokenize_words.c says, which
 * reads UTF-8, and `lowercase` lowercases each token after the cut (lowercase.h).
 */
#ifndef W2V_DICTIONARY_H
#define W2V_DICTIONARY_H

#include "bytebuf.h"
#include "w2v.h"

#define W2V_MAX_TOKEN 100
extern const char W2V_EOS[]; /* "</s>", the sentence end: word 0 */
#define W2V_NO_ID UINT32_MAX /* a stream entry whose word was pruned or is unknown */

typedef struct {
    /* words: bytes in `arena`, word i at [offset[i], offset[i] + length[i]) */
    char *arena;
    uint64_t arena_len, arena_cap;
    uint64_t *offset;
    uint32_t *length;
    uint64_t *count;
    uint64_t *hash;
    uint32_t n_words, cap_words;

    /* open addressing with linear probing; a slot holds word id + 1 (0: empty) in its low 32
     * bits and a tag, the word hash's high 32 bits, above */
    uint64_t *slots;
    uint64_t n_slots; /* a power of two, at least twice n_words */

    /* the corpus as ids, each a LEB128 varint (varint.h): ids are in frequency order after
     * finalize, so most tokens take 1 or 2 bytes instead of 4.  In memory, or in a temporary
     * file once it outgrows its share of memory (bytebuf.h). */
    w2v_bytebuf ids;
    uint64_t n_ids; /* tokens stored */

    /* tokenizer state carried between chunks */
    unsigned char token[W2V_MAX_TOKEN + 1]; /* one extra byte tells where a cut must back off to */
    uint32_t token_len;                     /* bytes of the current token seen (may exceed the buffer) */

    /* the words tokenizer's state between chunks (tokenize_words.c) */
    uint64_t fed;              /* bytes fed since the input began: the offsets below count in it */
    uint64_t word_start;       /* where the current token starts */
    uint64_t joiner_start;     /* where its tentative joiner (a ' or - that may end it) starts */
    uint8_t in_word, joiner, last_digit;
    uint8_t cp_carry_len;      /* the bytes of a character cut by the chunk's end, kept for the next */
    unsigned char cp_carry[4];

    /* options and statistics */
    int frozen;            /* read-vocab mode: no new words, counts fixed, unknown tokens skipped */
    int record_ids;        /* append ids to the stream (off for count-only use such as `vocab`) */
    int split_words;       /* the words tokenizer (tokenize_words.c) instead of whitespace alone */
    int lowercase;         /* lowercase each token (lowercase.h) */

    /* -tags first (tags.c): the first field of each line is the line's document tag, not a
     * word.  The tags are kept here one per line, each ended by '\n'; a line with no field at
     * all gets an empty one. */
    int tags_first;
    uint8_t tag_state;     /* where the current line is: before its tag, in it, past it */
    char *tags;
    uint64_t tags_len, tags_cap;
    uint64_t max_vocab;    /* prune rare words when the table grows past this (0: never) */
    uint64_t min_reduce;   /* words with count <= this are pruned next time (word2vec.c's ReduceVocab) */
    uint64_t n_tokens;     /* tokens read, </s> included */
    uint64_t n_truncated;  /* tokens cut at W2V_MAX_TOKEN bytes */
    uint64_t n_prunes;
    int status;            /* W2V_OK, or W2V_ENOMEM once an allocation failed (sticky) */
} w2v_dict;

/* spill_above, heap_limit, spill_dir: where the id stream goes when it gets large (bytebuf.h). */
int w2v_dict_init(w2v_dict *d, uint64_t max_vocab, int record_ids, uint64_t spill_above,
                  uint64_t heap_limit, const char *spill_dir);
void w2v_dict_free(w2v_dict *d);

/* Add a word with a count directly (reading a vocabulary file); returns its id or W2V_NO_ID when
 * memory ran out.  Adding a word twice adds the counts. */
uint32_t w2v_dict_add(w2v_dict *d, const char *word, uint32_t len, uint64_t count);
uint32_t w2v_dict_find(const w2v_dict *d, const char *word, uint32_t len);

/* Count one token of at most W2V_MAX_TOKEN bytes whose hash (wordhash.h) is h and record its
 * id, pruning when -max-vocab is exceeded: the tokenizer's step (tokenize.c). */
int w2v_dict_count_token(w2v_dict *d, const char *tok, uint32_t len, uint64_t h);

/* Tokenize a chunk of the corpus; `last` flushes a pending token at the end of the input.  Set
 * split_words, lowercase and tags_first before the first chunk. */
int w2v_dict_feed(w2v_dict *d, const char *buf, uint64_t n, int last);

/* w2v_dict_feed of text without tags: the tokenizer split_words chooses (tokenize.c). */
int w2v_dict_feed_text(w2v_dict *d, const char *buf, uint64_t n, int last);

/* w2v_dict_feed with tags_first set: each line's first field to d->tags, the rest of the line to
 * w2v_dict_feed_text (tags.c). */
int w2v_dict_feed_tagged(w2v_dict *d, const char *buf, uint64_t n, int last);

/* w2v_dict_feed with split_words set (tokenize_words.c). */
int w2v_dict_feed_words(w2v_dict *d, const unsigned char *p, uint64_t n, int last);

/* Sort (unless keep_order: insertion order, for a vocabulary given in its final order) and
 * filter the vocabulary, then rewrite the id stream.  On return words are renumbered
 * 0..n_words-1 in final order (</s> stays word 0 whatever its count) and ids hold only known
 * words.  Returns W2V_OK, W2V_ENOMEM or W2V_EIO (the spill file; d->ids.err has the errno). */
int w2v_dict_finalize(w2v_dict *d, uint64_t min_count, int keep_order);

/* The two halves of w2v_dict_finalize, for a stream kept in parts (the parallel first pass, whose
 * parts are renumbered in threads of their own):
 *   w2v_dict_order sorts and filters the words only: remap (n_words entries, as before the call)
 *   gets each provisional id's final id or W2V_NO_ID; the stored ids stay provisional.
 *   w2v_dict_renumber_ids rewrites d's stored ids through remap (d's words are not looked at). */
int w2v_dict_order(w2v_dict *d, uint64_t min_count, int keep_order, uint32_t *remap);
int w2v_dict_renumber_ids(w2v_dict *d, const uint32_t *remap);

/* Append to out in's ids, each id i written as remap[i] (W2V_NO_ID: dropped); n_ids gets the
 * number written. */
int w2v_ids_renumber(const w2v_bytebuf *in, const uint32_t *remap, w2v_bytebuf *out, uint64_t *n_ids);

/* Append another stream's bytes (n_ids ids, already in d's numbering) to d's, a window at a
 * time: a spilled stream's pages leave the resident set behind the copy, the source's too. */
int w2v_dict_append_stream(w2v_dict *d, const w2v_bytebuf *src, uint64_t n_ids);

/* Append encoded ids to the stored stream (restoring a checkpoint, in pieces of any size). */
int w2v_dict_append_ids(w2v_dict *d, const uint8_t *ids, uint64_t len, uint64_t n_ids);

/* Append src's stored ids to dst's, each id i written as remap[i] (W2V_NO_ID: dropped); src is
 * a dictionary that was fed but not finalized, remap maps its provisional ids to dst's words (a
 * distributed run: each rank's shard in the vocabulary all ranks agreed on). */
int w2v_dict_append_remapped(w2v_dict *dst, const w2v_dict *src, const uint32_t *remap);

/* Add src (fed, not finalized) to dst (fed, not finalized), as if src's text had been fed to dst
 * after dst's own: src's counts are added, its words new to dst are appended in src's order, and
 * its ids are appended renumbered.  So tokenizing the parts of a corpus in parallel, one
 * dictionary each, and merging them in corpus order gives exactly the single pass's vocabulary
 * and stream (without -max-vocab pruning, which depends on the order of the whole pass). */
int w2v_dict_merge(w2v_dict *dst, const w2v_dict *src);

/* The vocabulary half of w2v_dict_merge: src's words and counts (and token statistics) into dst,
 * remap[i] = dst's id of src's word i (src->n_words entries); no ids are moved. */
int w2v_dict_merge_words(w2v_dict *dst, const w2v_dict *src, uint32_t *remap);

/* Decode the stored ids into out (n_ids of them). */
void w2v_dict_decode(const w2v_dict *d, uint32_t *out);

#endif
