/* isa.c: the choice of the training loop's build for this CPU (train_loop.h, built once per
 * instruction set by train_avx512.c, train_avx2.c and train_generic.c). */
#include <string.h>

#include "isa.h"

extern const w2v_isa w2v_isa_generic;
extern const w2v_probe w2v_probe_generic;
#if defined(__x86_64__) && defined(__GNUC__)
extern const w2v_isa w2v_isa_avx2;
extern const w2v_isa w2v_isa_avx512;
extern const w2v_probe w2v_probe_avx2;
extern const w2v_probe w2v_probe_avx512;

static int cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

const w2v_isa *w2v_isa_select(const char *name) {
    int any = name == NULL || *name == '\0';
#if defined(__x86_64__) && defined(__GNUC__)
    if ((any || !strcmp(name, "avx512")) && cpu_has_avx512()) return &w2v_isa_avx512;
    if ((any || !strcmp(name, "avx2")) && cpu_has_avx2()) return &w2v_isa_avx2;
#endif
    if (any || !strcmp(name, "generic")) return &w2v_isa_generic;
    return NULL;
}

const w2v_probe *w2v_probe_of(const w2v_isa *isa) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (isa == &w2v_isa_avx512) return &w2v_probe_avx512;
    if (isa == &w2v_isa_avx2) return &w2v_probe_avx2;
#endif
    return &w2v_probe_generic;
}

int w2v_train_thread(const w2v_model *m, w2v_thread *t) { return m->isa->train_thread(m, t); }
