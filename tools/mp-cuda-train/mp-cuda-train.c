/*===- mp-cuda-train.c - train with a mixprec CUDA artifact, no LLVM ------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * Loads a training-step artifact made by `mp-run --target cuda
 * --aot-output STEP.so` (it embeds its kernels and describes its signature
 * in `mixprec_step_signature`), calls it through its packed entry
 * `_mlir_<entry>(void **)` (one array of descriptor pointers: arguments,
 * then results; any number of them), puts parameters, optimizer and loss-scale
 * state and the batches on the GPU, and trains: parameters and state stay
 * on the device from step to step; only the loss, the scale and the skip
 * flag are copied back to print them. Plain C; needs libc, libcuda and
 * libmixprec_cuda_runtime.so:
 *
 *   cc -O2 mp-cuda-train.c -I. -L. -lmixprec_cuda_runtime -ldl \
 *      -Wl,-rpath,'$ORIGIN' -o mp-cuda-train
 *   ./mp-cuda-train ./mlp_f16.so --steps 200 [--inputs DIR]
 *
 * --inputs DIR replays the initial values and batches that
 * `mp-run --dump-inputs DIR` wrote (argN.bin, batchB.argN.bin), so the
 * losses can be compared with the CPU run step by step; without it the
 * data are synthetic (uniform inputs, one-hot labels of a random linear
 * teacher).
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#ifdef MP_TRAIN_CPU
/* mp-cpu-train: the same driver for CPU AOT artifacts (`mp-run --aot
 * --aot-output STEP.so`), with host buffers from our CPU runtime. */
#include "mixprec_cpu_runtime.h"
#define TOOL "mp-cpu-train"
#define PEAK_LABEL "peak memory"
#else
#include "mixprec_cuda_runtime.h"
#define TOOL "mp-cuda-train"
#define PEAK_LABEL "peak device memory"
#endif

#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RANK 8
#define MAX_BATCHES 64

typedef struct {
  char role[32];
  char dtype[16];
  int rank;
  int64_t shape[MAX_RANK];
  int tied; /* results: argument updated, or -1 */
  char init[32];
  size_t bytes;
  int64_t elements;
} Spec;

/* Grown as the signature is read: any number of arguments and results. */
static Spec *args, *results;
static int num_args, num_results, cap_args, cap_results;
/* The packed entry named by the signature's `abi packed` line. */
static char packed_symbol[256];
static int signature_version, declared_args = -1, declared_results = -1;

static void die(const char *msg, const char *detail) {
  fprintf(stderr, TOOL ": error: %s%s%s\n", msg, detail ? ": " : "",
          detail ? detail : "");
  exit(1);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    die("out of memory", NULL);
  return p;
}

/* The spec of argument or result `index`, growing the array. */
static Spec *spec_at(Spec **array, int *cap, int index) {
  if (index < 0)
    die("negative tensor index in the signature", NULL);
  if (index >= *cap) {
    int grown = *cap ? *cap : 64;
    while (grown <= index)
      grown *= 2;
    Spec *bigger = realloc(*array, sizeof(Spec) * (size_t)grown);
    if (!bigger)
      die("out of memory", NULL);
    memset(bigger + *cap, 0, sizeof(Spec) * (size_t)(grown - *cap));
    *array = bigger;
    *cap = grown;
  }
  return &(*array)[index];
}

static size_t dtype_size(const char *d) {
  if (!strcmp(d, "float64") || !strcmp(d, "int64"))
    return 8;
  if (!strcmp(d, "float32") || !strcmp(d, "int32"))
    return 4;
  if (!strcmp(d, "float16") || !strcmp(d, "bfloat16"))
    return 2;
  return 1;
}

static void parse_signature(const char *text) {
  const char *line = text;
  while (*line) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    char buf[1024];
    if (len >= sizeof(buf))
      len = sizeof(buf) - 1;
    memcpy(buf, line, len);
    buf[len] = 0;
    char *save = NULL;
    char *tok = strtok_r(buf, " ", &save);
    if (tok && !strcmp(tok, "mixprec-step")) {
      tok = strtok_r(NULL, " ", &save);
      signature_version = tok ? atoi(tok) : 0;
    } else if (tok && !strcmp(tok, "abi")) {
      tok = strtok_r(NULL, " ", &save);
      if (!tok || strcmp(tok, "packed"))
        die("unknown step ABI in the signature", tok);
      tok = strtok_r(NULL, " ", &save);
      if (!tok || strlen(tok) >= sizeof(packed_symbol))
        die("bad `abi packed` line in the signature", NULL);
      snprintf(packed_symbol, sizeof(packed_symbol), "%s", tok);
      tok = strtok_r(NULL, " ", &save);
      declared_args = tok ? atoi(tok) : -1;
      tok = strtok_r(NULL, " ", &save);
      declared_results = tok ? atoi(tok) : -1;
    } else if (tok && (!strcmp(tok, "arg") || !strcmp(tok, "result"))) {
      int is_arg = !strcmp(tok, "arg");
      int index = atoi(strtok_r(NULL, " ", &save));
      Spec *s = is_arg ? spec_at(&args, &cap_args, index)
                       : spec_at(&results, &cap_results, index);
      snprintf(s->role, sizeof(s->role), "%s", strtok_r(NULL, " ", &save));
      s->tied = is_arg ? -1 : atoi(strtok_r(NULL, " ", &save));
      snprintf(s->dtype, sizeof(s->dtype), "%s", strtok_r(NULL, " ", &save));
      s->rank = atoi(strtok_r(NULL, " ", &save));
      if (s->rank < 0 || s->rank > MAX_RANK)
        die("a tensor of the signature has rank > 8", NULL);
      s->elements = 1;
      for (int d = 0; d < s->rank; ++d) {
        s->shape[d] = atoll(strtok_r(NULL, " ", &save));
        s->elements *= s->shape[d];
      }
      s->bytes = (size_t)s->elements * dtype_size(s->dtype);
      if (is_arg) {
        tok = strtok_r(NULL, " ", &save);
        snprintf(s->init, sizeof(s->init), "%s", tok ? tok : "-");
        if (index + 1 > num_args)
          num_args = index + 1;
      } else if (index + 1 > num_results) {
        num_results = index + 1;
      }
    } else if (tok && !strcmp(tok, "meta")) {
      printf("  %s\n", line + 5 < line + len ? buf + 5 : "");
    }
    line = end ? end + 1 : line + len;
  }
}

/*--- host-side values -----------------------------------------------------*/

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double uniform01(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static uint16_t to_half_bits(float f, int bf16) {
  uint32_t x;
  memcpy(&x, &f, 4);
  if (bf16)
    return (uint16_t)((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
  /* f16, round to nearest even; enough for initial values. */
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = (int32_t)((x >> 23) & 0xFF) - 127 + 15;
  uint32_t mant = x & 0x7FFFFF;
  if (exp <= 0)
    return (uint16_t)sign;
  if (exp >= 31)
    return (uint16_t)(sign | 0x7C00);
  uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1FFF;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    ++h;
  return (uint16_t)h;
}

static float from_half_bits(uint16_t h, int bf16) {
  uint32_t x;
  if (bf16) {
    x = (uint32_t)h << 16;
  } else {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    int32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    if (exp == 0 && mant == 0)
      x = sign;
    else if (exp == 31)
      x = sign | 0x7F800000 | (mant << 13);
    else if (exp == 0) {
      float f = ldexpf((float)mant, -24);
      return sign ? -f : f;
    } else
      x = sign | ((uint32_t)(exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  memcpy(&f, &x, 4);
  return f;
}

static void set_element(const Spec *s, void *data, int64_t i, double v) {
  const char *d = s->dtype;
  if (!strcmp(d, "float32"))
    ((float *)data)[i] = (float)v;
  else if (!strcmp(d, "float64"))
    ((double *)data)[i] = v;
  else if (!strcmp(d, "float16") || !strcmp(d, "bfloat16"))
    ((uint16_t *)data)[i] = to_half_bits((float)v, d[0] == 'b');
  else if (!strcmp(d, "int32"))
    ((int32_t *)data)[i] = (int32_t)v;
  else if (!strcmp(d, "int64"))
    ((int64_t *)data)[i] = (int64_t)v;
  else
    ((int8_t *)data)[i] = (int8_t)v;
}

static double get_element(const Spec *s, const void *data) {
  const char *d = s->dtype;
  if (!strcmp(d, "float32"))
    return *(const float *)data;
  if (!strcmp(d, "float64"))
    return *(const double *)data;
  if (!strcmp(d, "float16") || !strcmp(d, "bfloat16"))
    return from_half_bits(*(const uint16_t *)data, d[0] == 'b');
  if (!strcmp(d, "int32"))
    return *(const int32_t *)data;
  if (!strcmp(d, "int64"))
    return (double)*(const int64_t *)data;
  return *(const int8_t *)data;
}

static void *read_file(const char *path, size_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  void *data = malloc(bytes ? bytes : 1);
  size_t got = fread(data, 1, bytes, f);
  fclose(f);
  if (got != bytes)
    die("short file", path);
  return data;
}

/* The batches' buffers (never released while training). */
static void **batch_buffers;
static int num_batch_buffers;
static int is_batch_buffer(const void *p) {
  for (int i = 0; i < num_batch_buffers; ++i)
    if (batch_buffers[i] == p)
      return 1;
  return 0;
}

#ifdef MP_TRAIN_CPU
static void *to_device(const void *host, size_t bytes) {
  void *d = mp_rt_malloc(bytes ? bytes : 1);
  if (!d)
    die("out of memory", NULL);
  memcpy(d, host, bytes);
  return d;
}
/* Host buffers: a copy is an upload. */
static void *copy_buffer(const void *data, size_t bytes) {
  return to_device(data, bytes);
}
static double read_scalar(const Spec *s, const void *data) {
  return get_element(s, data);
}
static void device_free(void *p) { mp_rt_free(p); }
static const char *device_error(void) { return NULL; }
#else
static void *to_device(const void *host, size_t bytes) {
  void *d = mp_cuda_alloc(bytes ? bytes : 1);
  if (!d || mp_cuda_copy_to_device(d, host, bytes))
    die("copy to the device failed", mp_cuda_error());
  return d;
}

static double read_scalar(const Spec *s, const void *device) {
  char buf[8];
  if (mp_cuda_copy_to_host(buf, device, dtype_size(s->dtype)))
    die("copy to the host failed", mp_cuda_error());
  return get_element(s, buf);
}
static void device_free(void *p) { mp_cuda_free(p); }
static void *copy_buffer(const void *data, size_t bytes) {
  void *host = malloc(bytes ? bytes : 1);
  if (!host || mp_cuda_copy_to_host(host, data, bytes))
    die("copy to the host failed", mp_cuda_error());
  void *d = to_device(host, bytes);
  free(host);
  return d;
}
static const char *device_error(void) { return mp_cuda_error(); }
#endif

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void write_descriptor(const Spec *s, void *data, int64_t *out) {
  out[0] = (int64_t)(intptr_t)data;
  out[1] = (int64_t)(intptr_t)data;
  out[2] = 0;
  int64_t stride = 1;
  for (int d = s->rank - 1; d >= 0; --d) {
    out[3 + d] = s->shape[d];
    out[3 + s->rank + d] = stride;
    stride *= s->shape[d];
  }
}

int main(int argc, char **argv) {
  const char *artifact = NULL, *inputs = NULL;
  int steps = 100, print_every = 10, num_batches = 8;
  double init_scale = 32768.0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--steps") && i + 1 < argc)
      steps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--inputs") && i + 1 < argc)
      inputs = argv[++i];
    else if (!strcmp(argv[i], "--print-every") && i + 1 < argc)
      print_every = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--init-scale") && i + 1 < argc)
      init_scale = atof(argv[++i]);
    else if (!strcmp(argv[i], "--batches") && i + 1 < argc)
      num_batches = atoi(argv[++i]);
    else if (argv[i][0] != '-' && !artifact)
      artifact = argv[i];
    else
      die("usage: " TOOL " STEP.so [--steps N] [--inputs DIR] "
          "[--print-every K] [--init-scale S] [--batches B]",
          NULL);
  }
  if (!artifact)
    die("usage: " TOOL " STEP.so [--steps N] [--inputs DIR]", NULL);
  if (num_batches < 1 || num_batches > MAX_BATCHES)
    die("--batches must be in 1..64", NULL);

#ifndef MP_TRAIN_CPU
  mp_cuda_set_quiet(1);
  if (mp_cuda_init())
    die("no usable CUDA device", mp_cuda_error());
#endif
  void *lib = dlopen(artifact, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    die("cannot load the artifact", dlerror());
  if (device_error())
    die("loading the GPU kernels failed", device_error());
  const char *signature = (const char *)dlsym(lib, "mixprec_step_signature");
  if (!signature)
    die("not a mixprec step artifact", artifact);
#ifdef MP_TRAIN_CPU
  printf(TOOL ": %s (contractions: %s)\n", artifact, mp_rt_gemm_backend());
#else
  printf(TOOL ": %s on %s\n", artifact, mp_cuda_device_name());
#endif
  parse_signature(signature);
  if (signature_version < 2 || !packed_symbol[0])
    die("the artifact predates the packed step ABI (signature version < 2): "
        "rebuild it with this mixprec",
        artifact);
  if (declared_args != num_args || declared_results != num_results)
    die("the signature's `abi packed` line does not match its tensors",
        artifact);
  void (*step)(void **) = (void (*)(void **))dlsym(lib, packed_symbol);
  if (!step)
    die("the artifact lacks its packed entry", packed_symbol);

  /* Initial values, on the host first. */
  /* Data and allocated pointer of each argument's buffer. */
  void **device = xcalloc((size_t)num_args, sizeof(void *));
  void **base = xcalloc((size_t)num_args, sizeof(void *));
  int *data_args = xcalloc((size_t)num_args, sizeof(int)), num_data = 0;
  for (int i = 0; i < num_args; ++i)
    if (!strcmp(args[i].role, "data"))
      data_args[num_data++] = i;
  if (inputs) {
    FILE *probe;
    num_batches = 0;
    for (int b = 0; b < MAX_BATCHES && num_data > 0; ++b) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/batch%d.arg%d.bin", inputs, b,
               data_args[0]);
      if (!(probe = fopen(path, "rb")))
        break;
      fclose(probe);
      num_batches = b + 1;
    }
  }
  for (int i = 0; i < num_args; ++i) {
    Spec *s = &args[i];
    if (!strcmp(s->role, "data"))
      continue;
    void *host = NULL;
    if (inputs) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/arg%d.bin", inputs, i);
      host = read_file(path, s->bytes);
    }
    if (!host) {
      host = calloc(1, s->bytes ? s->bytes : 1);
      if (!strcmp(s->role, "loss_scale"))
        set_element(s, host, 0, init_scale);
      else if (!strcmp(s->role, "hysteresis"))
        set_element(s, host, 0, 1);
      else if (!strcmp(s->role, "param")) {
        int64_t fan_out = s->rank ? s->shape[s->rank - 1] : 1;
        int64_t fan_in = s->elements / (fan_out ? fan_out : 1);
        const char *kind = strcmp(s->init, "-") ? s->init
                           : s->rank >= 2       ? "glorot"
                                                : "zeros";
        double limit = sqrt(6.0 / (double)(fan_in + fan_out));
        for (int64_t k = 0; k < s->elements; ++k) {
          double v = 0;
          if (!strcmp(kind, "ones"))
            v = 1;
          else if (!strcmp(kind, "glorot"))
            v = (2 * uniform01() - 1) * limit;
          else if (!strcmp(kind, "normal"))
            v = 0.02 * (uniform01() + uniform01() + uniform01() - 1.5) * 2;
          set_element(s, host, k, v);
        }
      }
    }
    device[i] = base[i] = to_device(host, s->bytes);
    free(host);
  }
  void **batch_data[MAX_BATCHES];
  for (int b = 0; b < num_batches; ++b)
    batch_data[b] = xcalloc((size_t)num_data, sizeof(void *));
  batch_buffers =
      xcalloc((size_t)num_batches * (size_t)num_data, sizeof(void *));
  /* Batches: replayed, or synthetic (inputs uniform with unit variance,
   * the last data argument the one-hot argmax of a linear teacher). */
  for (int b = 0; b < num_batches; ++b) {
    float *x0 = NULL;
    for (int k = 0; k < num_data; ++k) {
      Spec *s = &args[data_args[k]];
      void *host = NULL;
      if (inputs) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/batch%d.arg%d.bin", inputs, b,
                 data_args[k]);
        host = read_file(path, s->bytes);
        if (!host)
          die("missing input file", path);
      } else {
        host = calloc(1, s->bytes ? s->bytes : 1);
        int last = k == num_data - 1 && num_data > 1;
        if (!last) {
          for (int64_t e = 0; e < s->elements; ++e)
            set_element(s, host, e, (2 * uniform01() - 1) * 1.7320508);
          if (k == 0) {
            x0 = malloc(sizeof(float) * s->elements);
            for (int64_t e = 0; e < s->elements; ++e)
              x0[e] = (float)get_element(s, (char *)host +
                                                e * dtype_size(s->dtype));
          }
        } else if (x0 && s->rank >= 1) {
          Spec *xs = &args[data_args[0]];
          int64_t rows = s->shape[0], classes = s->elements / rows;
          int64_t feat = xs->elements / rows;
          /* The teacher reads at most 64 features: labels stay cheap for
           * wide outputs (rows x classes x features sin() calls). */
          int64_t used = feat < 64 ? feat : 64;
          for (int64_t r = 0; r < rows; ++r) {
            int64_t best = 0;
            double best_v = -1e300;
            for (int64_t c = 0; c < classes; ++c) {
              double v = 0;
              for (int64_t a = 0; a < used; ++a)
                v += x0[r * feat + a] *
                     sin(0.7 * (double)(a * classes + c) + 1.3);
              if (v > best_v)
                best_v = v, best = c;
            }
            for (int64_t c = 0; c < classes; ++c)
              set_element(s, host, r * classes + c, c == best ? 1 : 0);
          }
        }
      }
      batch_data[b][k] = to_device(host, s->bytes);
      batch_buffers[num_batch_buffers++] = batch_data[b][k];
      free(host);
    }
    free(x0);
  }

  /* Which argument each state result feeds. */
  int *into = xcalloc((size_t)num_results, sizeof(int));
  int loss = -1, overflow = -1, scale_arg = -1;
  for (int i = 0; i < num_args; ++i)
    if (!strcmp(args[i].role, "loss_scale"))
      scale_arg = i;
  for (int r = 0; r < num_results; ++r) {
    into[r] = -1;
    if (!strcmp(results[r].role, "update"))
      into[r] = results[r].tied;
    else if (!strcmp(results[r].role, "loss"))
      loss = r;
    else if (!strcmp(results[r].role, "overflow"))
      overflow = r;
    else
      for (int i = 0; i < num_args; ++i)
        if (!strcmp(args[i].role, results[r].role))
          into[r] = i;
  }
  if (loss < 0)
    die("the step returns no loss", NULL);

  /* The packed array: packed[i] points to argument i's descriptor,
   * packed[num_args + r] to the descriptor result r is written to. */
  size_t words = 0, arg_words = 0;
  for (int i = 0; i < num_args; ++i)
    arg_words += 3 + 2 * (size_t)args[i].rank;
  for (int r = 0; r < num_results; ++r)
    words += 3 + 2 * (size_t)results[r].rank;
  int64_t *result_desc = xcalloc(words + 1, sizeof(int64_t));
  int64_t *arg_desc = xcalloc(arg_words + 1, sizeof(int64_t));
  void **packed =
      xcalloc((size_t)num_args + (size_t)num_results, sizeof(void *));
  {
    size_t offset = 0;
    for (int i = 0; i < num_args; ++i) {
      packed[i] = arg_desc + offset;
      offset += 3 + 2 * (size_t)args[i].rank;
    }
    offset = 0;
    for (int r = 0; r < num_results; ++r) {
      packed[num_args + r] = result_desc + offset;
      offset += 3 + 2 * (size_t)results[r].rank;
    }
  }
  void **result_ptr = xcalloc((size_t)num_results, sizeof(void *));
  void **result_base = xcalloc((size_t)num_results, sizeof(void *));
  void **old_base = xcalloc((size_t)num_args, sizeof(void *));
  void **candidates =
      xcalloc((size_t)num_args + (size_t)num_results, sizeof(void *));
  double total_ms = 0, first_loss = NAN, last_loss = NAN;
  int timed = 0, skipped = 0;
#ifdef MP_TRAIN_CPU
  mp_rt_reset_peak();
#else
  mp_cuda_reset_peak();
#endif
  for (int s = 0; s < steps; ++s) {
    for (int k = 0; k < num_data; ++k)
      device[data_args[k]] = base[data_args[k]] =
          batch_data[s % num_batches][k];
    for (int i = 0; i < num_args; ++i)
      write_descriptor(&args[i], device[i], packed[i]);
    double scale =
        scale_arg >= 0 ? read_scalar(&args[scale_arg], device[scale_arg]) : 1;
    double t0 = now_ms();
    step(packed);
    double ms = now_ms() - t0;
    if (device_error())
      die("the step failed", device_error());
    if (s > 0) {
      total_ms += ms;
      ++timed;
    }
    /* Results: thread state, keep the loss, free what is no longer used.
     * A result's buffer (its allocated pointer) may be an argument's or
     * another result's (bufferization returns unchanged values as they
     * are); every buffer is released exactly once, and a buffer that would
     * feed two arguments is copied for the second. */
    size_t offset = 0;
    for (int r = 0; r < num_results; ++r) {
      result_base[r] = (void *)(intptr_t)result_desc[offset];
      result_ptr[r] = (char *)(intptr_t)result_desc[offset + 1] +
                      result_desc[offset + 2] * dtype_size(results[r].dtype);
      offset += 3 + 2 * (size_t)results[r].rank;
    }
    double l = read_scalar(&results[loss], result_ptr[loss]);
    int over =
        overflow >= 0 && read_scalar(&results[overflow], result_ptr[overflow]);
    skipped += over;
    if (s == 0)
      first_loss = l;
    last_loss = l;
    for (int i = 0; i < num_args; ++i)
      old_base[i] = base[i];
    for (int r = 0; r < num_results; ++r)
      if (into[r] >= 0) {
        device[into[r]] = result_ptr[r];
        base[into[r]] = result_base[r];
      }
    for (int i = 0; i < num_args; ++i) {
      if (!strcmp(args[i].role, "data"))
        continue;
      int shared = is_batch_buffer(base[i]);
      for (int j = 0; j < i && !shared; ++j)
        shared = base[j] == base[i];
      if (shared)
        device[i] = base[i] = copy_buffer(device[i], args[i].bytes);
    }
    /* Release old argument buffers and results that nothing holds now. */
    int num_candidates = 0;
    for (int i = 0; i < num_args; ++i)
      candidates[num_candidates++] = old_base[i];
    for (int r = 0; r < num_results; ++r)
      candidates[num_candidates++] = result_base[r];
    for (int c = 0; c < num_candidates; ++c) {
      void *p = candidates[c];
      int keep = !p || is_batch_buffer(p);
      for (int i = 0; i < num_args && !keep; ++i)
        keep = base[i] == p;
      for (int d = 0; d < c && !keep; ++d)
        keep = candidates[d] == p; /* already released */
      if (!keep)
        device_free(p);
    }
    if (print_every > 0 && ((s + 1) % print_every == 0 || s == 0))
      printf("step %5d  loss %10.6f  scale %10g  skipped %4d  %8.3f "
             "ms/step\n",
             s + 1, l, scale, skipped, timed ? total_ms / timed : ms);
  }
#ifdef MP_TRAIN_CPU
  int64_t peak = mp_rt_peak_bytes();
  long long launches = 0;
#else
  int64_t peak = mp_cuda_peak_bytes();
  long long launches = (long long)mp_cuda_launch_count();
#endif
  printf("\n%-22s %d\n%-22s %.6f\n%-22s %.6f\n%-22s %d\n%-22s %.3f\n"
         "%-22s %.1f MiB\n",
         "steps", steps, "initial loss", first_loss, "final loss", last_loss,
         "skipped steps", skipped, "ms/step", timed ? total_ms / timed : NAN,
         PEAK_LABEL, peak / 1048576.0);
  if (launches)
    printf("%-22s %lld\n", "kernel launches", launches);
  return 0;
}
