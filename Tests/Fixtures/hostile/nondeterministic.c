/* Declared deterministic, but every second call of an instance flips the lowest bit of
 * gradient[5]. check: sq.determinism "run 3 (the second instance again) differs from run 1
 * on the same 33-row batch: gradient[5] (row 1: pred [...]) was 0x... (g), then 0x... (g')". */
#include "hostile.h"
#include <string.h>

typedef struct { unsigned long calls; } counter;

static lh_status counting_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)v; (void)n; (void)e;
    counter *c = calloc(1, sizeof *c);
    if (!c) return LH_ERR_INTERNAL;
    *out = (lh_instance *)c;
    return LH_OK;
}

static void counting_destroy(lh_instance *i) { free(i); }

static lh_status flipping_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)e;
    counter *c = (counter *)i;
    sq_compute(b, o, 2);
    c->calls++;
    if (c->calls % 2 == 0 && o->gradient && b->rows * b->pred_columns > 5) {
        uint64_t bits;
        memcpy(&bits, &o->gradient[5], sizeof bits);
        bits ^= 1;
        memcpy(&o->gradient[5], &bits, sizeof bits);
    }
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", counting_create, flipping_evaluate, counting_destroy);
HOSTILE_PLUGIN("nondeterministic", &sq)
