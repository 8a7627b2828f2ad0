/* Prints to stdout forever from evaluate, never returning. Printing is not
 * progress: check --timeout 1 gives "timed out after 1 s in evaluate". */
#include "hostile.h"
#include <unistd.h>

static lh_status flooding_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    static const char line[] = "{\"event\":\"stage\",\"stage\":\"evaluate\"}\n";
    for (;;) {
        ssize_t ignored = write(1, line, sizeof line - 1);
        (void)ignored;
    }
    return LH_OK;
}

HOSTILE_LOSS(sq, "sq", ok_create, flooding_evaluate, ok_destroy);
HOSTILE_PLUGIN("flood_forever", &sq)
