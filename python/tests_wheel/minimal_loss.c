/* minimal_loss.c: a complete losshost plugin with one loss, squared log error
 * (log1p(pred) - log1p(target))^2. It scores relative error, and under-predicting
 * costs more than over-predicting by the same amount. */
#include <math.h>
#include <stdio.h>
#include "losshost.h"

static int the_instance; /* no parameters: every instance is this one object */

static lh_status sle_create(const lh_loss *loss, const lh_param_value *values,
                            uint32_t count, lh_instance **out, lh_error *error)
{
    (void)loss; (void)values; (void)count; (void)error;
    *out = (lh_instance *)&the_instance;
    return LH_OK;
}

static void sle_destroy(lh_instance *instance) { (void)instance; }

static lh_status sle_evaluate(lh_instance *instance, const lh_batch *b,
                              const lh_outputs *o, lh_error *error)
{
    uint64_t d = b->pred_columns, n = b->rows * d, i;
    double sum = 0, weights = 0;
    (void)instance;
    for (i = 0; i < b->rows; i++) weights += b->weight ? b->weight[i] : 1;
    for (i = 0; i < n; i++) {
        double p = b->pred[i], t = b->target[i], w = b->weight ? b->weight[i / d] : 1, e;
        if (p <= -1 || t <= -1) { /* outside the domain: name the cell */
            snprintf(error->message, error->capacity, "%s %g is not > -1", p <= -1 ? "pred" : "target", p <= -1 ? p : t);
            error->row = (int64_t)(i / d);
            error->column = (int32_t)(i % d);
            error->input = p <= -1 ? LH_INPUT_PRED : LH_INPUT_TARGET;
            return LH_ERR_DOMAIN;
        }
        e = log1p(p) - log1p(t);
        sum += w * (e * e);
        if (o->values) o->values[i] = w * (e * e);
        if (o->gradient) o->gradient[i] = w * (2 * e / (1 + p));
        if (o->hessian) o->hessian[i] = w * (2 * (1 - e) / ((1 + p) * (1 + p)));
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)d * weights;
    return LH_OK;
}

static const lh_loss sle = {
    .struct_size = sizeof(lh_loss), .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC,
    .id = "squared_log_error", .summary = "(log1p(pred) - log1p(target))^2: relative error",
    .pred_doc = "predicted value > -1, N x D", .target_doc = "observed value > -1, N x D",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .param_count = 0, .params = NULL,
    .create = sle_create, .evaluate = sle_evaluate, .destroy = sle_destroy,
};
static const lh_loss *const losses[] = { &sle };
static const lh_plugin plugin = {
    .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = LOSSHOST_ABI_MINOR,
    .struct_size = sizeof(lh_plugin), .loss_count = 1, .id = "minimal", .version = "1.0.0",
    .summary = "one loss, as small as a plugin gets", .losses = losses,
};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major,
                                                       uint32_t host_abi_minor)
{
    (void)host_abi_minor;
    return host_abi_major == LOSSHOST_ABI_MAJOR ? &plugin : NULL;
}
