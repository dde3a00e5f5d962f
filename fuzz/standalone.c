/* A standalone driver for libFuzzer harnesses, for compilers without libFuzzer (gcc).
 *
 * Linked with a harness that defines LLVMFuzzerTestOneInput (fuzz/build.sh standalone), it
 *   1. runs every input of the given files and directories (the seed corpus, saved crashes), as
 *      they are;
 *   2. then, while -runs or -max_total_time allows, runs random mutations of them: each one a
 *      seed or the previous mutant with 1 to 8 stacked edits (bit flips, random or separator-like
 *      bytes, inserted, repeated, deleted or copied ranges, pieces of another input, edits to the
 *      leading option bytes), at most -max_len bytes.
 * It is not coverage guided: it finds what random mutation of good seeds finds, which for a
 * harness that checks invariants on every input is a useful short run where clang is missing.
 * The PRNG (splitmix64) is seeded by -seed (printed when chosen by the clock), so a seed and a
 * -runs count replay a run exactly.
 *
 * Each input is copied into a heap block of exactly its size, so that AddressSanitizer sees a
 * read past its end.  When an input fails (a sanitizer report, an abort from a failed invariant,
 * a run longer than -timeout seconds) it is written to ARTIFACT_PREFIX{crash,timeout}-HASH and
 * printed as hex (`xxd -r -p` rebuilds it), and the process dies with the failure: a non-zero
 * status.  Replay a saved input by passing its file alone.  A leak is reported at exit
 * (LeakSanitizer, with the allocation's stack) and also fails the run, with no input to save.
 *
 * Flags (libFuzzer's names, so that fuzz/run.sh passes the same arguments to either build):
 *   -max_total_time=S  stop mutating after S seconds        -runs=N    stop after N executions
 *   -seed=N            PRNG seed (0: from the clock)        -max_len=N mutants' size limit (4096)
 *   -timeout=S         one input's time limit (10)          -artifact_prefix=P  (default ./)
 *   -print_final_stats=1  accepted; the statistics are always printed
 * Without -runs and -max_total_time only the given inputs run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* present when linked with a sanitizer runtime: its reports end in this callback */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* With -fno-sanitize-recover, UBSan exits through its own copy of the sanitizer runtime, whose
 * death callback is not the one set above; aborting instead lets the SIGABRT handler save the
 * input.  The environment's UBSAN_OPTIONS still override this. */
const char *__ubsan_default_options(void) { return "abort_on_error=1:print_stacktrace=1"; }

typedef struct {
    uint8_t *data;
    size_t size;
} input;

/* the input under test, for the failure handlers */
static const uint8_t *volatile current;
static volatile size_t current_size;
static char artifact_prefix[4096] = "./";
static volatile sig_atomic_t reported;

static void put(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

/* Write the current input to PREFIX{kind}-HASH and to stderr as hex; only async-signal-safe
 * calls, since it runs in signal handlers and in the sanitizers' death callback. */
static void save_current(const char *kind) {
    if (reported || !current) return;
    reported = 1;
    const uint8_t *d = current;
    size_t n = current_size;
    uint64_t h = 1469598103934665603u; /* FNV-1a names the file after the input */
    for (size_t k = 0; k < n; k++) h = (h ^ d[k]) * 1099511628211u;
    static const char hex[] = "0123456789abcdef";
    char path[sizeof artifact_prefix + 64];
    size_t p = strlen(artifact_prefix);
    memcpy(path, artifact_prefix, p);
    size_t kl = strlen(kind);
    memcpy(path + p, kind, kl);
    p += kl;
    path[p++] = '-';
    for (int k = 60; k >= 0; k -= 4) path[p++] = hex[(h >> k) & 15];
    path[p] = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int saved = 0;
    if (fd >= 0) {
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(fd, d + off, n - off);
            if (w <= 0) break;
            off += (size_t)w;
        }
        saved = off == n;
        close(fd);
    }
    put("\n==standalone== ");
    put(kind);
    put(saved ? ": input saved to " : ": could not save the input to ");
    put(path);
    put("\n==standalone== the input as hex (xxd -r -p rebuilds it):\n");
    char line[2 * 64 + 2]; /* 64 bytes as hex, a newline, the terminator */
    for (size_t k = 0; k < n; k += 64) {
        size_t m = 0;
        for (size_t j = k; j < n && j < k + 64; j++) {
            line[m++] = hex[d[j] >> 4];
            line[m++] = hex[d[j] & 15];
        }
        line[m++] = '\n';
        line[m] = 0;
        put(line);
    }
}

static void on_death(void) { save_current("crash"); }

static void on_signal(int sig) {
    save_current(sig == SIGALRM ? "timeout" : "crash");
    if (sig == SIGALRM) {
        put("==standalone== the input ran past -timeout\n");
        _exit(70);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* splitmix64: small, fast, and the same sequence on every platform for a seed */
static uint64_t rng_state;
static uint64_t rng(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
static size_t below(size_t n) { return n ? (size_t)(rng() % n) : 0; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int timeout_s = 10;

static void execute(const uint8_t *data, size_t size) {
    /* a block of exactly `size` bytes: the harness must not read past it */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) {
        fprintf(stderr, "standalone: out of memory for a %zu-byte input\n", size);
        exit(1);
    }
    if (size) memcpy(copy, data, size);
    current_size = size;
    current = copy;
    alarm((unsigned)timeout_s);
    LLVMFuzzerTestOneInput(copy, size);
    alarm(0);
    current = NULL;
    free(copy);
}

static input *corpus;
static size_t n_corpus, cap_corpus;

static void add_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "standalone: cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    input in = {NULL, 0};
    size_t cap = 0;
    for (;;) {
        if (in.size == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *p = realloc(in.data, cap);
            if (!p) exit(1);
            in.data = p;
        }
        size_t got = fread(in.data + in.size, 1, cap - in.size, f);
        if (got == 0) break;
        in.size += got;
    }
    fclose(f);
    if (n_corpus == cap_corpus) {
        cap_corpus = cap_corpus ? 2 * cap_corpus : 64;
        input *p = realloc(corpus, cap_corpus * sizeof *corpus);
        if (!p) exit(1);
        corpus = p;
    }
    corpus[n_corpus++] = in;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a directory's regular files, in name order so that a seed replays the same run */
static void add_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "standalone: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "standalone: cannot list %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(names, cap * sizeof *names);
            if (!p) exit(1);
            names = p;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) exit(1);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(dir);
    if (n) qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
        if (stat(names[k], &st) == 0 && S_ISREG(st.st_mode)) add_file(names[k]);
        free(names[k]);
    }
    free(names);
}

/* bytes that split or end tokens, mark UTF-8 sequences, or sit at the edges of a byte's range */
static const uint8_t interesting[] = {' ', '\t', '\n', '\r', '\v', '\f', '|', 0,    0xff,
                                      0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe9, 'a',  '0',  '-'};

/* One edit of buf[0..*size) in place, keeping *size <= max_len (buf holds max_len bytes). */
static void mutate_once(uint8_t *buf, size_t *size, size_t max_len) {
    size_t n = *size;
    switch (below(11)) {
    case 0: /* flip a bit */
        if (n) buf[below(n)] ^= (uint8_t)(1u << below(8));
        break;
    case 1: /* a random byte */
        if (n) buf[below(n)] = (uint8_t)rng();
        break;
    case 2: /* a separator-like or boundary byte */
        if (n) buf[below(n)] = interesting[below(sizeof interesting)];
        break;
    case 3: /* add or subtract a little */
        if (n) buf[below(n)] += (uint8_t)(below(33) - 16);
        break;
    case 4: { /* the leading bytes, where harnesses keep their options */
        if (n) buf[below(n < 4 ? n : 4)] = (uint8_t)rng();
        break;
    }
    case 5: { /* insert 1..8 random or interesting bytes */
        size_t k = below(8) + 1, at = below(n + 1);
        if (n + k > max_len) k = max_len - n;
        memmove(buf + at + k, buf + at, n - at);
        for (size_t j = 0; j < k; j++)
            buf[at + j] = rng() & 1 ? (uint8_t)rng() : interesting[below(sizeof interesting)];
        *size = n + k;
        break;
    }
    case 6: { /* insert a run of one byte (long tokens, blank lines) */
        size_t k = below(rng() & 1 ? 16 : 160) + 1, at = below(n + 1);
        if (n + k > max_len) k = max_len - n;
        uint8_t c = rng() & 1 && n ? buf[below(n)] : interesting[below(sizeof interesting)];
        memmove(buf + at + k, buf + at, n - at);
        memset(buf + at, c, k);
        *size = n + k;
        break;
    }
    case 7: { /* delete a range */
        if (!n) break;
        size_t at = below(n), k = below(n - at < 64 ? n - at : 64) + 1;
        memmove(buf + at, buf + at + k, n - at - k);
        *size = n - k;
        break;
    }
    case 8: { /* copy a range of the input into it (inserted or over what is there) */
        if (!n) break;
        size_t from = below(n), k = below(n - from < 128 ? n - from : 128) + 1, at = below(n + 1);
        uint8_t tmp[128];
        memcpy(tmp, buf + from, k);
        if (rng() & 1) {
            if (n + k > max_len) k = max_len - n;
            memmove(buf + at + k, buf + at, n - at);
            *size = n + k;
        } else if (at + k > n) {
            k = n - at;
        }
        memcpy(buf + at, tmp, k);
        break;
    }
    case 9: { /* a piece of another input, inserted */
        const input *o = &corpus[below(n_corpus)];
        if (!o->size) break;
        size_t from = below(o->size), k = below(o->size - from) + 1, at = below(n + 1);
        if (n + k > max_len) k = max_len - n;
        memmove(buf + at + k, buf + at, n - at);
        memcpy(buf + at, o->data + from, k);
        *size = n + k;
        break;
    }
    default: { /* splice: this input's head, another's tail */
        const input *o = &corpus[below(n_corpus)];
        size_t head = below(n + 1), from = below(o->size + 1), k = o->size - from;
        if (head + k > max_len) k = max_len - head;
        memcpy(buf + head, o->data + from, k);
        *size = head + k;
        break;
    }
    }
}

static int flag(const char *arg, const char *name, const char **value) {
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=') return 0;
    *value = arg + n + 1;
    return 1;
}

int main(int argc, char **argv) {
    double max_time = 0;
    uint64_t runs = 0, seed = 0;
    size_t max_len = 4096;
    int n_paths = 0;
    for (int k = 1; k < argc; k++) {
        const char *v, *a = argv[k];
        if (flag(a, "-max_total_time", &v)) max_time = atof(v);
        else if (flag(a, "-runs", &v)) runs = strtoull(v, NULL, 10);
        else if (flag(a, "-seed", &v)) seed = strtoull(v, NULL, 10);
        else if (flag(a, "-max_len", &v)) max_len = strtoull(v, NULL, 10);
        else if (flag(a, "-timeout", &v)) timeout_s = atoi(v);
        else if (flag(a, "-artifact_prefix", &v)) snprintf(artifact_prefix, sizeof artifact_prefix, "%s", v);
        else if (flag(a, "-print_final_stats", &v)) continue;
        else if (a[0] == '-') {
            fprintf(stderr, "standalone: unknown flag %s (see fuzz/standalone.c)\n", a);
            return 2;
        } else n_paths++;
    }
    if (max_len == 0) max_len = 1;
    if (timeout_s <= 0) timeout_s = 0; /* alarm(0): no limit */

    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_death);
    static const int signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM};
    for (size_t k = 0; k < sizeof signals / sizeof *signals; k++) {
        /* a signal a sanitizer already handles keeps its handler: the report is better, and it
         * ends in on_death */
        struct sigaction old;
        if (sigaction(signals[k], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
            !(old.sa_flags & SA_SIGINFO))
            signal(signals[k], on_signal);
    }

    for (int k = 1; k < argc; k++)
        if (argv[k][0] != '-') add_path(argv[k]);
    if (seed == 0) seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    rng_state = seed;
    printf("standalone: seed %llu, %zu inputs from %d paths, max_len %zu, timeout %d s\n",
           (unsigned long long)seed, n_corpus, n_paths, max_len, timeout_s);
    fflush(stdout);

    double start = now();
    uint64_t execs = 0, next_report = 1024;
    for (size_t k = 0; k < n_corpus && (!runs || execs < runs); k++, execs++)
        execute(corpus[k].data, corpus[k].size);
    printf("#%llu\tINITED  the given inputs ran (%.1f s)\n", (unsigned long long)execs,
           now() - start);
    fflush(stdout);

    if (runs || max_time > 0) {
        if (n_corpus == 0) { /* nothing to start from: mutate the empty input */
            corpus = calloc(1, sizeof *corpus);
            if (!corpus || !(corpus[0].data = malloc(1))) return 1;
            n_corpus = 1;
        }
        uint8_t *buf = malloc(max_len), *prev = malloc(max_len);
        size_t prev_size = 0;
        int have_prev = 0;
        if (!buf || !prev) return 1;
        while ((!runs || execs < runs) && (max_time <= 0 || now() - start < max_time)) {
            /* half the time go on from the last mutant, so edits accumulate */
            size_t size;
            if (have_prev && rng() & 1) {
                size = prev_size;
                memcpy(buf, prev, size);
            } else {
                const input *s = &corpus[below(n_corpus)];
                size = s->size < max_len ? s->size : max_len;
                memcpy(buf, s->data, size);
            }
            for (size_t m = below(8) + 1; m > 0; m--) mutate_once(buf, &size, max_len);
            execute(buf, size);
            memcpy(prev, buf, size);
            prev_size = size;
            have_prev = 1;
            if (++execs == next_report) {
                double t = now() - start;
                printf("#%llu\tpulse  exec/s: %.0f\n", (unsigned long long)execs,
                       t > 0 ? (double)execs / t : 0.0);
                fflush(stdout);
                next_report *= 2;
            }
        }
        free(buf);
        free(prev);
    }
    double t = now() - start;
    printf("#%llu\tDONE   exec/s: %.0f\n", (unsigned long long)execs, t > 0 ? (double)execs / t : 0.0);
    printf("Done %llu runs in %.0f second(s)\n", (unsigned long long)execs, t);
    printf("stat::number_of_executed_units: %llu\n", (unsigned long long)execs);
    printf("stat::average_exec_per_sec:     %.0f\n", t > 0 ? (double)execs / t : 0.0);
    for (size_t k = 0; k < n_corpus; k++) free(corpus[k].data);
    free(corpus);
    return 0;
}
