/* Sends SIGKILL to its whole process group from evaluate. Workers run in a
 * process group of their own, so only the worker dies: check gives "crashed
 * with SIGKILL in evaluate" for the running check and the host reports it. */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <signal.h>
static lh_status bad_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    kill(0, SIGKILL);
    return LH_OK;
}
HOSTILE_LOSS(sq, "sq", ok_create, bad_evaluate, ok_destroy);
HOSTILE_PLUGIN("kill_group", &sq)
