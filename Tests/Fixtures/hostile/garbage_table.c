/* The entry point returns a pointer to bytes that are not a table (as a
 * pointer to freed or stack memory would be): list says "invalid descriptor:
 * the entry point returned an invalid table (ABI version 1987540085.… is
 * implausible; a pointer to freed or stack memory?)", not "built for ABI …". */
#include "hostile.h"

static const char garbage[256] = "usr/lib/x86_64-linux-gnu/not a table at all, just bytes";

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    return (const lh_plugin *)(const void *)garbage;
}
