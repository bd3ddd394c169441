/*===- mp_rt_gemm.c - contractions of compiled CPU steps ------------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * C += A . B with f32 accumulation for the operand kinds of
 * mixprec_cpu_runtime.h. Three engines:
 *
 *  - "amx": when both operands hold bf16 values and the CPU has AMX-BF16
 *    (and Linux grants the tile state), the bf16 engine's packing, tasks
 *    and epilogue with a TDPBF16PS micro-kernel on 16 x 16 tiles.
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
 * MIXPREC_GEMM=auto|amx|bf16|bf16emu|sgemm picks the engine (auto and
 * amx: amx where the CPU has it, else bf16 where it has AVX512_BF16, else
 * sgemm; bf16: VDPBF16PS even on an AMX CPU); MIXPREC_NUM_THREADS caps the bf16
 *engine's threads; MIXPREC_BLAS=builtin|<path> as documented in the header.
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
#include <sys/syscall.h>
#include <time.h>
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
  int64_t sizes[1];
  int64_t strides[1];
} MpMemRef1;

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
enum { ENGINE_SGEMM, ENGINE_BF16, ENGINE_BF16_EMU, ENGINE_AMX };
static int bf16_engine = ENGINE_SGEMM; /* engine for bf16-valued pairs */
static int num_threads = 1;
/* The packed-B cache (below): MIXPREC_PACK_CACHE=0, MIXPREC_PACK_CACHE_MB. */
static int pack_cache_on = 1;
static size_t pack_cache_limit = (size_t)256 << 20;
static pthread_once_t gemm_once = PTHREAD_ONCE_INIT;

static _Atomic int64_t pack_hits, pack_misses;

/* MIXPREC_PACK_CACHE_STATS=1: the cache's hits and misses at exit. */
static void print_pack_cache_stats(void) {
  fprintf(stderr, "mp-rt pack cache: %lld hits, %lld misses\n",
          (long long)atomic_load(&pack_hits),
          (long long)atomic_load(&pack_misses));
}

static int cpu_has_avx512bf16(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") &&
         __builtin_cpu_supports("avx512bw");
}

/* AMX-BF16 usable: the CPU has it and Linux grants this process the tile
 * data state (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA; without
 * it the first tile instruction faults). The permission is process-wide. */
static int cpu_has_amx_bf16(void) {
#if defined(__linux__) && defined(__x86_64__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("amx-bf16") ||
      !__builtin_cpu_supports("amx-tile") ||
      !__builtin_cpu_supports("avx512bw"))
    return 0;
  return syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */,
                 18 /* XFEATURE_XTILEDATA */) == 0;
#else
  return 0;
#endif
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
  if (!mode || !*mode || strcmp(mode, "auto") == 0 || strcmp(mode, "amx") == 0)
    bf16_engine = cpu_has_amx_bf16()     ? ENGINE_AMX
                  : cpu_has_avx512bf16() ? ENGINE_BF16
                                         : ENGINE_SGEMM;
  else if (strcmp(mode, "bf16") == 0)
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
  const char *cache = getenv("MIXPREC_PACK_CACHE");
  pack_cache_on = !(cache && strcmp(cache, "0") == 0);
  const char *cache_mb = getenv("MIXPREC_PACK_CACHE_MB");
  if (cache_mb && *cache_mb)
    pack_cache_limit = (size_t)atoll(cache_mb) << 20;
  const char *stats = getenv("MIXPREC_PACK_CACHE_STATS");
  if (stats && strcmp(stats, "1") == 0)
    atexit(print_pack_cache_stats);
  const char *engine = bf16_engine == ENGINE_AMX        ? "amx-bf16"
                       : bf16_engine == ENGINE_BF16     ? "avx512bf16"
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
 *
 * Threads claim tasks from one atomic word (generation | task count | next
 * task) and the caller returns once every task has run, whether or not
 * every worker took part: on a loaded machine a worker that is not
 * scheduled does not hold the step up, the caller runs its tasks. A worker
 * that finished a job spins for the next one for POOL_SPIN_NS before it
 * sleeps on the condition variable: a training step dispatches its loop
 * nests and GEMMs back to back, and waking a sleeping thread costs about
 * 10 us.
 *===----------------------------------------------------------------------===*/

typedef void (*TaskFn)(void *ctx, int64_t task);

#define POOL_SPIN_NS 50000
#define JOB_BITS 20
#define JOB_MASK ((UINT64_C(1) << JOB_BITS) - 1)
#define JOB_GEN_SHIFT (2 * JOB_BITS)

static struct {
  pthread_mutex_t lock; /* held by the caller of a parallel_for */
  pthread_mutex_t m;
  pthread_cond_t wake, idle;
  _Atomic(TaskFn) fn;
  _Atomic(void *) ctx;
  /* generation << 40 | ntasks << 20 | next task */
  _Atomic uint64_t word;
  _Atomic int64_t done; /* tasks of the current job that have run */
  int sleepers;         /* workers waiting on `wake` (under m) */
  int waiting;          /* the caller waits on `idle` (under m) */
  int workers;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
          PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, .workers = 0};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
/* Set on the pool's threads while they run tasks (the caller's included):
 * a parallel_for from inside a task runs on its thread. */
static __thread int in_pool_task;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The next task of job `gen`, or -1 when that job has none left (or is
 * over: its fn and ctx may then belong to a later job, never run). */
static int64_t claim_task(uint64_t gen) {
  uint64_t w = atomic_load(&pool.word);
  for (;;) {
    if ((w >> JOB_GEN_SHIFT) != gen ||
        (w & JOB_MASK) >= ((w >> JOB_BITS) & JOB_MASK))
      return -1;
    if (atomic_compare_exchange_weak(&pool.word, &w, w + 1))
      return (int64_t)(w & JOB_MASK);
  }
}

static void run_tasks(uint64_t gen, TaskFn fn, void *ctx, int64_t ntasks) {
  for (int64_t t; (t = claim_task(gen)) >= 0;) {
    fn(ctx, t);
    if (atomic_fetch_add(&pool.done, 1) + 1 == ntasks) {
      pthread_mutex_lock(&pool.m);
      if (pool.waiting)
        pthread_cond_signal(&pool.idle);
      pthread_mutex_unlock(&pool.m);
    }
  }
}

static void *worker_main(void *arg) {
  (void)arg;
  in_pool_task = 1;
  uint64_t seen = 0;
  for (;;) {
    uint64_t w = atomic_load(&pool.word);
    if ((w >> JOB_GEN_SHIFT) == seen) {
      int64_t until = now_ns() + POOL_SPIN_NS;
      do {
        for (int i = 0; i < 8; ++i)
          _mm_pause();
        w = atomic_load(&pool.word);
      } while ((w >> JOB_GEN_SHIFT) == seen && now_ns() < until);
    }
    if ((w >> JOB_GEN_SHIFT) == seen) {
      pthread_mutex_lock(&pool.m);
      ++pool.sleepers;
      while (((w = atomic_load(&pool.word)) >> JOB_GEN_SHIFT) == seen)
        pthread_cond_wait(&pool.wake, &pool.m);
      --pool.sleepers;
      pthread_mutex_unlock(&pool.m);
    }
    seen = w >> JOB_GEN_SHIFT;
    /* Read after the job was published, checked by every claim. */
    run_tasks(seen, atomic_load(&pool.fn), atomic_load(&pool.ctx),
              (int64_t)((w >> JOB_BITS) & JOB_MASK));
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
  if (ntasks <= 1 || pool.workers == 0 || in_pool_task ||
      (uint64_t)ntasks > JOB_MASK) {
    for (int64_t t = 0; t < ntasks; ++t)
      fn(ctx, t);
    return;
  }
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.fn, fn);
  atomic_store(&pool.ctx, ctx);
  atomic_store(&pool.done, 0);
  uint64_t gen = ((atomic_load(&pool.word) >> JOB_GEN_SHIFT) + 1) &
                 ((UINT64_C(1) << (64 - JOB_GEN_SHIFT)) - 1);
  atomic_store(&pool.word, gen << JOB_GEN_SHIFT | (uint64_t)ntasks << JOB_BITS);
  pthread_mutex_lock(&pool.m);
  if (pool.sleepers)
    pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.m);
  in_pool_task = 1;
  run_tasks(gen, fn, ctx, ntasks);
  in_pool_task = 0;
  /* Tasks other threads claimed and still run. */
  if (atomic_load(&pool.done) < ntasks) {
    int64_t until = now_ns() + POOL_SPIN_NS;
    while (atomic_load(&pool.done) < ntasks && now_ns() < until)
      _mm_pause();
    pthread_mutex_lock(&pool.m);
    pool.waiting = 1;
    while (atomic_load(&pool.done) < ntasks)
      pthread_cond_wait(&pool.idle, &pool.m);
    pool.waiting = 0;
    pthread_mutex_unlock(&pool.m);
  }
  pthread_mutex_unlock(&pool.lock);
}

/*===----------------------------------------------------------------------===*
 * mp_rt_parallel_for: the loop nests mp-outline-parallel-loops outlined,
 * their parallel range split into contiguous chunks on the same pool.
 *===----------------------------------------------------------------------===*/

typedef struct {
  MpRtRangeFn fn;
  void *ctx;
  int64_t begin, end, chunk;
} RangeJob;

static void range_task(void *arg, int64_t task) {
  RangeJob *j = (RangeJob *)arg;
  int64_t b = j->begin + task * j->chunk;
  int64_t e = b + j->chunk < j->end ? b + j->chunk : j->end;
  if (b < e)
    j->fn(j->ctx, b, e);
}

void mp_rt_parallel_for(MpRtRangeFn fn, void *ctx, int64_t begin, int64_t end) {
  pthread_once(&gemm_once, gemm_init);
  int64_t n = end - begin;
  if (n <= 1 || num_threads <= 1 || in_pool_task) {
    if (n > 0)
      fn(ctx, begin, end);
    return;
  }
  /* Contiguous chunks (inner-dimension ones stay vectorizable), a few per
   * thread so that the others take over from one that is not scheduled;
   * the split does not change the results. */
  int64_t ntasks = n < 4 * num_threads ? n : 4 * num_threads;
  RangeJob job = {fn, ctx, begin, end, (n + ntasks - 1) / ntasks};
  parallel_for(ntasks, range_task, &job);
}

/*===----------------------------------------------------------------------===*
 * The epilogue fused into a contraction (mp-contractions-to-runtime): the
 * bias add and activation that the contraction's only reader applied,
 * with that reader's arithmetic, so the result is bit for bit the unfused
 * one. For a half C (bf16 / f16: mp-autocast compute-output=compute, the
 * reader computing in the half type, each op rounding):
 *   x = h(acc); x = h(x + bias[j]); x = relu(x)      (h: round to C's kind)
 * for an f32 C: x = relu(acc + bias[j]) in f32. The bias kind says how its
 * value is read (f32tobf16: an f32 bias the reader rounded to bf16 first).
 * ReLU is arith.maximumf(x, 0): NaN stays NaN, -0 and negatives give +0.
 *===----------------------------------------------------------------------===*/

#define MP_PACK_TARGET __attribute__((target("avx512f,avx512bw,avx512vl")))

typedef struct MpEpilogue {
  int tbias;        /* kind of the bias (any operand kind), or -1: none */
  const char *bias; /* element 0 of the bias vector */
  int64_t bias_stride;
  int act; /* MP_ACT_NONE / MP_ACT_RELU */
} MpEpilogue;

enum { MP_ACT_NONE = 0, MP_ACT_RELU = 1 };

static inline float round_to(int tc, float x) {
  return tc == MP_BF16  ? bf16_to_f32(f32_to_bf16(x))
         : tc == MP_F16 ? f16_to_f32(f32_to_f16(x))
                        : x;
}

static inline float relu(float x) { return (x > 0.0f || x != x) ? x : 0.0f; }

static void epilogue_row_scalar(const MpEpilogue *ep, int tc, float *row,
                                int64_t n0, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) {
    float x = round_to(tc, row[j]);
    if (ep->tbias >= 0)
      x = round_to(
          tc, x + load_elem(ep->tbias, ep->bias, (n0 + j) * ep->bias_stride));
    row[j] = ep->act == MP_ACT_RELU ? relu(x) : x;
  }
}

static MP_PACK_TARGET __m512i round_bf16x16(__m512 x);

/* The bf16 C case, 16 columns at a time (bias contiguous, of kind f32,
 * bf16 or f32tobf16); the rest scalar. */
static MP_PACK_TARGET void epilogue_row_bf16(const MpEpilogue *ep, float *row,
                                             int64_t n0, int64_t cols) {
  int64_t j = 0;
  int vec = ep->tbias < 0 || (ep->bias_stride == 1 &&
                              (ep->tbias == MP_F32 || ep->tbias == MP_BF16 ||
                               ep->tbias == MP_F32_BF16));
  if (vec)
    for (; j + 16 <= cols; j += 16) {
      __m512 x = _mm512_castsi512_ps(
          _mm512_slli_epi32(round_bf16x16(_mm512_loadu_ps(row + j)), 16));
      if (ep->tbias >= 0) {
        __m512 b;
        if (ep->tbias == MP_BF16)
          b = _mm512_castsi512_ps(_mm512_slli_epi32(
              _mm512_cvtepu16_epi32(_mm256_loadu_si256(
                  (const __m256i *)((const uint16_t *)ep->bias + n0 + j))),
              16));
        else {
          b = _mm512_loadu_ps((const float *)ep->bias + n0 + j);
          if (ep->tbias == MP_F32_BF16)
            b = _mm512_castsi512_ps(_mm512_slli_epi32(round_bf16x16(b), 16));
        }
        x = _mm512_castsi512_ps(
            _mm512_slli_epi32(round_bf16x16(_mm512_add_ps(x, b)), 16));
      }
      if (ep->act == MP_ACT_RELU) /* x > 0 or unordered: x, else +0 */
        x = _mm512_maskz_mov_ps(
            _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NLE_UQ), x);
      _mm512_storeu_ps(row + j, x);
    }
  epilogue_row_scalar(ep, MP_BF16, row + j, n0 + j, cols - j);
}

/* row[0..cols) (columns n0..) = the epilogue of C of kind tc. */
static void epilogue_row(const MpEpilogue *ep, int tc, float *row, int64_t n0,
                         int64_t cols) {
  if (tc == MP_BF16 && cpu_has_avx512())
    epilogue_row_bf16(ep, row, n0, cols);
  else
    epilogue_row_scalar(ep, tc, row, n0, cols);
}

/*===----------------------------------------------------------------------===*
 * bf16 engine. A and B are packed into bf16 pairs along K (low half: even
 * k, high half: odd k, the operand order of VDPBF16PS); K is padded to
 * even, M and N to the register tile with zeros.
 *
 *   B: panels of NR columns, Bp[panel][kp][NR]        (all of B, once per
 *      call, on all threads)
 *   A: per task, for each KCP-pair block, Ap[rowpanel][nq][MR] (the task's
 *      MC rows x all of K, packed once per task, in L2)
 *
 * A task is one MC row block x a group of NC column blocks (all of N when
 * there are enough row blocks for the threads, so A is packed once); for
 * each NC block it walks K in KCP-pair blocks and runs the MR x NR
 * micro-kernel (MR rows, 2 zmm of 16 columns), accumulating in f32: into C
 * itself when C is a plain f32 row-major matrix without epilogue, else into
 * a task-local MC x NC block that the epilogue (bias, activation,
 * rounding) writes into C. The B micro-panel (KCP x NR pairs, 32 KiB) is
 * reused by the MC / MR A panels of the block (from L1 / L2; KCP 256 beat
 * 128 and 192 by 5-10 % on Zen 4, by CPU time). Packing is vectorized (AVX-512,
 * with the same round-to-nearest-even as arith.truncf, bit for bit).
 * GEMMs below SERIAL_MACS multiply-adds run on the calling thread (waking
 * the pool costs more); batched ones then run batch elements in parallel.
 *===----------------------------------------------------------------------===*/

#define MR 8
#define NR 32
/* Blocking (measured on Zen 4, benchmarks/gemm_bf16.py); overridable at
 * build time for tuning runs. */
#ifndef KCP
#define KCP 256 /* K block, in pairs */
#endif
#ifndef MC
#define MC 64
#endif
#ifndef NC
#define NC 256
#endif
#define SERIAL_MACS (1ll << 22)

typedef struct {
  int ta;
  const char *a;
  int64_t ars, acs;
  const uint32_t *bp; /* packed B */
  int64_t kp;         /* K pairs */
  float *c;           /* f32 row-major C accumulated in place, or NULL */
  int64_t ldc;
  int64_t M, N, K;
  int64_t mblocks, nblocks, ngroups; /* tasks: mblocks x ngroups */
  int emulate;
  /* c == NULL: the output is C of kind tc at (crs, ccs) strides (bf16 /
   * f16, or strided f32, or any C with an epilogue); each task accumulates
   * an MC x NC block in a local f32 buffer (initialised from C) and the
   * epilogue writes it into C: no f32 copy of the whole output. */
  int tc;
  char *cout;
  int64_t crs, ccs;
  const MpEpilogue *ep;
} Bf16Job;

/* 16 f32 -> 16 bf16 in the low halves of 32-bit lanes, rounded to nearest
 * even with NaNs kept quiet: f32_to_bf16, lane by lane. */
static inline MP_PACK_TARGET __m512i round_bf16x16(__m512 x) {
  __m512i u = _mm512_castps_si512(x);
  __m512i hi = _mm512_srli_epi32(u, 16);
  __m512i r = _mm512_srli_epi32(
      _mm512_add_epi32(
          u, _mm512_add_epi32(_mm512_set1_epi32(0x7fff),
                              _mm512_and_si512(hi, _mm512_set1_epi32(1)))),
      16);
  __mmask16 nan = _mm512_cmpgt_epu32_mask(
      _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)),
      _mm512_set1_epi32(0x7f800000));
  return _mm512_mask_mov_epi32(r, nan,
                               _mm512_or_si512(hi, _mm512_set1_epi32(0x40)));
}

/* n <= 16 bf16 values of kind t (MP_BF16 or MP_F32_BF16) at p, contiguous,
 * as bf16 bits in 32-bit lanes; lanes >= n are 0. */
static inline MP_PACK_TARGET __m512i load_bf16x16(int t, const char *p,
                                                  int64_t n) {
  __mmask16 m = n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
  if (t == MP_BF16)
    return _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p));
  return round_bf16x16(_mm512_maskz_loadu_ps(m, p));
}

/* 16 bf16 pairs (pair) or single values (!pair, f32 storage only: a bf16
 * one would read past its element) of kind t at byte offsets idx from p:
 * the 32 bits at each offset are two bf16, or a pair is rounded from the
 * two f32 at offset and offset + 4. Lanes off in m are 0. */
static inline MP_PACK_TARGET __m512i gather_pairs16(int t, const char *p,
                                                    __m512i idx, __mmask16 m,
                                                    int pair) {
  __m512i z = _mm512_setzero_si512();
  if (t == MP_BF16) {
    __m512i v = _mm512_mask_i32gather_epi32(z, m, idx, p, 1);
    return v; /* pairs only: callers read a lone bf16 element scalar */
  }
  __m512 lo = _mm512_castsi512_ps(_mm512_mask_i32gather_epi32(z, m, idx, p, 1));
  __m512i r = round_bf16x16(lo);
  if (pair) {
    __m512 hi =
        _mm512_castsi512_ps(_mm512_mask_i32gather_epi32(z, m, idx, p + 4, 1));
    r = _mm512_or_si512(r, _mm512_slli_epi32(round_bf16x16(hi), 16));
  }
  return r;
}

/* Packs B (K x N, kind tb) into NR-column panels of bf16 pairs: panel p
 * holds kp rows of NR pairs (pair rows past (K + 1) / 2, which the AMX
 * engine pads to whole tiles, are 0). */
static MP_PACK_TARGET void pack_b_pairs(int tb, const char *b, int64_t brs,
                                        int64_t bcs, int64_t K, int64_t N,
                                        int64_t kp, uint32_t *out) {
  int64_t panels = (N + NR - 1) / NR, es = (int64_t)elem_size(tb);
  int64_t kv = (K + 1) / 2; /* pair rows holding B */
  for (int64_t p = 0; p < panels; ++p) {
    uint32_t *dst = out + p * kp * NR;
    int64_t c0 = p * NR, cols = N - c0 < NR ? N - c0 : NR;
    if (bcs == 1) {
      /* rows of B contiguous: a pair row from two row loads. */
      for (int64_t q = 0; q < kv; ++q) {
        const char *lo = b + (2 * q * brs + c0) * es;
        for (int64_t j = 0; j < NR; j += 16) {
          int64_t n = cols - j < 0 ? 0 : cols - j;
          __m512i v = load_bf16x16(tb, lo + j * es, n);
          if (2 * q + 1 < K)
            v = _mm512_or_si512(
                v, _mm512_slli_epi32(load_bf16x16(tb, lo + (brs + j) * es, n),
                                     16));
          _mm512_storeu_si512(dst + q * NR + j, v);
        }
      }
    } else if (brs == 1 && NR * bcs * es < (1ll << 31)) {
      /* columns of B contiguous (a transposed view): a pair is adjacent
       * in a column; gather 16 columns per vector. */
      for (int64_t j = 0; j < NR; j += 16) {
        int64_t n = cols - j < 0 ? 0 : cols - j;
        __mmask16 m = n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
        __m512i idx =
            _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                 10, 11, 12, 13, 14, 15),
                               _mm512_set1_epi32((int)(bcs * es)));
        const char *col = b + (c0 + j) * bcs * es;
        for (int64_t q = 0; q < kv; ++q) {
          if (2 * q + 1 < K || tb != MP_BF16) {
            _mm512_storeu_si512(
                dst + q * NR + j,
                gather_pairs16(tb, col + 2 * q * es, idx, m, 2 * q + 1 < K));
            continue;
          }
          for (int64_t c = 0; c < 16; ++c) /* no read past a bf16 column */
            dst[q * NR + j + c] =
                c < n ? load_bf16(tb, col, c * bcs + 2 * q) : 0;
        }
      }
    } else {
      for (int64_t q = 0; q < kv; ++q) {
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
    }
    if (kp > kv)
      memset(dst + kv * NR, 0, (size_t)((kp - kv) * NR) * 4);
  }
}

/* Packs rows [m0, m0+rows) x pairs [q0, q0+nq) of A into MR-row panels. */
static MP_PACK_TARGET void pack_a_pairs(int ta, const char *a, int64_t ars,
                                        int64_t acs, int64_t K, int64_t m0,
                                        int64_t rows, int64_t q0, int64_t nq,
                                        uint32_t *out) {
  int64_t panels = (rows + MR - 1) / MR, es = (int64_t)elem_size(ta);
  for (int64_t p = 0; p < panels; ++p) {
    uint32_t *dst = out + p * nq * MR;
    int64_t r0 = m0 + p * MR, h = rows - p * MR < MR ? rows - p * MR : MR;
    __mmask16 m = (__mmask16)((1u << h) - 1);
    if (ars == 1) {
      /* columns of A contiguous (a transposed view): MR rows of one k are
       * adjacent; a pair row from two loads. */
      for (int64_t q = 0; q < nq; ++q) {
        int64_t k0 = 2 * (q0 + q);
        __m512i v = load_bf16x16(ta, a + (k0 * acs + r0) * es, h);
        if (k0 + 1 < K)
          v = _mm512_or_si512(
              v, _mm512_slli_epi32(
                     load_bf16x16(ta, a + ((k0 + 1) * acs + r0) * es, h), 16));
        _mm256_storeu_si256((__m256i *)(dst + q * MR),
                            _mm512_castsi512_si256(v));
      }
    } else if (acs == 1 && MR * ars * es < (1ll << 31)) {
      /* rows of A contiguous: a pair is adjacent in a row; gather the MR
       * rows' pair (two per vector: pairs q and q + 1). */
      __m512i idx = _mm512_add_epi32(
          _mm512_mullo_epi32(
              _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7),
              _mm512_set1_epi32((int)(ars * es))),
          _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, (int)(2 * es),
                            (int)(2 * es), (int)(2 * es), (int)(2 * es),
                            (int)(2 * es), (int)(2 * es), (int)(2 * es),
                            (int)(2 * es)));
      const char *base = a + r0 * ars * es;
      int64_t full = 2 * (q0 + nq) <= K ? nq : nq - 1; /* whole pairs */
      __mmask16 m2 = (__mmask16)(m | m << 8);
      int64_t q = 0;
      for (; q + 2 <= full; q += 2)
        _mm512_storeu_si512(
            dst + q * MR,
            gather_pairs16(ta, base + 2 * (q0 + q) * es, idx, m2, 1));
      for (; q < nq; ++q) { /* the last odd pair and the K tail */
        int64_t k0 = 2 * (q0 + q);
        if (k0 + 1 < K || ta != MP_BF16) {
          _mm256_storeu_si256((__m256i *)(dst + q * MR),
                              _mm512_castsi512_si256(gather_pairs16(
                                  ta, base + k0 * es, idx, m, k0 + 1 < K)));
          continue;
        }
        for (int64_t r = 0; r < MR; ++r) /* no read past a bf16 row */
          dst[q * MR + r] = r < h ? load_bf16(ta, a, (r0 + r) * ars + k0) : 0;
      }
    } else {
      for (int64_t r = 0; r < MR; ++r)
        for (int64_t q = 0; q < nq; ++q) {
          int64_t k0 = 2 * (q0 + q), k1 = k0 + 1;
          uint32_t lo = 0, hi = 0;
          if (r < h) {
            lo = load_bf16(ta, a, (r0 + r) * ars + k0 * acs);
            hi = k1 < K ? load_bf16(ta, a, (r0 + r) * ars + k1 * acs) : 0;
          }
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

/* Widens rows x cols of C (kind tc, strides crs, ccs) at (m0, n0) into the
 * f32 block (ld NC). */
static MP_PACK_TARGET void load_block(int tc, const char *c, int64_t crs,
                                      int64_t ccs, int64_t m0, int64_t n0,
                                      int64_t rows, int64_t cols,
                                      float *block) {
  for (int64_t r = 0; r < rows; ++r) {
    float *d = block + r * NC;
    int64_t base = (m0 + r) * crs + n0 * ccs, j = 0;
    if (ccs == 1 && tc == MP_BF16)
      for (; j + 16 <= cols; j += 16)
        _mm512_storeu_si512(
            d + j, _mm512_slli_epi32(
                       _mm512_cvtepu16_epi32(_mm256_loadu_si256(
                           (const __m256i *)((const uint16_t *)c + base + j))),
                       16));
    for (; j < cols; ++j)
      d[j] = load_elem(tc, c, base + j * ccs);
  }
}

/* The epilogue of rows x cols of the f32 block (ld NC) at (m0, n0): adds
 * the bias of each column, applies the activation and writes C (kind tc,
 * rounded where it is a half kind). */
static MP_PACK_TARGET void store_block(const MpEpilogue *ep, int tc, char *c,
                                       int64_t crs, int64_t ccs, int64_t m0,
                                       int64_t n0, int64_t rows, int64_t cols,
                                       float *block) {
  if (ep)
    for (int64_t r = 0; r < rows; ++r)
      epilogue_row(ep, tc, block + r * NC, n0, cols);
  for (int64_t r = 0; r < rows; ++r) {
    const float *s = block + r * NC;
    int64_t base = (m0 + r) * crs + n0 * ccs, j = 0;
    if (ccs == 1 && tc == MP_BF16)
      for (; j + 16 <= cols; j += 16)
        _mm256_storeu_si256(
            (__m256i *)((uint16_t *)c + base + j),
            _mm512_cvtepi32_epi16(round_bf16x16(_mm512_loadu_ps(s + j))));
    else if (ccs == 1 && tc == MP_F32)
      for (; j + 16 <= cols; j += 16)
        _mm512_storeu_ps((float *)c + base + j, _mm512_loadu_ps(s + j));
    for (; j < cols; ++j)
      store_elem(tc, c, base + j * ccs, s[j]);
  }
}

/* A per-thread scratch buffer of at least `bytes` (slot 0: packed B, 1:
 * packed A), 64-byte aligned (a packed row or tile row is whole cache
 * lines), kept between calls: a fresh multi-megabyte malloc is an mmap
 * whose page faults cost more than packing into warm memory. */
static void *scratch(int slot, size_t bytes) {
  static __thread void *buf[2];
  static __thread size_t cap[2];
  if (cap[slot] < bytes) {
    free(buf[slot]);
    buf[slot] = aligned_alloc(64, (bytes + 63) / 64 * 64);
    cap[slot] = buf[slot] ? bytes : 0;
    if (!buf[slot])
      abort();
  }
  return buf[slot];
}

/*===----------------------------------------------------------------------===*
 * The packed-B cache. mp-contractions-to-runtime calls the `_cached` entry
 * points for a B it proved is not written during the step (a view of a
 * step argument that nothing in the function writes), and brackets the
 * function with mp_rt_pack_cache_begin_step / _end_step. Such a B's packed
 * panels are kept, keyed by (address, kind, strides, K, N), until the next
 * begin or end: with micro-batches (K forwards and backwards per step) or
 * a recomputed forward, each weight is packed once per layout per step.
 * The panels are those of the uncached path (same packing code), so the
 * results are bit for bit the same; MIXPREC_PACK_CACHE=0 turns it off.
 *
 * Entries are per thread (the thread that calls the GEMM; the pool's
 * threads only fill them), the epoch is global: a begin or end on any
 * thread invalidates every entry, so steps running concurrently on two
 * threads are safe (each may then pack again; a B that a concurrent step
 * writes is a data race with or without the cache). Memory: at most
 * MIXPREC_PACK_CACHE_MB MiB (default 256) and PACK_SLOTS entries per
 * thread; a B that does not fit is packed into the scratch buffer as
 * without the cache. Buffers of stale entries are reused (no page faults).
 * MIXPREC_PACK_CACHE_STATS=1 prints the hits and misses at exit.
 *===----------------------------------------------------------------------===*/

#define PACK_SLOTS 32

typedef struct {
  const char *b;
  int tb;
  int64_t brs, bcs, K, N;
  uint64_t epoch; /* valid while == pack_epoch; 0: being filled */
  uint32_t *buf;
  size_t cap;
} PackSlot;

static _Atomic uint64_t pack_epoch = 1;
static __thread PackSlot pack_slots[PACK_SLOTS];
static __thread size_t pack_bytes; /* capacity held by this thread */

void mp_rt_pack_cache_begin_step(void) { atomic_fetch_add(&pack_epoch, 1); }
void mp_rt_pack_cache_end_step(void) { atomic_fetch_add(&pack_epoch, 1); }
void mp_rt_pack_cache_stats(int64_t *hits, int64_t *misses) {
  *hits = atomic_load(&pack_hits);
  *misses = atomic_load(&pack_misses);
}

static void pack_slot_free(PackSlot *s) {
  pack_bytes -= s->cap;
  free(s->buf);
  s->buf = NULL, s->cap = 0, s->epoch = 0;
}

/* The cache entry of B: *hit = 1 when its panels are valid; else a slot of
 * at least `bytes` to pack into (the caller then sets its epoch to *epoch),
 * or NULL when B does not fit (pack into the scratch buffer). */
static PackSlot *pack_cache_lookup(int tb, const char *b, int64_t brs,
                                   int64_t bcs, int64_t K, int64_t N,
                                   size_t bytes, int *hit, uint64_t *epoch) {
  uint64_t e = atomic_load(&pack_epoch);
  *epoch = e, *hit = 0;
  PackSlot *fit = NULL, *empty = NULL;
  for (int i = 0; i < PACK_SLOTS; ++i) {
    PackSlot *s = &pack_slots[i];
    if (s->buf && s->epoch == e && s->b == b && s->tb == tb && s->brs == brs &&
        s->bcs == bcs && s->K == K && s->N == N) {
      atomic_fetch_add(&pack_hits, 1);
      *hit = 1;
      return s;
    }
    if (s->buf && s->epoch != e && s->cap >= bytes &&
        (!fit || s->cap < fit->cap))
      fit = s; /* the smallest stale buffer that fits */
    if (!s->buf && !empty)
      empty = s;
  }
  atomic_fetch_add(&pack_misses, 1);
  if (!fit) {
    /* Free stale buffers until a new one fits under the limit. */
    for (int i = 0; i < PACK_SLOTS && pack_bytes + bytes > pack_cache_limit;
         ++i)
      if (pack_slots[i].buf && pack_slots[i].epoch != e)
        pack_slot_free(&pack_slots[i]);
    for (int i = 0; i < PACK_SLOTS && !empty; ++i)
      if (!pack_slots[i].buf)
        empty = &pack_slots[i];
    if (!empty || pack_bytes + bytes > pack_cache_limit)
      return NULL;
    empty->buf = (uint32_t *)aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!empty->buf)
      return NULL;
    empty->cap = bytes;
    pack_bytes += bytes;
    fit = empty;
  }
  fit->b = b, fit->tb = tb, fit->brs = brs, fit->bcs = bcs, fit->K = K;
  fit->N = N, fit->epoch = 0;
  return fit;
}

/* The rows and the NC blocks of C of one task (mblocks x ngroups). */
static void task_bounds(const Bf16Job *job, int64_t task, int64_t *m0,
                        int64_t *rows, int64_t *nb0, int64_t *nb1) {
  int64_t mb = task / job->ngroups, g = task % job->ngroups;
  int64_t per_group = (job->nblocks + job->ngroups - 1) / job->ngroups;
  *nb0 = g * per_group;
  *nb1 = *nb0 + per_group < job->nblocks ? *nb0 + per_group : job->nblocks;
  *m0 = mb * MC;
  *rows = job->M - *m0 < MC ? job->M - *m0 : MC;
}

/* A task's micro-kernel: tile (mr x NR f32, ld ldt) += the row group ip of
 * the task's packed A over pairs [q0, q0 + nq) . the B panel bp (at q0). */
typedef struct {
  int64_t mr, kcp; /* rows per micro-block, K block in pairs */
  int rows_outer;  /* loop order in a K block (task_blocks) */
  void (*micro)(const void *ctx, int64_t ip, int64_t q0, int64_t nq,
                const uint32_t *bp, float *tile, int64_t ldt);
  const void *ctx;
} TaskKernel;

/* Rows [m0, m0 + rows) x NC blocks [nb0, nb1) of C += A . B, by K blocks,
 * NR-column panels and mr-row groups; edge micro-blocks through a local
 * buffer; a C that is not f32 in place through an MC x NC f32 block and
 * the epilogue (bias, activation, rounding into C). */
static void task_blocks(const Bf16Job *job, int64_t m0, int64_t rows,
                        int64_t nb0, int64_t nb1, const TaskKernel *k) {
  /* mr <= 32; the task's C block when C is not f32 in place; aligned: a
   * tile row of 16 f32 is one cache line. */
  float edge[32 * NR] __attribute__((aligned(64)));
  float block[MC * NC] __attribute__((aligned(64)));
  int64_t mr = k->mr;
  for (int64_t nb = nb0; nb < nb1; ++nb) {
    int64_t n0 = nb * NC, cols = job->N - n0 < NC ? job->N - n0 : NC;
    float *cbase = job->c;
    int64_t ldc = job->ldc;
    if (!cbase) {
      load_block(job->tc, job->cout, job->crs, job->ccs, m0, n0, rows, cols,
                 block);
      cbase = block - m0 * NC - n0, ldc = NC;
    }
    for (int64_t q0 = 0; q0 < job->kp; q0 += k->kcp) {
      int64_t nq = job->kp - q0 < k->kcp ? job->kp - q0 : k->kcp;
      int64_t panels = (cols + NR - 1) / NR, groups = (rows + mr - 1) / mr;
      for (int64_t i = 0; i < panels * groups; ++i) {
        /* Panels outer (the B panel's K block reused by the row groups),
         * or row groups outer (the A group's K block reused by the
         * panels from L1: rows_outer). */
        int64_t jp = k->rows_outer ? i % panels : i / groups;
        int64_t ip = k->rows_outer ? i / panels : i % groups;
        int64_t col = n0 + jp * NR, w = job->N - col < NR ? job->N - col : NR;
        const uint32_t *bp = job->bp + (col / NR) * job->kp * NR + q0 * NR;
        {
          int64_t row = m0 + ip * mr, h = job->M - row < mr ? job->M - row : mr;
          float *c = cbase + row * ldc + col;
          float *tile = c;
          int64_t ldt = ldc;
          if (h < mr || w < NR) { /* edge tile: through a local buffer */
            memset(edge, 0, (size_t)(mr * NR) * 4);
            for (int64_t r = 0; r < h; ++r)
              memcpy(edge + r * NR, c + r * ldc, (size_t)w * 4);
            tile = edge, ldt = NR;
          }
          k->micro(k->ctx, ip, q0, nq, bp, tile, ldt);
          if (tile == edge)
            for (int64_t r = 0; r < h; ++r)
              memcpy(c + r * ldc, edge + r * NR, (size_t)w * 4);
        }
      }
    }
    if (!job->c)
      store_block(job->ep, job->tc, job->cout, job->crs, job->ccs, m0, n0, rows,
                  cols, block);
  }
}

/* The VDPBF16PS engine's A: MR-row panels per K block (pack_a_pairs). */
typedef struct {
  const uint32_t *ap;
  int64_t rpanels;
  int emulate;
} Bf16Micro;

static void bf16_micro(const void *ctx, int64_t ip, int64_t q0, int64_t nq,
                       const uint32_t *bp, float *tile, int64_t ldt) {
  const Bf16Micro *m = (const Bf16Micro *)ctx;
  const uint32_t *a = m->ap + q0 * m->rpanels * MR + ip * nq * MR;
  if (m->emulate)
    micro_bf16_emulated(nq, a, bp, tile, ldt);
  else
    micro_bf16(nq, a, bp, tile, ldt);
}

static void bf16_task(void *arg, int64_t task) {
  Bf16Job *job = (Bf16Job *)arg;
  int64_t m0, rows, nb0, nb1;
  task_bounds(job, task, &m0, &rows, &nb0, &nb1);
  int64_t rpanels = (rows + MR - 1) / MR;
  /* A: the task's rows, all of K, packed once (per K block: the panels). */
  uint32_t *ap = (uint32_t *)scratch(1, (size_t)(rpanels * MR * job->kp) *
                                            sizeof(uint32_t));
  for (int64_t q0 = 0; q0 < job->kp; q0 += KCP) {
    int64_t nq = job->kp - q0 < KCP ? job->kp - q0 : KCP;
    pack_a_pairs(job->ta, job->a, job->ars, job->acs, job->K, m0, rows, q0, nq,
                 ap + q0 * rpanels * MR);
  }
  Bf16Micro m = {ap, rpanels, job->emulate};
  TaskKernel k = {MR, KCP, 0, bf16_micro, &m};
  task_blocks(job, m0, rows, nb0, nb1, &k);
}

/*===----------------------------------------------------------------------===*
 * The AMX engine (CPUs with AMX-BF16: Sapphire Rapids and later). The same
 * packed B panels, tasks and epilogue as the VDPBF16PS engine; the
 * micro-kernel is a 32 x 32 block of C in four 16 x 16 f32 tiles (tmm0-3),
 * each step multiplying two 16-row A tiles (16 rows x 16 pairs, tmm4-5)
 * by two B tiles (16 pair rows x 16 columns of the NR-wide panel, tmm6-7)
 * with TDPBF16PS. A is packed row-major in pairs (a tile row is 64
 * contiguous bytes of one row of A); K is padded with zero pairs to whole
 * tiles (16 pairs) in A and B, M to whole 32-row blocks. TDPBF16PS rounds
 * like VDPBF16PS and, like it, treats bf16 denormal inputs as zero; within
 * the same tolerance of an f64 reference as the other engines
 * (mp-rt-gemm-test), not bit-identical to them.
 *===----------------------------------------------------------------------===*/

#define AMX_MR 32
#ifndef AMX_KCP
#define AMX_KCP 256 /* K block, in pairs (a multiple of 16) */
#endif
#ifndef AMX_ROWS_OUTER
#define AMX_ROWS_OUTER 1 /* A's K block stays in L1 across the B panels */
#endif
#ifndef AMX_APAD
#define AMX_APAD 16 /* pairs of padding after each packed row of A */
#endif
#define MP_AMX_TARGET                                                          \
  __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl")))

typedef struct {
  uint8_t palette, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} AmxTileConfig;

/* Every tile 16 rows x 64 bytes (per thread; a tile config load zeroes the
 * tiles). */
static MP_AMX_TARGET void amx_configure(void) {
  AmxTileConfig cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.palette = 1;
  for (int i = 0; i < 8; ++i)
    cfg.rows[i] = 16, cfg.colsb[i] = 64;
  _tile_loadconfig(&cfg);
}

static MP_AMX_TARGET void amx_release(void) { _tile_release(); }

/* tile (32 x 32 f32, ld ldt) += Ap[32][nq pairs] (ld lda pairs) .
 * Bp[nq][NR] (the first 32 columns); nq a multiple of 16. */
static MP_AMX_TARGET void micro_amx(int64_t nq, const uint32_t *ap, int64_t lda,
                                    const uint32_t *bp, float *tile,
                                    int64_t ldt) {
  long ct = (long)ldt * 4, at = (long)lda * 4;
  _tile_loadd(0, tile, ct);
  _tile_loadd(1, tile + 16, ct);
  _tile_loadd(2, tile + 16 * ldt, ct);
  _tile_loadd(3, tile + 16 * ldt + 16, ct);
  for (int64_t q = 0; q < nq; q += 16) {
    _tile_loadd(4, ap + q, at);
    _tile_loadd(6, bp + q * NR, NR * 4);
    _tile_dpbf16ps(0, 4, 6);
    _tile_loadd(7, bp + q * NR + 16, NR * 4);
    _tile_dpbf16ps(1, 4, 7);
    _tile_loadd(5, ap + 16 * lda + q, at);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, tile, ct);
  _tile_stored(1, tile + 16, ct);
  _tile_stored(2, tile + 16 * ldt, ct);
  _tile_stored(3, tile + 16 * ldt + 16, ct);
}

/* Packs rows [m0, m0+rows) of A (kind ta), all of K, row-major in pairs:
 * out[r * lda + q] holds A[m0 + r][2q] | A[m0 + r][2q + 1] << 16 for q < kp
 * (lda >= kp); pairs past K and rows [rows, rpad) are 0. */
static MP_PACK_TARGET void pack_a_rows(int ta, const char *a, int64_t ars,
                                       int64_t acs, int64_t K, int64_t m0,
                                       int64_t rows, int64_t rpad, int64_t kp,
                                       int64_t lda, uint32_t *out) {
  int64_t es = (int64_t)elem_size(ta), kv = (K + 1) / 2;
  if (acs == 1) {
    /* rows of A contiguous: 32 elements (16 pairs) per vector. */
    for (int64_t r = 0; r < rows; ++r) {
      const char *src = a + (m0 + r) * ars * es;
      uint16_t *d = (uint16_t *)(out + r * lda);
      int64_t k = 0;
      for (; k < K; k += 32) {
        int64_t n = K - k < 32 ? K - k : 32;
        __mmask32 m = n >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << n) - 1);
        __m512i v;
        if (ta == MP_BF16) {
          v = _mm512_maskz_loadu_epi16(m, src + k * 2);
        } else {
          __m512i lo =
              round_bf16x16(_mm512_maskz_loadu_ps((__mmask16)m, src + k * 4));
          __m512i hi = round_bf16x16(
              _mm512_maskz_loadu_ps((__mmask16)(m >> 16), src + (k + 16) * 4));
          v = _mm512_inserti64x4(
              _mm512_castsi256_si512(_mm512_cvtepi32_epi16(lo)),
              _mm512_cvtepi32_epi16(hi), 1);
        }
        _mm512_storeu_si512(d + k, v);
      }
      if (k < 2 * kp)
        memset(d + k, 0, (size_t)(2 * kp - k) * 2);
    }
  } else if (ars == 1) {
    /* columns of A contiguous (a transposed view: dW = X^T dY): 16 rows
     * of one pair per vector (two column loads), then a 16 x 16
     * transpose through a local buffer. */
    uint32_t t[16][16];
    for (int64_t r0 = 0; r0 < rows; r0 += 16) {
      int64_t h = rows - r0 < 16 ? rows - r0 : 16;
      for (int64_t q0 = 0; q0 < kp; q0 += 16) {
        for (int64_t i = 0; i < 16; ++i) {
          int64_t k0 = 2 * (q0 + i);
          __m512i v = _mm512_setzero_si512();
          if (q0 + i < kv) {
            v = load_bf16x16(ta, a + (k0 * acs + m0 + r0) * es, h);
            if (k0 + 1 < K)
              v = _mm512_or_si512(
                  v,
                  _mm512_slli_epi32(
                      load_bf16x16(ta, a + ((k0 + 1) * acs + m0 + r0) * es, h),
                      16));
          }
          _mm512_storeu_si512(t[i], v);
        }
        __m512i idx =
            _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                 10, 11, 12, 13, 14, 15),
                               _mm512_set1_epi32(16));
        for (int64_t r = 0; r < h; ++r)
          _mm512_storeu_si512(out + (r0 + r) * lda + q0,
                              _mm512_i32gather_epi32(idx, &t[0][r], 4));
      }
    }
  } else {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t q = 0; q < kp; ++q) {
        int64_t k0 = 2 * q, k1 = k0 + 1;
        uint32_t lo = 0, hi = 0;
        if (q < kv) {
          lo = load_bf16(ta, a, (m0 + r) * ars + k0 * acs);
          hi = k1 < K ? load_bf16(ta, a, (m0 + r) * ars + k1 * acs) : 0;
        }
        out[r * lda + q] = lo | hi << 16;
      }
  }
  if (rpad > rows)
    for (int64_t r = rows; r < rpad; ++r)
      memset(out + r * lda, 0, (size_t)kp * 4);
}

/* The AMX engine's A: row-major pairs, lda apart (pack_a_rows). */
typedef struct {
  const uint32_t *ap;
  int64_t lda;
} AmxMicro;

static void amx_micro(const void *ctx, int64_t ip, int64_t q0, int64_t nq,
                      const uint32_t *bp, float *tile, int64_t ldt) {
  const AmxMicro *m = (const AmxMicro *)ctx;
  micro_amx(nq, m->ap + ip * AMX_MR * m->lda + q0, m->lda, bp, tile, ldt);
}

/* One task of the AMX engine: bf16_task's blocks with 32 x 32
 * micro-blocks. */
static void amx_task(void *arg, int64_t task) {
  Bf16Job *job = (Bf16Job *)arg;
  int64_t m0, rows, nb0, nb1;
  task_bounds(job, task, &m0, &rows, &nb0, &nb1);
  int64_t rpad = (rows + AMX_MR - 1) / AMX_MR * AMX_MR, kp = job->kp;
  /* A's rows kp + AMX_APAD pairs apart: a tile's 16 rows at a multiple of
   * 4 KiB would fall into a few L1 sets. */
  int64_t lda = kp + AMX_APAD;
  uint32_t *ap = (uint32_t *)scratch(1, (size_t)(rpad * lda) * 4);
  pack_a_rows(job->ta, job->a, job->ars, job->acs, job->K, m0, rows, rpad, kp,
              lda, ap);
  amx_configure();
  AmxMicro m = {ap, lda};
  TaskKernel k = {AMX_MR, AMX_KCP, AMX_ROWS_OUTER, amx_micro, &m};
  task_blocks(job, m0, rows, nb0, nb1, &k);
  amx_release();
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

/* C += A . B (then the epilogue ep, when not NULL) on the bf16 engine:
 * c != NULL: C is f32, row-major, ldc, no epilogue; c == NULL: C is (tc,
 * cout, crs, ccs), through per-task blocks. serial: on this thread only. */
static void gemm_bf16(int ta, const char *a, int64_t ars, int64_t acs, int tb,
                      const char *b, int64_t brs, int64_t bcs, float *c,
                      int64_t ldc, int tc, char *cout, int64_t crs, int64_t ccs,
                      const MpEpilogue *ep, int64_t M, int64_t N, int64_t K,
                      int engine, int serial, int cache_b) {
  int amx = engine == ENGINE_AMX, emulate = engine == ENGINE_BF16_EMU;
  int64_t kp = (K + 1) / 2, panels = (N + NR - 1) / NR;
  if (amx) /* whole tiles of 16 pairs */
    kp = (kp + 15) / 16 * 16;
  size_t bytes = (size_t)(kp * panels * NR) * 4;
  int hit = 0;
  uint64_t epoch = 0;
  PackSlot *slot =
      cache_b && pack_cache_on
          ? pack_cache_lookup(tb, b, brs, bcs, K, N, bytes, &hit, &epoch)
          : NULL;
  uint32_t *bp = slot ? slot->buf : (uint32_t *)scratch(0, bytes);
  int threads = serial ? 1 : num_threads;
  PackBJob pj = {tb, b, brs, bcs, K, N, kp, bp, panels};
  if (threads > 1)
    pj.per_task = (panels + 4 * threads - 1) / (4 * threads);
  int64_t ptasks = (panels + pj.per_task - 1) / pj.per_task;
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
                 1,
                 emulate,
                 tc,
                 cout,
                 crs,
                 ccs,
                 ep};
  /* Enough tasks for the threads, splitting N only where M has too few
   * row blocks (each split packs its rows of A again). */
  if (threads > 1 && job.mblocks < 2 * threads) {
    job.ngroups = (2 * threads + job.mblocks - 1) / job.mblocks;
    if (job.ngroups > job.nblocks)
      job.ngroups = job.nblocks;
  }
  int64_t tasks = job.mblocks * job.ngroups;
  if (!hit) {
    if (threads > 1)
      parallel_for(ptasks, pack_b_task, &pj);
    else
      for (int64_t t = 0; t < ptasks; ++t)
        pack_b_task(&pj, t);
    if (slot)
      slot->epoch = epoch; /* stale already if a begin / end came since */
  }
  TaskFn task = amx ? amx_task : bf16_task;
  if (threads > 1)
    parallel_for(tasks, task, &job);
  else
    for (int64_t t = 0; t < tasks; ++t)
      task(&job, t);
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

/* C[M x N] += A[M x K] . B[K x N], then the epilogue ep (NULL: none);
 * each operand: kind, base (element 0 of the matrix), row and column
 * strides in elements. A C of kind bf16 / f16 (or strided f32, or any C
 * with an epilogue) is accumulated in f32 block by block and written once
 * into C: the epilogue writes the half result, no f32 copy of all of C.
 * serial: this thread only (the caller runs several in parallel). */
static void matmul2d(int ta, const char *a, int64_t ars, int64_t acs, int tb,
                     const char *b, int64_t brs, int64_t bcs, int tc, char *c,
                     int64_t crs, int64_t ccs, int64_t M, int64_t N, int64_t K,
                     const MpEpilogue *ep, int serial, int cache_b) {
  if (M == 0 || N == 0)
    return;
  pthread_once(&gemm_once, gemm_init);
  int direct = tc == MP_F32 && ccs == 1 && crs >= N && !ep;
  if (K == 0) { /* C = epilogue(C) */
    if (!ep)
      return;
    float row[NC];
    for (int64_t r = 0; r < M; ++r)
      for (int64_t n0 = 0; n0 < N; n0 += NC) {
        int64_t cols = N - n0 < NC ? N - n0 : NC;
        for (int64_t j = 0; j < cols; ++j)
          row[j] = load_elem(tc, c, r * crs + (n0 + j) * ccs);
        if (ep)
          epilogue_row(ep, tc, row, n0, cols);
        for (int64_t j = 0; j < cols; ++j)
          store_elem(tc, c, r * crs + (n0 + j) * ccs, row[j]);
      }
    return;
  }
  if (bf16_engine != ENGINE_SGEMM && bf16_valued(ta) && bf16_valued(tb)) {
    gemm_bf16(ta, a, ars, acs, tb, b, brs, bcs, direct ? (float *)c : NULL, crs,
              tc, c, crs, ccs, ep, M, N, K, bf16_engine,
              serial || (double)M * (double)N * (double)K < SERIAL_MACS,
              cache_b);
    return;
  }
  /* An f32 row-major C takes the SGEMM directly, then the epilogue in
   * place: the same accumulation as without one, bit for bit. */
  direct = tc == MP_F32 && ccs == 1 && crs >= N;
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
    if (direct && ep)
      for (int64_t r = 0; r < rows; ++r)
        epilogue_row(ep, tc, C + r * ldc, 0, N);
    if (!direct) /* the epilogue: bias, activation, round into C */
      for (int64_t r = 0; r < rows; ++r) {
        if (ep)
          epilogue_row(ep, tc, tmpC + r * N, 0, N);
        for (int64_t col = 0; col < N; ++col)
          store_elem(tc, c, (r0 + r) * crs + col * ccs, tmpC[r * N + col]);
      }
  }
  free(tmpA);
  free(tmpB);
  free(tmpC);
}

static void matmul_rank2(int ta, int tb, int tc, MpMemRef2 *A, MpMemRef2 *B,
                         MpMemRef2 *C, const MpEpilogue *ep, int cache_b) {
  matmul2d(ta, A->aligned + A->offset * elem_size(ta), A->strides[0],
           A->strides[1], tb, B->aligned + B->offset * elem_size(tb),
           B->strides[0], B->strides[1], tc,
           C->aligned + C->offset * elem_size(tc), C->strides[0], C->strides[1],
           C->sizes[0], C->sizes[1], A->sizes[1], ep, 0, cache_b);
}

typedef struct {
  int ta, tb, tc;
  MpMemRef3 *A, *B, *C;
  int serial;
} BatchJob;

static void batch_task(void *arg, int64_t i) {
  BatchJob *j = (BatchJob *)arg;
  MpMemRef3 *A = j->A, *B = j->B, *C = j->C;
  matmul2d(j->ta,
           A->aligned + (A->offset + i * A->strides[0]) * elem_size(j->ta),
           A->strides[1], A->strides[2], j->tb,
           B->aligned + (B->offset + i * B->strides[0]) * elem_size(j->tb),
           B->strides[1], B->strides[2], j->tc,
           C->aligned + (C->offset + i * C->strides[0]) * elem_size(j->tc),
           C->strides[1], C->strides[2], C->sizes[1], C->sizes[2], A->sizes[2],
           NULL, j->serial, 0);
}

/* Batch elements one after the other, each on all threads; or, on the
 * bf16 engine, when each is too small to split, the batch elements in
 * parallel (each on one thread: the results do not depend on the split). */
static void matmul_rank3(int ta, int tb, int tc, MpMemRef3 *A, MpMemRef3 *B,
                         MpMemRef3 *C) {
  pthread_once(&gemm_once, gemm_init);
  BatchJob job = {ta, tb, tc, A, B, C, 0};
  int64_t batch = C->sizes[0];
  double macs = (double)C->sizes[1] * (double)C->sizes[2] * (double)A->sizes[2];
  if (bf16_engine != ENGINE_SGEMM && bf16_valued(ta) && bf16_valued(tb) &&
      batch > 1 && num_threads > 1 && macs < SERIAL_MACS &&
      macs * (double)batch >= SERIAL_MACS) {
    job.serial = 1;
    parallel_for(batch, batch_task, &job);
    return;
  }
  for (int64_t i = 0; i < batch; ++i)
    batch_task(&job, i);
}

void mp_rt_gemm(int ta, int tb, int tc, const void *a, int64_t ars, int64_t acs,
                const void *b, int64_t brs, int64_t bcs, void *c, int64_t crs,
                int64_t ccs, int64_t M, int64_t N, int64_t K) {
  matmul2d(ta, (const char *)a, ars, acs, tb, (const char *)b, brs, bcs, tc,
           (char *)c, crs, ccs, M, N, K, NULL, 0, 0);
}

void mp_rt_gemm_cached(int ta, int tb, int tc, const void *a, int64_t ars,
                       int64_t acs, const void *b, int64_t brs, int64_t bcs,
                       void *c, int64_t crs, int64_t ccs, int64_t M, int64_t N,
                       int64_t K) {
  matmul2d(ta, (const char *)a, ars, acs, tb, (const char *)b, brs, bcs, tc,
           (char *)c, crs, ccs, M, N, K, NULL, 0, 1);
}

void mp_rt_gemm_epilogue(int ta, int tb, int tc, const void *a, int64_t ars,
                         int64_t acs, const void *b, int64_t brs, int64_t bcs,
                         void *c, int64_t crs, int64_t ccs, int64_t M,
                         int64_t N, int64_t K, int tbias, const void *bias,
                         int64_t bias_stride, int act) {
  MpEpilogue ep = {tbias, (const char *)bias, bias_stride, act};
  matmul2d(ta, (const char *)a, ars, acs, tb, (const char *)b, brs, bcs, tc,
           (char *)c, crs, ccs, M, N, K, &ep, 0, 0);
}

/*===----------------------------------------------------------------------===*
 * Entry points: one per (A kind, B kind, C kind) and rank.
 *===----------------------------------------------------------------------===*/

#define MP_RT_MATMUL(NA, TA, NB, TB, NC, TC)                                   \
  void _mlir_ciface_mp_rt_matmul_##NA##_##NB##_##NC(                           \
      MpMemRef2 *a, MpMemRef2 *b, MpMemRef2 *c) {                              \
    matmul_rank2(TA, TB, TC, a, b, c, NULL, 0);                                \
  }                                                                            \
  void _mlir_ciface_mp_rt_matmul_cached_##NA##_##NB##_##NC(                    \
      MpMemRef2 *a, MpMemRef2 *b, MpMemRef2 *c) {                              \
    matmul_rank2(TA, TB, TC, a, b, c, NULL, 1);                                \
  }                                                                            \
  void _mlir_ciface_mp_rt_batch_matmul_##NA##_##NB##_##NC(                     \
      MpMemRef3 *a, MpMemRef3 *b, MpMemRef3 *c) {                              \
    matmul_rank3(TA, TB, TC, a, b, c);                                         \
  }
/* With the fused epilogue: C = epilogue(C + A . B), bias of kind tbias
 * along C's columns, act as in MpEpilogue (mp-contractions-to-runtime). */
#define MP_RT_MATMUL_EP_(NAME, NA, TA, NB, TB, NC, TC, CACHE)                  \
  void _mlir_ciface_##NAME##_##NA##_##NB##_##NC(MpMemRef2 *a, MpMemRef2 *b,    \
                                                MpMemRef2 *c, MpMemRef1 *bias, \
                                                int64_t tbias, int64_t act) {  \
    MpEpilogue ep = {(int)tbias,                                               \
                     bias->aligned + bias->offset * elem_size((int)tbias),     \
                     bias->strides[0], (int)act};                              \
    matmul_rank2(TA, TB, TC, a, b, c, &ep, CACHE);                             \
  }
#define MP_RT_MATMUL_EP(NA, TA, NB, TB, NC, TC)                                \
  MP_RT_MATMUL_EP_(mp_rt_matmul_ep, NA, TA, NB, TB, NC, TC, 0)                 \
  MP_RT_MATMUL_EP_(mp_rt_matmul_ep_cached, NA, TA, NB, TB, NC, TC, 1)
#define MP_RT_MATMUL_C(NA, TA, NB, TB)                                         \
  MP_RT_MATMUL(NA, TA, NB, TB, f32, MP_F32)                                    \
  MP_RT_MATMUL(NA, TA, NB, TB, bf16, MP_BF16)                                  \
  MP_RT_MATMUL(NA, TA, NB, TB, f16, MP_F16)                                    \
  MP_RT_MATMUL_EP(NA, TA, NB, TB, f32, MP_F32)                                 \
  MP_RT_MATMUL_EP(NA, TA, NB, TB, bf16, MP_BF16)                               \
  MP_RT_MATMUL_EP(NA, TA, NB, TB, f16, MP_F16)
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
       (void *)&_mlir_ciface_mp_rt_batch_matmul_##NA##_##NB##_##NC},           \
      {"_mlir_ciface_mp_rt_matmul_ep_" #NA "_" #NB "_" #NC,                    \
       (void *)&_mlir_ciface_mp_rt_matmul_ep_##NA##_##NB##_##NC},              \
      {"_mlir_ciface_mp_rt_matmul_cached_" #NA "_" #NB "_" #NC,                \
       (void *)&_mlir_ciface_mp_rt_matmul_cached_##NA##_##NB##_##NC},          \
      {"_mlir_ciface_mp_rt_matmul_ep_cached_" #NA "_" #NB "_" #NC,             \
       (void *)&_mlir_ciface_mp_rt_matmul_ep_cached_##NA##_##NB##_##NC},
#define MP_RT_SYM_C(NA, NB)                                                    \
  MP_RT_SYM(NA, NB, f32) MP_RT_SYM(NA, NB, bf16) MP_RT_SYM(NA, NB, f16)
#define MP_RT_SYM_B(NA)                                                        \
  MP_RT_SYM_C(NA, f32)                                                         \
  MP_RT_SYM_C(NA, bf16)                                                        \
  MP_RT_SYM_C(NA, f16) MP_RT_SYM_C(NA, f32tobf16) MP_RT_SYM_C(NA, f32tof16)

static const MpRtSymbol gemm_symbols[] = {
    {"mp_rt_parallel_for", (void *)&mp_rt_parallel_for},
    {"mp_rt_pack_cache_begin_step", (void *)&mp_rt_pack_cache_begin_step},
    {"mp_rt_pack_cache_end_step", (void *)&mp_rt_pack_cache_end_step},
    MP_RT_SYM_B(f32) MP_RT_SYM_B(bf16) MP_RT_SYM_B(f16) MP_RT_SYM_B(f32tobf16)
        MP_RT_SYM_B(f32tof16)};

const MpRtSymbol *mp_rt_gemm_symbols(int *count) {
  *count = (int)(sizeof(gemm_symbols) / sizeof(gemm_symbols[0]));
  return gemm_symbols;
}
