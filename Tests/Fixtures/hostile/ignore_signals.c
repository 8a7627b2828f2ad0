/* evaluate ignores SIGSEGV and SIGTERM, blocks every signal it can and spins
 * forever. eval --isolate --timeout 1 kills its worker with SIGKILL and says
 * "'ignore_signals/sq' timed out after 1 s while evaluating (in a separate
 * worker process; losshost is unharmed)". */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <signal.h>

static lh_status stubborn_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    (void)i; (void)b; (void)o; (void)e;
    signal(SIGSEGV, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, 0);
    for (volatile int spin = 0;; spin++) {}
    return LH_OK;
}

HOSTILE_LOSS(sq, "sq", ok_create, stubborn_evaluate, ok_destroy);
HOSTILE_PLUGIN("ignore_signals", &sq)
