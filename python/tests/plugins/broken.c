/* broken.c: two wrong losses for the Python tests, compiled at test time.
 * badtest/wrong_gradient reports twice its true gradient (losshost check fails
 * it); badtest/nan_gradient is r² with a NaN gradient where pred > 10 (what a
 * training loop must stop on). */
#include <math.h>
#include "losshost.h"

static int the_instance;

static lh_status bad_create(const lh_loss *loss, const lh_param_value *values, uint32_t count,
                            lh_instance **out, lh_error *error)
{
    (void)loss; (void)values; (void)count; (void)error;
    *out = (lh_instance *)&the_instance;
    return LH_OK;
}

static void bad_destroy(lh_instance *instance) { (void)instance; }

static lh_status evaluate(const lh_batch *b, const lh_outputs *o, double gradient_scale, int nan_beyond_10)
{
    uint64_t d = b->pred_columns, n = b->rows * d, i;
    double sum = 0, weights = 0;
    for (i = 0; i < b->rows; i++) weights += b->weight ? b->weight[i] : 1;
    for (i = 0; i < n; i++) {
        double r = b->pred[i] - b->target[i], w = b->weight ? b->weight[i / d] : 1;
        sum += w * r * r;
        if (o->values) o->values[i] = w * r * r;
        if (o->gradient) o->gradient[i] = (nan_beyond_10 && b->pred[i] > 10) ? NAN : w * 2 * r * gradient_scale;
        if (o->hessian) o->hessian[i] = w * 2;
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)d * weights;
    return LH_OK;
}

static lh_status wrong_evaluate(lh_instance *instance, const lh_batch *b, const lh_outputs *o, lh_error *error)
{
    (void)instance; (void)error;
    return evaluate(b, o, 2.0, 0);
}

static lh_status nan_evaluate(lh_instance *instance, const lh_batch *b, const lh_outputs *o, lh_error *error)
{
    (void)instance; (void)error;
    return evaluate(b, o, 1.0, 1);
}

static const lh_loss wrong_gradient = {
    .struct_size = sizeof(lh_loss), .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC,
    .id = "wrong_gradient", .summary = "r² with twice the true gradient",
    .pred_doc = "prediction", .target_doc = "observed value",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .create = bad_create, .evaluate = wrong_evaluate, .destroy = bad_destroy,
};
static const lh_loss nan_gradient = {
    .struct_size = sizeof(lh_loss), .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC,
    .id = "nan_gradient", .summary = "r² with a NaN gradient where pred > 10",
    .pred_doc = "prediction", .target_doc = "observed value",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .create = bad_create, .evaluate = nan_evaluate, .destroy = bad_destroy,
};
static const lh_loss *const losses[] = { &wrong_gradient, &nan_gradient };
static const lh_plugin plugin = {
    .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = LOSSHOST_ABI_MINOR,
    .struct_size = sizeof(lh_plugin), .loss_count = 2, .id = "badtest", .version = "1.0.0",
    .summary = "wrong losses for the Python tests", .losses = losses,
};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
    (void)host_abi_minor;
    return host_abi_major == LOSSHOST_ABI_MAJOR ? &plugin : NULL;
}
