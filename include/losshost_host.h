/*
 * losshost_host.h — the losshost C host API, version 1.3.
 *
 * The host as a library: a C, C++, Python or R program opens a host (the same
 * plugin folders, folder rules, scan cache and validation as the `losshost`
 * command), lists and resolves losses, binds parameters by name and evaluates
 * float32 or float64 caller buffers on the host's threads. It is the only way
 * the Python package reaches plugins.
 *
 * Link with -llosshost-host (built by `swift build`, next to the `losshost`
 * executable in .build/debug or .build/release).
 *
 * Rules for the whole API:
 *  - Versioning as in losshost.h: lh_host_api_version() returns
 *    (major << 16) | minor; a program built against another major must not
 *    call anything else. Structs start with struct_size and only grow at the end.
 *  - Every function that can fail returns an lh_status (losshost.h) and, on
 *    failure, leaves a one-line message for lh_host_last_error() on the calling
 *    thread, and for the failures a caller can act on a kind
 *    (lh_host_last_error_kind, 1.1). Nothing else reports errors; nothing
 *    aborts the caller's process.
 *  - Strings are UTF-8. A `char **out_json` result is allocated by the host and
 *    freed by the caller with lh_host_free_string().
 *  - Thread rules are tagged on each function: [any thread] means it may be
 *    called from several threads at once.
 */
#ifndef LOSSHOST_HOST_H
#define LOSSHOST_HOST_H

#include "losshost.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LOSSHOST_HOST_API_MAJOR 1
#define LOSSHOST_HOST_API_MINOR 3

/* An open host: its configuration, its registry of losses. */
typedef struct lh_host lh_host;

/* A loss resolved by id with its parameters bound, ready to evaluate. */
typedef struct lh_host_loss lh_host_loss;

/* lh_host_config.flags */
#define LH_HOST_ALLOW_UNSAFE_PLUGINS (1u << 0) /* load plugins the folder rules refuse   */
#define LH_HOST_ONLY_PLUGIN_DIRS     (1u << 1) /* search only plugin_dirs (and the
                                                  built-ins): no LOSSHOST_PLUGIN_PATH,
                                                  no user folder, no bundled plugins   */
#define LH_HOST_ALLOW_NONFINITE      (1u << 2) /* evaluate NaN and infinite inputs instead
                                                  of refusing them (--allow-nonfinite)  */

/* How to open a host. Zero-initialise, set struct_size, then what you need:
 * every zero field means "the default", the same default as the CLI's. */
typedef struct lh_host_config {
    uint32_t           struct_size;       /* sizeof(lh_host_config)                  */
    uint32_t           flags;             /* LH_HOST_*                               */
    const char *const *plugin_dirs;       /* searched first, in order, like --plugin-dir */
    uint32_t           plugin_dir_count;
    uint32_t           threads;           /* evaluation threads; 0: every core       */
    const char        *worker_executable; /* the `losshost-worker` binary that runs
                                             scans and checks; NULL: the one next
                                             to this library                         */
    const char        *cache_dir;         /* NULL: $XDG_CACHE_HOME/losshost          */
    double             scan_timeout;      /* seconds per plugin scan; 0: 10          */
    double             call_timeout;      /* seconds per plugin call in check
                                             (check --timeout); 0: 10                */
    double             eval_timeout;      /* seconds an isolated evaluation may take
                                             (eval --timeout); 0: 600. The C API
                                             evaluates in the caller's process, so
                                             nothing uses it yet: checked and kept  */
} lh_host_config;

/* One parameter given by name: `count` doubles at `values` (1 for a scalar,
 * boolean or integer parameter; any number for a list parameter). */
typedef struct lh_host_param {
    const char   *name;
    const double *values;
    uint64_t      count;
} lh_host_param;

/* lh_host_batch.dtype */
#define LH_HOST_F64 0
#define LH_HOST_F32 1

/* lh_host_outputs.reduction */
#define LH_HOST_MEAN 0
#define LH_HOST_SUM  1
#define LH_HOST_NONE 2

/* Inputs of one evaluation, owned by the caller, row-major, all of `dtype`. */
typedef struct lh_host_batch {
    uint32_t    struct_size;    /* sizeof(lh_host_batch)                      */
    int32_t     dtype;          /* LH_HOST_F64 or LH_HOST_F32                 */
    uint64_t    rows;
    uint32_t    pred_columns;
    uint32_t    target_columns;
    const void *pred;           /* rows x pred_columns                        */
    const void *target;         /* rows x target_columns                      */
    const void *weight;         /* NULL or rows weights                       */
} lh_host_batch;

/* lh_host_outputs.flags (1.2) */
#define LH_HOST_OUTPUT_NO_SUM (1u << 0) /* derivatives only: the plugin gets a NULL sum
                                          (and a NULL normalizer unless LH_HOST_MEAN
                                          scales gradient or Hessian); value and sum
                                          come back NaN                              */
#define LH_HOST_OUTPUT_FACTS  (1u << 1) /* fill the *_first fields below, found in the
                                          evaluation's own pass (no pass of the caller's) */

/* What to compute, and where. Buffers are caller-owned, of the batch's dtype,
 * NULL when not wanted. The host writes value, sum and normalizer.
 * The fields from `flags` on are 1.2: a caller whose struct_size ends before
 * them (a 1.1 program) gets the 1.1 behaviour, and they are neither read nor written. */
typedef struct lh_host_outputs {
    uint32_t struct_size;  /* sizeof(lh_host_outputs)                         */
    int32_t  reduction;    /* LH_HOST_MEAN, LH_HOST_SUM or LH_HOST_NONE       */
    void    *values;       /* element-wise: rows x pred_columns; row losses: rows */
    void    *gradient;     /* rows x pred_columns, of the reduced value       */
    void    *hessian;      /* rows x pred_columns, diagonal, of the reduced value */
    double   value;        /* out: the mean or the sum (sum for NONE)         */
    double   sum;          /* out: the weighted sum                           */
    double   normalizer;   /* out: what mean divides by                       */
    uint32_t flags;        /* 1.2, in: LH_HOST_OUTPUT_*                       */
    uint32_t reserved;     /* 1.2: 0                                          */
    /* 1.2, out with LH_HOST_OUTPUT_FACTS: row-major element indices, -1 for none. */
    int64_t  gradient_nonfinite_first; /* the first NaN or infinite gradient  */
    int64_t  hessian_negative_first;   /* the first negative or NaN Hessian   */
    int64_t  hessian_zero_first;       /* the first Hessian that is 0         */
} lh_host_outputs;

/* lh_host_last_error_kind(): what kind of failure the last error was, for the
 * failures a caller can act on. lh_host_last_error() ends with this API's fix
 * in parentheses; lh_host_last_error_message() is the message without it, for
 * bindings that name their own fix (Python: Host(allow_nonfinite=True)). */
#define LH_HOST_ERROR_OTHER            0 /* see the status                          */
#define LH_HOST_ERROR_NONFINITE_INPUT  1 /* a NaN or infinite pred/target value;
                                            fix: LH_HOST_ALLOW_NONFINITE            */
#define LH_HOST_ERROR_UNDEFINED_MEAN   2 /* LH_HOST_MEAN over a normalizer of 0 (no
                                            rows, all weights 0); fix: LH_HOST_SUM  */
#define LH_HOST_ERROR_UNWRITTEN_OUTPUT 3 /* the plugin returned LH_OK but left an
                                            output element unwritten (its fault)    */
#define LH_HOST_ERROR_UNKNOWN_LOSS     4 /* 1.3: an id that names no loss (for
                                            lh_host_check: no plugin either); fix:
                                            lh_host_losses_json lists the losses    */

/* lh_host_check flags */
#define LH_HOST_CHECK_CACHED (1u << 0) /* reuse a verdict cached for this file's
                                          fingerprint (path, size, mtime, hash)  */

/* ------------------------------------------------------------- functions
 * Hidden from Swift, which defines them with @_cdecl in the host library and
 * needs only the types above. */
#if !defined(__swift__)

/* (LOSSHOST_HOST_API_MAJOR << 16) | LOSSHOST_HOST_API_MINOR of the library.
 * [any thread] */
uint32_t lh_host_api_version(void);

/* The message of the last failed call on this thread ("" if none), ending with
 * this API's fix for the failures that have one (see lh_host_last_error_kind).
 * Valid until the next call of this API on the same thread. [any thread] */
const char *lh_host_last_error(void);

/* Frees a string this API returned. NULL is a no-op. [any thread] */
void lh_host_free_string(char *text);

/* Opens a host: discovers plugins (scanning new files in workers, as `list`
 * does). A bad folder is reported in the listing, not as a failure. A NULL
 * config is every default. [any thread] */
lh_status lh_host_open(const lh_host_config *config, lh_host **out_host);

/* Closes a host. Its losses must be destroyed first. Plugins stay loaded (they
 * are never unloaded). NULL is a no-op. [any thread] */
void lh_host_close(lh_host *host);

/* Every loss, the plugin files that failed and the folders searched, as the
 * JSON object of `losshost list --format json`:
 *   {"losses": [INFO...], "failures": [{"path","reason"}...], "searched": [...]}
 * where INFO is the object of `losshost info ID --format json`. [any thread] */
lh_status lh_host_losses_json(lh_host *host, char **out_json);

/* Resolves `id` (plugin/loss, or a bare loss id that only one plugin has),
 * binds the given parameters (the others take their defaults) and creates an
 * instance. Unknown ids, unknown or out-of-range parameters fail with the
 * CLI's one-line message. [any thread] */
lh_status lh_host_loss_create(lh_host *host, const char *id,
                              const lh_host_param *params, uint32_t param_count,
                              lh_host_loss **out_loss);

/* Destroys an instance. NULL is a no-op. [any thread, once] */
void lh_host_loss_destroy(lh_host_loss *loss);

/* The loss's INFO object (see lh_host_losses_json) plus "params_used": every
 * parameter's bound value, defaults filled in. [any thread] */
lh_status lh_host_loss_info_json(lh_host_loss *loss, char **out_json);

/* Evaluates on the host's threads, exactly as `losshost eval` does (one engine
 * function runs both: shape and weight checks, chunking, reductions), in the
 * caller's buffers without a copy. NaN/inf inputs are refused unless
 * LH_HOST_ALLOW_NONFINITE; LH_HOST_MEAN over a normalizer of 0 (all weights 0)
 * fails; an output element a plugin other than the built-in one leaves
 * unwritten fails, naming plugin, loss and output. On failure the outputs are
 * unspecified. Calls on one loss that is not THREAD_SAFE are serialised. The
 * calling thread blocks; release any interpreter lock before calling.
 * [any thread] */
lh_status lh_host_loss_evaluate(lh_host_loss *loss, const lh_host_batch *batch,
                                lh_host_outputs *outputs);

/* The constant prediction c (pred_columns values, margin space) that minimises
 * the weighted loss of predicting c on every row, for these targets; computed
 * from the loss's own value and gradient (docs/HOST_API.md says how). `batch.pred`
 * is ignored (may be NULL); `batch.pred_columns` gives the number of classes for
 * multiclass losses. LH_HOST_F64, or LH_HOST_F32 (widened). [any thread] */
lh_status lh_host_loss_optimal_constant(lh_host_loss *loss, const lh_host_batch *batch,
                                        double *out_constant);

/* Runs `losshost check TARGET` in a worker process (a loss id, a plugin id or
 * a plugin file) and returns its JSON report, the object of
 * `losshost check TARGET --format json`, with "fingerprint" and "cached".
 * LH_OK means the check ran, whatever its verdict ("failed" counts). [any thread] */
lh_status lh_host_check(lh_host *host, const char *target, uint64_t seed, uint32_t flags,
                        char **out_json);

/* 1.1: the LH_HOST_ERROR_* kind of this thread's last error (LH_HOST_ERROR_OTHER
 * when it has none, or no call failed). [any thread] */
int32_t lh_host_last_error_kind(void);

/* 1.1: this thread's last error message without the C API's fix, "" if none.
 * Valid until the next call of this API on the same thread. [any thread] */
const char *lh_host_last_error_message(void);

/* lh_host_check at one parameter point: `params` (named as in
 * lh_host_loss_create), the other parameters at their defaults, and not the
 * ends of the ranges or random values: the report of `losshost check TARGET
 * --param NAME=VALUE... --no-sweep --format json`. Cached (LH_HOST_CHECK_CACHED)
 * per point. The verdict to train with at those parameters. (1.1) [any thread] */
lh_status lh_host_check_params(lh_host *host, const char *target, const lh_host_param *params,
                               uint32_t param_count, uint64_t seed, uint32_t flags, char **out_json);

#endif /* !__swift__ */

#ifdef __cplusplus
}
#endif

#endif /* LOSSHOST_HOST_H */
