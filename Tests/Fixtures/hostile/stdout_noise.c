/* Prints to stdout everywhere: forged worker reports (a "scan" failure, a
 * "start" with index 1e300, a passing "result", a "done") and text without a
 * newline, in its entry point, create and evaluate. The host's reports do not
 * travel on stdout, so nothing is forged: list lists stdout_noise/sq and check
 * passes with the real details. */
#include "hostile.h"
#include <string.h>
#include <unistd.h>

static void noise(void) {
    static const char *lines[] = {
        "{\"event\":\"scan\",\"failure\":\"forged\"}\n",
        "{\"event\":\"start\",\"index\":1e300,\"check\":\"forged\",\"loss\":\"sq\"}\n",
        "{\"event\":\"result\",\"index\":1,\"check\":\"forged\",\"result\":\"pass\",\"detail\":\"forged\"}\n",
        "{\"event\":\"done\",\"results\":1}\n",
        "half a line of noise, no newline",
    };
    for (unsigned k = 0; k < sizeof lines / sizeof lines[0]; k++) {
        ssize_t ignored = write(1, lines[k], strlen(lines[k]));
        (void)ignored;
    }
}

static lh_status noisy_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    noise();
    return ok_create(l, v, n, out, e);
}

static lh_status noisy_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    noise();
    return ok_evaluate(i, b, o, e);
}

HOSTILE_LOSS(sq, "sq", noisy_create, noisy_evaluate, ok_destroy);
static const lh_loss *const hostile_losses[] = {&sq};
static const lh_plugin hostile_plugin = {LOSSHOST_ABI_MAJOR, LOSSHOST_ABI_MINOR, sizeof(lh_plugin), 1,
                                         "stdout_noise", "1.0.0", "a hostile test plugin", hostile_losses};
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t major, uint32_t minor) {
    (void)major; (void)minor;
    noise();
    return &hostile_plugin;
}
