/* Writes 99 into pred[0]. check: "wrote into its input: pred[0] changed from X to 99". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    sq_compute(b, o, 2);
    if (b->rows > 0) ((double *)b->pred)[0] = 99;
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("write_input", &sq)
