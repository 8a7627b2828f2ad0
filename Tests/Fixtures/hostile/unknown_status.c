/* evaluate returns status 99, which the header does not define, with a
 * message that ends in an escape sequence. eval says "the plugin returned an
 * unknown status 99 from evaluate: status of my own\u{1B}[2K" (the escape
 * shown, never sent to the terminal). */
#include "hostile.h"
#include <string.h>

static lh_status odd_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o;
    strcpy(e->message, "status of my own\x1b[2K");
    return (lh_status)99;
}

HOSTILE_LOSS(sq, "sq", ok_create, odd_evaluate, ok_destroy);
HOSTILE_PLUGIN("unknown_status", &sq)
