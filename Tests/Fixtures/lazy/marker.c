/* Used by Tests/CLITests/LazyLoadingTests.swift. Its constructor appends the
 * pid of the process that loads it to the file named by LOSSHOST_TEST_MARKER
 * (when set), and segfaults when LOSSHOST_TEST_CRASH is set: a command that
 * never dlopens it in-process leaves no marker and survives. Losses marker/sq
 * (an id the hostile "good" plugin has too) and marker/msq. */
#define _POSIX_C_SOURCE 200809L
#include "hostile.h"
#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void mark(void) {
    const char *marker = getenv("LOSSHOST_TEST_MARKER");
    if (marker && *marker) {
        FILE *f = fopen(marker, "a");
        if (f) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    if (getenv("LOSSHOST_TEST_CRASH")) *hostile_nowhere = 1;
}

HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_LOSS(msq, "msq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("marker", &sq, &msq)
