/* Squared error that gives its values at any pred but answers LH_ERR_DOMAIN when asked
 * for the gradient or Hessian with |pred| > 50. robustness allows an error status at edge
 * inputs; boosting does not when the value is finite (a boosting library stops training).
 * check: sq.boosting "pred -700 (an extreme margin inside the domain) gives finite values
 * but status 3 (domain) for the gradient and Hessian: ...". */
#include "hostile.h"
#include <math.h>
#include <stdio.h>
static lh_status bounded_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i;
    uint64_t n = b->rows * b->pred_columns;
    for (uint64_t k = 0; k < n && (o->gradient || o->hessian); k++) {
        if (fabs(b->pred[k]) > 50) {
            if (e && e->message && e->capacity > 0) snprintf(e->message, e->capacity, "no derivatives beyond |pred| 50");
            if (e) { e->row = (int64_t)(k / b->pred_columns); e->column = (int32_t)(k % b->pred_columns); e->input = LH_INPUT_PRED; }
            return LH_ERR_DOMAIN;
        }
    }
    return sq_compute(b, o, 2);
}
HOSTILE_LOSS(sq, "sq", ok_create, bounded_evaluate, ok_destroy);
HOSTILE_PLUGIN("derivatives_refused_at_large_margins", &sq)
