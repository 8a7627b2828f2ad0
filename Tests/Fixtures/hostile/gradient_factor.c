/* Its gradient is 1.5 times too large. check: sq.gradient "expected X (central difference), got 1.5 X". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    return sq_compute(b, o, 3);
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("gradient_factor", &sq)
