/* The first evaluate in a process writes 32 MiB to stdout (one line, no
 * newline) and 32 MiB to stderr, then behaves. The host keeps a bounded part
 * of a worker's stderr and its reports are not on stdout: check passes. */
#include "hostile.h"
#include <string.h>
#include <unistd.h>

static void flood(int fd) {
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    for (int k = 0; k < 512; k++) {
        ssize_t ignored = write(fd, block, sizeof block);
        (void)ignored;
    }
}

static lh_status flooding_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    static int done;
    if (!done) {
        done = 1;
        flood(1);
        flood(2);
    }
    return ok_evaluate(i, b, o, e);
}

HOSTILE_LOSS(sq, "sq", ok_create, flooding_evaluate, ok_destroy);
HOSTILE_PLUGIN("flood_output", &sq)
