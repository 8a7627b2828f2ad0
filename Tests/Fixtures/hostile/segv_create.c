/* Segfaults in create. check: sq.lifecycle "crashed with SIGSEGV in create". */
#include "hostile.h"
static lh_status bad_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    (void)l; (void)v; (void)n; (void)out; (void)e;
    *hostile_nowhere = 1;
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", bad_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("segv_create", &sq)
