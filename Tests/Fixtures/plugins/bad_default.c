/* A parameter whose default lies outside its range: "invalid descriptor: ... default 5 is outside [0, 1]". */
#include "losshost.h"
static lh_status create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)v; (void)n; (void)e;
    *out = (lh_instance *)1;
    return LH_OK;
}
static lh_status evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    return LH_OK;
}
static void destroy(lh_instance *i) { (void)i; }
static const lh_param_info params[] = {
    { sizeof(lh_param_info), LH_PARAM_REAL, "alpha", "a weight", 5.0, 0.0, 1.0, 0 },
};
static const lh_loss loss = {
    sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "bad", "a loss with a bad default",
    "prediction", "target", LH_KIND_REGRESSION, LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT,
    1, params, create, evaluate, destroy,
};
static const lh_loss *const losses[] = { &loss };
static const lh_plugin plugin = { LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                  "baddefault", "1.0.0", "invalid descriptor", losses };
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return &plugin;
}
