/* Writes 42 one element past the end of values. check: "wrote past the end of values: element [N] of a N-element buffer = 42". */
#include "hostile.h"
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    sq_compute(b, o, 2);
    if (o->values) o->values[b->rows * b->pred_columns] = 42;
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("write_past_output", &sq)
