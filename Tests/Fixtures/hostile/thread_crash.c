/* create starts a thread that segfaults 100 ms later, while the host is
 * busy elsewhere. check says the worker "crashed with SIGSEGV outside any
 * plugin call (in a thread the plugin started; …)", not that create or
 * evaluate crashed. */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <pthread.h>
#include <time.h>

#ifndef CRASH_DELAY_MS
#define CRASH_DELAY_MS 100
#define THREAD_CRASH_ID "thread_crash"
#endif

static void *late_crash(void *arg) {
    (void)arg;
    struct timespec t = {0, CRASH_DELAY_MS * 1000 * 1000};
    nanosleep(&t, 0);
    *hostile_nowhere = 1;
    return 0;
}

static lh_status threading_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    static int started;
    if (!started) {
        started = 1;
        pthread_t thread;
        pthread_create(&thread, 0, late_crash, 0);
        pthread_detach(thread);
    }
    return ok_create(l, v, n, out, e);
}

HOSTILE_LOSS(sq, "sq", threading_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN(THREAD_CRASH_ID, &sq)
