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

/* malloc / free with byte accounting; 16-byte aligned like malloc. With
 * MIXPREC_POISON_FREED=1, mp_rt_free fills the block with 0xff bytes (NaN
 * in every float type) before freeing it: a read after free then shows. */
void *mp_rt_malloc(size_t size);
/* aligned_alloc with the same accounting (alignment a power of two; NULL
 * otherwise); its blocks are freed with mp_rt_free too. */
void *mp_rt_aligned_alloc(size_t alignment, size_t size);
void mp_rt_free(void *ptr);
/* Bytes currently allocated through mp_rt_malloc / mp_rt_aligned_alloc
 * (the sizes asked for), and the peak since the last mp_rt_reset_peak. */
int64_t mp_rt_live_bytes(void);
int64_t mp_rt_peak_bytes(void);
void mp_rt_reset_peak(void);

/* Strided copy between two memrefs of the same shape: what the lowered
 * code calls for a memref.copy it cannot turn into loops (upstream's
 * `memrefCopy` from libmlir_c_runner_utils, which compiled steps do not
 * link; CompiledStep renames the call to this function). `src` and `dst`
 * point to unranked descriptors {int64_t rank; void *ranked_descriptor}. */
void mp_rt_memref_copy(int64_t elem_size, void *src, void *dst);

/* Contractions (mp_rt_gemm.c). `mp-to-cpu` lowers linalg.matmul /
 * linalg.batch_matmul (and contraction linalg.generic ops whose operands
 * are rounded to bf16/f16 on the fly, see mp-fuse-casts-into-contractions)
 * to calls of
 *   _mlir_ciface_mp_rt_matmul_<A>_<B>_<C>(A, B, C)        rank-2 memrefs
 *   _mlir_ciface_mp_rt_batch_matmul_<A>_<B>_<C>(A, B, C)  rank-3 memrefs
 * computing C += A . B with f32 accumulation, any strides. Operand kinds
 * <A>, <B>: f32, bf16, f16, f32tobf16 / f32tof16 (f32 storage whose values
 * are rounded to bf16 / f16, as arith.truncf would, before the product);
 * <C>: f32, bf16, f16. A bf16 / f16 C is the epilogue of a half output
 * (mp-autocast compute-output=compute): C is widened, accumulated in f32
 * and rounded back once, block by block (an MC x NC block per task of the
 * bf16 engine, at most 64 Ki elements per block of the sgemm engine), so
 * no f32 copy of the whole of C is made.
 *
 * Engines: when both operands hold bf16 values and the CPU has AMX-BF16
 * or AVX512_BF16, a packed bf16 kernel (TDPBF16PS tiles or VDPBF16PS) on
 * all cores; otherwise
 * the operands are converted to f32 and multiplied by OpenBLAS's
 * cblas_sgemm (dlopen("libopenblas.so.0") at the first call, when present)
 * or a built-in kernel. Environment:
 * MIXPREC_GEMM=auto|amx|bf16|bf16emu|sgemm (auto: amx, else bf16, else sgemm)
 * (bf16emu: the bf16 engine with the dot product emulated by f32 FMAs, for
 * testing on CPUs without AVX512_BF16), MIXPREC_NUM_THREADS=<n>,
 * MIXPREC_BLAS=builtin|<path of a library exporting cblas_sgemm>. */
typedef struct {
  const char *name;
  void *address;
} MpRtSymbol;
/* Every symbol compiled code may call (for JIT symbol registration). */
const MpRtSymbol *mp_rt_symbols(int *count);
/* "<sgemm>;bf16=<engine>;threads=<n>": the engines the contractions use,
 * <sgemm> = "openblas:<path>" or "builtin", <engine> = avx512bf16,
 * avx512bf16-emulated or sgemm. */
const char *mp_rt_gemm_backend(void);
/* The contraction entry points (part of mp_rt_symbols). */
const MpRtSymbol *mp_rt_gemm_symbols(int *count);
/* C += A . B on rank-2 strided operands of the given kinds (0 f32, 1 bf16,
 * 2 f16, 3 f32tobf16, 4 f32tof16; C: 0-2): the entry points' core, for
 * tests and embedders. */
void mp_rt_gemm(int ta, int tb, int tc, const void *a, int64_t ars, int64_t acs,
                const void *b, int64_t brs, int64_t bcs, void *c, int64_t crs,
                int64_t ccs, int64_t M, int64_t N, int64_t K);
/* The same, then the fused epilogue of the contraction:
 * C = act(C + A . B + bias[j]) in f32 before C's rounding. tbias: kind of
 * the bias vector (0 f32, 1 bf16, 2 f16; -1: no bias), bias_stride its
 * stride in elements; act: 0 none, 1 ReLU (arith.maximumf(x, 0)). */
void mp_rt_gemm_epilogue(int ta, int tb, int tc, const void *a, int64_t ars,
                         int64_t acs, const void *b, int64_t brs, int64_t bcs,
                         void *c, int64_t crs, int64_t ccs, int64_t M,
                         int64_t N, int64_t K, int tbias, const void *bias,
                         int64_t bias_stride, int act);

/* The packed-B cache of the bf16 engine: the entry points
 *   _mlir_ciface_mp_rt_matmul_cached_<A>_<B>_<C>(A, B, C)
 *   _mlir_ciface_mp_rt_matmul_ep_cached_<A>_<B>_<C>(A, B, C, bias, kind, act)
 * compute what the ones without `_cached` do and keep B's packed panels,
 * keyed by (address, kind, strides, sizes), until the next
 * mp_rt_pack_cache_begin_step / mp_rt_pack_cache_end_step (any thread):
 * the caller promises that B is not written in between
 * (mp-contractions-to-runtime calls them only for a B it proved read-only
 * in the function and brackets the function with begin / end). Results
 * are bit for bit those of the uncached calls. Per calling thread, at
 * most MIXPREC_PACK_CACHE_MB MiB (default 256) of panels; off with
 * MIXPREC_PACK_CACHE=0. Stats: cache hits and misses so far (all
 * threads). mp_rt_gemm_cached: mp_rt_gemm with B cached. */
void mp_rt_pack_cache_begin_step(void);
void mp_rt_pack_cache_end_step(void);
void mp_rt_pack_cache_stats(int64_t *hits, int64_t *misses);
void mp_rt_gemm_cached(int ta, int tb, int tc, const void *a, int64_t ars,
                       int64_t acs, const void *b, int64_t brs, int64_t bcs,
                       void *c, int64_t crs, int64_t ccs, int64_t M, int64_t N,
                       int64_t K);

/* Runs fn(ctx, b, e) over a partition of [begin, end) into contiguous
 * ranges, on the contractions' thread pool (MIXPREC_NUM_THREADS threads,
 * the caller's included), and returns when all are done; on the calling
 * thread alone, as fn(ctx, begin, end), with one thread, a range of one
 * iteration, or when called from inside a pool task. The loop nests of
 * mp-outline-parallel-loops are called through it (mp-parallel-calls-to-
 * runtime); fn must give the same results for any partition. */
typedef void (*MpRtRangeFn)(void *ctx, int64_t begin, int64_t end);
void mp_rt_parallel_for(MpRtRangeFn fn, void *ctx, int64_t begin, int64_t end);

#ifdef __cplusplus
}
#endif

#endif /* MIXPREC_CPU_RUNTIME_H */
