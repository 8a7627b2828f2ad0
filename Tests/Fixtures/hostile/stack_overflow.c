/* evaluate recurses without end and overflows its stack. In-process eval prints
 * one line, "losshost: error: 'stack_overflow/sq' crashed with SIGSEGV in
 * evaluate; the next runs evaluate it in a separate worker process", exits with
 * status 139 (128 + SIGSEGV), and the next run is isolated. */
#include "hostile.h"

static int deeper(volatile int *depth) {
    volatile char frame[256];
    frame[0] = (char)*depth;
    (*depth)++;
    return deeper(depth) + frame[0];
}

static lh_status overflowing_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    volatile int depth = 0;
    return (lh_status)deeper(&depth);
}

HOSTILE_LOSS(sq, "sq", ok_create, overflowing_evaluate, ok_destroy);
HOSTILE_PLUGIN("stack_overflow", &sq)
