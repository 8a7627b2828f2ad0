/* Correct, but every evaluate takes 0.3 s. Each call is progress: check
 * --timeout 1 --only '*.fused' passes (the check makes about a dozen calls, far
 * longer than 1 s in all, none longer than 1 s). */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <time.h>
static lh_status slow_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    struct timespec pause = {0, 300000000L};
    nanosleep(&pause, 0);
    return ok_evaluate(i, b, o, e);
}
HOSTILE_LOSS(sq, "sq", ok_create, slow_evaluate, ok_destroy);
HOSTILE_PLUGIN("slow_evaluate", &sq)
