/* Its evaluate_f32 gives a gradient 2 times too large (evaluate is right).
 * check: sq.float32 "gradient[0] at pred [..], target [..]: expected X (evaluate on the float-rounded inputs),
 * got 2 X (evaluate_f32; tolerance 1e-05 relative)"; every other check passes. */
#include "hostile.h"

/* Squared error in float with gradient factor `g` (2 is right); sum and normalizer in double. */
static lh_status sq_compute_f32(const lh_batch_f32 *b, const lh_outputs_f32 *o, float g) {
    uint32_t d = b->pred_columns;
    double sum = 0, norm = 0;
    for (uint64_t r = 0; r < b->rows; r++) {
        float w = b->weight ? b->weight[r] : 1;
        norm += w * d;
        for (uint32_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            float e = b->pred[k] - b->target[k];
            if (o->values) o->values[k] = w * e * e;
            if (o->gradient) o->gradient[k] = w * g * e;
            if (o->hessian) o->hessian[k] = w * 2;
            sum += (double)w * e * e;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = norm;
    return LH_OK;
}

static lh_status bad_evaluate_f32(lh_instance *i, const lh_batch_f32 *b, const lh_outputs_f32 *o, lh_error *e) {
    (void)i; (void)e;
    return sq_compute_f32(b, o, 4);
}

static const lh_loss sq = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "sq",
                           "squared error", "prediction", "target", LH_KIND_REGRESSION,
                           LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 0, 0,
                           ok_create, ok_evaluate, ok_destroy, bad_evaluate_f32};
HOSTILE_PLUGIN("float32_gradient_factor", &sq)
