/* Loads and evaluates correctly, but its destructor segfaults when the process
 * exits. list: "crashed with SIGSEGV after loading (in a destructor, at exit)"
 * (so list never loads it and cannot die at exit); check: every check passes and
 * "plugin.exit" fails with "the worker crashed with SIGSEGV after the checks
 * finished (in a destructor, at exit)". */
#include "hostile.h"
__attribute__((destructor)) static void boom(void) { *hostile_nowhere = 1; }
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("destructor_crash", &sq)
