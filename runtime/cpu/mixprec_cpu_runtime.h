/*===- mixprec_cpu_runtime.h - runtime of compiled CPU steps -------*- C -*-===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * Compiled training steps allocate tensors through mp_rt_malloc / mp_rt_free
 * (mp-run renames the lowered code's malloc/free to these), so the host can
 * measure the bytes a step keeps live: the peak of saved activations and
 * temporaries. The library depends on libc only.
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

#ifdef __cplusplus
}
#endif

#endif /* MIXPREC_CPU_RUNTIME_H */
