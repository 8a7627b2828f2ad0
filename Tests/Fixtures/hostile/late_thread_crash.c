/* thread_crash's thread, 200 ms after create: when a short check run
 * (--only '*.lifecycle') has finished its calls. The check worker waits a while
 * after its last check, so check still fails: plugin.threads "the worker crashed
 * with SIGSEGV outside any plugin call, in a thread the plugin started, after
 * the last check (it waits 0.5 s for such crashes)". */
#define CRASH_DELAY_MS 200
#define THREAD_CRASH_ID "late_thread_crash"
#include "thread_crash.c"
