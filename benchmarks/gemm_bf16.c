/*===- gemm_bf16.c - runtime bf16 GEMM against the measured peak ----------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * Measures, in one process, (1) the peak of a register-resident VDPBF16PS
 * loop on T threads (12 independent zmm accumulator chains per thread, 64
 * flops per instruction: 16 lanes x 2 bf16 pairs x multiply + add), or,
 * when the runtime's engine is amx, of a register-resident TDPBF16PS loop
 * (four accumulator tiles, 16384 flops per instruction), and
 * (2) the achieved GFLOP/s of the runtime's mp_rt_gemm (the engine
 * MIXPREC_GEMM / MIXPREC_NUM_THREADS select; run it with
 * MIXPREC_NUM_THREADS=T) on the given shapes. Built and driven by
 * benchmarks/gemm_bf16.py, which interleaves thread counts and repeats.
 *
 *   gemm_bf16 THREADS REPS SHAPE...
 *   SHAPE = MxNxK[:a][:ta][:tb][:c]   a: A is f32 rounded to bf16 on the fly
 *           (f32tobf16; default bf16), ta / tb: A / B are transposed views
 *           (column-major), c: C is bf16 (the half-output epilogue;
 *           default f32)
 *
 * Prints, per shape, "gemm SHAPE MS GFLOPS BEST_GFLOPS PEAK CPU_GFLOPS
 * CPU_PEAK": the median and the fastest of REPS calls after one warm-up
 * call, the best of three peak runs right before them (the machine is
 * shared: a peak taken next to each shape, best against best, keeps the
 * ratio meaningful when the load changes during a run), and both rates by
 * process CPU time times THREADS (the rate with a core per thread:
 * preemption by other processes does not count, idle threads do not
 * either).
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cpu_runtime.h"

#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process (all threads): what a shared machine's
 * preemption does not inflate. */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define DP(i) "vdpbf16ps %%zmm30, %%zmm31, %%zmm" #i "\n\t"
/* 12 independent chains: enough to cover the instruction's latency on
 * Zen 4 and Sapphire Rapids at one or two issues per cycle. */
__attribute__((target("avx512f,avx512bw,avx512bf16"), noinline)) static void
peak_loop(int64_t n) {
  __asm__ volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
                   "vpxord %%zmm31, %%zmm31, %%zmm31\n\t" ::
                       : "xmm30", "xmm31");
  for (int64_t i = 0; i < n; ++i)
    __asm__ volatile(DP(0) DP(1) DP(2) DP(3) DP(4) DP(5) DP(6) DP(7) DP(8) DP(9)
                         DP(10) DP(11)::
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                               "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                               "xmm11");
}

/* The AMX peak: TDPBF16PS on four independent 16 x 16 f32 accumulator
 * tiles from four source tiles (no loads), 16384 flops per instruction
 * (16 x 16 x 32 multiply-adds). The runtime's first call has asked Linux
 * for the tile state (process-wide). */
typedef struct {
  uint8_t palette, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} TileConfig;

__attribute__((target("amx-tile,amx-bf16"), noinline)) static void
peak_loop_amx(int64_t n) {
  TileConfig cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.palette = 1;
  for (int i = 0; i < 8; ++i)
    cfg.rows[i] = 16, cfg.colsb[i] = 64;
  _tile_loadconfig(&cfg);
  for (int64_t i = 0; i < n; ++i) {
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_release();
}

static int use_amx; /* the runtime's engine is amx: measure its peak */
static int64_t peak_iters = 8000000;    /* 96 M instructions per thread */
static int64_t peak_iters_amx = 250000; /* 1 M TDPBF16PS per thread */
static void *peak_thread(void *arg) {
  (void)arg;
  if (use_amx)
    peak_loop_amx(peak_iters_amx);
  else
    peak_loop(peak_iters);
  return NULL;
}

/* GFLOP/s of the loop on `threads` threads, by wall time; *per_cpu: by
 * CPU time, times the threads (the rate if every thread had its core). */
static double peak(int threads, double *per_cpu) {
  pthread_t t[64];
  double c0 = cpu_s(), t0 = now_s();
  for (int i = 0; i < threads; ++i)
    pthread_create(&t[i], NULL, peak_thread, NULL);
  for (int i = 0; i < threads; ++i)
    pthread_join(t[i], NULL);
  double dt = now_s() - t0,
         flop = use_amx ? (double)threads * (double)peak_iters_amx * 4 * 16384.0
                        : (double)threads * (double)peak_iters * 768.0;
  *per_cpu = flop / (cpu_s() - c0) * 1e-9 * threads;
  return flop / dt * 1e-9;
}

static uint16_t to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* kind 1: bf16, 3: f32 rounded to bf16 (mixprec_cpu_runtime.h). */
static void *make(int kind, int64_t n) {
  size_t es = kind == 1 ? 2 : 4;
  char *p = malloc((size_t)n * es);
  uint64_t s = 88172645463325252ull;
  for (int64_t i = 0; i < n; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    float x = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5);
    if (kind == 1)
      ((uint16_t *)p)[i] = to_bf16(x);
    else
      ((float *)p)[i] = x;
  }
  return p;
}

static int bench(const char *spec, int reps, int threads) {
  long M, N, K;
  if (sscanf(spec, "%ldx%ldx%ld", &M, &N, &K) != 3 || M < 1 || N < 1 || K < 1) {
    fprintf(stderr, "bad shape '%s' (want MxNxK[:a][:ta][:tb][:c])\n", spec);
    return 1;
  }
  int ta = 1, trans_a = 0, trans_b = 0, tc = 0;
  for (const char *o = strchr(spec, ':'); o; o = strchr(o + 1, ':')) {
    size_t len = strcspn(o + 1, ":");
    if (len == 1 && o[1] == 'a')
      ta = 3;
    else if (len == 2 && strncmp(o + 1, "ta", 2) == 0)
      trans_a = 1;
    else if (len == 2 && strncmp(o + 1, "tb", 2) == 0)
      trans_b = 1;
    else if (len == 1 && o[1] == 'c')
      tc = 1;
    else {
      fprintf(stderr, "bad option in shape '%s'\n", spec);
      return 1;
    }
  }
  void *a = make(ta, M * K), *b = make(1, K * N), *c = make(tc ? 1 : 3, M * N);
  int64_t ars = trans_a ? 1 : K, acs = trans_a ? M : 1;
  int64_t brs = trans_b ? 1 : N, bcs = trans_b ? K : 1;
  double *ms = malloc(sizeof(double) * (size_t)(reps + 1));
  double pk = 0, pk_cpu = 0; /* the best of 3 short peak runs */
  for (int i = 0; i < 3; ++i) {
    double c, x = peak(threads, &c);
    pk = x > pk ? x : pk;
    pk_cpu = c > pk_cpu ? c : pk_cpu;
  }
  double cpu = 0;
  for (int r = 0; r <= reps; ++r) {
    double c0 = cpu_s(), t0 = now_s();
    mp_rt_gemm(ta, 1, tc, a, ars, acs, b, brs, bcs, c, N, 1, M, N, K);
    ms[r] = (now_s() - t0) * 1e3;
    if (r > 0)
      cpu += cpu_s() - c0;
  }
  qsort(ms + 1, (size_t)reps, sizeof(double), cmp_double);
  double med = ms[1 + reps / 2];
  double flop = 2e-6 * (double)M * (double)N * (double)K;
  printf("gemm %s %.4f %.1f %.1f %.1f %.1f %.1f\n", spec, med, flop / med,
         flop / ms[1], pk, flop * reps / (cpu * 1e3) * threads, pk_cpu);
  free(ms), free(a), free(b), free(c);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s THREADS REPS MxNxK[:a][:ta][:tb][:c]...\n",
            argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]), reps = atoi(argv[2]);
  if (threads < 1 || threads > 64 || reps < 1) {
    fprintf(stderr, "THREADS must be 1..64 and REPS >= 1\n");
    return 2;
  }
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512bf16")) {
    fprintf(stderr, "this CPU has no AVX512_BF16: no VDPBF16PS peak\n");
    return 3;
  }
  const char *backend = mp_rt_gemm_backend();
  use_amx = strstr(backend, "bf16=amx-bf16") != NULL;
  printf("backend %s\n", backend);
  printf("peak %s\n", use_amx ? "TDPBF16PS" : "VDPBF16PS");
  for (int i = 3; i < argc; ++i)
    if (bench(argv[i], reps, threads))
      return 1;
  return 0;
}
