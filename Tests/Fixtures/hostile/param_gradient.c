/* log(cosh(s*r))/s^2 whose gradient forgot the /s: right only at the default s = 1.
 * check with no options: the gradient check fails at another param point and names
 * its params ("(params s=..."); the Hessian (right) passes, compared with second
 * differences of the value where the gradient is wrong. */
#include "hostile.h"
#include <math.h>

static double log_cosh(double z) {
    double a = fabs(z), t = tanh(a);
    return a < 0.5 ? -0.5 * log1p(-t * t) : a + log1p(exp(-2 * a)) - log(2.0);
}

static int scaled_point(double s, double r, hostile_point *out) {
    double z = s * r, t = tanh(z);
    out->value = log_cosh(z) / (s * s);
    out->gradient = t; /* should be t / s */
    out->hessian = 1 - t * t;
    return 0;
}

static lh_status scaled_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    return param_elementwise(i, b, o, scaled_point);
}

static const lh_param_info scaled_params[] = {
    {sizeof(lh_param_info), LH_PARAM_REAL, "s", "scale of the error inside log cosh", 1.0, 0.0, 100.0, LH_PARAM_MIN_EXCLUSIVE},
};
static const lh_loss scaled_loss = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "scaled_log_cosh",
                                    "log(cosh(s r)) / s^2", "prediction", "target", LH_KIND_REGRESSION,
                                    LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, scaled_params,
                                    param_create, scaled_evaluate, param_destroy};
HOSTILE_PLUGIN("param_gradient", &scaled_loss)
