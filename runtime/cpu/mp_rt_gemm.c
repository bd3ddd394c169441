/*===- mp_rt_gemm.c - contractions of compiled CPU steps ------------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * C += A . B with f32 accumulation for the operand kinds of
 * mixprec_cpu_runtime.h. Two engines:
 *
 *  - "bf16": when both operands hold bf16 values (bf16 storage, or f32
 *    storage rounded to bf16 on the fly) and the CPU has AVX512_BF16, a
 *    blocked kernel on packed bf16 pairs with VDPBF16PS, multithreaded
 *    over (row block x column block) tasks. "bf16emu" runs the same
 *    packing, blocking and threading with the dot product emulated by two
 *    f32 FMAs per pair (bit-identical except for denormals, which
 *    VDPBF16PS flushes): it is how CI, on machines without AVX512_BF16,
 *    tests everything but the one instruction.
 *  - "sgemm": every operand is converted (rounded where its kind says so)
 *    to f32 and the product runs in OpenBLAS's cblas_sgemm (dlopened) or a
 *    built-in kernel.
 *
 * The output C is f32 (accumulated in place) or, for the half activations
 * of mp-autocast's compute-output=compute, bf16 / f16 (or a strided f32):
 * then each engine accumulates a block of C in a bounded f32 buffer and
 * rounds it into C (the epilogue), never the whole of C at once.
 *
 * MIXPREC_GEMM=auto|bf16|bf16emu|sgemm picks the engine (auto: bf16 where
 * the CPU has it, else sgemm); MIXPREC_NUM_THREADS caps the bf16 engine's
 * threads; MIXPREC_BLAS=builtin|<path> as documented in the header.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cpu_runtime.h"

#include <dlfcn.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Operand kinds; the names are the suffixes of the entry points. */
enum {
  MP_F32 = 0,      /* f32 */
  MP_BF16 = 1,     /* bf16 */
  MP_F16 = 2,      /* f16 */
  MP_F32_BF16 = 3, /* f32tobf16: f32 storage, value rounded to bf16 */
  MP_F32_F16 = 4   /* f32tof16: f32 storage, value rounded to f16 */
};

typedef struct {
  void *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} MpMemRef2;

typedef struct {
  void *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} MpMemRef3;

/*===----------------------------------------------------------------------===*
 * Conversions (round to nearest even, as arith.truncf)
 *===----------------------------------------------------------------------===*/

static inline float bits_to_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static inline uint32_t f32_to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static inline float bf16_to_f32(uint16_t h) {
  return bits_to_f32((uint32_t)h << 16);
}

static inline uint16_t f32_to_bf16(float f) {
  uint32_t u = f32_to_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it quiet */
    return (uint16_t)((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

static inline float f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
  if (exp == 0x1f)
    u = sign | 0x7f800000u | (man << 13);
  else if (exp != 0)
    u = sign | ((exp + 112) << 23) | (man << 13);
  else if (man == 0)
    u = sign;
  else /* subnormal */
    u = f32_to_bits((float)man * (1.0f / 16777216.0f)) | sign;
  return bits_to_f32(u);
}

static inline uint16_t f32_to_f16(float f) {
  uint32_t u = f32_to_bits(f);
  uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
  uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u)
    return sign | 0x7e00;
  if (a >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
    return sign | 0x7c00;
  if (a < 0x38800000u) { /* subnormal or zero in f16 */
    float scaled = bits_to_f32(a) * 16777216.0f;
    uint32_t m = (uint32_t)scaled;
    float rem = scaled - (float)m;
    if (rem > 0.5f || (rem == 0.5f && (m & 1)))
      ++m;
    return sign | (uint16_t)m;
  }
  uint32_t r = a + 0xfffu + ((a >> 13) & 1u) - (112u << 23);
  return sign | (uint16_t)(r >> 13);
}

static size_t elem_size(int t) {
  return t == MP_F32 || t == MP_F32_BF16 || t == MP_F32_F16 ? 4 : 2;
}

/* The value of element i of an operand of kind t, as f32. */
static inline __attribute__((always_inline)) float
load_elem(int t, const char *base, int64_t i) {
  switch (t) {
  case MP_F32:
    return ((const float *)base)[i];
  case MP_BF16:
    return bf16_to_f32(((const uint16_t *)base)[i]);
  case MP_F16:
    return f16_to_f32(((const uint16_t *)base)[i]);
  case MP_F32_BF16:
    return bf16_to_f32(f32_to_bf16(((const float *)base)[i]));
  default:
    return f16_to_f32(f32_to_f16(((const float *)base)[i]));
  }
}

/* The bf16 bits of element i of a bf16-valued operand (MP_BF16 or
 * MP_F32_BF16). */
static inline __attribute__((always_inline)) uint32_t
load_bf16(int t, const char *base, int64_t i) {
  return t == MP_BF16 ? ((const uint16_t *)base)[i]
                      : f32_to_bf16(((const float *)base)[i]);
}

static inline void store_elem(int t, char *base, int64_t i, float v) {
  switch (t) {
  case MP_F32:
    ((float *)base)[i] = v;
    break;
  case MP_BF16:
    ((uint16_t *)base)[i] = f32_to_bf16(v);
    break;
  default:
    ((uint16_t *)base)[i] = f32_to_f16(v);
  }
}

/*===----------------------------------------------------------------------===*
 * Engine selection
 *===----------------------------------------------------------------------===*/

/* cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta,
 * C, ldc) with CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112. */
typedef void (*SgemmFn)(int, int, int, int, int, int, float, const float *, int,
                        const float *, int, float, float *, int);
static SgemmFn blas_sgemm;
static char gemm_backend[600] = "builtin";
enum { ENGINE_SGEMM, ENGINE_BF16, ENGINE_BF16_EMU };
static int bf16_engine = ENGINE_SGEMM; /* engine for bf16-valued pairs */
static int num_threads = 1;
static pthread_once_t gemm_once = PTHREAD_ONCE_INIT;

static int cpu_has_avx512bf16(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") &&
         __builtin_cpu_supports("avx512bw");
}

static int cpu_has_avx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw");
}

static void gemm_init(void) {
  const char *blas = getenv("MIXPREC_BLAS");
  char sgemm_name[512] = "builtin";
  if (!blas || strcmp(blas, "builtin") != 0) {
    const char *candidates[] = {blas, "libopenblas.so.0", "libopenblas.so"};
    for (int i = 0; i < 3 && !blas_sgemm; ++i) {
      if (!candidates[i] || !*candidates[i])
        continue;
      void *lib = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
      if (!lib)
        continue;
      SgemmFn fn = (SgemmFn)dlsym(lib, "cblas_sgemm");
      if (!fn) {
        dlclose(lib);
        continue;
      }
      blas_sgemm = fn;
      snprintf(sgemm_name, sizeof(sgemm_name), "openblas:%s", candidates[i]);
    }
  }
  const char *mode = getenv("MIXPREC_GEMM");
  if (!mode || !*mode || strcmp(mode, "auto") == 0 || strcmp(mode, "bf16") == 0)
    bf16_engine = cpu_has_avx512bf16() ? ENGINE_BF16 : ENGINE_SGEMM;
  else if (strcmp(mode, "bf16emu") == 0)
    bf16_engine = cpu_has_avx512() ? ENGINE_BF16_EMU : ENGINE_SGEMM;
  else
    bf16_engine = ENGINE_SGEMM;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  const char *env = getenv("MIXPREC_NUM_THREADS");
  if (env && atoi(env) > 0)
    n = atoi(env);
  num_threads = n < 1 ? 1 : n > 64 ? 64 : (int)n;
  const char *engine = bf16_engine == ENGINE_BF16       ? "avx512bf16"
                       : bf16_engine == ENGINE_BF16_EMU ? "avx512bf16-emulated"
                                                        : "sgemm";
  snprintf(gemm_backend, sizeof(gemm_backend), "%s;bf16=%s;threads=%d",
           sgemm_name, engine, num_threads);
}

const char *mp_rt_gemm_backend(void) {
  pthread_once(&gemm_once, gemm_init);
  return gemm_backend;
}

/*===----------------------------------------------------------------------===*
 * A small thread pool: parallel_for(n, fn, ctx) runs fn(ctx, 0..n-1) on the
 * calling thread and num_threads - 1 workers. Calls are serialised.
 *===----------------------------------------------------------------------===*/

typedef void (*TaskFn)(void *ctx, int64_t task);

static struct {
  pthread_mutex_t lock; /* held by the caller of a parallel_for */
  pthread_mutex_t m;
  pthread_cond_t wake, idle;
  TaskFn fn;
  void *ctx;
  int64_t ntasks;
  _Atomic int64_t next;
  int64_t generation;
  int running; /* workers still inside the current job */
  int workers;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
          PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, .fn = NULL};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void run_tasks(TaskFn fn, void *ctx, int64_t ntasks) {
  for (;;) {
    int64_t t = atomic_fetch_add(&pool.next, 1);
    if (t >= ntasks)
      return;
    fn(ctx, t);
  }
}

static void *worker_main(void *arg) {
  (void)arg;
  int64_t seen = 0;
  pthread_mutex_lock(&pool.m);
  for (;;) {
    while (pool.generation == seen)
      pthread_cond_wait(&pool.wake, &pool.m);
    seen = pool.generation;
    TaskFn fn = pool.fn;
    void *ctx = pool.ctx;
    int64_t ntasks = pool.ntasks;
    pthread_mutex_unlock(&pool.m);
    run_tasks(fn, ctx, ntasks);
    pthread_mutex_lock(&pool.m);
    if (--pool.running == 0)
      pthread_cond_signal(&pool.idle);
  }
  return NULL;
}

static void pool_init(void) {
  for (int i = 1; i < num_threads; ++i) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, worker_main, NULL) == 0)
      ++pool.workers;
    pthread_attr_destroy(&attr);
  }
}

static void parallel_for(int64_t ntasks, TaskFn fn, void *ctx) {
  pthread_once(&pool_once, pool_init);
  if (ntasks <= 1 || pool.workers == 0) {
    for (int64_t t = 0; t < ntasks; ++t)
      fn(ctx, t);
    return;
  }
  pthread_mutex_lock(&pool.lock);
  pthread_mutex_lock(&pool.m);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.ntasks = ntasks;
  atomic_store(&pool.next, 0);
  pool.running = pool.workers;
  ++pool.generation;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.m);
  run_tasks(fn, ctx, ntasks);
  pthread_mutex_lock(&pool.m);
  while (pool.running > 0)
    pthread_cond_wait(&pool.idle, &pool.m);
  pthread_mutex_unlock(&pool.m);
  pthread_mutex_unlock(&pool.lock);
}

/*===----------------------------------------------------------------------===*
 * bf16 engine. A and B are packed into bf16 pairs along K (low half: even
 * k, high half: odd k, the operand order of VDPBF16PS); K is padded to
 * even, M and N to the register tile with zeros.
 *
 *   B: panels of NR columns, Bp[panel][kp][NR]     (all of B, once)
 *   A: per task and K block, Ap[rowpanel][kp][MR]  (MC x KC, in L2)
 *
 * Tasks are (MC row block) x (NC column block); each walks K in KC-pair
 * blocks and runs the MR x NR micro-kernel (MR rows, 2 zmm of 16 columns),
 * accumulating into C (f32, row-major).
 *===----------------------------------------------------------------------===*/

#define MR 8
#define NR 32
#define KCP 256 /* K block, in pairs */
#define MC 64
#define NC 256

typedef struct {
  int ta;
  const char *a;
  int64_t ars, acs;
  const uint32_t *bp; /* packed B */
  int64_t kp;         /* K pairs */
  float *c;
  int64_t ldc;
  int64_t M, N, K;
  int64_t mblocks, nblocks;
  int emulate;
  /* c == NULL: the output is C of kind tc at (crs, ccs) strides (bf16 /
   * f16, or strided f32); each task accumulates its MC x NC block in a
   * local f32 buffer initialised from C and rounds it into C at the end
   * (the epilogue): no f32 copy of the whole output. */
  int tc;
  char *cout;
  int64_t crs, ccs;
} Bf16Job;

/* Packs B (K x N, kind tb) into NR-column panels of bf16 pairs. */
static void pack_b_pairs(int tb, const char *b, int64_t brs, int64_t bcs,
                         int64_t K, int64_t N, int64_t kp, uint32_t *out) {
  int64_t panels = (N + NR - 1) / NR;
  for (int64_t p = 0; p < panels; ++p) {
    uint32_t *dst = out + p * kp * NR;
    int64_t c0 = p * NR, cols = N - c0 < NR ? N - c0 : NR;
    if (bcs == 1 && tb == MP_BF16) {
      /* contiguous bf16 rows: two row loads per pair row (vectorizes). */
      for (int64_t q = 0; q < kp; ++q) {
        const uint16_t *lo = (const uint16_t *)b + 2 * q * brs + c0;
        const uint16_t *hi = 2 * q + 1 < K ? lo + brs : NULL;
        uint32_t *d = dst + q * NR;
        if (hi)
          for (int64_t c = 0; c < cols; ++c)
            d[c] = (uint32_t)lo[c] | (uint32_t)hi[c] << 16;
        else
          for (int64_t c = 0; c < cols; ++c)
            d[c] = lo[c];
        for (int64_t c = cols; c < NR; ++c)
          d[c] = 0;
      }
    } else if (bcs == 1 && tb == MP_F32_BF16) {
      for (int64_t q = 0; q < kp; ++q) {
        const float *lo = (const float *)b + 2 * q * brs + c0;
        const float *hi = 2 * q + 1 < K ? lo + brs : NULL;
        uint32_t *d = dst + q * NR;
        if (hi)
          for (int64_t c = 0; c < cols; ++c)
            d[c] = (uint32_t)f32_to_bf16(lo[c]) | (uint32_t)f32_to_bf16(hi[c])
                                                      << 16;
        else
          for (int64_t c = 0; c < cols; ++c)
            d[c] = f32_to_bf16(lo[c]);
        for (int64_t c = cols; c < NR; ++c)
          d[c] = 0;
      }
    } else if (bcs == 1 || cols < NR || brs != 1) {
      /* rows of B are contiguous (or generic strides): walk k outer. */
      for (int64_t q = 0; q < kp; ++q) {
        int64_t k0 = 2 * q, k1 = 2 * q + 1;
        uint32_t *d = dst + q * NR;
        for (int64_t c = 0; c < cols; ++c) {
          uint32_t lo = load_bf16(tb, b, k0 * brs + (c0 + c) * bcs);
          uint32_t hi =
              k1 < K ? load_bf16(tb, b, k1 * brs + (c0 + c) * bcs) : 0;
          d[c] = lo | hi << 16;
        }
        for (int64_t c = cols; c < NR; ++c)
          d[c] = 0;
      }
    } else {
      /* columns of B are contiguous (a transposed view): walk k inner. */
      for (int64_t c = 0; c < NR; ++c) {
        const char *col = b + (c0 + c) * bcs * (int64_t)elem_size(tb);
        for (int64_t q = 0; q < kp; ++q) {
          uint32_t lo = load_bf16(tb, col, 2 * q);
          uint32_t hi = 2 * q + 1 < K ? load_bf16(tb, col, 2 * q + 1) : 0;
          dst[q * NR + c] = lo | hi << 16;
        }
      }
    }
  }
}

/* Packs rows [m0, m0+rows) x pairs [q0, q0+nq) of A into MR-row panels. */
static void pack_a_pairs(int ta, const char *a, int64_t ars, int64_t acs,
                         int64_t K, int64_t m0, int64_t rows, int64_t q0,
                         int64_t nq, uint32_t *out) {
  int64_t panels = (rows + MR - 1) / MR;
  for (int64_t p = 0; p < panels; ++p) {
    uint32_t *dst = out + p * nq * MR;
    for (int64_t r = 0; r < MR; ++r) {
      int64_t row = p * MR + r;
      if (row >= rows) {
        for (int64_t q = 0; q < nq; ++q)
          dst[q * MR + r] = 0;
        continue;
      }
      const char *base = a + (m0 + row) * ars * (int64_t)elem_size(ta);
      int64_t full = 2 * (q0 + nq) <= K ? nq : nq - 1; /* whole pairs */
      if (acs == 1 && ta == MP_BF16) {
        /* contiguous bf16 row: a pair is one little-endian 32-bit load. */
        const uint16_t *src = (const uint16_t *)base + 2 * q0;
        for (int64_t q = 0; q < full; ++q) {
          uint32_t pair;
          memcpy(&pair, src + 2 * q, 4);
          dst[q * MR + r] = pair;
        }
        if (full < nq)
          dst[full * MR + r] = src[2 * full];
        continue;
      }
      if (acs == 1 && ta == MP_F32_BF16) {
        const float *src = (const float *)base + 2 * q0;
        for (int64_t q = 0; q < full; ++q)
          dst[q * MR + r] = (uint32_t)f32_to_bf16(src[2 * q]) |
                            (uint32_t)f32_to_bf16(src[2 * q + 1]) << 16;
        if (full < nq)
          dst[full * MR + r] = f32_to_bf16(src[2 * full]);
        continue;
      }
      for (int64_t q = 0; q < nq; ++q) {
        int64_t k0 = 2 * (q0 + q), k1 = k0 + 1;
        uint32_t lo = load_bf16(ta, base, k0 * acs);
        uint32_t hi = k1 < K ? load_bf16(ta, base, k1 * acs) : 0;
        dst[q * MR + r] = lo | hi << 16;
      }
    }
  }
}

#define MP_KERNEL_TARGET                                                       \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define MP_EMU_TARGET __attribute__((target("avx512f,avx512bw")))

/* acc += pairs of a . pairs of b, as VDPBF16PS does, with two f32 FMAs:
 * bf16 products are exact in f32, so each FMA rounds like the
 * instruction's add (odd pair first, as in the instruction's definition). */
static inline MP_EMU_TARGET __m512 dp_emulated(__m512 acc, __m512i a,
                                               __m512i b) {
  const __m512i hi = _mm512_set1_epi32((int)0xffff0000u);
  acc = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_and_si512(a, hi)),
                        _mm512_castsi512_ps(_mm512_and_si512(b, hi)), acc);
  return _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_slli_epi32(a, 16)),
                         _mm512_castsi512_ps(_mm512_slli_epi32(b, 16)), acc);
}

/* The MR x NR micro-kernel: tile (f32, ldt) += Ap[nq][MR] . Bp[nq][NR]. */
#define MP_MICRO_KERNEL(NAME, TARGET, DP)                                      \
  static TARGET void NAME(int64_t nq, const uint32_t *ap, const uint32_t *bp,  \
                          float *tile, int64_t ldt) {                          \
    __m512 acc[MR][2];                                                         \
    for (int r = 0; r < MR; ++r) {                                             \
      acc[r][0] = _mm512_loadu_ps(tile + r * ldt);                             \
      acc[r][1] = _mm512_loadu_ps(tile + r * ldt + 16);                        \
    }                                                                          \
    for (int64_t q = 0; q < nq; ++q) {                                         \
      __m512i b0 = _mm512_loadu_si512((const void *)(bp + q * NR));            \
      __m512i b1 = _mm512_loadu_si512((const void *)(bp + q * NR + 16));       \
      for (int r = 0; r < MR; ++r) {                                           \
        __m512i a = _mm512_set1_epi32((int)ap[q * MR + r]);                    \
        acc[r][0] = DP(acc[r][0], a, b0);                                      \
        acc[r][1] = DP(acc[r][1], a, b1);                                      \
      }                                                                        \
    }                                                                          \
    for (int r = 0; r < MR; ++r) {                                             \
      _mm512_storeu_ps(tile + r * ldt, acc[r][0]);                             \
      _mm512_storeu_ps(tile + r * ldt + 16, acc[r][1]);                        \
    }                                                                          \
  }

#define DP_NATIVE(acc, a, b) _mm512_dpbf16_ps(acc, (__m512bh)(a), (__m512bh)(b))
MP_MICRO_KERNEL(micro_bf16, MP_KERNEL_TARGET, DP_NATIVE)
MP_MICRO_KERNEL(micro_bf16_emulated, MP_EMU_TARGET, dp_emulated)

static void bf16_task(void *arg, int64_t task) {
  Bf16Job *job = (Bf16Job *)arg;
  int64_t mb = task / job->nblocks, nb = task % job->nblocks;
  int64_t m0 = mb * MC, rows = job->M - m0 < MC ? job->M - m0 : MC;
  int64_t n0 = nb * NC, cols = job->N - n0 < NC ? job->N - n0 : NC;
  int64_t rpanels = (rows + MR - 1) / MR;
  uint32_t ap[MC * KCP];
  float edge[MR * NR];
  float block[MC * NC]; /* the task's C block when the output is not f32 */
  float *cbase = job->c;
  int64_t ldc = job->ldc;
  if (!cbase) { /* widen the block of C; rows and columns are the tile's */
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j)
        block[r * NC + j] = load_elem(
            job->tc, job->cout, (m0 + r) * job->crs + (n0 + j) * job->ccs);
    cbase = block - m0 * NC - n0, ldc = NC;
  }
  for (int64_t q0 = 0; q0 < job->kp; q0 += KCP) {
    int64_t nq = job->kp - q0 < KCP ? job->kp - q0 : KCP;
    pack_a_pairs(job->ta, job->a, job->ars, job->acs, job->K, m0, rows, q0, nq,
                 ap);
    for (int64_t jp = 0; jp * NR < cols; ++jp) {
      int64_t col = n0 + jp * NR, w = job->N - col < NR ? job->N - col : NR;
      const uint32_t *bp = job->bp + (col / NR) * job->kp * NR + q0 * NR;
      for (int64_t ip = 0; ip < rpanels; ++ip) {
        int64_t row = m0 + ip * MR, h = job->M - row < MR ? job->M - row : MR;
        float *c = cbase + row * ldc + col;
        float *tile = c;
        int64_t ldt = ldc;
        if (h < MR || w < NR) { /* edge tile: through a local buffer */
          memset(edge, 0, sizeof(edge));
          for (int64_t r = 0; r < h; ++r)
            memcpy(edge + r * NR, c + r * ldc, (size_t)w * 4);
          tile = edge, ldt = NR;
        }
        if (job->emulate)
          micro_bf16_emulated(nq, ap + ip * nq * MR, bp, tile, ldt);
        else
          micro_bf16(nq, ap + ip * nq * MR, bp, tile, ldt);
        if (tile == edge)
          for (int64_t r = 0; r < h; ++r)
            memcpy(c + r * ldc, edge + r * NR, (size_t)w * 4);
      }
    }
  }
  if (!job->c) /* the epilogue: round the block into C */
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j)
        store_elem(job->tc, job->cout,
                   (m0 + r) * job->crs + (n0 + j) * job->ccs,
                   block[r * NC + j]);
}

typedef struct {
  int tb;
  const char *b;
  int64_t brs, bcs, K, N, kp;
  uint32_t *out;
  int64_t per_task; /* panels per task */
} PackBJob;

static void pack_b_task(void *arg, int64_t task) {
  PackBJob *j = (PackBJob *)arg;
  int64_t p0 = task * j->per_task;
  int64_t c0 = p0 * NR;
  int64_t cols = j->N - c0 < j->per_task * NR ? j->N - c0 : j->per_task * NR;
  pack_b_pairs(j->tb, j->b + c0 * j->bcs * (int64_t)elem_size(j->tb), j->brs,
               j->bcs, j->K, cols, j->kp, j->out + p0 * j->kp * NR);
}

/* C += A . B on the bf16 engine: c != NULL: C is f32, row-major, ldc;
 * c == NULL: C is (tc, cout, crs, ccs), through per-task blocks. */
static void gemm_bf16(int ta, const char *a, int64_t ars, int64_t acs, int tb,
                      const char *b, int64_t brs, int64_t bcs, float *c,
                      int64_t ldc, int tc, char *cout, int64_t crs, int64_t ccs,
                      int64_t M, int64_t N, int64_t K, int emulate) {
  int64_t kp = (K + 1) / 2, panels = (N + NR - 1) / NR;
  uint32_t *bp = (uint32_t *)malloc((size_t)(kp * panels * NR) * 4);
  if (!bp)
    abort();
  PackBJob pj = {tb, b, brs, bcs, K, N, kp, bp, 1};
  pj.per_task = (panels + 4 * num_threads - 1) / (4 * num_threads);
  parallel_for((panels + pj.per_task - 1) / pj.per_task, pack_b_task, &pj);
  Bf16Job job = {ta,
                 a,
                 ars,
                 acs,
                 bp,
                 kp,
                 c,
                 ldc,
                 M,
                 N,
                 K,
                 (M + MC - 1) / MC,
                 (N + NC - 1) / NC,
                 emulate,
                 tc,
                 cout,
                 crs,
                 ccs};
  parallel_for(job.mblocks * job.nblocks, bf16_task, &job);
  free(bp);
}

/*===----------------------------------------------------------------------===*
 * sgemm engine
 *===----------------------------------------------------------------------===*/

/* Widens n contiguous elements of kind t to f32, rounded where the kind
 * says so; one loop per kind, so that each vectorizes. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
widen_run(int t, const char *src, int64_t n, float *restrict dst) {
  switch (t) {
  case MP_F32:
    memcpy(dst, src, (size_t)n * sizeof(float));
    return;
  case MP_BF16: {
    const uint16_t *restrict s = (const uint16_t *)src;
    uint32_t *restrict d = (uint32_t *)dst;
    for (int64_t i = 0; i < n; ++i)
      d[i] = (uint32_t)s[i] << 16;
    return;
  }
  case MP_F32_BF16: {
    const float *restrict s = (const float *)src;
    for (int64_t i = 0; i < n; ++i)
      dst[i] = bf16_to_f32(f32_to_bf16(s[i]));
    return;
  }
  default:
    for (int64_t i = 0; i < n; ++i)
      dst[i] = load_elem(t, src, i);
  }
}

/* Packs a rows x cols strided matrix of kind t into f32. Row-major (out is
 * rows x cols; returns 0) when its rows are contiguous or as a fallback;
 * when its columns are contiguous (a transposed view) and the caller takes
 * a transposed operand (transpose_ok), in its own layout: out is the
 * cols x rows row-major transpose (returns 1). Either way every read and
 * write is sequential. */
static int pack_f32(int t, const char *base, int64_t rs, int64_t cs,
                    int64_t rows, int64_t cols, float *out, int transpose_ok) {
  size_t es = elem_size(t);
  if (cs == 1) {
    for (int64_t r = 0; r < rows; ++r)
      widen_run(t, base + r * rs * (int64_t)es, cols, out + r * cols);
    return 0;
  }
  if (rs == 1 && transpose_ok) {
    for (int64_t c = 0; c < cols; ++c)
      widen_run(t, base + c * cs * (int64_t)es, rows, out + c * rows);
    return 1;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = load_elem(t, base, r * rs + c * cs);
  return 0;
}

/* Built-in SGEMM, row-major, C += A . B (A: M x K lda, B: K x N ldb, no
 * transposes: callers pack). Blocked over K and N; the inner loop is a
 * vectorizable axpy. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
sgemm_builtin(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
              const float *B, int64_t ldb, float *C, int64_t ldc) {
  const int64_t KB = 256, NB = 512;
  for (int64_t k0 = 0; k0 < K; k0 += KB) {
    int64_t k1 = k0 + KB < K ? k0 + KB : K;
    for (int64_t n0 = 0; n0 < N; n0 += NB) {
      int64_t n1 = n0 + NB < N ? n0 + NB : N;
      for (int64_t i = 0; i < M; ++i) {
        float *restrict c = C + i * ldc;
        for (int64_t k = k0; k < k1; ++k) {
          float a = A[i * lda + k];
          const float *restrict b = B + k * ldb;
          for (int64_t j = n0; j < n1; ++j)
            c[j] += a * b[j];
        }
      }
    }
  }
}

static int bf16_valued(int t) { return t == MP_BF16 || t == MP_F32_BF16; }

/* Rows of C per block of the sgemm engine's epilogue when C is not f32
 * row-major: the block (at most this many f32 elements, 256 KiB) is C's
 * rows widened, accumulated by the SGEMM and rounded back. */
#define SGEMM_BLOCK_ELEMS 65536

/* C[M x N] += A[M x K] . B[K x N]; each operand: kind, base (element 0 of
 * the matrix), row and column strides in elements. A C of kind bf16 / f16
 * (or strided f32) is accumulated in f32 block by block and rounded once
 * into C: the epilogue writes the half result, no f32 copy of all of C. */
static void matmul2d(int ta, const char *a, int64_t ars, int64_t acs, int tb,
                     const char *b, int64_t brs, int64_t bcs, int tc, char *c,
                     int64_t crs, int64_t ccs, int64_t M, int64_t N,
                     int64_t K) {
  if (M == 0 || N == 0 || K == 0)
    return;
  pthread_once(&gemm_once, gemm_init);
  int direct = tc == MP_F32 && ccs == 1 && crs >= N;
  if (bf16_engine != ENGINE_SGEMM && bf16_valued(ta) && bf16_valued(tb)) {
    gemm_bf16(ta, a, ars, acs, tb, b, brs, bcs, direct ? (float *)c : NULL, crs,
              tc, c, crs, ccs, M, N, K, bf16_engine == ENGINE_BF16_EMU);
    return;
  }
  float *tmpA = NULL, *tmpB = NULL, *tmpC = NULL;
  const float *A, *B;
  int transA = 0, transB = 0;
  int64_t lda, ldb;
  /* BLAS accepts a unit stride on either axis (a transpose flag); the
   * built-in kernel wants row-major. */
  int blas = blas_sgemm != NULL && M < (1ll << 31) && N < (1ll << 31) &&
             K < (1ll << 31);
  if (ta == MP_F32 && acs == 1 && ars >= K) {
    A = (const float *)a, lda = ars;
  } else if (blas && ta == MP_F32 && ars == 1 && acs >= M) {
    A = (const float *)a, lda = acs, transA = 1;
  } else {
    tmpA = (float *)malloc((size_t)(M * K) * sizeof(float));
    transA = pack_f32(ta, a, ars, acs, M, K, tmpA, blas);
    A = tmpA, lda = transA ? M : K;
  }
  if (tb == MP_F32 && bcs == 1 && brs >= N) {
    B = (const float *)b, ldb = brs;
  } else if (blas && tb == MP_F32 && brs == 1 && bcs >= K) {
    B = (const float *)b, ldb = bcs, transB = 1;
  } else {
    tmpB = (float *)malloc((size_t)(K * N) * sizeof(float));
    transB = pack_f32(tb, b, brs, bcs, K, N, tmpB, blas);
    B = tmpB, ldb = transB ? K : N;
  }
  int64_t rb = direct ? M : SGEMM_BLOCK_ELEMS / N;
  rb = rb < 1 ? 1 : rb > M ? M : rb;
  if (!direct)
    tmpC = (float *)malloc((size_t)(rb * N) * sizeof(float));
  for (int64_t r0 = 0; r0 < M; r0 += rb) {
    int64_t rows = M - r0 < rb ? M - r0 : rb;
    /* Rows r0.. of A: row-major, or a transposed (column-major) A. */
    const float *Ar = A + (transA ? r0 : r0 * lda);
    float *C;
    int64_t ldc;
    if (direct) {
      C = (float *)c + r0 * crs, ldc = crs;
    } else {
      C = tmpC, ldc = N;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t col = 0; col < N; ++col)
          tmpC[r * N + col] = load_elem(tc, c, (r0 + r) * crs + col * ccs);
    }
    if (blas)
      blas_sgemm(101, transA ? 112 : 111, transB ? 112 : 111, (int)rows, (int)N,
                 (int)K, 1.0f, Ar, (int)lda, B, (int)ldb, 1.0f, C, (int)ldc);
    else
      sgemm_builtin(rows, N, K, Ar, lda, B, ldb, C, ldc);
    if (!direct) /* the epilogue: round the block into C */
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t col = 0; col < N; ++col)
          store_elem(tc, c, (r0 + r) * crs + col * ccs, tmpC[r * N + col]);
  }
  free(tmpA);
  free(tmpB);
  free(tmpC);
}

static void matmul_rank2(int ta, int tb, int tc, MpMemRef2 *A, MpMemRef2 *B,
                         MpMemRef2 *C) {
  matmul2d(ta, A->aligned + A->offset * elem_size(ta), A->strides[0],
           A->strides[1], tb, B->aligned + B->offset * elem_size(tb),
           B->strides[0], B->strides[1], tc,
           C->aligned + C->offset * elem_size(tc), C->strides[0], C->strides[1],
           C->sizes[0], C->sizes[1], A->sizes[1]);
}

static void matmul_rank3(int ta, int tb, int tc, MpMemRef3 *A, MpMemRef3 *B,
                         MpMemRef3 *C) {
  for (int64_t i = 0; i < C->sizes[0]; ++i)
    matmul2d(ta, A->aligned + (A->offset + i * A->strides[0]) * elem_size(ta),
             A->strides[1], A->strides[2], tb,
             B->aligned + (B->offset + i * B->strides[0]) * elem_size(tb),
             B->strides[1], B->strides[2], tc,
             C->aligned + (C->offset + i * C->strides[0]) * elem_size(tc),
             C->strides[1], C->strides[2], C->sizes[1], C->sizes[2],
             A->sizes[2]);
}

void mp_rt_gemm(int ta, int tb, int tc, const void *a, int64_t ars, int64_t acs,
                const void *b, int64_t brs, int64_t bcs, void *c, int64_t crs,
                int64_t ccs, int64_t M, int64_t N, int64_t K) {
  matmul2d(ta, (const char *)a, ars, acs, tb, (const char *)b, brs, bcs, tc,
           (char *)c, crs, ccs, M, N, K);
}

/*===----------------------------------------------------------------------===*
 * Entry points: one per (A kind, B kind, C kind) and rank.
 *===----------------------------------------------------------------------===*/

#define MP_RT_MATMUL(NA, TA, NB, TB, NC, TC)                                   \
  void _mlir_ciface_mp_rt_matmul_##NA##_##NB##_##NC(                           \
      MpMemRef2 *a, MpMemRef2 *b, MpMemRef2 *c) {                              \
    matmul_rank2(TA, TB, TC, a, b, c);                                         \
  }                                                                            \
  void _mlir_ciface_mp_rt_batch_matmul_##NA##_##NB##_##NC(                     \
      MpMemRef3 *a, MpMemRef3 *b, MpMemRef3 *c) {                              \
    matmul_rank3(TA, TB, TC, a, b, c);                                         \
  }
#define MP_RT_MATMUL_C(NA, TA, NB, TB)                                         \
  MP_RT_MATMUL(NA, TA, NB, TB, f32, MP_F32)                                    \
  MP_RT_MATMUL(NA, TA, NB, TB, bf16, MP_BF16)                                  \
  MP_RT_MATMUL(NA, TA, NB, TB, f16, MP_F16)
#define MP_RT_MATMUL_B(NA, TA)                                                 \
  MP_RT_MATMUL_C(NA, TA, f32, MP_F32)                                          \
  MP_RT_MATMUL_C(NA, TA, bf16, MP_BF16)                                        \
  MP_RT_MATMUL_C(NA, TA, f16, MP_F16)                                          \
  MP_RT_MATMUL_C(NA, TA, f32tobf16, MP_F32_BF16)                               \
  MP_RT_MATMUL_C(NA, TA, f32tof16, MP_F32_F16)
MP_RT_MATMUL_B(f32, MP_F32)
MP_RT_MATMUL_B(bf16, MP_BF16)
MP_RT_MATMUL_B(f16, MP_F16)
MP_RT_MATMUL_B(f32tobf16, MP_F32_BF16)
MP_RT_MATMUL_B(f32tof16, MP_F32_F16)

#define MP_RT_SYM(NA, NB, NC)                                                  \
  {"_mlir_ciface_mp_rt_matmul_" #NA "_" #NB "_" #NC,                           \
   (void *)&_mlir_ciface_mp_rt_matmul_##NA##_##NB##_##NC},                     \
      {"_mlir_ciface_mp_rt_batch_matmul_" #NA "_" #NB "_" #NC,                 \
       (void *)&_mlir_ciface_mp_rt_batch_matmul_##NA##_##NB##_##NC},
#define MP_RT_SYM_C(NA, NB)                                                    \
  MP_RT_SYM(NA, NB, f32) MP_RT_SYM(NA, NB, bf16) MP_RT_SYM(NA, NB, f16)
#define MP_RT_SYM_B(NA)                                                        \
  MP_RT_SYM_C(NA, f32)                                                         \
  MP_RT_SYM_C(NA, bf16)                                                        \
  MP_RT_SYM_C(NA, f16) MP_RT_SYM_C(NA, f32tobf16) MP_RT_SYM_C(NA, f32tof16)

static const MpRtSymbol gemm_symbols[] = {MP_RT_SYM_B(f32) MP_RT_SYM_B(
    bf16) MP_RT_SYM_B(f16) MP_RT_SYM_B(f32tobf16) MP_RT_SYM_B(f32tof16)};

const MpRtSymbol *mp_rt_gemm_symbols(int *count) {
  *count = (int)(sizeof(gemm_symbols) / sizeof(gemm_symbols[0]));
  return gemm_symbols;
}
