/* Closes stdout (descriptor 1) in its entry point: loaded in the host it would
 * silence list and eval. The scan notices: list gives "closed or replaced
 * standard output (descriptor 1) while loading (in its constructor or entry
 * point)" and check fails plugin.load with the same reason. */
#include "hostile.h"
#include <unistd.h>
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
static const lh_loss *const hostile_losses[] = {&sq};
static const lh_plugin hostile_plugin = {LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                         "close_stdout_on_load", "1.0.0", "a hostile test plugin", hostile_losses};
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    close(1);
    return &hostile_plugin;
}
