/* Its entry point segfaults unless the process is losshost's scan worker
 * (`losshost-worker scan`). list and info show it from the scan's
 * metadata and never run its code in-process; the first in-process eval
 * crashes the host, which leaves the plugin marked, so the next eval is
 * isolated automatically: "'crash_outside_scan/sq' crashed with SIGSEGV while
 * evaluating (in a separate worker process; losshost is unharmed)". */
#include "hostile.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int in_scan_worker(void) {
    char buffer[4096];
    int fd = open("/proc/self/cmdline", O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return 0;
    int worker = 0, scan = 0;
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buffer + i) + 1) {
        buffer[n] = 0;
        size_t length = strlen(buffer + i);
        if (i == 0 && length >= 15 && strcmp(buffer + length - 15, "losshost-worker") == 0) worker = 1;
        if (worker && strcmp(buffer + i, "scan") == 0) scan = 1;
    }
    return scan;
}

HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
static const lh_loss *const losses[] = {&sq};
static const lh_plugin plugin = {LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                 "crash_outside_scan", "1.0.0", "crashes unless scanned", losses};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    if (!in_scan_worker()) *hostile_nowhere = 1;
    return &plugin;
}
