/* A plugin built against the FROZEN ABI 1.0 header in this folder (the quoted
 * include finds ./losshost.h first): its lh_loss ends at destroy, with no
 * evaluate_f32. A 1.1 host must load it and serve float32 by converting.
 * Loss "sq": (pred - target)^2 per element, weights supported. */
#include "losshost.h"

#if LOSSHOST_ABI_MAJOR != 1 || LOSSHOST_ABI_MINOR != 0
#error "this fixture must be compiled against the frozen ABI 1.0 header"
#endif

static lh_status create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)v; (void)n; (void)e;
    *out = (lh_instance *)1;
    return LH_OK;
}

static lh_status evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    uint64_t d = b->pred_columns;
    double sum = 0, weights = 0;
    for (uint64_t r = 0; r < b->rows; r++) {
        double w = b->weight ? b->weight[r] : 1;
        weights += w;
        for (uint64_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            double x = b->pred[k] - b->target[k];
            if (o->values) o->values[k] = w * x * x;
            if (o->gradient) o->gradient[k] = w * 2 * x;
            if (o->hessian) o->hessian[k] = w * 2;
            sum += w * x * x;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)d * weights;
    return LH_OK;
}

static void destroy(lh_instance *i) { (void)i; }

static const lh_loss loss = {
    sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "sq", "squared error, ABI 1.0",
    "prediction", "target", LH_KIND_REGRESSION, LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT,
    0, 0, create, evaluate, destroy,
};
static const lh_loss *const losses[] = { &loss };
static const lh_plugin plugin = { LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                  "v10", "1.0.0", "a plugin built against ABI 1.0", losses };

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return &plugin;
}
