/* evaluate changes the working directory to / and the umask to 077. eval
 * --out resolved its paths and took its file mode before any plugin ran, so
 * the files land where the user asked, with mode 0666 less the umask losshost
 * started with. */
#include "hostile.h"
#include <sys/stat.h>
#include <unistd.h>

static lh_status moving_evaluate(lh_instance *i, const lh_batch *b, const lh_outputs *o, lh_error *e) {
    if (chdir("/") != 0) return LH_ERR_INTERNAL;
    umask(077);
    return ok_evaluate(i, b, o, e);
}

HOSTILE_LOSS(sq, "sq", ok_create, moving_evaluate, ok_destroy);
HOSTILE_PLUGIN("chdir_umask", &sq)
