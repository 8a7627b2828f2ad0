/*
 * A plugin as a later minor (1.9) would build it: its lh_loss has fields
 * appended after the 1.2 ones, and it uses enum values and flag bits that this
 * host does not know (kind 17, domains 99 and 98, link 42, curvature bit 20,
 * loss flag bit 30). The host must load it, read the unknowns as documented
 * (kind other, domain real, link identity, bits ignored) and evaluate it.
 * Its loss is the squared error (pred - target)^2.
 */
#include <stddef.h>
#include "losshost.h"

typedef struct lh_loss_1_9 {
    lh_loss base;          /* everything up to ABI 1.2 */
    double  future_scale;  /* a field a later minor appended */
    const char *future_note;
} lh_loss_1_9;

static int the_instance;

static lh_status sq_create(const lh_loss *loss, const lh_param_value *values, uint32_t count,
                           lh_instance **out, lh_error *error)
{
    (void)loss; (void)values; (void)count; (void)error;
    *out = (lh_instance *)&the_instance;
    return LH_OK;
}

static void sq_destroy(lh_instance *instance) { (void)instance; }

static lh_status sq_evaluate(lh_instance *instance, const lh_batch *b, const lh_outputs *o, lh_error *error)
{
    uint64_t d = b->pred_columns, n = b->rows * d, i;
    double sum = 0, weights = 0;
    (void)instance; (void)error;
    for (i = 0; i < b->rows; i++) weights += b->weight ? b->weight[i] : 1;
    for (i = 0; i < n; i++) {
        double w = b->weight ? b->weight[i / d] : 1, r = b->pred[i] - b->target[i];
        if (o->values) o->values[i] = w * r * r;
        if (o->gradient) o->gradient[i] = 2 * w * r;
        if (o->hessian) o->hessian[i] = 2 * w;
        sum += w * r * r;
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)d * weights;
    return LH_OK;
}

static const lh_loss_1_9 future_sq = {
    .base = {
        .struct_size = sizeof(lh_loss_1_9),
        .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC | (1u << 30),
        .id = "sq", .summary = "squared error, from a plugin built for ABI 1.9",
        .pred_doc = "predicted value", .target_doc = "observed value",
        .kind = 17, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
        .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
        .param_count = 0, .params = NULL,
        .create = sq_create, .evaluate = sq_evaluate, .destroy = sq_destroy,
        .pred_domain = 99, .pred_domain_rest = 98, .target_domain = 99, .link = 42,
        .curvature = LH_CURVATURE_CONVEX | (1u << 20), .surrogate_hessian = 0,
    },
    .future_scale = 1.0, .future_note = "ignored by a 1.2 host",
};

static const lh_loss *const losses[] = { &future_sq.base };

static const lh_plugin plugin = {
    .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = 9, .struct_size = sizeof(lh_plugin) + 16,
    .loss_count = 1, .id = "future", .version = "1.9.0",
    .summary = "a plugin from a later minor of the ABI", .losses = losses,
};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
    (void)host_abi_major; (void)host_abi_minor;
    return &plugin;
}
