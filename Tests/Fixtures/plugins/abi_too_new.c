/* Built for ABI 2.0: "built for ABI 2.0, newer than this host's 1.0". */
#include "losshost.h"
static const lh_plugin plugin = { 2, 0, sizeof(lh_plugin), 0, "future", "2.0.0", "from the future", 0 };
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return &plugin;
}
