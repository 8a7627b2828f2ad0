/* Closes stdout (descriptor 1) in create and evaluate. Loading is fine, so list
 * lists close_stdout/sq. check puts descriptor 1 right after each call (so
 * nothing reuses the number), its reports do not use descriptor 1, and each
 * check that creates an instance fails with "closed or replaced standard output
 * (descriptor 1) in create"; the worker survives to report them all. */
#include "hostile.h"
#include <unistd.h>

static lh_status closing_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    close(1);
    return ok_create(l, v, n, out, e);
}

static lh_status closing_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    close(1);
    return ok_evaluate(i, b, o, e);
}

HOSTILE_LOSS(sq, "sq", closing_create, closing_evaluate, ok_destroy);
HOSTILE_PLUGIN("close_stdout", &sq)
