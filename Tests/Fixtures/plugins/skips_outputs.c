/* A faulty plugin "skips": its loss "sq" writes the gradient of even elements
 * only. The host must show the others as NaN (null in JSON), never stale memory. */
#include "losshost.h"
static lh_status create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)v; (void)n; (void)e;
    *out = (lh_instance *)1;
    return LH_OK;
}
static lh_status evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    uint64_t count = b->rows * b->pred_columns;
    double sum = 0;
    for (uint64_t k = 0; k < count; k++) {
        double r = b->pred[k] - b->target[k];
        if (o->values) o->values[k] = r * r;
        if (o->gradient && k % 2 == 0) o->gradient[k] = 2 * r;
        sum += r * r;
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)count;
    return LH_OK;
}
static void destroy(lh_instance *i) { (void)i; }
static const lh_loss loss = {
    sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "sq", "squared error that forgets half its gradient",
    "prediction", "target", LH_KIND_REGRESSION, LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_NONE,
    0, 0, create, evaluate, destroy,
};
static const lh_loss *const losses[] = { &loss };
static const lh_plugin plugin = { LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                  "skips", "1.0.0", "a plugin that leaves outputs unwritten", losses };
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return &plugin;
}
