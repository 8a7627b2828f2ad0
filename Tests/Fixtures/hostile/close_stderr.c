/* evaluate closes standard error (descriptor 2) and fails with a domain
 * error. The host writes its errors to a private copy of standard error, so
 * eval still prints "losshost: error: …: stderr is gone" and exits 1; it
 * never traps. */
#include "hostile.h"
#include <string.h>
#include <unistd.h>

static lh_status closing_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o;
    close(2);
    strcpy(e->message, "stderr is gone");
    return LH_ERR_DOMAIN;
}

HOSTILE_LOSS(sq, "sq", ok_create, closing_evaluate, ok_destroy);
HOSTILE_PLUGIN("close_stderr", &sq)
