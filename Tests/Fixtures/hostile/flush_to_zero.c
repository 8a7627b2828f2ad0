/* create turns on MXCSR flush-to-zero (bit 15), which would make every later
 * subnormal result of the host 0. check fails lifecycle with "left MXCSR
 * flush-to-zero on in create (losshost restored it; …)". */
#include "hostile.h"
#include <xmmintrin.h>

static lh_status ftz_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    _mm_setcsr(_mm_getcsr() | 0x8000);
    return ok_create(l, v, n, out, e);
}

HOSTILE_LOSS(sq, "sq", ftz_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("flush_to_zero", &sq)
