/* evaluate writes values, sum and normalizer but never the gradient. eval
 * --grad gives "plugin 'skips_gradient' loss 'sq' returned LH_OK but left
 * gradient[0] (row 1) unwritten". */
#include "hostile.h"

static lh_status no_gradient(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    lh_outputs copy = *o;
    copy.gradient = 0;
    copy.hessian = 0;
    return sq_compute(b, &copy, 2);
}

HOSTILE_LOSS(sq, "sq", ok_create, no_gradient, ok_destroy);
HOSTILE_PLUGIN("skips_gradient", &sq)
