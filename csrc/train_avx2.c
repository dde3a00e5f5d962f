/* The training loop (and its probes) for AVX2 CPUs with FMA (x86-64-v3): one 8-float ymm register per vector. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,avx,fma,f16c,bmi,bmi2,lzcnt,popcnt,movbe")
#define W2V_VW 8
#define W2V_ISA_NAME avx2
#define W2V_ISA_LABEL "avx2"
#include "train_loop.h"
#include "probe_loop.h"
#endif
