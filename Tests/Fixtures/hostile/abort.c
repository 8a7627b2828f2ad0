/* Calls abort() in evaluate. check: "crashed with SIGABRT in evaluate". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    abort();
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("aborts", &sq)
