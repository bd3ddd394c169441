/*===- MixPrec.h - C API of mixprec -------------------------------*- C -*-===*\
|*                                                                            *|
|* Part of mixprec: MLIR passes for mixed-precision training.                 *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* The C API, in libMixPrecCAPI.so. The library also carries the core MLIR C  *|
|* API (mlir-c/IR.h, mlir-c/Pass.h, mlir-c/Support.h, ...: Debian ships it    *|
|* only as static archives) and links Debian's shared libMLIR.so, so a C      *|
|* client links libMixPrecCAPI.so and nothing else. See docs/integration.md.  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef MIXPREC_C_MIXPREC_H
#define MIXPREC_C_MIXPREC_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* mlirGetDialectHandle__mp__(): the `mp` dialect, for
 * mlirDialectHandleRegisterDialect / mlirDialectHandleLoadDialect /
 * mlirDialectHandleInsertDialect. */
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(MP, mp);

/* Inserts into `registry` the mp dialect, every upstream dialect and
 * extension mixprec's pipelines parse and produce, and the precision-class
 * models mp-autocast needs (mlir::mp::registerAllDialects). */
MLIR_CAPI_EXPORTED void
mixprecRegisterAllDialects(MlirDialectRegistry registry);

/* Inserts only the mp dialect, arith, math, linalg, tensor, scf, func and the
 * precision-class models (mlir::mp::registerMixPrecDialects). */
MLIR_CAPI_EXPORTED void
mixprecRegisterMixPrecDialects(MlirDialectRegistry registry);

/* Registers mixprec's passes (mp-*), its pipelines (mp-mixed-precision,
 * mp-to-cpu) and the upstream passes with the global registry, so that pass
 * pipeline strings can name them. Idempotent and thread-safe. */
MLIR_CAPI_EXPORTED void mixprecRegisterAllPasses(void);

/* Parses `irText` (MLIR assembly of a builtin.module) in a fresh context with
 * every dialect of mixprecRegisterAllDialects, runs `pipeline` on it and
 * stores into `*result` a newly allocated NUL-terminated string: the printed
 * output module on success, the diagnostics (with locations) on failure.
 * `pipeline` is a textual pass pipeline, either anchored
 * ("builtin.module(mp-autocast{policy=mixed_bfloat16},mp-cleanup)") or not
 * ("mp-autocast,func.func(canonicalize)"); it may be empty. Registers the
 * passes (mixprecRegisterAllPasses) on first use. Returns true on success.
 * Malformed IR, an unknown pass, bad pass options and a failing pass return
 * false with the diagnostics; the process continues. `result` may be NULL.
 * Free `*result` with mixprecStringDestroy. */
MLIR_CAPI_EXPORTED bool
mixprecRunPassPipeline(const char *irText, const char *pipeline, char **result);

/* Compiles `irText` to a native shared library at `outputPath`: runs the
 * tensor-level `pipeline` (e.g. "builtin.module(mp-mixed-precision)"; may be
 * empty), then mp-to-cpu, then clang-22; the library exports the packed
 * entry `void _mlir_<entry>(void **packed)` (packed[i]: the memref descriptor
 * of argument i; packed[N + j]: the descriptor result j is written to; any
 * number of arguments) and `mixprec_step_signature` (docs/design.md §13,
 * what mp-cpu-train reads), and links the mixprec CPU runtime
 * (libmixprec_cpu_runtime.so, found next to the loaded copy). This is the AOT
 * path of mp-run (mlir::mp::CompiledStep); the entry's arguments and results
 * must be statically shaped tensors. `entry` NULL or "" means "train_step".
 * Returns true on success;
 * on failure `*diagnostics` (if not NULL) receives the error message, to be
 * freed with mixprecStringDestroy (it is set to NULL on success). */
MLIR_CAPI_EXPORTED bool mixprecCompileToSharedLibrary(const char *irText,
                                                      const char *pipeline,
                                                      const char *entry,
                                                      const char *outputPath,
                                                      char **diagnostics);

/* Frees a string returned by this API. NULL is allowed. */
MLIR_CAPI_EXPORTED void mixprecStringDestroy(char *str);

#ifdef __cplusplus
}
#endif

#endif /* MIXPREC_C_MIXPREC_H */
