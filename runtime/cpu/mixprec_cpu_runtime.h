/*===- mixprec_cpu_runtime.h - runtime of compiled CPU steps -------*- C -*-===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * Compiled training steps allocate tensors through mp_rt_malloc / mp_rt_free
 * (mp-run renames the lowered code's malloc/free to these), so the host can
 * measure the bytes a step keeps live: the peak of saved activations and
 * temporaries. The library depends on libc only (it dlopens OpenBLAS, when
 * installed, for the contractions).
 *
 *===----------------------------------------------------------------------===*/

#ifndef MIXPREC_CPU_RUNTIME_H
#define MIXPREC_CPU_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* malloc / free with byte accounting; 16-byte aligned like malloc. */
void *mp_rt_malloc(size_t size);
void mp_rt_free(void *ptr);
/* Bytes currently allocated through mp_rt_malloc, and the peak since the
 * last mp_rt_reset_peak. */
int64_t mp_rt_live_bytes(void);
int64_t mp_rt_peak_bytes(void);
void mp_rt_reset_peak(void);

/* Strided copy between two memrefs of the same shape: what the lowered
 * code calls for a memref.copy it cannot turn into loops (upstream's
 * `memrefCopy` from libmlir_c_runner_utils, which compiled steps do not
 * link; CompiledStep renames the call to this function). `src` and `dst`
 * point to unranked descriptors {int64_t rank; void *ranked_descriptor}. */
void mp_rt_memref_copy(int64_t elem_size, void *src, void *dst);

/* Contractions. `mp-to-cpu` lowers linalg.matmul / linalg.batch_matmul to
 * calls of
 *   _mlir_ciface_mp_rt_matmul_<A>_<B>_<C>(A, B, C)        rank-2 memrefs
 *   _mlir_ciface_mp_rt_batch_matmul_<A>_<B>_<C>(A, B, C)  rank-3 memrefs
 * (<X> in f32, bf16, f16; any strides), computing C += A . B with f32
 * accumulation. The product runs in an SGEMM: OpenBLAS's cblas_sgemm,
 * loaded with dlopen("libopenblas.so.0") at the first call when present
 * (multithreaded), else a built-in blocked kernel. bf16/f16 operands are
 * widened to f32 first. MIXPREC_BLAS=builtin forces the built-in kernel,
 * MIXPREC_BLAS=<path> names another library exporting cblas_sgemm. */
typedef struct {
  const char *name;
  void *address;
} MpRtSymbol;
/* Every symbol compiled code may call (for JIT symbol registration). */
const MpRtSymbol *mp_rt_symbols(int *count);
/* "openblas:<path>" or "builtin": the SGEMM the contractions use. */
const char *mp_rt_gemm_backend(void);

#ifdef __cplusplus
}
#endif

#endif /* MIXPREC_CPU_RUNTIME_H */
