/* LINEX as the textbook writes it, (exp(a r) - a r - 1) / a^2, gradient
 * (exp(a r) - 1) / a, Hessian exp(a r), a in [-10, 10] and nonzero, refusing
 * with LH_ERR_DOMAIN where exp overflows. Right, but
 * steep where a r is large (the one-sided slopes differ by a smooth bend, not a
 * kink) and cancelling where a r is small. check reports no point "next to a
 * kink"; where the cancellation is too deep to verify a derivative it warns
 * about the value (or the gradient), never fails. */
#include "hostile.h"
#include <math.h>

typedef struct { double a; } linex;

static lh_status linex_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)e;
    double a = n > 0 ? v[0].scalar : 1;
    if (a == 0) return LH_ERR_INVALID_ARGUMENT;
    linex *x = malloc(sizeof *x);
    if (!x) return LH_ERR_INTERNAL;
    x->a = a;
    *out = (lh_instance *)x;
    return LH_OK;
}

static void linex_destroy(lh_instance *i) { free(i); }

static lh_status linex_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    double a = ((linex *)i)->a, sum = 0, norm = 0;
    uint32_t d = b->pred_columns;
    for (uint64_t r = 0; r < b->rows; r++) {
        double w = b->weight ? b->weight[r] : 1;
        norm += w * d;
        for (uint32_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            double x = a * (b->pred[k] - b->target[k]), ex = exp(x);
            double v = (ex - x - 1) / (a * a);
            if (isinf(v) || isinf(ex)) return LH_ERR_DOMAIN; /* exp overflows: refuse, do not poison sums */
            if (o->values) o->values[k] = w * v;
            if (o->gradient) o->gradient[k] = w * (ex - 1) / a;
            if (o->hessian) o->hessian[k] = w * ex;
            sum += w * v;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = norm;
    return LH_OK;
}

static const lh_param_info linex_params[] = {
    {sizeof(lh_param_info), LH_PARAM_REAL, "a", "asymmetry, nonzero", 1.0, -10.0, 10.0, 0},
};
static const lh_loss linex_loss = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "linex",
                                   "(exp(a r) - a r - 1) / a^2", "prediction", "target", LH_KIND_REGRESSION,
                                   LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, linex_params,
                                   linex_create, linex_evaluate, linex_destroy};
HOSTILE_PLUGIN("naive_linex", &linex_loss)
