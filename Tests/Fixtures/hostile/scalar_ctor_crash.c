/* A plain C library (no losshost.h) whose constructor segfaults, named by the
 * manifest scalar_ctor_crash.losshost.json. list: the manifest fails with
 * "crashed with SIGSEGV while loading the libraries it names (in a constructor)";
 * the other plugins are listed. */
static int *volatile nowhere = 0;
__attribute__((constructor)) static void boom(void) { *nowhere = 1; }
__attribute__((visibility("default"))) double sq_value(double pred, double target) {
    return (pred - target) * (pred - target);
}
