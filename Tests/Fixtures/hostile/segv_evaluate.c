/* Segfaults in evaluate. check: "crashed with SIGSEGV in evaluate"; eval --isolate: a one-line error. */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    *hostile_nowhere = 1;
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("segv_evaluate", &sq)
