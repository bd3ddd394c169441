/*===- mp-rt-gemm-test.c - checks the runtime's contractions --------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * Runs mp_rt_gemm on random operands of every kind, in row-major and
 * transposed layouts, at sizes that are and are not multiples of the
 * kernels' tiles (odd K included), and compares C with a double-precision
 * reference computed from the operand values after their kind's rounding.
 * The engine under test is whatever MIXPREC_GEMM / MIXPREC_BLAS select;
 * the first line printed is mp_rt_gemm_backend().
 *
 * Tolerance: with f32 accumulation of K exact products (bf16 x bf16 and
 * f16 x f16 products are exact in f32; f32 x f32 ones round once), the
 * error of any summation order is at most about (K + 1) * 2^-24 *
 * sum_k |a_k b_k|; we allow twice that. For a C of kind bf16 / f16 the
 * final rounding adds half an ulp of |C|: 2^-9 / 2^-12 relative. A wrong
 * index, a missing K tail or a lost pair shows up as an error of the size
 * of one product, far above the bound.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cpu_runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static double uniform(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static float bits_f(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static uint32_t f_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static uint16_t to_bf16(float f) {
  uint32_t u = f_bits(f);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}
static float from_bf16(uint16_t h) { return bits_f((uint32_t)h << 16); }
/* f16 via the compiler (the test values are normal numbers). */
static uint16_t to_f16(float f) {
  _Float16 h = (_Float16)f;
  uint16_t u;
  memcpy(&u, &h, 2);
  return u;
}
static float from_f16(uint16_t u) {
  _Float16 h;
  memcpy(&h, &u, 2);
  return (float)h;
}

enum { F32, BF16, F16, F32_BF16, F32_F16 };
static const char *kind_name[] = {"f32", "bf16", "f16", "f32tobf16",
                                  "f32tof16"};
static int storage_size(int kind) {
  return kind == BF16 || kind == F16 ? 2 : 4;
}

/* Fills rows x cols of kind `kind` at (rs, cs) strides with random values;
 * returns their values (after the kind's rounding) row-major in `value`. */
static void *make(int kind, int64_t rows, int64_t cols, int transposed,
                  int64_t *rs, int64_t *cs, double *value) {
  *rs = transposed ? 1 : cols + 3; /* padded leading dimension */
  *cs = transposed ? rows + 5 : 1;
  int64_t span = transposed ? *cs * cols : *rs * rows;
  char *mem = (char *)calloc((size_t)span, (size_t)storage_size(kind));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      float x = (float)uniform();
      int64_t i = r * *rs + c * *cs;
      double v;
      switch (kind) {
      case F32:
        ((float *)mem)[i] = x, v = x;
        break;
      case BF16:
        ((uint16_t *)mem)[i] = to_bf16(x), v = from_bf16(to_bf16(x));
        break;
      case F16:
        ((uint16_t *)mem)[i] = to_f16(x), v = from_f16(to_f16(x));
        break;
      case F32_BF16:
        ((float *)mem)[i] = x, v = from_bf16(to_bf16(x));
        break;
      default:
        ((float *)mem)[i] = x, v = from_f16(to_f16(x));
      }
      value[r * cols + c] = v;
    }
  return mem;
}

static int check(int ta, int tb, int tc, int64_t M, int64_t N, int64_t K,
                 int trans_a, int trans_b, int trans_c) {
  double *av = malloc(sizeof(double) * (size_t)(M * K));
  double *bv = malloc(sizeof(double) * (size_t)(K * N));
  int64_t ars, acs, brs, bcs;
  void *a = make(ta, M, K, trans_a, &ars, &acs, av);
  void *b = make(tb, K, N, trans_b, &brs, &bcs, bv);
  /* C starts at a random value (C += A.B), stored in its kind. */
  double *c0 = malloc(sizeof(double) * (size_t)(M * N));
  int64_t crs, ccs;
  void *c = make(tc, M, N, trans_c, &crs, &ccs, c0);
  mp_rt_gemm(ta, tb, tc, a, ars, acs, b, brs, bcs, c, crs, ccs, M, N, K);
  int bad = 0;
  for (int64_t i = 0; i < M && bad < 3; ++i)
    for (int64_t j = 0; j < N && bad < 3; ++j) {
      double ref = c0[i * N + j], mag = fabs(c0[i * N + j]);
      for (int64_t k = 0; k < K; ++k) {
        ref += av[i * K + k] * bv[k * N + j];
        mag += fabs(av[i * K + k] * bv[k * N + j]);
      }
      int64_t idx = i * crs + j * ccs;
      double got = tc == F32    ? ((float *)c)[idx]
                   : tc == BF16 ? from_bf16(((uint16_t *)c)[idx])
                                : from_f16(((uint16_t *)c)[idx]);
      double tol = 2.0 * (double)(K + 1) * ldexp(mag, -24) +
                   (tc == BF16  ? ldexp(fabs(ref), -8)
                    : tc == F16 ? ldexp(fabs(ref), -11)
                                : 0.0);
      double err = fabs(got - ref);
      if (!(err <= tol)) {
        fprintf(stderr,
                "MISMATCH %s x %s -> %s M=%ld N=%ld K=%ld ta=%d tb=%d tc=%d "
                "at (%ld,%ld): got %.9g want %.9g (tol %.3g)\n",
                kind_name[ta], kind_name[tb], kind_name[tc], (long)M, (long)N,
                (long)K, trans_a, trans_b, trans_c, (long)i, (long)j, got, ref,
                tol);
        ++bad;
      }
    }
  free(av), free(bv), free(c0), free(a), free(b), free(c);
  return bad;
}

/* The fused epilogue (mp_rt_gemm_epilogue: bias along columns, ReLU)
 * against the unfused computation it replaces: mp_rt_gemm into the same
 * C, then the reader's arithmetic in C (for a half C: x = h(x + bias),
 * each op rounded to C's kind; for f32: x + bias in f32), then ReLU as
 * arith.maximumf(x, 0). The accumulation is the same engine's, so the
 * results must be the same bits. */
static float round_kind(int kind, float x) {
  return kind == BF16  ? from_bf16(to_bf16(x))
         : kind == F16 ? from_f16(to_f16(x))
                       : x;
}

static float read_kind(int kind, const void *p, int64_t i) {
  switch (kind) {
  case F32:
    return ((const float *)p)[i];
  case BF16:
    return from_bf16(((const uint16_t *)p)[i]);
  case F16:
    return from_f16(((const uint16_t *)p)[i]);
  case F32_BF16:
    return from_bf16(to_bf16(((const float *)p)[i]));
  default:
    return from_f16(to_f16(((const float *)p)[i]));
  }
}

static int check_epilogue(int ta, int tb, int tc, int tbias, int act, int64_t M,
                          int64_t N, int64_t K, int trans_c) {
  double *av = malloc(sizeof(double) * (size_t)(M * K));
  double *bv = malloc(sizeof(double) * (size_t)(K * N));
  double *cv = malloc(sizeof(double) * (size_t)(M * N));
  double *biasv = malloc(sizeof(double) * (size_t)N);
  int64_t ars, acs, brs, bcs, crs, ccs, xrs, bias_stride;
  void *a = make(ta, M, K, 0, &ars, &acs, av);
  void *b = make(tb, K, N, 0, &brs, &bcs, bv);
  void *c1 = make(tc, M, N, trans_c, &crs, &ccs, cv);
  void *bias = make(tbias, 1, N, 1, &xrs, &bias_stride, biasv);
  size_t bytes = (size_t)(trans_c ? ccs * N : crs * M) * storage_size(tc);
  void *c2 = malloc(bytes);
  memcpy(c2, c1, bytes);
  mp_rt_gemm(ta, tb, tc, a, ars, acs, b, brs, bcs, c1, crs, ccs, M, N, K);
  mp_rt_gemm_epilogue(ta, tb, tc, a, ars, acs, b, brs, bcs, c2, crs, ccs, M, N,
                      K, tbias, bias, bias_stride, act);
  int bad = 0;
  for (int64_t i = 0; i < M && bad < 3; ++i)
    for (int64_t j = 0; j < N && bad < 3; ++j) {
      int64_t idx = i * crs + j * ccs;
      float x = read_kind(tc, c1, idx);
      x = round_kind(tc, x + read_kind(tbias, bias, j * bias_stride));
      if (act)
        x = (x > 0.0f || x != x) ? x : 0.0f;
      float got = read_kind(tc, c2, idx);
      if (memcmp(&got, &x, 4) != 0) {
        fprintf(stderr,
                "EPILOGUE MISMATCH %s x %s -> %s bias %s act %d M=%ld N=%ld "
                "K=%ld trans_c=%d at (%ld,%ld): got %.9g want %.9g\n",
                kind_name[ta], kind_name[tb], kind_name[tc], kind_name[tbias],
                act, (long)M, (long)N, (long)K, trans_c, (long)i, (long)j, got,
                x);
        ++bad;
      }
    }
  free(av), free(bv), free(cv), free(biasv), free(a), free(b), free(c1),
      free(c2), free(bias);
  return bad;
}

/* Batched GEMMs (the rank-3 entry point, what attention's batch_matmul
 * calls): batch elements below the runtime's threading threshold run in
 * parallel, one per thread; each must equal the rank-2 GEMM of the same
 * slice, bit for bit (the accumulation order does not depend on the
 * split). B is a transposed view (K^T of the scores). */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} MemRef3;
void _mlir_ciface_mp_rt_batch_matmul_bf16_bf16_f32(MemRef3 *a, MemRef3 *b,
                                                   MemRef3 *c);

static int check_batch(int64_t batch, int64_t M, int64_t N, int64_t K) {
  int64_t rs, cs;
  double *v = malloc(sizeof(double) * (size_t)(batch * (M + N) * K));
  uint16_t *a = make(BF16, batch * M, K, 0, &rs, &cs, v);
  int64_t ars = rs;
  uint16_t *b = make(BF16, batch * N, K, 0, &rs, &cs, v); /* rows: n */
  int64_t brs = rs;
  float *c1 = calloc((size_t)(batch * M * N), sizeof(float));
  float *c2 = calloc((size_t)(batch * M * N), sizeof(float));
  MemRef3 A = {a, a, 0, {batch, M, K}, {M * ars, ars, 1}};
  MemRef3 B = {b, b, 0, {batch, K, N}, {N * brs, 1, brs}};
  MemRef3 C = {c1, c1, 0, {batch, M, N}, {M * N, N, 1}};
  _mlir_ciface_mp_rt_batch_matmul_bf16_bf16_f32(&A, &B, &C);
  for (int64_t i = 0; i < batch; ++i)
    mp_rt_gemm(BF16, BF16, F32, a + i * M * ars, ars, 1, b + i * N * brs, 1,
               brs, c2 + i * M * N, N, 1, M, N, K);
  int bad = memcmp(c1, c2, sizeof(float) * (size_t)(batch * M * N)) != 0;
  if (bad)
    fprintf(stderr, "BATCH MISMATCH batch=%ld M=%ld N=%ld K=%ld\n", (long)batch,
            (long)M, (long)N, (long)K);
  free(v), free(a), free(b), free(c1), free(c2);
  return bad;
}

/* The packed-B cache: C computed by mp_rt_gemm_cached (a miss, then a
 * hit) must equal mp_rt_gemm's bit for bit; after a begin_step, a B
 * rewritten in place must be packed again (the uncached result with the
 * new B). Every engine; the bf16 ones must hit. Returns failures. */
static int check_cache(int ta, int tb, int tc, int64_t M, int64_t N, int64_t K,
                       int trans_b, int64_t *cases) {
  double *v = malloc(sizeof(double) * (size_t)((M + N) * K + M * N));
  int64_t ars, acs, brs, bcs, crs, ccs;
  void *a = make(ta, M, K, 0, &ars, &acs, v);
  void *b = make(tb, K, N, trans_b, &brs, &bcs, v);
  void *b2 = make(tb, K, N, trans_b, &brs, &bcs, v);
  void *c0 = make(tc, M, N, 0, &crs, &ccs, v);
  size_t cbytes = (size_t)(crs * M) * (size_t)storage_size(tc);
  size_t bbytes =
      (size_t)(trans_b ? bcs * N : brs * K) * (size_t)storage_size(tb);
  char *want = malloc(cbytes), *got = malloc(cbytes);
  int bad = 0;
  mp_rt_pack_cache_begin_step();
  for (int round = 0; round < 2; ++round) {
    memcpy(want, c0, cbytes);
    mp_rt_gemm(ta, tb, tc, a, ars, acs, b, brs, bcs, want, crs, ccs, M, N, K);
    for (int call = 0; call < 2; ++call, ++*cases) { /* miss, then hit */
      memcpy(got, c0, cbytes);
      mp_rt_gemm_cached(ta, tb, tc, a, ars, acs, b, brs, bcs, got, crs, ccs, M,
                        N, K);
      if (memcmp(want, got, cbytes) != 0) {
        printf("FAIL pack cache %s.%s->%s %ldx%ldx%ld%s round %d call %d\n",
               kind_name[ta], kind_name[tb], kind_name[tc], (long)M, (long)N,
               (long)K, trans_b ? " B^T" : "", round, call);
        ++bad;
      }
    }
    /* The next step: B's buffer holds other values. */
    mp_rt_pack_cache_end_step();
    mp_rt_pack_cache_begin_step();
    memcpy(b, b2, bbytes);
  }
  mp_rt_pack_cache_end_step();
  free(v), free(a), free(b), free(b2), free(c0), free(want), free(got);
  return bad;
}

#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* --bench M N K REPS: median ms and GFLOP/s of C(f32) += A.B for A, B in
 * f32, bf16 and f32tobf16 (row-major), under the selected engines. */
static int bench(int64_t M, int64_t N, int64_t K, int reps) {
  static const int kinds[] = {F32, BF16, F32_BF16};
  reps = reps < 1 ? 1 : reps > 64 ? 64 : reps; /* the samples' array */
  for (int i = 0; i < 3; ++i) {
    int t = kinds[i];
    int64_t ars, acs, brs, bcs, crs, ccs;
    double *v = malloc(sizeof(double) * (size_t)((M + N) * K + M * N));
    void *a = make(t, M, K, 0, &ars, &acs, v);
    void *b = make(t, K, N, 0, &brs, &bcs, v);
    void *c = make(F32, M, N, 0, &crs, &ccs, v);
    /* Uncached calls, then cached ones (B packed by the first call only:
     * the difference is the share of packing B). */
    for (int cached = 0; cached < 2; ++cached) {
      double best[64];
      mp_rt_pack_cache_begin_step();
      for (int r = 0; r < reps; ++r) {
        double t0 = now_ms();
        (cached ? mp_rt_gemm_cached : mp_rt_gemm)(
            t, t, F32, a, ars, acs, b, brs, bcs, c, crs, ccs, M, N, K);
        best[r] = now_ms() - t0;
      }
      mp_rt_pack_cache_end_step();
      for (int x = 0; x < reps; ++x) /* insertion sort for the median */
        for (int y = x; y > 0 && best[y] < best[y - 1]; --y) {
          double tmp = best[y];
          best[y] = best[y - 1], best[y - 1] = tmp;
        }
      double ms = best[reps / 2];
      printf("%-10s %ldx%ldx%ld%s  %8.3f ms  %7.1f GFLOP/s\n", kind_name[t],
             (long)M, (long)N, (long)K, cached ? " B cached" : "", ms,
             2e-6 * (double)(M * N * K) / ms);
    }
    free(v), free(a), free(b), free(c);
  }
  return 0;
}

int main(int argc, char **argv) {
  printf("backend %s\n", mp_rt_gemm_backend());
  if (argc == 6 && strcmp(argv[1], "--bench") == 0)
    return bench(atol(argv[2]), atol(argv[3]), atol(argv[4]), atoi(argv[5]));
  static const int64_t shapes[][3] = {
      {1, 1, 1},      {8, 32, 2},     {7, 33, 5},  {64, 256, 512},
      {65, 257, 513}, {130, 70, 601}, {3, 500, 1}, {200, 3, 47}};
  int failures = 0, cases = 0;
  for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); ++s)
    for (int ta = 0; ta < 5; ++ta)
      for (int tb = 0; tb < 5; ++tb)
        for (int tr = 0; tr < 4; ++tr) {
          /* Keep the run short: every kind pair on the small shapes, the
           * bf16-valued pairs (the bf16 engine) and f32 on all. */
          int bf =
              (ta == BF16 || ta == F32_BF16) && (tb == BF16 || tb == F32_BF16);
          if (s >= 3 && !bf && !(ta == F32 && tb == F32))
            continue;
          int tc = (int)((s + (size_t)ta + (size_t)tr) % 3);
          failures += check(ta, tb, tc, shapes[s][0], shapes[s][1],
                            shapes[s][2], tr & 1, tr >> 1, 0) != 0;
          ++cases;
        }
  printf("%d cases, %d failed\n", cases, failures);
  /* The half-output epilogue (compute-output=compute: the f32 accumulation
   * rounded into a bf16 / f16 C, or a strided f32 C, block by block): C
   * of each kind, row-major and transposed, on shapes larger than the
   * sgemm engine's 64 Ki-element block and than several MC x NC tasks
   * of the bf16 engine, with edges in both. */
  static const int64_t out_shapes[][3] = {
      {300, 400, 37}, {129, 513, 64}, {1, 70000, 3}, {70000, 1, 2}};
  static const int out_pairs[][2] = {
      {BF16, BF16}, {F32_BF16, BF16}, {F32, F32}, {F16, F16}, {F32, BF16}};
  int out_failures = 0, out_cases = 0;
  for (size_t s = 0; s < sizeof(out_shapes) / sizeof(out_shapes[0]); ++s)
    for (size_t p = 0; p < sizeof(out_pairs) / sizeof(out_pairs[0]); ++p)
      for (int tc = 0; tc < 3; ++tc)
        for (int trans_c = 0; trans_c < 2; ++trans_c) {
          out_failures +=
              check(out_pairs[p][0], out_pairs[p][1], tc, out_shapes[s][0],
                    out_shapes[s][1], out_shapes[s][2], (int)(s & 1), 0,
                    trans_c) != 0;
          ++out_cases;
        }
  printf("output modes: %d cases, %d failed\n", out_cases, out_failures);
  failures += out_failures;
  /* The fused bias + ReLU epilogue: every C kind, bias kinds f32 / bf16 /
   * f32tobf16 / f16, with and without ReLU, shapes with edges and blocks. */
  static const int64_t ep_shapes[][3] = {
      {300, 400, 37}, {129, 513, 64}, {1, 70000, 3}, {7, 33, 5}};
  static const int ep_pairs[][2] = {{BF16, BF16}, {F32_BF16, BF16}, {F32, F32}};
  static const int ep_bias[] = {F32, BF16, F32_BF16, F16};
  int ep_failures = 0, ep_cases = 0;
  for (size_t s = 0; s < sizeof(ep_shapes) / sizeof(ep_shapes[0]); ++s)
    for (size_t p = 0; p < sizeof(ep_pairs) / sizeof(ep_pairs[0]); ++p)
      for (int tc = 0; tc < 3; ++tc)
        for (size_t x = 0; x < sizeof(ep_bias) / sizeof(ep_bias[0]); ++x)
          for (int act = 0; act < 2; ++act) {
            ep_failures +=
                check_epilogue(ep_pairs[p][0], ep_pairs[p][1], tc, ep_bias[x],
                               act, ep_shapes[s][0], ep_shapes[s][1],
                               ep_shapes[s][2], (int)((s + x) & 1)) != 0;
            ++ep_cases;
          }
  printf("epilogue: %d cases, %d failed\n", ep_cases, ep_failures);
  failures += ep_failures;
  static const int64_t batch_shapes[][4] = {
      {32, 64, 64, 64}, {8, 64, 64, 256}, {3, 7, 33, 5}, {2, 130, 70, 601}};
  int batch_failures = 0;
  for (size_t s = 0; s < sizeof(batch_shapes) / sizeof(batch_shapes[0]); ++s)
    batch_failures += check_batch(batch_shapes[s][0], batch_shapes[s][1],
                                  batch_shapes[s][2], batch_shapes[s][3]);
  printf("batched: 4 cases, %d failed\n", batch_failures);
  failures += batch_failures;
  /* The packed-B cache: kinds bf16 / f32tobf16 (the bf16 engine) and f32
   * (never cached), B row-major and transposed, edges in every tile. */
  static const int64_t cache_shapes[][3] = {
      {64, 256, 512}, {65, 257, 513}, {7, 33, 5}};
  static const int cache_pairs[][3] = {{BF16, BF16, F32},
                                       {BF16, F32_BF16, BF16},
                                       {F32_BF16, F32_BF16, F32},
                                       {F32, F32, F32}};
  int64_t cache_cases = 0, hits0, misses0, hits1, misses1;
  int cache_failures = 0;
  mp_rt_pack_cache_stats(&hits0, &misses0);
  for (size_t s = 0; s < sizeof(cache_shapes) / sizeof(cache_shapes[0]); ++s)
    for (size_t p = 0; p < sizeof(cache_pairs) / sizeof(cache_pairs[0]); ++p)
      for (int trans_b = 0; trans_b < 2; ++trans_b)
        cache_failures +=
            check_cache(cache_pairs[p][0], cache_pairs[p][1], cache_pairs[p][2],
                        cache_shapes[s][0], cache_shapes[s][1],
                        cache_shapes[s][2], trans_b, &cache_cases);
  mp_rt_pack_cache_stats(&hits1, &misses1);
  printf("pack cache: %ld cases, %d failed, %ld hits, %ld misses\n",
         (long)cache_cases, cache_failures, (long)(hits1 - hits0),
         (long)(misses1 - misses0));
  failures += cache_failures;
  return failures != 0;
}
