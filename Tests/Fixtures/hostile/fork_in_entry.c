/* Its entry point forks a child that sleeps 30 s holding the worker's pipes
 * (it stays in the worker's process group). list must not wait for it: the
 * scan worker's group is killed when the worker exits, and list shows
 * "left a process running (killed it) after loading (in its constructor or
 * entry point)". */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <unistd.h>

HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
static const lh_loss *const losses[] = {&sq};
static const lh_plugin plugin = {LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                 "fork_in_entry", "1.0.0", "forks a child", losses};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    if (fork() == 0) {
        sleep(30);
        _exit(0);
    }
    return &plugin;
}
