/*
 * sample_losses.c: the `csample` losshost plugin, written against losshost.h
 * alone (plain C99; needs only the C library and libm).
 *
 * A model learns what it optimizes; each loss here encodes a trade-off:
 *  - cauchy: robust regression. The loss grows like log(r^2), so the pull of a
 *    residual peaks at |r| = c and then fades: wild outliers cannot drag the fit.
 *  - linex: asymmetric regression. With a > 0 over-prediction costs exponentially
 *    and under-prediction linearly (a < 0 swaps them): one error is far worse.
 *  - cost_sensitive_logistic: binary classification where a missed positive costs
 *    fn_cost and a false alarm fp_cost; at the default 5 : 1 the best decision
 *    flags a case as positive from p = 1/6 on instead of p = 1/2.
 *
 * Every loss is element-wise (target has pred's shape), thread-safe (an
 * instance is immutable after create) and deterministic (plain sequential
 * loops). Build:
 *     cc -std=c99 -Wall -Wextra -pedantic -shared -fPIC -O2 -fvisibility=hidden \
 *        -I include Plugins/CSample/sample_losses.c -o libcsample.so -lm
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "losshost.h"

#if defined(__GNUC__)
#  define CSAMPLE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define CSAMPLE_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------ error helper */

/* Fills the host's error record and returns `status`. The message is
 * formatted with vsnprintf into the host-owned buffer, so it is truncated to
 * `capacity` bytes (NUL included) and never overflows; all messages here are
 * ASCII, so truncation cannot split a UTF-8 character. row / column / input
 * point at the offending cell (-1 / -1 / LH_INPUT_NONE when there is none). */
CSAMPLE_PRINTF(6, 7)
static lh_status fail(lh_error *error, lh_status status, int32_t input,
                      int64_t row, int32_t column, const char *format, ...)
{
    va_list args;
    if (error == NULL)
        return status;
    if (error->message != NULL && error->capacity > 0) {
        va_start(args, format);
        vsnprintf(error->message, error->capacity, format, args);
        va_end(args);
    }
    error->row = row;
    error->column = column;
    error->input = input;
    return status;
}

/* ------------------------------------------------------------- instances */

/* An instance: the loss's parameters, bound at create() and never changed
 * afterwards, so one instance may be evaluated from several threads at once. */
struct lh_instance {
    double p0; /* cauchy: c;       linex: a;  cost_sensitive_logistic: fn_cost */
    double p1; /* unused;          unused;    cost_sensitive_logistic: fp_cost */
};

/* Reads the scalar of parameter `i`. The host builds `values` with ITS
 * sizeof(lh_param_value), which a later minor may grow by appending fields, so
 * the array is walked with the stride the host reports in struct_size rather
 * than with this plugin's sizeof. create() has checked that stride. */
static double param_scalar(const lh_param_value *values, uint32_t i)
{
    size_t stride = values[0].struct_size;
    return ((const lh_param_value *)((const char *)values + (size_t)i * stride))->scalar;
}

/* Checks that `x` (parameter `index`) lies in the bounds its lh_param_info
 * declares. The host has already done this, but a plugin may be driven by
 * other programs, and a cheap check here turns a bad value into an error
 * instead of a NaN. Returns LH_OK or LH_ERR_INVALID_ARGUMENT. */
static lh_status check_param(const lh_loss *loss, uint32_t index, double x, lh_error *error)
{
    const lh_param_info *p = &loss->params[index];
    int low_ok = (p->flags & LH_PARAM_MIN_EXCLUSIVE) ? x > p->min_value : x >= p->min_value;
    int high_ok = (p->flags & LH_PARAM_MAX_EXCLUSIVE) ? x < p->max_value : x <= p->max_value;
    if (low_ok && high_ok)
        return LH_OK;
    return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_PARAM, -1, (int32_t)index,
                "%s: parameter %s = %g is outside %c%g, %g%c", loss->id, p->name, x,
                (p->flags & LH_PARAM_MIN_EXCLUSIVE) ? '(' : '[', p->min_value,
                p->max_value, (p->flags & LH_PARAM_MAX_EXCLUSIVE) ? ')' : ']');
}

/* Reads every declared parameter of `loss` (in declaration order) into
 * *bound, after checking the call and each value's range.
 * Returns LH_OK or LH_ERR_INVALID_ARGUMENT (input = LH_INPUT_PARAM). */
static lh_status bind_params(const lh_loss *loss, const lh_param_value *values,
                             uint32_t value_count, lh_instance *bound, lh_error *error)
{
    uint32_t i;
    if (value_count != loss->param_count || (value_count > 0 && values == NULL))
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_PARAM, -1, -1,
                    "%s: expected %u parameter values, got %u", loss->id,
                    (unsigned)loss->param_count, (unsigned)value_count);
    if (value_count > 0 && (values[0].struct_size < sizeof(lh_param_value)
                            || values[0].struct_size % sizeof(double) != 0))
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_PARAM, -1, -1,
                    "%s: lh_param_value.struct_size %u is not a valid v1 size",
                    loss->id, (unsigned)values[0].struct_size);
    for (i = 0; i < value_count; i++) {
        double x = param_scalar(values, i);
        lh_status status = check_param(loss, i, x, error);
        if (status != LH_OK)
            return status;
        if (i == 0)
            bound->p0 = x;
        else
            bound->p1 = x;
    }
    return LH_OK;
}

/* Copies *bound into a new heap instance stored in *out_instance.
 * Returns LH_OK or LH_ERR_NO_MEMORY (leaving *out_instance untouched). */
static lh_status new_instance(const lh_loss *loss, const lh_instance *bound,
                              lh_instance **out_instance, lh_error *error)
{
    lh_instance *instance = (lh_instance *)malloc(sizeof *instance);
    if (instance == NULL)
        return fail(error, LH_ERR_NO_MEMORY, LH_INPUT_NONE, -1, -1,
                    "%s: out of memory", loss->id);
    *instance = *bound;
    *out_instance = instance;
    return LH_OK;
}

/* lh_loss.create for cauchy and cost_sensitive_logistic: any in-range
 * parameter values are accepted. Fails with LH_ERR_INVALID_ARGUMENT for a bad
 * call or value, LH_ERR_NO_MEMORY if the instance cannot be allocated; on
 * failure *out_instance is left untouched. Safe to call concurrently. */
static lh_status sample_create(const lh_loss *loss, const lh_param_value *values,
                               uint32_t value_count, lh_instance **out_instance,
                               lh_error *error)
{
    lh_instance bound = { 0.0, 0.0 };
    lh_status status;
    if (loss == NULL || out_instance == NULL)
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_NONE, -1, -1,
                    "create: NULL loss or out_instance");
    status = bind_params(loss, values, value_count, &bound, error);
    return status != LH_OK ? status : new_instance(loss, &bound, out_instance, error);
}

/* lh_loss.create for linex: as sample_create, and additionally refuses a = 0,
 * which lies inside the declared range [-10, 10] but makes the loss undefined
 * (it divides by a^2): LH_ERR_INVALID_ARGUMENT, input = LH_INPUT_PARAM,
 * column = 0 (the index of `a`). */
static lh_status linex_create(const lh_loss *loss, const lh_param_value *values,
                              uint32_t value_count, lh_instance **out_instance,
                              lh_error *error)
{
    lh_instance bound = { 0.0, 0.0 };
    lh_status status;
    if (loss == NULL || out_instance == NULL)
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_NONE, -1, -1,
                    "create: NULL loss or out_instance");
    status = bind_params(loss, values, value_count, &bound, error);
    if (status != LH_OK)
        return status;
    if (bound.p0 == 0.0)
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_PARAM, -1, 0,
                    "linex: a must be nonzero (its sign picks the side that costs exponentially)");
    return new_instance(loss, &bound, out_instance, error);
}

/* lh_loss.destroy, shared: frees the instance; NULL is a no-op. */
static void sample_destroy(lh_instance *instance)
{
    free(instance);
}

/* --------------------------------------------------- the element-wise loop */

/* One element's loss and its first and second derivative w.r.t. pred. */
typedef struct point {
    double value, gradient, hessian;
} point;

/* A loss at one element. Writes value, and gradient and hessian when
 * `derivatives` is nonzero. Returns LH_OK, or fails through `error` setting the
 * message and error->input; the caller fills in row and column. */
typedef lh_status (*point_fn)(const lh_instance *self, double pred, double target,
                              int derivatives, point *out, lh_error *error);

/* The batch loop shared by the element-wise losses, implementing lh_outputs:
 *  - every output pointer may be NULL and is then skipped; derivatives are
 *    computed only when gradient or hessian is wanted;
 *  - values, gradient and hessian are multiplied by the row's weight;
 *  - sum is the weighted sum of this batch's values; normalizer is
 *    pred_columns * (sum of weights), or pred_columns * rows without weights;
 *  - rows = 0 is legal: sum = normalizer = 0 and nothing else is written.
 * Each element depends on its own row only, so evaluating [0,k) and [k,N)
 * separately gives the same per-row outputs and sums that add up. */
static lh_status evaluate_elementwise(const lh_instance *self, const char *id, point_fn fn,
                                      const lh_batch *batch, const lh_outputs *outputs,
                                      lh_error *error)
{
    uint64_t r, d, n, i;
    uint32_t j;
    double sum = 0.0, weight_sum = 0.0;
    int derivatives;

    if (self == NULL || batch == NULL || outputs == NULL)
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_NONE, -1, -1,
                    "%s: NULL instance, batch or outputs", id);
    /* Every field read here exists since v1.0; a host of a later minor passes
     * larger structs, whose appended fields this plugin simply ignores. */
    if (batch->struct_size < sizeof(lh_batch) || outputs->struct_size < sizeof(lh_outputs))
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_NONE, -1, -1,
                    "%s: lh_batch or lh_outputs smaller than ABI v1.0", id);
    d = batch->pred_columns;
    if (d == 0 || batch->target_columns != batch->pred_columns)
        return fail(error, LH_ERR_SHAPE, LH_INPUT_TARGET, -1, -1,
                    "%s: target must have pred's shape (pred %u columns, target %u)",
                    id, (unsigned)batch->pred_columns, (unsigned)batch->target_columns);
    n = batch->rows * d;
    if (n > 0 && (batch->pred == NULL || batch->target == NULL))
        return fail(error, LH_ERR_INVALID_ARGUMENT, LH_INPUT_NONE, -1, -1,
                    "%s: NULL pred or target", id);
    derivatives = outputs->gradient != NULL || outputs->hessian != NULL;

    for (r = 0; r < batch->rows; r++) {
        double w = batch->weight != NULL ? batch->weight[r] : 1.0;
        weight_sum += w;
        for (j = 0; j < d; j++) {
            point p = { 0.0, 0.0, 0.0 };
            lh_status status;
            i = r * d + j;
            status = fn(self, batch->pred[i], batch->target[i], derivatives, &p, error);
            if (status != LH_OK) {
                if (error != NULL) {
                    error->row = (int64_t)r;
                    error->column = (int32_t)j;
                }
                return status;
            }
            sum += w * p.value;
            if (outputs->values != NULL)
                outputs->values[i] = w * p.value;
            if (outputs->gradient != NULL)
                outputs->gradient[i] = w * p.gradient;
            if (outputs->hessian != NULL)
                outputs->hessian[i] = w * p.hessian;
        }
    }
    if (outputs->sum != NULL)
        *outputs->sum = sum;
    if (outputs->normalizer != NULL)
        *outputs->normalizer = (double)d * weight_sum;
    return LH_OK;
}

/* ----------------------------------------------------------------- cauchy */

/* cauchy at one element, r = pred - target, z = r / c:
 *   value    c^2/2 * log(1 + z^2)
 *   gradient r / (1 + z^2)            largest at |r| = c, then decays to 0
 *   hessian  (1 - z^2) / (1 + z^2)^2  NEGATIVE for |r| > c: the loss is not
 *                                     convex; a Newton-type optimizer must
 *                                     clip or damp it.
 * For |z| > 1e150, where z^2 would overflow, the same quantities are computed
 * through u = 1/z, and the value as c^2 * log(|r| / c) (exact to double
 * precision there), with r halved so that even pred - target = 2e308 stays
 * finite: an outlier of any size costs a finite amount. Never fails. */
static lh_status cauchy_point(const lh_instance *self, double pred, double target,
                              int derivatives, point *out, lh_error *error)
{
    double c = self->p0, r = pred - target, z = r / c;
    (void)error;
    if (fabs(z) <= 1e150) {
        double z2 = z * z, q = 1.0 + z2;
        out->value = 0.5 * c * c * log1p(z2);
        if (derivatives) {
            out->gradient = r / q;
            out->hessian = (1.0 - z2) / (q * q);
        }
    } else {
        double u = 1.0 / z, u2 = u * u;
        out->value = c * c * (log(fabs(0.5 * pred - 0.5 * target)) + log(2.0) - log(c));
        if (derivatives) {
            out->gradient = c * u / (1.0 + u2);              /* = c z / (1 + z^2) */
            out->hessian = u2 * (u2 - 1.0) / ((1.0 + u2) * (1.0 + u2));
        }
    }
    return LH_OK;
}

/* lh_loss.evaluate for cauchy. Never fails on finite input. */
static lh_status cauchy_evaluate(lh_instance *instance, const lh_batch *batch,
                                 const lh_outputs *outputs, lh_error *error)
{
    return evaluate_elementwise(instance, "cauchy", cauchy_point, batch, outputs, error);
}

/* ------------------------------------------------------------------ linex */

/* (e^x - 1 - x) / x^2 for |x| < 0.1, as its Taylor series sum x^k / (k+2)!;
 * the direct formula loses digits there. Relative truncation error < 1e-18. */
static double linex_series(double x)
{
    return 1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720
           + x * (1.0 / 5040 + x * (1.0 / 40320 + x * (1.0 / 362880
           + x * (1.0 / 3628800 + x * (1.0 / 39916800)))))))));
}

/* linex at one element (b = 1), r = pred - target, x = a r:
 *   value    (e^x - x - 1) / a^2
 *   gradient (e^x - 1) / a
 *   hessian  e^x                      always > 0: convex
 * For a > 0 an over-prediction by r costs about e^(a r) / a^2 while an
 * under-prediction costs about |r| / a. Computed as r^2 * series(x) for small
 * |x| (which also keeps tiny a exact: the limit a -> 0 is r^2 / 2).
 * Fails with LH_ERR_DOMAIN (input = pred) when a wanted output overflows to
 * infinity for finite inputs, i.e. roughly when a r > 709: an infinite loss
 * would silently poison every sum it enters. */
static lh_status linex_point(const lh_instance *self, double pred, double target,
                             int derivatives, point *out, lh_error *error)
{
    double a = self->p0, r = pred - target, x = a * r;
    if (fabs(x) < 0.1) {
        out->value = r * r * linex_series(x);
        if (derivatives)
            out->gradient = x == 0.0 ? r : r * (expm1(x) / x);
    } else {
        double em1 = expm1(x);
        out->value = ((em1 - x) / x) * (r / a);
        if (derivatives)
            out->gradient = em1 / a;
    }
    if (derivatives)
        out->hessian = exp(x);
    if (isfinite(pred) && isfinite(target)
        && (isinf(out->value) || (derivatives && (isinf(out->gradient) || isinf(out->hessian)))))
        return fail(error, LH_ERR_DOMAIN, LH_INPUT_PRED, -1, -1,
                    "linex: a*(pred - target) = %g overflows exp() (pred %g, target %g)",
                    x, pred, target);
    return LH_OK;
}

/* lh_loss.evaluate for linex. Fails only as linex_point describes. */
static lh_status linex_evaluate(lh_instance *instance, const lh_batch *batch,
                                const lh_outputs *outputs, lh_error *error)
{
    return evaluate_elementwise(instance, "linex", linex_point, batch, outputs, error);
}

/* ------------------------------------------------ cost_sensitive_logistic */

/* log(1 + e^x), without overflow or loss of digits for any finite x. */
static double softplus(double x)
{
    return (x > 0.0 ? x : 0.0) + log1p(exp(-fabs(x)));
}

/* 1 / (1 + e^-x), evaluated on the side where exp() cannot overflow. */
static double sigmoid(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    else {
        double e = exp(x);
        return e / (1.0 + e);
    }
}

/* cost_sensitive_logistic at one element, x = pred (a logit), t = target:
 *   t = 1: value fn_cost * softplus(-x), gradient -fn_cost * sigmoid(-x)
 *   t = 0: value fp_cost * softplus(x),  gradient  fp_cost * sigmoid(x)
 *   hessian (fn_cost or fp_cost) * sigmoid(x) * sigmoid(-x)   (> 0: convex)
 * i.e. fn_cost*t*softplus(-x) + fp_cost*(1-t)*softplus(x), exact and finite
 * for every finite logit (|x| = 800 gives value 0 or 800*cost, hessian 0).
 * The minimizer of the expected loss is the logit log(fn_cost*p / (fp_cost*(1-p))):
 * the decision threshold on the probability p moves to fp/(fn+fp) = 1/6.
 * Fails with LH_ERR_DOMAIN (input = target) when t is not exactly 0 or 1.
 * NaN (only present when the user allowed non-finite input) propagates. */
static lh_status csl_point(const lh_instance *self, double pred, double target,
                           int derivatives, point *out, lh_error *error)
{
    double x = pred, cost;
    if (target == 1.0) {
        cost = self->p0;
        out->value = cost * softplus(-x);
        if (derivatives)
            out->gradient = -cost * sigmoid(-x);
    } else if (target == 0.0) {
        cost = self->p1;
        out->value = cost * softplus(x);
        if (derivatives)
            out->gradient = cost * sigmoid(x);
    } else if (isnan(target)) {
        out->value = out->gradient = out->hessian = target;
        return LH_OK;
    } else {
        return fail(error, LH_ERR_DOMAIN, LH_INPUT_TARGET, -1, -1,
                    "cost_sensitive_logistic: target %g is not a label 0 or 1", target);
    }
    if (derivatives) {
        double e = exp(-fabs(x)), q = 1.0 + e;
        out->hessian = cost * e / (q * q);  /* sigmoid(x) * sigmoid(-x) */
    }
    return LH_OK;
}

/* lh_loss.evaluate for cost_sensitive_logistic. Fails only as csl_point describes. */
static lh_status csl_evaluate(lh_instance *instance, const lh_batch *batch,
                              const lh_outputs *outputs, lh_error *error)
{
    return evaluate_elementwise(instance, "cost_sensitive_logistic", csl_point,
                                batch, outputs, error);
}

/* ----------------------------------------------------------------- tables */

/* Everything below is static const: the host keeps these pointers for the
 * life of the process and never dlclose()s the library. */

static const lh_param_info cauchy_params[] = {
    { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "c",
      .doc = "scale: residuals beyond c have diminishing pull, > 0",
      .default_value = 1.0, .min_value = 0.0, .max_value = 1e6,
      .flags = LH_PARAM_MIN_EXCLUSIVE },
};

/* a = 0 is inside [-10, 10] but refused by linex_create. */
static const lh_param_info linex_params[] = {
    { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "a",
      .doc = "asymmetry, nonzero: > 0 punishes over-prediction exponentially, < 0 under-prediction",
      .default_value = 1.0, .min_value = -10.0, .max_value = 10.0, .flags = 0u },
};

static const lh_param_info csl_params[] = {
    { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "fn_cost",
      .doc = "cost of a false negative (a missed positive), > 0",
      .default_value = 5.0, .min_value = 0.0, .max_value = 1e6,
      .flags = LH_PARAM_MIN_EXCLUSIVE },
    { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "fp_cost",
      .doc = "cost of a false positive (a false alarm), > 0",
      .default_value = 1.0, .min_value = 0.0, .max_value = 1e6,
      .flags = LH_PARAM_MIN_EXCLUSIVE },
};

#define SAMPLE_FLAGS (LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC)

static const lh_loss cauchy_loss = {
    .struct_size = sizeof(lh_loss), .flags = SAMPLE_FLAGS, .id = "cauchy",
    .summary = "c^2/2 log(1 + (r/c)^2), r = pred - target: robust regression, "
               "the pull of an outlier fades beyond c",
    .pred_doc = "predicted value, N x D", .target_doc = "observed value, N x D",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .param_count = 1, .params = cauchy_params,
    .create = sample_create, .evaluate = cauchy_evaluate, .destroy = sample_destroy,
    .pred_domain = LH_DOMAIN_REAL, .target_domain = LH_DOMAIN_REAL, .link = LH_LINK_IDENTITY,
    .curvature = 0, /* not convex: the Hessian is negative beyond |r| = c */
};

static const lh_loss linex_loss = {
    .struct_size = sizeof(lh_loss), .flags = SAMPLE_FLAGS, .id = "linex",
    .summary = "(exp(a r) - a r - 1)/a^2, r = pred - target: one side of the error "
               "costs exponentially, the other linearly",
    .pred_doc = "predicted value, N x D", .target_doc = "observed value, N x D",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .param_count = 1, .params = linex_params,
    .create = linex_create, .evaluate = linex_evaluate, .destroy = sample_destroy,
    .pred_domain = LH_DOMAIN_REAL, .target_domain = LH_DOMAIN_REAL, .link = LH_LINK_IDENTITY,
    .curvature = LH_CURVATURE_CONVEX,
};

static const lh_loss csl_loss = {
    .struct_size = sizeof(lh_loss), .flags = SAMPLE_FLAGS, .id = "cost_sensitive_logistic",
    .summary = "logistic loss where a false negative costs fn_cost and a false positive fp_cost",
    .pred_doc = "logit, N x D", .target_doc = "label 0 or 1, N x D",
    .kind = LH_KIND_BINARY, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .param_count = 2, .params = csl_params,
    .create = sample_create, .evaluate = csl_evaluate, .destroy = sample_destroy,
    .pred_domain = LH_DOMAIN_LOGIT, .target_domain = LH_DOMAIN_LABEL_01, .link = LH_LINK_SIGMOID,
    .curvature = LH_CURVATURE_CONVEX,
};

static const lh_loss *const sample_losses[] = { &cauchy_loss, &linex_loss, &csl_loss };

static const lh_plugin sample_plugin = {
    .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = LOSSHOST_ABI_MINOR,
    .struct_size = sizeof(lh_plugin),
    .loss_count = sizeof sample_losses / sizeof sample_losses[0],
    .id = "csample", .version = "1.0.0",
    .summary = "sample C losses: robust (cauchy), asymmetric (linex), "
               "cost-sensitive classification (cost_sensitive_logistic)",
    .losses = sample_losses,
};

/* The one exported symbol. Returns the table for a host of ABI major 1 (any
 * minor: this plugin reads only v1.0 fields), NULL for any other major. */
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major,
                                                       uint32_t host_abi_minor)
{
    (void)host_abi_minor;
    return host_abi_major == LOSSHOST_ABI_MAJOR ? &sample_plugin : NULL;
}
