/* Calls exit(3) in evaluate. check: "exited with status 3 in evaluate". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    exit(3);
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("exits", &sq)
