/* The training loop (and its probes) for any CPU: 4-float vectors (SSE2 on x86-64, NEON on
 * ARM), or what the compiler's default target gives (W2VFAST_NATIVE=1 builds for the machine
 * itself). */
#define W2V_VW 4
#define W2V_ISA_NAME generic
#define W2V_ISA_LABEL "generic"
#include "train_loop.h"
#include "probe_loop.h"
