/* Never returns from evaluate. check --timeout 1: "timed out after 1 s in evaluate". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    for (volatile int spin = 1; spin;) {}
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("hangs", &sq)
