/*
 * losshost.h — the losshost loss-plugin ABI, version 1.2.
 *
 * 1.1 (append-only over 1.0): float32 batches, lh_batch_f32 / lh_outputs_f32 and
 * the optional lh_loss.evaluate_f32. A 1.0 plugin keeps loading and is served
 * float64 (the host converts).
 * 1.2 (append-only over 1.1): what pred and target mean (lh_loss.pred_domain,
 * target_domain), the inverse link to the user's scale (lh_loss.link) and the
 * curvature facts a trainer needs (lh_loss.curvature, surrogate_hessian).
 * 1.0 and 1.1 plugins keep loading; the host then knows none of these facts.
 *
 * A plugin is a shared library that exports ONE symbol, `losshost_plugin_entry`
 * (see the bottom of this file). It returns a table describing the losses the
 * library provides. Each loss has metadata (id, summary, kind, shapes,
 * parameters) and three plain C functions:
 *
 *     create   (params)                      -> instance
 *     evaluate (instance, batch, outputs)    -> values / sum / gradient / hessian
 *     destroy  (instance)
 *
 * Rules that hold for the whole ABI:
 *  - Plain C99, also valid C++. Fixed-width integers, UTF-8 strings, no varargs,
 *    no unions, no bitfields, nothing unwinds across the boundary (C++ plugins
 *    must catch every exception; Swift plugins must not trap).
 *  - Versioning: the plugin table starts with the ABI version the plugin was built
 *    against. A host refuses a plugin of another MAJOR; a plugin of a newer MINOR
 *    of the same major still loads (the host reads only the fields it knows).
 *  - Every struct starts with a size field (after the version, for the plugin
 *    table). Fields are only ever APPENDED, so a reader checks `struct_size`
 *    before it reads a field that a later minor added.
 *  - Values a host does not know (an enum value or a flag bit from a newer
 *    minor) are never a reason to refuse a plugin: each enum below says how an
 *    older host reads a value it does not know, and unknown flag bits are ignored.
 *  - Every function returns an lh_status. On failure it may write a message into
 *    the host-owned lh_error. Statuses and messages are the only error channel.
 *  - Thread rules are tagged on each function: [any thread] (concurrently, from
 *    any thread), [one thread per instance unless THREAD_SAFE], [main thread]
 *    (the thread that loaded the library).
 *  - All memory passed in is owned by the caller and valid only for the call.
 *    All memory a plugin returns from its tables (strings, arrays) is owned by
 *    the plugin and must stay valid and unchanged until the process exits:
 *    the host never calls dlclose().
 *
 * Build a C plugin with nothing but this header:
 *     cc -shared -fPIC -O2 -fvisibility=hidden -I include my_loss.c -o libmy_loss.so -lm
 */
#ifndef LOSSHOST_H
#define LOSSHOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define LOSSHOST_ABI_MAJOR 1
#define LOSSHOST_ABI_MINOR 2

/* Marks the one symbol a plugin exports. Build with -fvisibility=hidden so that
 * nothing else leaks out of the library. */
#if defined(_WIN32)
#  define LOSSHOST_EXPORT __declspec(dllexport)
#else
#  define LOSSHOST_EXPORT __attribute__((visibility("default")))
#endif

/* The name of the entry symbol, for hosts that look it up with dlsym(). */
#define LOSSHOST_ENTRY_SYMBOL "losshost_plugin_entry"

/* ----------------------------------------------------------------- status */

/* Returned by every function. 0 is success; anything else is an error and the
 * outputs of that call are unspecified (the host discards them). */
typedef int32_t lh_status;

#define LH_OK                   0
#define LH_ERR_INVALID_ARGUMENT 1 /* a parameter value the loss cannot accept   */
#define LH_ERR_SHAPE            2 /* pred/target columns that do not fit        */
#define LH_ERR_DOMAIN           3 /* an input outside the loss's domain          */
#define LH_ERR_NO_MEMORY        4 /* an allocation failed                        */
#define LH_ERR_UNSUPPORTED      5 /* asked for something the loss does not do    */
#define LH_ERR_INTERNAL         6 /* anything else                               */

/* Which input an error is about (lh_error.input). */
#define LH_INPUT_NONE   0
#define LH_INPUT_PRED   1
#define LH_INPUT_TARGET 2
#define LH_INPUT_WEIGHT 3
#define LH_INPUT_PARAM  4

/* A host-owned error record, passed to every function that can fail.
 * The host sets struct_size, message and capacity, clears message[0], and sets
 * row, column and input to -1 / -1 / LH_INPUT_NONE before each call.
 * A plugin that fails MAY write a NUL-terminated UTF-8 message of at most
 * capacity bytes (truncating, never overflowing) and MAY set row/column/input
 * to point at the offending cell (0-based, relative to the batch it was given).
 * Never NULL. Thread rule: each call gets its own record. */
typedef struct lh_error {
    uint32_t struct_size; /* sizeof(lh_error) as known by the host            */
    uint32_t capacity;    /* bytes available at message, including the NUL    */
    char    *message;     /* host-owned buffer                                */
    int64_t  row;         /* 0-based row in the batch, or -1                  */
    int32_t  column;      /* 0-based column, or -1                            */
    int32_t  input;       /* LH_INPUT_*                                       */
} lh_error;

/* ------------------------------------------------------------- parameters */

#define LH_PARAM_REAL    0 /* any double in [min, max]                          */
#define LH_PARAM_INTEGER 1 /* a whole number in [min, max], passed as a double  */
#define LH_PARAM_BOOLEAN 2 /* 0 or 1, passed as a double; min 0, max 1           */
#define LH_PARAM_LIST    3 /* a list of doubles, each in [min, max]; optional   */

/* lh_param_info.flags */
#define LH_PARAM_MIN_EXCLUSIVE (1u << 0) /* the bound itself is not allowed     */
#define LH_PARAM_MAX_EXCLUSIVE (1u << 1)

/* Describes one parameter of a loss. Static data owned by the plugin.
 * Contract (the host validates it and refuses the plugin otherwise):
 * name matches [a-z][a-z0-9_]*, at most 63 bytes, unique within its loss;
 * min_value <= default_value <= max_value, all finite (exclusive bounds exclude
 * the bound itself, and the default must still be inside). For LH_PARAM_LIST the
 * default is "not given" (an empty list) and the bounds apply to every item. */
typedef struct lh_param_info {
    uint32_t    struct_size;   /* sizeof(lh_param_info)                          */
    int32_t     type;          /* LH_PARAM_*                                     */
    const char *name;          /* e.g. "delta"                                   */
    const char *doc;           /* one line for people, e.g. "switch point, > 0"  */
    double      default_value;
    double      min_value;
    double      max_value;
    uint32_t    flags;         /* LH_PARAM_MIN_EXCLUSIVE | LH_PARAM_MAX_EXCLUSIVE */
    uint32_t    reserved;      /* 0; named so that an appended field changes struct_size */
} lh_param_info;

/* The value of one parameter, as passed to create(). The host passes one value
 * per declared parameter, in declaration order, defaults filled in, already
 * checked against the declared type and range. For a list, `list` points at
 * `list_length` doubles (list_length 0: not given); for the others `scalar`.
 * The array's stride is values[0].struct_size (sizeof(lh_param_value) as the
 * host was compiled), so a plugin still finds element i after a later minor
 * appends a field. */
typedef struct lh_param_value {
    uint32_t      struct_size; /* sizeof(lh_param_value)                       */
    uint32_t      reserved;    /* 0                                            */
    double        scalar;
    const double *list;
    uint64_t      list_length;
} lh_param_value;

/* ------------------------------------------------------------ batches, I/O */

/* One batch of rows. All pointers are owned by the host, read-only for the
 * plugin, and valid for the duration of the evaluate() call only.
 * rows may be 0. pred is rows x pred_columns, target rows x target_columns, both
 * row-major float64. weight is NULL (every weight is 1) or `rows` non-negative
 * per-row weights. The host guarantees the column counts fit the loss's
 * declared layout (lh_loss.pred_columns / target_layout) and that all inputs are
 * finite unless the user asked otherwise. */
typedef struct lh_batch {
    uint32_t      struct_size;    /* sizeof(lh_batch)                         */
    uint32_t      pred_columns;   /* D (or C for multiclass losses), >= 1     */
    uint32_t      target_columns; /* >= 1                                     */
    uint32_t      reserved;       /* 0                                        */
    uint64_t      rows;           /* N, may be 0                              */
    const double *pred;
    const double *target;
    const double *weight;         /* NULL or N weights                        */
} lh_batch;

/* What evaluate() should compute. Every pointer may be NULL: NULL means "not
 * wanted", and a plugin should skip that work. Buffers are host-owned; the
 * plugin writes exactly the elements described, never more, never reads them.
 *
 *  values     element-wise losses: rows*pred_columns values; row losses: rows
 *             values. Each already multiplied by its row's weight.
 *  sum        one double: the weighted sum of all values of this batch.
 *  normalizer one double: what `mean` divides the sum by, for this batch
 *             (element-wise: pred_columns * sum of weights; row losses: the sum
 *             of weights, unless the loss documents otherwise).
 *  gradient   rows*pred_columns: d(sum)/d(pred), i.e. the gradient of the
 *             weighted SUM. The host scales it for `mean`.
 *  hessian    rows*pred_columns: the diagonal of the Hessian of the weighted sum.
 *
 * Partial results must compose: evaluating rows [0,k) and [k,N) separately and
 * adding their sums and normalizers gives the result for [0,N), and the
 * per-row outputs are the same. This lets the host split a batch across threads.
 */
typedef struct lh_outputs {
    uint32_t struct_size; /* sizeof(lh_outputs)                                */
    uint32_t reserved;    /* 0                                                 */
    double  *values;
    double  *sum;
    double  *normalizer;
    double  *gradient;
    double  *hessian;
} lh_outputs;

/* ABI 1.1: the same batch in float32. Identical contract to lh_batch, with
 * pred, target and weight as row-major float. */
typedef struct lh_batch_f32 {
    uint32_t      struct_size;    /* sizeof(lh_batch_f32)                     */
    uint32_t      pred_columns;
    uint32_t      target_columns;
    uint32_t      reserved;       /* 0                                        */
    uint64_t      rows;
    const float  *pred;
    const float  *target;
    const float  *weight;         /* NULL or N weights                        */
} lh_batch_f32;

/* ABI 1.1: outputs of a float32 evaluation. Identical contract to lh_outputs:
 * per-element outputs (values, gradient, hessian) are float; sum and normalizer
 * stay double, and a plugin accumulates them in double. */
typedef struct lh_outputs_f32 {
    uint32_t struct_size; /* sizeof(lh_outputs_f32)                            */
    uint32_t reserved;    /* 0                                                 */
    float   *values;
    double  *sum;
    double  *normalizer;
    float   *gradient;
    float   *hessian;
} lh_outputs_f32;

/* ------------------------------------------------------------------ losses */

/* lh_loss.kind: what sort of problem the loss is for. A host reads a value it
 * does not know as LH_KIND_OTHER. */
#define LH_KIND_REGRESSION    0
#define LH_KIND_BINARY        1
#define LH_KIND_MULTICLASS    2
#define LH_KIND_PROBABILISTIC 3
#define LH_KIND_OTHER         4

/* lh_loss.reduce: one value per element of pred, or one per row. These values
 * change how the host calls the loss, so no 1.x minor adds any. */
#define LH_ELEMENTWISE 0
#define LH_ROWWISE     1

/* lh_loss.target_layout: the shape of target relative to pred (N x D). As with
 * reduce, no 1.x minor adds a value. */
#define LH_TARGET_SAME_SHAPE          0 /* N x D                                 */
#define LH_TARGET_ONE_COLUMN          1 /* N x 1 real numbers                    */
#define LH_TARGET_CLASS_INDEX         2 /* N x 1 whole numbers in [0, D)         */
#define LH_TARGET_INDEX_OR_SAME_SHAPE 3 /* N x 1 class indices, or N x D         */

/* lh_loss.hessian. A host reads a value it does not know as LH_HESSIAN_NONE. */
#define LH_HESSIAN_EXACT  0 /* the exact diagonal (0 where piecewise linear)     */
#define LH_HESSIAN_APPROX 1 /* a documented approximation, e.g. Gauss-Newton    */
#define LH_HESSIAN_NONE   2 /* not provided: evaluate() fails with
                               LH_ERR_UNSUPPORTED when outputs->hessian != NULL */

/* lh_loss.flags */
#define LH_LOSS_THREAD_SAFE   (1u << 0) /* distinct batches may be evaluated on
                                           ONE instance from several threads at
                                           once. Without it the host serialises
                                           calls per instance.                 */
#define LH_LOSS_DETERMINISTIC (1u << 1) /* the same inputs give bitwise equal
                                           outputs every time                  */

/* ABI 1.2. lh_loss.pred_domain, pred_domain_rest and target_domain: what the
 * values of an input mean, so that a host can generate valid inputs, map a model's
 * output to the loss, and pick an initial prediction. They describe the loss at
 * its default parameters. A host reads a value it does not know as
 * LH_DOMAIN_REAL. */
#define LH_DOMAIN_UNSPECIFIED      0  /* not declared (a 1.0/1.1 plugin)        */
#define LH_DOMAIN_REAL             1  /* any real number                        */
#define LH_DOMAIN_NONNEGATIVE      2  /* >= 0, e.g. a count                     */
#define LH_DOMAIN_POSITIVE         3  /* > 0, e.g. a rate or a variance         */
#define LH_DOMAIN_PROBABILITY      4  /* in [0, 1] (as a target: soft labels)   */
#define LH_DOMAIN_LOGIT            5  /* log-odds, any real number              */
#define LH_DOMAIN_LOG_RATE         6  /* log of a positive mean, any real       */
#define LH_DOMAIN_LABEL_01         7  /* 0 or 1                                 */
#define LH_DOMAIN_LABEL_PM1        8  /* -1 or +1 (hosts also send 0/1 where the
                                         loss accepts both: see target_doc)      */
#define LH_DOMAIN_CLASS_INDEX      9  /* a whole number in [0, pred_columns)    */
#define LH_DOMAIN_DISTRIBUTION    10  /* a row of probabilities summing to 1    */
#define LH_DOMAIN_LOG_PROBABILITY 11  /* a row of log-probabilities             */

/* ABI 1.2. lh_loss.link: the inverse link that turns a prediction (pred) into the
 * user's scale: a probability, a class distribution, a mean. A host reads a
 * value it does not know as LH_LINK_IDENTITY. */
#define LH_LINK_IDENTITY 0 /* pred is already on the user's scale        */
#define LH_LINK_SIGMOID  1 /* 1 / (1 + exp(-pred)), per element          */
#define LH_LINK_SOFTMAX  2 /* softmax over each row's pred columns       */
#define LH_LINK_EXP      3 /* exp(pred), per element                     */

/* ABI 1.2. lh_loss.curvature: facts about the Hessian a trainer needs. */
#define LH_CURVATURE_CONVEX           (1u << 0) /* the loss is convex in each pred
                                                   element (so an exact Hessian is
                                                   >= 0 everywhere)             */
#define LH_CURVATURE_CONSTANT         (1u << 1) /* the Hessian does not depend on
                                                   pred or target (e.g. mse: 2)  */
#define LH_CURVATURE_PIECEWISE_LINEAR (1u << 2) /* the Hessian is zero almost
                                                   everywhere (mae, quantile,
                                                   hinge): a Newton step needs a
                                                   surrogate                    */

/* An opaque instance: a loss with its parameters bound. */
typedef struct lh_instance lh_instance;

/* One loss. Static data owned by the plugin, valid until the process exits. */
typedef struct lh_loss {
    uint32_t    struct_size;   /* sizeof(lh_loss)                               */
    uint32_t    flags;         /* LH_LOSS_*                                     */
    const char *id;            /* [a-z][a-z0-9_]*, <= 63 bytes, unique in plugin */
    const char *summary;       /* one line for people                            */
    const char *pred_doc;      /* what pred holds, e.g. "logits, N x C"          */
    const char *target_doc;    /* what target holds, e.g. "class index 0..C-1"   */
    int32_t     kind;          /* LH_KIND_*                                      */
    int32_t     reduce;        /* LH_ELEMENTWISE or LH_ROWWISE                   */
    uint32_t    pred_columns;  /* required D, or 0 for any D >= 1                */
    int32_t     target_layout; /* LH_TARGET_*                                    */
    int32_t     hessian;       /* LH_HESSIAN_*                                   */
    uint32_t    param_count;
    const lh_param_info *params; /* param_count entries, stride sizeof(lh_param_info)
                                    as the plugin was compiled; NULL if none     */

    /* Creates an instance bound to `values` (param_count entries, see
     * lh_param_value). Stores it in *out_instance on success.
     * Fails with LH_ERR_INVALID_ARGUMENT (and input = LH_INPUT_PARAM, column =
     * the parameter's index) for a combination of values it cannot accept.
     * [any thread] */
    lh_status (*create)(const struct lh_loss *loss,
                        const lh_param_value *values, uint32_t value_count,
                        lh_instance **out_instance, lh_error *error);

    /* Evaluates one batch; see lh_batch and lh_outputs.
     * Fails with LH_ERR_SHAPE for column counts it cannot use (e.g. a list
     * parameter whose length is not pred_columns), LH_ERR_DOMAIN for an input
     * outside the loss's domain (a probability outside [0,1], a class index that
     * is not a whole number in range), naming the cell in the error record.
     * Must not keep any pointer it got.
     * [one thread per instance unless THREAD_SAFE] */
    lh_status (*evaluate)(lh_instance *instance, const lh_batch *batch,
                          const lh_outputs *outputs, lh_error *error);

    /* Frees an instance. Never fails; NULL is a no-op. Called once per
     * instance, after every evaluate() on it has returned. [any thread] */
    void (*destroy)(lh_instance *instance);

    /* ---- ABI 1.1. A host reads the fields below only when struct_size says
     * they are there (struct_size >= offsetof(lh_loss, evaluate_f32) +
     * sizeof(void *)); a 1.0 plugin's table simply ends above. */

    /* Evaluates one float32 batch: the same contract as evaluate() (outputs,
     * statuses, thread rule, composition), over float inputs and outputs, with
     * sum and normalizer accumulated in double. NULL: the loss is float64 only,
     * and the host converts float32 inputs to float64 and the outputs back.
     * [one thread per instance unless THREAD_SAFE] */
    lh_status (*evaluate_f32)(lh_instance *instance, const lh_batch_f32 *batch,
                              const lh_outputs_f32 *outputs, lh_error *error);

    /* ---- ABI 1.2. Read only when struct_size >= offsetof(lh_loss,
     * surrogate_hessian) + sizeof(double); older plugins declare none of it. */
    int32_t  pred_domain;       /* LH_DOMAIN_* of pred (its first column when
                                   pred_domain_rest is set)                    */
    int32_t  pred_domain_rest;  /* LH_DOMAIN_* of pred columns after the first,
                                   e.g. a variance; LH_DOMAIN_UNSPECIFIED: the
                                   same as pred_domain                         */
    int32_t  target_domain;     /* LH_DOMAIN_*                                 */
    int32_t  link;              /* LH_LINK_*                                   */
    uint32_t curvature;         /* LH_CURVATURE_*                              */
    uint32_t reserved;          /* 0                                           */
    double   surrogate_hessian; /* for LH_CURVATURE_PIECEWISE_LINEAR losses: a
                                   curvature per element and unit weight that
                                   a Newton-type trainer may use instead of the
                                   zero Hessian (as XGBoost uses 1 for L1 and
                                   quantile), finite and > 0; 0: none declared */
} lh_loss;

/* ----------------------------------------------------------------- plugins */

/* The table a plugin returns from its entry point. Static data owned by the
 * plugin, valid until the process exits. The version comes FIRST so any host
 * can read it whatever else changes. */
typedef struct lh_plugin {
    uint32_t    abi_major;   /* LOSSHOST_ABI_MAJOR the plugin was built with    */
    uint32_t    abi_minor;   /* LOSSHOST_ABI_MINOR the plugin was built with    */
    uint32_t    struct_size; /* sizeof(lh_plugin)                               */
    uint32_t    loss_count;
    const char *id;          /* [a-z][a-z0-9_]*, <= 63 bytes: the plugin's id,
                                the prefix in "plugin/loss"                     */
    const char *version;     /* the plugin's own version, e.g. "1.2.0"          */
    const char *summary;     /* one line for people                             */
    const lh_loss *const *losses; /* loss_count pointers                        */
} lh_plugin;

/* The entry point type. The host calls it once, [main thread] (the thread that
 * loaded the library), passing the highest ABI version it speaks. The plugin returns its
 * table (whose abi_major must equal host_abi_major for the host to use it), or
 * NULL if it cannot serve this host. It must not fail in any other way. */
typedef const lh_plugin *(*lh_entry_fn)(uint32_t host_abi_major,
                                         uint32_t host_abi_minor);

/* Every plugin defines exactly this, e.g.
 *     LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t maj, uint32_t min)
 *     { (void)maj; (void)min; return &my_plugin; }
 */
#if !defined(__swift__) /* Swift plugins define it with @_cdecl instead */
LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major,
                                                       uint32_t host_abi_minor);
#endif

#ifdef __cplusplus
}
#endif

#endif /* LOSSHOST_H */
