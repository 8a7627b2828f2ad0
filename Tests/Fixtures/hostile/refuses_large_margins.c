/* Squared error that answers LH_ERR_DOMAIN for any |pred| > 50. robustness allows an error
 * status at edge inputs; boosting does not (a boosting library stops training).
 * check: sq.boosting "pred -700 (an extreme margin inside the domain) gave status 3 (...)". */
#include "hostile.h"
#include <math.h>
#include <stdio.h>
static lh_status bounded_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i;
    uint64_t n = b->rows * b->pred_columns;
    for (uint64_t k = 0; k < n; k++) {
        if (fabs(b->pred[k]) > 50) {
            if (e && e->message && e->capacity > 0) snprintf(e->message, e->capacity, "pred %g is beyond +-50", b->pred[k]);
            if (e) { e->row = (int64_t)(k / b->pred_columns); e->column = (int32_t)(k % b->pred_columns); e->input = LH_INPUT_PRED; }
            return LH_ERR_DOMAIN;
        }
    }
    return sq_compute(b, o, 2);
}
HOSTILE_LOSS(sq, "sq", ok_create, bounded_evaluate, ok_destroy);
HOSTILE_PLUGIN("refuses_large_margins", &sq)
