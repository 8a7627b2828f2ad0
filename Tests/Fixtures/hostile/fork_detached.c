/* create forks a grandchild that leaves the worker's process group (setsid)
 * and sleeps 8 s holding the worker's pipes. check and eval --isolate must not
 * wait for it: once the worker exited its pipes are read for a moment only.
 * check fails plugin.leftover: "the worker a process it started still held
 * its output after it exited (it left the worker's process group); plugin
 * code must not leave processes behind". */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <unistd.h>

static lh_status forking_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    static int forked;
    if (!forked) {
        forked = 1;
        if (fork() == 0) {
            setsid();
            if (fork() == 0) {
                sleep(8);
                _exit(0);
            }
            _exit(0);
        }
    }
    return ok_create(l, v, n, out, e);
}

HOSTILE_LOSS(sq, "sq", forking_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("fork_detached", &sq)
