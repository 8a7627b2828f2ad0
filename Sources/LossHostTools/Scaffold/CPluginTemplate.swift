import Foundation

/// The C project of `losshost new --lang c`: `NAME.c` with one example loss, a
/// `Makefile` that builds `libNAME.so` against losshost.h, and a README.
struct CPluginTemplate {
    let scaffold: PluginScaffold

    var name: String { scaffold.name }

    var files: [(path: String, text: String)] {
        [("\(name).c", source), ("Makefile", makefile), ("README.md", readme), (".gitignore", "*.so\n*.o\n")]
    }

    var source: String {
        #"""
        /* \#(name).c: the losshost plugin '\#(name)', made by `losshost new`.
         *
         * One example loss, \#(name)/logcosh: log(cosh(s * r)) / s^2 with r = pred - target.
         * Near r = 0 it is r^2 / 2, like mse; beyond |r| of about 1/s it grows like |r| / s,
         * like mae. So the parameter `scale` (s) says where an error starts to count as an
         * outlier. Replace it with your own loss: the math is in logcosh_evaluate, the
         * declaration in the tables at the end.
         *
         * Build: make          (lib\#(name).so against losshost.h; see Makefile)
         * Check: make check    (losshost check: gradients, Hessians, memory, threads, ...) */
        #include <math.h>
        #include <stdio.h>
        #include <stdlib.h>

        #include "losshost.h"

        /* An instance holds the bound parameters; it is never written after create,
         * so one instance may be evaluated from several threads at once. */
        struct lh_instance {
            double scale;
        };

        static lh_status logcosh_create(const lh_loss *loss, const lh_param_value *values, uint32_t count,
                                        lh_instance **out, lh_error *error)
        {
            lh_instance *instance;
            double scale;
            (void)loss;
            if (count != 1 || values == NULL) {
                snprintf(error->message, error->capacity, "logcosh: expected 1 parameter value, got %u", (unsigned)count);
                error->input = LH_INPUT_PARAM;
                return LH_ERR_INVALID_ARGUMENT;
            }
            scale = values[0].scalar; /* the first value: no stride needed (see docs/ABI.md, section 5) */
            if (!(scale >= 0.01 && scale <= 100)) {
                snprintf(error->message, error->capacity, "logcosh: scale = %g is outside [0.01, 100]", scale);
                error->input = LH_INPUT_PARAM;
                error->column = 0;
                return LH_ERR_INVALID_ARGUMENT;
            }
            instance = (lh_instance *)malloc(sizeof *instance);
            if (instance == NULL) {
                snprintf(error->message, error->capacity, "logcosh: out of memory");
                return LH_ERR_NO_MEMORY;
            }
            instance->scale = scale;
            *out = instance;
            return LH_OK;
        }

        static void logcosh_destroy(lh_instance *instance) { free(instance); }

        /* Vector math. With `#pragma omp simd` and the Makefile's flags (-fopenmp-simd
         * -fno-math-errno -fno-trapping-math, linked with -lmvec), GCC evaluates the loop
         * of logcosh_block 2, 4 or 8 elements at a time through glibc's libmvec instead of
         * one scalar call at a time; target_clones compiles that loop for AVX-512, AVX2 and
         * the x86-64 baseline, picked when the plugin loads. Declare every math function
         * the loop calls here (glibc has vector exp, log, log1p, expm1, pow, sin, cos,
         * tanh, sinh, ...). Other compilers and CPUs get the same code as a plain loop.
         * See docs/ABI.md, "Vector math in a C plugin". */
        #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
        #pragma omp declare simd notinbranch
        double exp(double);
        #pragma omp declare simd notinbranch
        double log1p(double);
        #pragma omp declare simd notinbranch
        double sinh(double);
        #pragma omp declare simd notinbranch
        double tanh(double);
        #define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
        #else
        #define VECTOR_CLONES
        #endif

        /* log(cosh(x)), accurate near 0 and without overflow for large |x|; both forms are
         * computed and one is picked, so the loop has no branch to stop vectorisation. */
        static inline double log_cosh(double x)
        {
            double a = fabs(x), h = sinh((a < 20 ? a : 20) / 2);
            double near0 = log1p(2 * h * h);                                  /* cosh(a) = 1 + 2 sinh(a/2)^2 */
            double far = a + log1p(exp(-2 * a)) - 0.69314718055994530942;     /* log(2) */
            return a < 20 ? near0 : far;
        }

        /* The unweighted value, gradient and Hessian of a whole block of x = s (pred - target).
         * The loop always runs BLOCK elements, so every element goes through the same vector
         * code wherever it sits in a batch: results do not depend on how the host splits it. */
        #define BLOCK 256
        VECTOR_CLONES
        static void logcosh_block(double s, const double *x, double *value, double *gradient, double *hessian)
        {
            int i;
        #pragma omp simd
            for (i = 0; i < BLOCK; i++) {
                double t = tanh(x[i]);
                value[i] = log_cosh(x[i]) / (s * s);
                gradient[i] = t / s;
                hessian[i] = 1 - t * t;
            }
        }

        /* Value, gradient and Hessian diagonal of every element, each times the row's
         * weight; NULL outputs are skipped. Every real number is in the domain. */
        static lh_status logcosh_evaluate(lh_instance *instance, const lh_batch *b, const lh_outputs *o, lh_error *error)
        {
            const double s = instance->scale;
            double x[BLOCK], value[BLOCK], gradient[BLOCK], hessian[BLOCK];
            uint64_t d = b->pred_columns, n = b->rows * d, start, i;
            double sum = 0, weights = 0;
            (void)error;
            for (start = 0; start < n; start += BLOCK) {
                uint64_t m = n - start < BLOCK ? n - start : BLOCK;
                for (i = 0; i < BLOCK; i++)
                    x[i] = i < m ? s * (b->pred[start + i] - b->target[start + i]) : 0;
                logcosh_block(s, x, value, gradient, hessian);
                for (i = 0; i < m; i++) {
                    double w = b->weight ? b->weight[(start + i) / d] : 1;
                    sum += w * value[i];
                    if (o->values) o->values[start + i] = w * value[i];
                    if (o->gradient) o->gradient[start + i] = w * gradient[i];
                    if (o->hessian) o->hessian[start + i] = w * hessian[i];
                }
            }
            for (i = 0; i < b->rows; i++)
                weights += b->weight ? b->weight[i] : 1;
            if (o->sum) *o->sum = sum;
            if (o->normalizer) *o->normalizer = (double)d * weights;
            return LH_OK;
        }

        static const lh_param_info logcosh_params[] = {
            { .struct_size = sizeof(lh_param_info), .type = LH_PARAM_REAL, .name = "scale",
              .doc = "s: errors beyond about 1/s cost linearly", .default_value = 1,
              .min_value = 0.01, .max_value = 100, .flags = 0 },
        };

        static const lh_loss logcosh = {
            .struct_size = sizeof(lh_loss), .flags = LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC,
            .id = "logcosh", .summary = "log(cosh(s * (pred - target))) / s^2: squared near 0, absolute far away",
            .pred_doc = "predicted value, N x D", .target_doc = "observed value, N x D",
            .kind = LH_KIND_REGRESSION, .reduce = LH_ELEMENTWISE, .pred_columns = 0,
            .target_layout = LH_TARGET_SAME_SHAPE, .hessian = LH_HESSIAN_EXACT,
            .param_count = 1, .params = logcosh_params,
            .create = logcosh_create, .evaluate = logcosh_evaluate, .destroy = logcosh_destroy,
            /* ABI 1.2: what pred and target mean, and what a trainer may assume of the
             * Hessian (1 - tanh^2 >= 0: convex). */
            .pred_domain = LH_DOMAIN_REAL, .target_domain = LH_DOMAIN_REAL, .link = LH_LINK_IDENTITY,
            .curvature = LH_CURVATURE_CONVEX,
        };

        static const lh_loss *const losses[] = { &logcosh };

        static const lh_plugin plugin = {
            .abi_major = LOSSHOST_ABI_MAJOR, .abi_minor = LOSSHOST_ABI_MINOR,
            .struct_size = sizeof(lh_plugin), .loss_count = 1, .id = "\#(name)", .version = "0.1.0",
            .summary = "\#(name): one example loss (logcosh)", .losses = losses,
        };

        /* The one exported symbol. */
        LOSSHOST_EXPORT const lh_plugin *losshost_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor)
        {
            (void)host_abi_minor;
            return host_abi_major == LOSSHOST_ABI_MAJOR ? &plugin : NULL;
        }

        """#
    }

    var makefile: String {
        #"""
        # Builds lib\#(name).so, the losshost plugin '\#(name)', against losshost.h.
        #   make                                  build
        #   make check                            run losshost check on it
        # losshost.h comes from the installed losshost Python package (losshost.include_dir());
        #   make LOSSHOST_INCLUDE=DIR             takes it from DIR (a losshost checkout's include/)
        #   make check LOSSHOST=PATH              runs another losshost than the one on PATH
        PYTHON ?= python3
        LOSSHOST_INCLUDE ?= $(shell $(PYTHON) -c 'import losshost; print(losshost.include_dir())' 2>/dev/null)
        LOSSHOST ?= losshost
        CC ?= cc
        # -fopenmp-simd, -fno-math-errno and -fno-trapping-math let `#pragma omp simd` loops
        # call glibc's vector math (libmvec, -lmvec); see the comment above logcosh_block.
        CFLAGS ?= -O3 -fopenmp-simd -fno-math-errno -fno-trapping-math
        LDLIBS ?= -lmvec -lm
        WARNINGS = -std=c99 -Wall -Wextra -pedantic

        lib\#(name).so: \#(name).c
        	@test -f "$(LOSSHOST_INCLUDE)/losshost.h" || { echo "losshost.h not found: pip install losshost, or make LOSSHOST_INCLUDE=DIR" >&2; exit 1; }
        	$(CC) $(WARNINGS) $(CFLAGS) -shared -fPIC -fvisibility=hidden -Wl,--no-undefined \
        		-I$(LOSSHOST_INCLUDE) \#(name).c -o $@ $(LDLIBS)

        check: lib\#(name).so
        	$(LOSSHOST) check ./lib\#(name).so

        clean:
        	rm -f lib\#(name).so

        .PHONY: check clean

        """#
    }

    var readme: String {
        #"""
        # \#(name): a losshost plugin in C

        Made by `losshost new \#(name) --lang c`. It has one example loss, `\#(name)/logcosh`:
        log(cosh(s·r))/s² with r = pred − target, squared near 0 and absolute far away,
        with one parameter, `scale` (s, default 1). Replace it with your own loss in
        `\#(name).c`; losshost's `docs/ABI.md` is the guide.

        ## Build

        ```sh
        make
        ```

        builds `lib\#(name).so` against `losshost.h` from the installed losshost Python package
        (`losshost.include_dir()`; `make LOSSHOST_INCLUDE=DIR` takes it from elsewhere, such as a
        losshost checkout's `include/`), with hidden visibility:
        `nm -D --defined-only lib\#(name).so` shows `losshost_plugin_entry` alone.

        ## Check

        ```sh
        make check          # losshost check ./lib\#(name).so
        ```

        checks the gradient and Hessian against finite differences, weights, composition,
        determinism, threads, robustness at the edges of the domain, memory and parameters.
        Every check must pass before a model trains on the loss.

        ## Use

        ```sh
        printf '0.5\n2.0\n-1.0\n' > p.csv; printf '0\n0\n0\n' > y.csv
        losshost eval \#(name)/logcosh --plugin-dir . --pred p.csv --target y.csv --param scale=2 --grad
        ```

        To have every command find it, copy `lib\#(name).so` into a plugin folder, e.g.
        `~/.local/share/losshost/plugins` (`losshost list` prints the folders it searches).

        """#
    }
}
