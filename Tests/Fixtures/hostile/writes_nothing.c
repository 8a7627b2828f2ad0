/* evaluate returns LH_OK and writes nothing, not even sum and normalizer.
 * Every output starts as a marker the host detects: eval gives "plugin
 * 'writes_nothing' loss 'sq' returned LH_OK but left sum unwritten" for every
 * reduction, never "value 0.0". */
#include "hostile.h"

static lh_status lazy_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    return LH_OK;
}

HOSTILE_LOSS(sq, "sq", ok_create, lazy_evaluate, ok_destroy);
HOSTILE_PLUGIN("writes_nothing", &sq)
