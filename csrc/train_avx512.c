/* The training loop (and its probes) for AVX-512 CPUs (x86-64-v4): one 16-float zmm register per vector. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx512cd,avx2,avx,fma,f16c,bmi,bmi2,lzcnt,popcnt,movbe")
#define W2V_VW 16
#define W2V_ISA_NAME avx512
#define W2V_ISA_LABEL "avx512"
#include "train_loop.h"
#include "probe_loop.h"
#endif
