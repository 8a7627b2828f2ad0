/* Segfaults in its entry point. list: "crashed with SIGSEGV while loading (in its constructor or entry point)". */
#include "hostile.h"
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    *hostile_nowhere = 1;
    return 0;
}
