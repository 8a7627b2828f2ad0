/* extreme.c: a loss for the Python tests that is right except at extreme
 * parameter values, compiled at test time.
 * extremetest/soft_l1: the pseudo-Huber loss δ²(√(1 + (r/δ)²) − 1), r = pred −
 * target, computed as r² / (√(1 + (r/δ)²) + 1). Its gradient is right for
 * δ ≤ 1e5; above, a "large δ" shortcut returns 2r where the true gradient is
 * about r, so `losshost check` fails it at the high end of δ's range while
 * every δ a user trains with passes. */
#include <math.h>
#include <stdlib.h>
#include "losshost.h"

typedef struct { double delta; } soft_l1;

static const lh_param_info params[] = {
    { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "delta",
      .doc = "where the loss turns from quadratic to linear, > 0",
      .default_value = 1.0, .min_value = 0.0, .max_value = 1e6, .flags = LH_PARAM_MIN_EXCLUSIVE },
};

static lh_status soft_create(const lh_loss *loss, const lh_param_value *values, uint32_t count,
                             lh_instance **out, lh_error *error)
{
    soft_l1 *s;
    (void)loss; (void)count; (void)error;
    s = malloc(sizeof *s);
    if (!s) return LH_ERR_NO_MEMORY;
    s->delta = values[0].scalar;
    *out = (lh_instance *)s;
    return LH_OK;
}

static void soft_destroy(lh_instance *instance) { free(instance); }

static lh_status soft_evaluate(lh_instance *instance, const lh_batch *b, const lh_outputs *o, lh_error *error)
{
    const double delta = ((const soft_l1 *)instance)->delta;
    uint64_t d = b->pred_columns, n = b->rows * d, i;
    double sum = 0, weights = 0;
    (void)error;
    for (i = 0; i < b->rows; i++) weights += b->weight ? b->weight[i] : 1;
    for (i = 0; i < n; i++) {
        double r = b->pred[i] - b->target[i], w = b->weight ? b->weight[i / d] : 1;
        double q = sqrt(1 + (r / delta) * (r / delta)), v = r * r / (q + 1);
        sum += w * v;
        if (o->values) o->values[i] = w * v;
        if (o->gradient) o->gradient[i] = w * (delta > 1e5 ? 2 * r : r / q); /* the bug: 2r, not r */
        if (o->hessian) o->hessian[i] = w / (q * q * q);
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)d * weights;
    return LH_OK;
}

static const lh_loss soft = {
    .struct_size = sizeof(lh_loss), .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC,
    .id = "soft_l1", .summary = "pseudo-Huber δ²(√(1+(r/δ)²)−1), with a wrong gradient for δ > 1e5",
    .pred_doc = "prediction", .target_doc = "observed value",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .param_count = 1, .params = params,
    .create = soft_create, .evaluate = soft_evaluate, .destroy = soft_destroy,
};
static const lh_loss *const losses[] = { &soft };
static const lh_plugin plugin = {
    .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = LOSSHOST_ABI_MINOR,
    .struct_size = sizeof(lh_plugin), .loss_count = 1, .id = "extremetest", .version = "1.0.0",
    .summary = "a loss that is wrong only at extreme parameter values, for the Python tests", .losses = losses,
};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
    (void)host_abi_minor;
    return host_abi_major == LOSSHOST_ABI_MAJOR ? &plugin : NULL;
}
