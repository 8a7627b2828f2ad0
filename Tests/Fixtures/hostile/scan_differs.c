/* Describes itself as plugin 'scan_differs' in the scan worker and as
 * 'elsewhere' anywhere else. The file never changes, so "run the command
 * again" would not help: eval says "…declares 'scan_differs' with losses sq
 * when scanned in a worker but 'elsewhere' with losses sq when loaded in
 * losshost; a plugin must describe itself the same way in every process". */
#include "hostile.h"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int in_worker(void) {
    char buffer[4096];
    int fd = open("/proc/self/cmdline", O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return 0;
    buffer[n] = 0;
    size_t length = strlen(buffer); /* the program, argv[0]: is it losshost-worker? */
    return length >= 15 && strcmp(buffer + length - 15, "losshost-worker") == 0;
}

HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
static const lh_loss *const losses[] = {&sq};
static const lh_plugin scanned = {LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                  "scan_differs", "1.0.0", "one id when scanned", losses};
static const lh_plugin loaded = {LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                 "elsewhere", "1.0.0", "another id when loaded", losses};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return in_worker() ? &scanned : &loaded;
}
