/* A shared object without losshost_plugin_entry: "missing entry symbol". */
#include "losshost.h"
LOSSHOST_EXPORT int not_a_plugin(void) { return 42; }
