/* evaluate installs a SIGSEGV handler that returns, then writes through a null
 * pointer: the write faults again and again, forever, and the process neither
 * dies nor makes progress. eval --isolate kills its worker once that evaluate
 * call made no progress for the call limit: "'ignore_segv/sq' hung in evaluate
 * call 1: no progress for 2 s, so losshost killed its worker (SIGKILL to the
 * process group; ...)", long before --timeout. */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <signal.h>
#include <string.h>

static void shrug(int signal) { (void)signal; }

static lh_status faulting_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = shrug;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, 0);
    *hostile_nowhere = 1;
    return LH_OK;
}

HOSTILE_LOSS(sq, "sq", ok_create, faulting_evaluate, ok_destroy);
HOSTILE_PLUGIN("ignore_segv", &sq)
