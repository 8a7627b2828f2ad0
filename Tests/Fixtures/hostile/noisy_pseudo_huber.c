/* XGBoost's pseudo-Huber, delta^2 (sqrt(1 + (r/delta)^2) - 1), written as a team
 * would: its gradient r / sqrt(1 + (r/delta)^2) and Hessian (1 + (r/delta)^2)^(-3/2)
 * are right, but at large delta the value cancels (sqrt(1 + 1e-11) - 1 keeps
 * 5 digits), so differences of the value are noise there. check passes, with a
 * warning about the value on pseudo_huber.gradient: "value: loses N digits at
 * ... (params delta=1000000) (relative noise ...); the formula cancels; the
 * gradient could not be verified at K of M elements", never a gradient failure. */
#include "hostile.h"
#include <math.h>

static int pseudo_point(double delta, double r, hostile_point *out) {
    double z = r / delta, s = sqrt(1 + z * z);
    out->value = delta * delta * (s - 1);
    out->gradient = r / s;
    out->hessian = 1 / (s * s * s);
    return 0;
}

static lh_status pseudo_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    return param_elementwise(i, b, o, pseudo_point);
}

static const lh_param_info pseudo_params[] = {
    {sizeof(lh_param_info), LH_PARAM_REAL, "delta", "where the loss turns from quadratic to linear", 1.0, 0.0, 1e12,
     LH_PARAM_MIN_EXCLUSIVE},
};
static const lh_loss pseudo_loss = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "pseudo_huber",
                                    "delta^2 (sqrt(1 + (r/delta)^2) - 1)", "prediction", "target", LH_KIND_REGRESSION,
                                    LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, pseudo_params,
                                    param_create, pseudo_evaluate, param_destroy};
HOSTILE_PLUGIN("noisy_pseudo_huber", &pseudo_loss)
