/* log(cosh(s*r))/s^2 whose gradient forgot the /s: right only at the default s = 1.
 * check with no options: the gradient check fails at another param point and names
 * its params ("(params s=..."); the Hessian (right) passes, compared with second
 * differences of the value where the gradient is wrong. */
#include "hostile.h"
#include <math.h>

typedef struct { double s; } scaled;

static lh_status scaled_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)e;
    scaled *x = malloc(sizeof *x);
    if (!x) return LH_ERR_INTERNAL;
    x->s = n > 0 ? v[0].scalar : 1;
    *out = (lh_instance *)x;
    return LH_OK;
}

static void scaled_destroy(lh_instance *i) { free(i); }

static double log_cosh(double z) {
    double a = fabs(z), t = tanh(a);
    return a < 0.5 ? -0.5 * log1p(-t * t) : a + log1p(exp(-2 * a)) - log(2.0);
}

static lh_status scaled_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    double s = ((scaled *)i)->s, sum = 0, norm = 0;
    uint32_t d = b->pred_columns;
    for (uint64_t r = 0; r < b->rows; r++) {
        double w = b->weight ? b->weight[r] : 1;
        norm += w * d;
        for (uint32_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            double z = s * (b->pred[k] - b->target[k]), t = tanh(z);
            double v = log_cosh(z) / (s * s);
            if (o->values) o->values[k] = w * v;
            if (o->gradient) o->gradient[k] = w * t; /* should be t / s */
            if (o->hessian) o->hessian[k] = w * (1 - t * t);
            sum += w * v;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = norm;
    return LH_OK;
}

static const lh_param_info scaled_params[] = {
    {sizeof(lh_param_info), LH_PARAM_REAL, "s", "scale of the error inside log cosh", 1.0, 0.0, 100.0, LH_PARAM_MIN_EXCLUSIVE},
};
static const lh_loss scaled_loss = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "scaled_log_cosh",
                                    "log(cosh(s r)) / s^2", "prediction", "target", LH_KIND_REGRESSION,
                                    LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, scaled_params,
                                    scaled_create, scaled_evaluate, scaled_destroy};
HOSTILE_PLUGIN("param_gradient", &scaled_loss)
