/* asymmetric.c: a team loss for the Python tests, compiled at test time.
 * teamtest/asym_squared: c(r)·r² with r = pred - target and c = k when the
 * prediction is too high, 1 when it is too low, so a model trained on it
 * under-predicts: the cheap side. When LOSSHOST_TEST_LOG names a file, every
 * evaluation appends "PID ROWS SUM" to it, SUM 1 when the host asked for the sum
 * (how the Dask test sees which process ran the plugin on how many rows, and the
 * bridge tests that a boosting round does not ask for the value). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "losshost.h"

typedef struct { double k; } asym;

static const lh_param_info params[] = {
    { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "k",
      .doc = "cost of over-prediction relative to under-prediction, > 0",
      .default_value = 4.0, .min_value = 0.0, .max_value = 1e6, .flags = LH_PARAM_MIN_EXCLUSIVE },
};

static lh_status asym_create(const lh_loss *loss, const lh_param_value *values, uint32_t count,
                             lh_instance **out, lh_error *error)
{
    asym *a;
    (void)loss; (void)count; (void)error;
    a = malloc(sizeof *a);
    if (!a) return LH_ERR_NO_MEMORY;
    a->k = values[0].scalar;
    *out = (lh_instance *)a;
    return LH_OK;
}

static void asym_destroy(lh_instance *instance) { free(instance); }

static void log_call(uint64_t rows, int sum)
{
    const char *path = getenv("LOSSHOST_TEST_LOG");
    char line[64];
    int fd, n;
    if (!path || !*path) return;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0) return;
    n = snprintf(line, sizeof line, "%ld %llu %d\n", (long)getpid(), (unsigned long long)rows, sum);
    if (write(fd, line, (size_t)n) < 0) { /* best effort */ }
    close(fd);
}

static lh_status asym_evaluate(lh_instance *instance, const lh_batch *b, const lh_outputs *o, lh_error *error)
{
    const asym *a = (const asym *)instance;
    uint64_t d = b->pred_columns, n = b->rows * d, i;
    double sum = 0, weights = 0;
    (void)error;
    log_call(b->rows, o->sum != NULL);
    for (i = 0; i < b->rows; i++) weights += b->weight ? b->weight[i] : 1;
    for (i = 0; i < n; i++) {
        double r = b->pred[i] - b->target[i], w = b->weight ? b->weight[i / d] : 1;
        double c = r > 0 ? a->k : 1.0;
        sum += w * c * r * r;
        if (o->values) o->values[i] = w * c * r * r;
        if (o->gradient) o->gradient[i] = w * 2 * c * r;
        if (o->hessian) o->hessian[i] = w * 2 * c;
    }
    if (o->sum) *o->sum = sum;
    if (o->normalizer) *o->normalizer = (double)d * weights;
    return LH_OK;
}

static const lh_loss asym_squared = {
    .struct_size = sizeof(lh_loss), .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC,
    .id = "asym_squared", .summary = "k·r² when pred > target, r² below: over-prediction costs k times more",
    .pred_doc = "prediction", .target_doc = "observed value",
    .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
    .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
    .param_count = 1, .params = params,
    .create = asym_create, .evaluate = asym_evaluate, .destroy = asym_destroy,
};
static const lh_loss *const losses[] = { &asym_squared };
static const lh_plugin plugin = {
    .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = LOSSHOST_ABI_MINOR,
    .struct_size = sizeof(lh_plugin), .loss_count = 1, .id = "teamtest", .version = "1.0.0",
    .summary = "an asymmetric squared loss for the Python tests", .losses = losses,
};

LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
{
    (void)host_abi_minor;
    return host_abi_major == LOSSHOST_ABI_MAJOR ? &plugin : NULL;
}
