/* Right on the first 1000 rows of a batch, NaN values and gradients after them.
 * check: sq.robustness "normal inputs in a batch of 4096 rows gave values[3000] = nan
 * with LH_OK, at row 1000: pred [...". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    sq_compute(b, o, 2);
    for (uint64_t r = 1000; r < b->rows; r++) {
        for (uint32_t c = 0; c < b->pred_columns; c++) {
            uint64_t k = r * b->pred_columns + c;
            if (o->values) o->values[k] = 0.0 / 0.0;
            if (o->gradient) o->gradient[k] = 0.0 / 0.0;
        }
    }
    if (o->sum && b->rows > 1000) *o->sum = 0.0 / 0.0;
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("nan_beyond_row_1000", &sq)
