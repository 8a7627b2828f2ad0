/* Shared by the hostile fixtures: a correct squared-error loss "sq" (any D,
 * weights, exact Hessian) and macros to declare a plugin around it. Each
 * fixture changes one thing and says in its first comment what the host
 * must report. */
#include "losshost.h"
#include <stdlib.h>

static int hostile_token;

/* A null pointer the compiler cannot see through, for fixtures that segfault. */
__attribute__((unused)) static int *volatile hostile_nowhere = 0;

__attribute__((unused)) static lh_status ok_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)v; (void)n; (void)e;
    *out = (lh_instance *)&hostile_token;
    return LH_OK;
}

__attribute__((unused)) static void ok_destroy(lh_instance *i) { (void)i; }

/* Squared error with gradient factor `g` (2 is right). */
static lh_status sq_compute(const lh_batch *b, const lh_outputs *o, double g) {
    uint32_t d = b->pred_columns;
    double sum = 0, norm = 0;
    for (uint64_t r = 0; r < b->rows; r++) {
        double w = b->weight ? b->weight[r] : 1;
        norm += w * d;
        for (uint32_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            double e = b->pred[k] - b->target[k];
            if (o->values) o->values[k] = w * e * e;
            if (o->gradient) o->gradient[k] = w * g * e;
            if (o->hessian) o->hessian[k] = w * 2;
            sum += w * e * e;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = norm;
    return LH_OK;
}

__attribute__((unused)) static lh_status ok_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)e;
    return sq_compute(b, o, 2);
}

/* An instance holding the loss's one real parameter (its default when none is given). */
typedef struct { double p; } hostile_param;

__attribute__((unused)) static lh_status param_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)e;
    hostile_param *x = malloc(sizeof *x);
    if (!x) return LH_ERR_INTERNAL;
    x->p = n > 0 ? v[0].scalar : l->params[0].default_value;
    *out = (lh_instance *)x;
    return LH_OK;
}

__attribute__((unused)) static void param_destroy(lh_instance *i) { free(i); }

/* One element's value and derivatives, at parameter p and error r = pred - target. */
typedef struct { double value, gradient, hessian; } hostile_point;
/* Returns 0, or non-zero to refuse the element (LH_ERR_DOMAIN). */
typedef int (*hostile_point_fn)(double p, double r, hostile_point *out);

/* An element-wise loss of one parameter: `point` at every element, weighted, summed. */
__attribute__((unused)) static lh_status param_elementwise(lh_instance *i, const lh_batch *b, const lh_outputs *o, hostile_point_fn point) {
    double p = ((hostile_param *)i)->p, sum = 0, norm = 0;
    uint32_t d = b->pred_columns;
    for (uint64_t r = 0; r < b->rows; r++) {
        double w = b->weight ? b->weight[r] : 1;
        norm += w * d;
        for (uint32_t c = 0; c < d; c++) {
            uint64_t k = r * d + c;
            hostile_point at;
            if (point(p, b->pred[k] - b->target[k], &at)) return LH_ERR_DOMAIN;
            if (o->values) o->values[k] = w * at.value;
            if (o->gradient) o->gradient[k] = w * at.gradient;
            if (o->hessian) o->hessian[k] = w * at.hessian;
            sum += w * at.value;
        }
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = norm;
    return LH_OK;
}

#define HOSTILE_LOSS(name, id, create, evaluate, destroy)                                              \
    static const lh_loss name = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, id,     \
                                 "squared error", "prediction", "target", LH_KIND_REGRESSION,           \
                                 LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 0, 0,       \
                                 create, evaluate, destroy}

#define HOSTILE_PLUGIN_VERSION(plugin_id, major, minor, ...)                                          \
    static const lh_loss *const hostile_losses[] = {__VA_ARGS__};                                     \
    static const lh_plugin hostile_plugin = {major, minor, sizeof(lh_plugin),                         \
                                             sizeof(hostile_losses) / sizeof(hostile_losses[0]),      \
                                             plugin_id, "1.0.0", "a hostile test plugin", hostile_losses}; \
    LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major_, uint32_t minor_) {         \
        (void)major_; (void)minor_;                                                                   \
        return &hostile_plugin;                                                                       \
    }

#define HOSTILE_PLUGIN(plugin_id, ...) \
    HOSTILE_PLUGIN_VERSION(plugin_id, LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, __VA_ARGS__)
