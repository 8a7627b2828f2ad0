/* evaluate computes a correct result, then leaves the rounding mode at
 * FE_UPWARD. The host restores the floating-point environment after every
 * plugin call, so eval prints the same numbers as for good/sq (and warns);
 * check fails the first check that calls evaluate with "left the rounding
 * mode FE_UPWARD in evaluate (losshost restored it; …)". */
#include "hostile.h"
#include <fenv.h>

static lh_status upward_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    lh_status s = ok_evaluate(i, b, o, e);
    fesetround(FE_UPWARD);
    return s;
}

HOSTILE_LOSS(sq, "sq", ok_create, upward_evaluate, ok_destroy);
HOSTILE_PLUGIN("round_upward", &sq)
