/* evaluate writes a 3000-byte message into the error buffer, ignoring its
 * capacity (1024), and returns LH_ERR_DOMAIN. eval names the overflow: "the
 * plugin wrote past the end of the error message buffer in evaluate (at least
 * 1977 bytes beyond its capacity of 1024)", not SIGABRT. */
#include "hostile.h"
#include <string.h>

static lh_status overflowing_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o;
    memset(e->message, 'x', 3000);
    e->message[3000] = 0;
    return LH_ERR_DOMAIN;
}

HOSTILE_LOSS(sq, "sq", ok_create, overflowing_evaluate, ok_destroy);
HOSTILE_PLUGIN("error_overflow", &sq)
