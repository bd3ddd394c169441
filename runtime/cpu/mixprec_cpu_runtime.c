/*===- mixprec_cpu_runtime.c - runtime of compiled CPU steps --------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cpu_runtime.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 16-byte header in front of every block holds its size. */
#define MP_RT_HEADER 16

static _Atomic int64_t live_bytes;
static _Atomic int64_t peak_bytes;

void *mp_rt_malloc(size_t size) {
  char *base = (char *)malloc(size + MP_RT_HEADER);
  if (!base)
    return NULL;
  *(size_t *)base = size;
  int64_t now = atomic_fetch_add(&live_bytes, (int64_t)size) + (int64_t)size;
  int64_t peak = atomic_load(&peak_bytes);
  while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
    ;
  return base + MP_RT_HEADER;
}

void mp_rt_free(void *ptr) {
  if (!ptr)
    return;
  char *base = (char *)ptr - MP_RT_HEADER;
  atomic_fetch_sub(&live_bytes, (int64_t) * (size_t *)base);
  free(base);
}

int64_t mp_rt_live_bytes(void) { return atomic_load(&live_bytes); }
int64_t mp_rt_peak_bytes(void) { return atomic_load(&peak_bytes); }
void mp_rt_reset_peak(void) {
  atomic_store(&peak_bytes, atomic_load(&live_bytes));
}

/* A ranked memref descriptor: allocated, aligned, offset, sizes[rank],
 * strides[rank]. */
typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes_and_strides[];
} mp_rt_memref;

typedef struct {
  int64_t rank;
  mp_rt_memref *descriptor;
} mp_rt_unranked_memref;

void mp_rt_memref_copy(int64_t elem_size, void *src_arg, void *dst_arg) {
  const mp_rt_unranked_memref *src = (const mp_rt_unranked_memref *)src_arg;
  const mp_rt_unranked_memref *dst = (const mp_rt_unranked_memref *)dst_arg;
  int64_t rank = src->rank;
  const mp_rt_memref *s = src->descriptor, *d = dst->descriptor;
  char *sp = s->aligned + s->offset * elem_size;
  char *dp = d->aligned + d->offset * elem_size;
  if (rank == 0) {
    memcpy(dp, sp, (size_t)elem_size);
    return;
  }
  const int64_t *sizes = s->sizes_and_strides;
  const int64_t *sstrides = s->sizes_and_strides + rank;
  const int64_t *dstrides = d->sizes_and_strides + rank;
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  int64_t *index = (int64_t *)calloc((size_t)rank, sizeof(int64_t));
  if (!index)
    abort();
  int64_t inner = sizes[rank - 1];
  int contiguous_rows = sstrides[rank - 1] == 1 && dstrides[rank - 1] == 1;
  for (;;) {
    int64_t so = 0, dof = 0;
    for (int64_t i = 0; i < rank - 1; ++i) {
      so += index[i] * sstrides[i];
      dof += index[i] * dstrides[i];
    }
    if (contiguous_rows) {
      memcpy(dp + dof * elem_size, sp + so * elem_size,
             (size_t)(inner * elem_size));
    } else {
      for (int64_t j = 0; j < inner; ++j)
        memcpy(dp + (dof + j * dstrides[rank - 1]) * elem_size,
               sp + (so + j * sstrides[rank - 1]) * elem_size,
               (size_t)elem_size);
    }
    int64_t i = rank - 2;
    for (; i >= 0; --i) {
      if (++index[i] < sizes[i])
        break;
      index[i] = 0;
    }
    if (i < 0)
      break;
  }
  free(index);
}

/*===----------------------------------------------------------------------===*
 * Contractions
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <pthread.h>

enum { MP_F32 = 0, MP_BF16 = 1, MP_F16 = 2 };

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

/* cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta,
 * C, ldc) with CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112. */
typedef void (*SgemmFn)(int, int, int, int, int, int, float, const float *, int,
                        const float *, int, float, float *, int);
static SgemmFn blas_sgemm;
static char gemm_backend[512] = "builtin";
static pthread_once_t gemm_once = PTHREAD_ONCE_INIT;

static void gemm_init(void) {
  const char *env = getenv("MIXPREC_BLAS");
  if (env && strcmp(env, "builtin") == 0)
    return;
  const char *candidates[] = {env, "libopenblas.so.0", "libopenblas.so"};
  for (int i = 0; i < 3; ++i) {
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
    snprintf(gemm_backend, sizeof(gemm_backend), "openblas:%s", candidates[i]);
    return;
  }
}

const char *mp_rt_gemm_backend(void) {
  pthread_once(&gemm_once, gemm_init);
  return gemm_backend;
}

static inline float bf16_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static inline uint16_t f32_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it quiet */
    return (uint16_t)((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest even */
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
  else { /* subnormal */
    float f = (float)man * (1.0f / 16777216.0f);
    memcpy(&u, &f, 4);
    u |= sign;
  }
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static inline uint16_t f32_to_f16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
  uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u)
    return sign | 0x7e00;
  if (a >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
    return sign | 0x7c00;
  if (a < 0x38800000u) { /* subnormal or zero in f16 */
    float af;
    memcpy(&af, &a, 4);
    /* af * 2^24 rounded to nearest even */
    float scaled = af * 16777216.0f;
    uint32_t m = (uint32_t)scaled;
    float rem = scaled - (float)m;
    if (rem > 0.5f || (rem == 0.5f && (m & 1)))
      ++m;
    return sign | (uint16_t)m;
  }
  uint32_t r = a + 0xfffu + ((a >> 13) & 1u) - (112u << 23);
  return sign | (uint16_t)(r >> 13);
}

static inline float load_elem(int t, const char *base, int64_t i) {
  switch (t) {
  case MP_F32:
    return ((const float *)base)[i];
  case MP_BF16:
    return bf16_to_f32(((const uint16_t *)base)[i]);
  default:
    return f16_to_f32(((const uint16_t *)base)[i]);
  }
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

static size_t elem_size(int t) { return t == MP_F32 ? 4 : 2; }

/* Packs a rows x cols strided matrix of type t into a row-major f32 one. */
static void pack_f32(int t, const char *base, int64_t rs, int64_t cs,
                     int64_t rows, int64_t cols, float *out) {
  if (t == MP_BF16 && cs == 1) {
    for (int64_t r = 0; r < rows; ++r) {
      const uint16_t *src = (const uint16_t *)base + r * rs;
      uint32_t *dst = (uint32_t *)(out + r * cols);
      for (int64_t c = 0; c < cols; ++c) /* vectorizes */
        dst[c] = (uint32_t)src[c] << 16;
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = load_elem(t, base, r * rs + c * cs);
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

/* C[M x N] += A[M x K] . B[K x N]; each operand: type, base (element 0 of
 * the matrix), row and column strides in elements. */
static void matmul2d(int ta, const char *a, int64_t ars, int64_t acs, int tb,
                     const char *b, int64_t brs, int64_t bcs, int tc, char *c,
                     int64_t crs, int64_t ccs, int64_t M, int64_t N,
                     int64_t K) {
  if (M == 0 || N == 0 || K == 0)
    return;
  pthread_once(&gemm_once, gemm_init);
  float *tmpA = NULL, *tmpB = NULL, *tmpC = NULL;
  const float *A, *B;
  float *C;
  int transA = 0, transB = 0;
  int64_t lda, ldb, ldc;
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
    pack_f32(ta, a, ars, acs, M, K, tmpA);
    A = tmpA, lda = K;
  }
  if (tb == MP_F32 && bcs == 1 && brs >= N) {
    B = (const float *)b, ldb = brs;
  } else if (blas && tb == MP_F32 && brs == 1 && bcs >= K) {
    B = (const float *)b, ldb = bcs, transB = 1;
  } else {
    tmpB = (float *)malloc((size_t)(K * N) * sizeof(float));
    pack_f32(tb, b, brs, bcs, K, N, tmpB);
    B = tmpB, ldb = N;
  }
  if (tc == MP_F32 && ccs == 1 && crs >= N) {
    C = (float *)c, ldc = crs;
  } else {
    tmpC = (float *)malloc((size_t)(M * N) * sizeof(float));
    pack_f32(tc, c, crs, ccs, M, N, tmpC);
    C = tmpC, ldc = N;
  }
  if (blas)
    blas_sgemm(101, transA ? 112 : 111, transB ? 112 : 111, (int)M, (int)N,
               (int)K, 1.0f, A, (int)lda, B, (int)ldb, 1.0f, C, (int)ldc);
  else
    sgemm_builtin(M, N, K, A, lda, B, ldb, C, ldc);
  if (tmpC) {
    for (int64_t r = 0; r < M; ++r)
      for (int64_t col = 0; col < N; ++col)
        store_elem(tc, c, r * crs + col * ccs, tmpC[r * N + col]);
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
  MP_RT_MATMUL_C(NA, TA, f16, MP_F16)
MP_RT_MATMUL_B(f32, MP_F32)
MP_RT_MATMUL_B(bf16, MP_BF16)
MP_RT_MATMUL_B(f16, MP_F16)

#define MP_RT_SYM(NA, NB, NC)                                                  \
  {"_mlir_ciface_mp_rt_matmul_" #NA "_" #NB "_" #NC,                           \
   (void *)&_mlir_ciface_mp_rt_matmul_##NA##_##NB##_##NC},                     \
      {"_mlir_ciface_mp_rt_batch_matmul_" #NA "_" #NB "_" #NC,                 \
       (void *)&_mlir_ciface_mp_rt_batch_matmul_##NA##_##NB##_##NC},
#define MP_RT_SYM_C(NA, NB)                                                    \
  MP_RT_SYM(NA, NB, f32) MP_RT_SYM(NA, NB, bf16) MP_RT_SYM(NA, NB, f16)
#define MP_RT_SYM_B(NA)                                                        \
  MP_RT_SYM_C(NA, f32) MP_RT_SYM_C(NA, bf16) MP_RT_SYM_C(NA, f16)

static const MpRtSymbol mp_rt_symbol_table[] = {
    {"mp_rt_malloc", (void *)&mp_rt_malloc},
    {"mp_rt_free", (void *)&mp_rt_free},
    {"mp_rt_memref_copy", (void *)&mp_rt_memref_copy},
    MP_RT_SYM_B(f32) MP_RT_SYM_B(bf16) MP_RT_SYM_B(f16)};

const MpRtSymbol *mp_rt_symbols(int *count) {
  *count = (int)(sizeof(mp_rt_symbol_table) / sizeof(mp_rt_symbol_table[0]));
  return mp_rt_symbol_table;
}
