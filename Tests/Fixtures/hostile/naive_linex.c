/* LINEX as the textbook writes it, (exp(a r) - a r - 1) / a^2, gradient
 * (exp(a r) - 1) / a, Hessian exp(a r), a in [-10, 10] and nonzero, refusing
 * with LH_ERR_DOMAIN where exp overflows. Right, but
 * steep where a r is large (the one-sided slopes differ by a smooth bend, not a
 * kink) and cancelling where a r is small. check reports no point "next to a
 * kink"; where the cancellation is too deep to verify a derivative it warns
 * about the value (or the gradient), never fails. */
#include "hostile.h"
#include <math.h>

static lh_status linex_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    if (n > 0 && v[0].scalar == 0) return LH_ERR_INVALID_ARGUMENT;
    return param_create(l, v, n, out, e);
}

static int linex_point(double a, double r, hostile_point *out) {
    double x = a * r, ex = exp(x);
    out->value = (ex - x - 1) / (a * a);
    out->gradient = (ex - 1) / a;
    out->hessian = ex;
    return isinf(out->value) || isinf(ex); /* exp overflows: refuse, do not poison sums */
}

static lh_status linex_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    return param_elementwise(i, b, o, linex_point);
}

static const lh_param_info linex_params[] = {
    {sizeof(lh_param_info), LH_PARAM_REAL, "a", "asymmetry, nonzero", 1.0, -10.0, 10.0, 0},
};
static const lh_loss linex_loss = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "linex",
                                   "(exp(a r) - a r - 1) / a^2", "prediction", "target", LH_KIND_REGRESSION,
                                   LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, linex_params,
                                   linex_create, linex_evaluate, param_destroy};
HOSTILE_PLUGIN("naive_linex", &linex_loss)
