/* Returns LH_OK with NaN values. check: sq.robustness "normal inputs gave values[0] = nan with LH_OK". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    sq_compute(b, o, 2);
    uint64_t n = b->rows * b->pred_columns;
    for (uint64_t k = 0; k < n; k++) if (o->values) o->values[k] = 0.0 / 0.0;
    if (o->sum) *o->sum = 0.0 / 0.0;
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("nan_outputs", &sq)
