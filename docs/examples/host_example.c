/*
 * host_example.c: a complete program that embeds the losshost host through
 * the C host API (include/losshost_host.h). It opens a host, counts the
 * losses, shows an error message, evaluates the standard huber loss with
 * weights in float64 and float32, finds the best constant prediction and
 * runs `check` on the loss in a worker process.
 *
 * Build and run (after `swift build`, from the package root):
 *     cc -I include docs/examples/host_example.c -o host_example \
 *        -L.build/debug -llosshost-host -Wl,-rpath,$PWD/.build/debug
 *     ./host_example [PLUGIN_DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "losshost_host.h"

#define ROWS 4

/* Prints the last error of this thread and returns 1. */
static int fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, lh_host_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if ((lh_host_api_version() >> 16) != LOSSHOST_HOST_API_MAJOR) {
        fprintf(stderr, "host library of another major version\n");
        return 1;
    }

    /* Open a host: zero fields are the CLI's defaults. */
    const char *dirs[1] = {argc > 1 ? argv[1] : NULL};
    lh_host_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.plugin_dirs = dirs;
    config.plugin_dir_count = argc > 1 ? 1 : 0;
    lh_host *host = NULL;
    if (lh_host_open(&config, &host) != LH_OK) return fail("open");

    /* The listing: the JSON object of `losshost list --format json`. */
    char *listing = NULL;
    if (lh_host_losses_json(host, &listing) != LH_OK) return fail("list");
    int losses = 0;
    for (const char *p = listing; (p = strstr(p, "\"qualified_id\"")) != NULL; p++) losses++;
    printf("losses %d\n", losses);
    lh_host_free_string(listing);

    /* A misspelt parameter: the CLI's one-line message. */
    double delta = 1.5;
    lh_host_param bad = {"dleta", &delta, 1};
    lh_host_loss *loss = NULL;
    if (lh_host_loss_create(host, "huber", &bad, 1, &loss) != LH_OK) printf("error %s\n", lh_host_last_error());

    /* huber with delta = 1.5. */
    lh_host_param param = {"delta", &delta, 1};
    if (lh_host_loss_create(host, "std/huber", &param, 1, &loss) != LH_OK) return fail("create");

    /* float64: weighted mean, its gradient and Hessian, in the caller's buffers. */
    double pred[ROWS] = {0.5, 2.0, -1.0, 3.0}, target[ROWS] = {0.0, 0.0, 0.0, 1.0};
    double weight[ROWS] = {1.0, 2.0, 1.0, 0.5};
    double gradient[ROWS], hessian[ROWS];
    lh_host_batch batch = {sizeof batch, LH_HOST_F64, ROWS, 1, 1, pred, target, weight};
    lh_host_outputs out;
    memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;
    out.reduction = LH_HOST_MEAN;
    out.gradient = gradient;
    out.hessian = hessian;
    if (lh_host_loss_evaluate(loss, &batch, &out) != LH_OK) return fail("evaluate");
    printf("value %.17g\n", out.value);
    printf("gradient");
    for (int i = 0; i < ROWS; i++) printf(" %.17g", gradient[i]);
    printf("\nhessian");
    for (int i = 0; i < ROWS; i++) printf(" %.17g", hessian[i]);
    printf("\n");

    /* float32: the same rows, per-row values (reduction none), no copy. */
    float pred32[ROWS], target32[ROWS], weight32[ROWS], values32[ROWS];
    for (int i = 0; i < ROWS; i++) {
        pred32[i] = (float)pred[i];
        target32[i] = (float)target[i];
        weight32[i] = (float)weight[i];
    }
    lh_host_batch batch32 = {sizeof batch32, LH_HOST_F32, ROWS, 1, 1, pred32, target32, weight32};
    lh_host_outputs out32;
    memset(&out32, 0, sizeof out32);
    out32.struct_size = sizeof out32;
    out32.reduction = LH_HOST_NONE;
    out32.values = values32;
    if (lh_host_loss_evaluate(loss, &batch32, &out32) != LH_OK) return fail("evaluate f32");
    printf("f32 sum %.9g values", out32.sum);
    for (int i = 0; i < ROWS; i++) printf(" %.9g", values32[i]);
    printf("\n");

    /* The best constant prediction for these targets and weights. */
    double constant = 0;
    if (lh_host_loss_optimal_constant(loss, &batch, &constant) != LH_OK) return fail("optimal constant");
    printf("optimal_constant %.17g\n", constant);

    /* `losshost check std/huber --seed 7`, in a worker process. */
    char *report = NULL;
    if (lh_host_check(host, "std/huber", 7, 0, &report) != LH_OK) return fail("check");
    printf("check %s\n", strstr(report, "\"passed\": true") ? "passed" : "failed");
    lh_host_free_string(report);

    lh_host_loss_destroy(loss);
    lh_host_close(host);
    return 0;
}
