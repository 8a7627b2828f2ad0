/* XGBoost's pseudo-Huber, delta^2 (sqrt(1 + (r/delta)^2) - 1), written as a team
 * would: its gradient r / sqrt(1 + (r/delta)^2) and Hessian (1 + (r/delta)^2)^(-3/2)
 * are right, but at large delta the value cancels (sqrt(1 + 1e-11) - 1 keeps
 * 5 digits), so differences of the value are noise there. check passes, with a
 * warning about the value on pseudo_huber.gradient: "value: loses N digits at
 * ... (params delta=1000000) (relative noise ...); the formula cancels; the
 * gradient could not be verified at K of M elements", never a gradient failure. */
#include "hostile.h"
#include <math.h>

typedef struct { double delta; } pseudo;

static lh_status pseudo_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)e;
    pseudo *x = malloc(sizeof *x);
    if (!x) return LH_ERR_INTERNAL;
    x->delta = n > 0 ? v[0].scalar : 1;
    *out = (lh_instance *)x;
    return LH_OK;
}

static void pseudo_destroy(lh_instance *i) { free(i); }

static lh_status pseudo_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    double delta = ((pseudo *)i)->delta, sum = 0, norm = 0;
    uint32_t d = b->pred_columns;
    for (uint64_t r = 0; r < b->rows; r++) {
        double w = b->weight ? b->weight[r] : 1;
        norm += w * d;
        for (uint32_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            double z = (b->pred[k] - b->target[k]) / delta, s = sqrt(1 + z * z);
            double v = delta * delta * (s - 1);
            if (o->values) o->values[k] = w * v;
            if (o->gradient) o->gradient[k] = w * (b->pred[k] - b->target[k]) / s;
            if (o->hessian) o->hessian[k] = w / (s * s * s);
            sum += w * v;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = norm;
    return LH_OK;
}

static const lh_param_info pseudo_params[] = {
    {sizeof(lh_param_info), LH_PARAM_REAL, "delta", "where the loss turns from quadratic to linear", 1.0, 0.0, 1e12,
     LH_PARAM_MIN_EXCLUSIVE},
};
static const lh_loss pseudo_loss = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "pseudo_huber",
                                    "delta^2 (sqrt(1 + (r/delta)^2) - 1)", "prediction", "target", LH_KIND_REGRESSION,
                                    LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, pseudo_params,
                                    pseudo_create, pseudo_evaluate, pseudo_destroy};
HOSTILE_PLUGIN("noisy_pseudo_huber", &pseudo_loss)
