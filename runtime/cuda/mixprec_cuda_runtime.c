/*===- mixprec_cuda_runtime.c - CUDA runtime of compiled steps ------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * See mixprec_cuda_runtime.h. Depends on libc and libcuda only.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cuda_runtime.h"

#include <cuda.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*--- Errors ---------------------------------------------------------------*/

static char first_error[512];
static int have_error;
static int quiet;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void report(const char *fmt, ...) {
  if (have_error)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(first_error, sizeof(first_error), fmt, ap);
  va_end(ap);
  have_error = 1;
  if (!quiet)
    fprintf(stderr, "mixprec-cuda: error: %s\n", first_error);
}

static int check(CUresult r, const char *what) {
  if (r == CUDA_SUCCESS)
    return 0;
  const char *name = "?", *text = "";
  cuGetErrorName(r, &name);
  cuGetErrorString(r, &text);
  if (r == CUDA_ERROR_NO_DEVICE || r == CUDA_ERROR_NOT_INITIALIZED)
    report("%s failed: %s (%s): no usable NVIDIA GPU on this machine", what,
           name, text);
  else
    report("%s failed: %s (%s)", what, name, text);
  return -1;
}

const char *mp_cuda_error(void) { return have_error ? first_error : NULL; }
void mp_cuda_set_quiet(int q) { quiet = q; }

/*--- Context --------------------------------------------------------------*/

static int device_ordinal = -1;
static CUcontext context;
static int init_state; /* 0: not tried, 1: ok, -1: failed */
static char device_name[256];

int mp_cuda_init(void) {
  pthread_mutex_lock(&lock);
  if (init_state == 0) {
    init_state = -1;
    if (device_ordinal < 0) {
      const char *env = getenv("MIXPREC_CUDA_DEVICE");
      device_ordinal = env ? atoi(env) : 0;
    }
    CUdevice dev;
    int count = 0;
    if (!check(cuInit(0), "cuInit") &&
        !check(cuDeviceGetCount(&count), "cuDeviceGetCount")) {
      if (count <= device_ordinal) {
        report("no CUDA device %d (the driver sees %d device(s))",
               device_ordinal, count);
      } else if (!check(cuDeviceGet(&dev, device_ordinal), "cuDeviceGet") &&
                 !check(cuDevicePrimaryCtxRetain(&context, dev),
                        "cuDevicePrimaryCtxRetain") &&
                 !check(cuCtxSetCurrent(context), "cuCtxSetCurrent")) {
        char name[200] = "";
        int major = 0, minor = 0;
        cuDeviceGetName(name, sizeof(name), dev);
        cuDeviceGetAttribute(&major,
                             CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        cuDeviceGetAttribute(&minor,
                             CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        snprintf(device_name, sizeof(device_name), "%s (sm_%d%d)", name, major,
                 minor);
        init_state = 1;
      }
    }
  }
  int ok = init_state == 1 && !have_error;
  pthread_mutex_unlock(&lock);
  if (ok) {
    /* The primary context must be current on the calling thread. */
    CUcontext current = NULL;
    cuCtxGetCurrent(&current);
    if (current != context)
      cuCtxSetCurrent(context);
  }
  return ok ? 0 : -1;
}

const char *mp_cuda_device_name(void) {
  return init_state == 1 ? device_name : "";
}

void mgpuSetDefaultDevice(int32_t device) {
  if (init_state == 0)
    device_ordinal = device;
}

/*--- Modules and launches -------------------------------------------------*/

static int64_t launches;

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  CUmodule module = NULL;
  if (mp_cuda_init() || check(cuModuleLoadData(&module, data),
                              "cuModuleLoadData (loading the kernels)"))
    return NULL;
  return module;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = NULL;
  if (mp_cuda_init())
    return NULL;
  char log[4096] = "";
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL, CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {(void *)(intptr_t)optLevel, log,
                    (void *)(intptr_t)sizeof(log)};
  CUresult r = cuModuleLoadDataEx(&module, data, 3, options, values);
  if (r != CUDA_SUCCESS) {
    check(r, "cuModuleLoadDataEx (JIT-compiling the PTX)");
    if (log[0])
      fprintf(stderr, "mixprec-cuda: PTX JIT log: %s\n", log);
    return NULL;
  }
  return module;
}

void mgpuModuleUnload(void *module) {
  if (module && init_state == 1)
    cuModuleUnload((CUmodule)module);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction fn = NULL;
  if (!module) {
    report("kernel %s: its module was not loaded", name);
    return NULL;
  }
  if (mp_cuda_init() || check(cuModuleGetFunction(&fn, (CUmodule)module, name),
                              "cuModuleGetFunction"))
    return NULL;
  return fn;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  if (!function || mp_cuda_init())
    return;
  if (smem > 48 * 1024)
    cuFuncSetAttribute((CUfunction)function,
                       CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem);
  ++launches;
  check(cuLaunchKernel((CUfunction)function, (unsigned)gridX, (unsigned)gridY,
                       (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                       (unsigned)blockZ, (unsigned)smem, (CUstream)stream,
                       params, extra),
        "cuLaunchKernel");
}

int64_t mp_cuda_launch_count(void) { return launches; }

/*--- Streams (pooled) and events ------------------------------------------*/

#define MAX_POOLED_STREAMS 16
static CUstream stream_pool[MAX_POOLED_STREAMS];
static int pooled_streams;

void *mgpuStreamCreate(void) {
  if (mp_cuda_init())
    return NULL;
  CUstream s = NULL;
  pthread_mutex_lock(&lock);
  if (pooled_streams > 0)
    s = stream_pool[--pooled_streams];
  pthread_mutex_unlock(&lock);
  if (!s)
    check(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return s;
}

void mgpuStreamDestroy(void *stream) {
  if (!stream)
    return;
  pthread_mutex_lock(&lock);
  if (pooled_streams < MAX_POOLED_STREAMS) {
    stream_pool[pooled_streams++] = (CUstream)stream;
    stream = NULL;
  }
  pthread_mutex_unlock(&lock);
  if (stream)
    cuStreamDestroy((CUstream)stream);
}

static void release_stream_blocks(CUstream stream);

void mgpuStreamSynchronize(void *stream) {
  if (mp_cuda_init())
    return;
  if (!check(cuStreamSynchronize((CUstream)stream), "cuStreamSynchronize"))
    release_stream_blocks((CUstream)stream);
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (!mp_cuda_init())
    check(cuStreamWaitEvent((CUstream)stream, (CUevent)event, 0),
          "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  CUevent e = NULL;
  if (!mp_cuda_init())
    check(cuEventCreate(&e, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  return e;
}

void mgpuEventDestroy(void *event) {
  if (event && init_state == 1)
    cuEventDestroy((CUevent)event);
}

void mgpuEventSynchronize(void *event) {
  if (!mp_cuda_init())
    check(cuEventSynchronize((CUevent)event), "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  if (!mp_cuda_init())
    check(cuEventRecord((CUevent)event, (CUstream)stream), "cuEventRecord");
}

/*--- Caching allocator ----------------------------------------------------*/
/* Freed blocks are kept in a list and reused for a request of the same
 * rounded size. A block freed on stream S may be reused right away by work
 * on S (stream order makes that safe) and by any stream once S has been
 * synchronised or when it was freed with no stream (after a host sync). */

typedef struct Block {
  CUdeviceptr ptr;
  size_t size;     /* rounded size */
  size_t request;  /* bytes asked for (accounting) */
  CUstream stream; /* stream it was freed on; NULL: free for all */
  int in_use;
  struct Block *next;
} Block;

static Block *blocks;
static int64_t live_bytes, peak_bytes;

static size_t round_size(size_t n) {
  if (n == 0)
    n = 1;
  return (n + 511) & ~(size_t)511;
}

static void *alloc_block(size_t bytes, CUstream stream) {
  size_t size = round_size(bytes);
  pthread_mutex_lock(&lock);
  Block *found = NULL;
  for (Block *b = blocks; b; b = b->next)
    if (!b->in_use && b->size == size &&
        (b->stream == NULL || b->stream == stream)) {
      found = b;
      break;
    }
  if (found) {
    found->in_use = 1;
    found->request = bytes;
  }
  pthread_mutex_unlock(&lock);
  if (!found) {
    CUdeviceptr ptr = 0;
    CUresult r = cuMemAlloc(&ptr, size);
    if (r == CUDA_ERROR_OUT_OF_MEMORY) {
      /* Give cached blocks back to the driver and retry once. */
      cuCtxSynchronize();
      pthread_mutex_lock(&lock);
      Block **link = &blocks;
      while (*link) {
        Block *b = *link;
        if (!b->in_use) {
          cuMemFree(b->ptr);
          *link = b->next;
          free(b);
        } else {
          link = &b->next;
        }
      }
      pthread_mutex_unlock(&lock);
      r = cuMemAlloc(&ptr, size);
    }
    if (check(r, "cuMemAlloc"))
      return NULL;
    found = (Block *)calloc(1, sizeof(Block));
    found->ptr = ptr;
    found->size = size;
    found->request = bytes;
    found->in_use = 1;
    pthread_mutex_lock(&lock);
    found->next = blocks;
    blocks = found;
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  live_bytes += (int64_t)bytes;
  if (live_bytes > peak_bytes)
    peak_bytes = live_bytes;
  pthread_mutex_unlock(&lock);
  return (void *)found->ptr;
}

static void free_block(void *ptr, CUstream stream) {
  if (!ptr)
    return;
  pthread_mutex_lock(&lock);
  Block *b = blocks;
  while (b && !(b->in_use && b->ptr == (CUdeviceptr)ptr))
    b = b->next;
  if (b) {
    b->in_use = 0;
    b->stream = stream;
    live_bytes -= (int64_t)b->request;
  }
  pthread_mutex_unlock(&lock);
  if (!b)
    report("freeing %p, which the runtime did not allocate", ptr);
}

static void release_stream_blocks(CUstream stream) {
  pthread_mutex_lock(&lock);
  for (Block *b = blocks; b; b = b->next)
    if (!b->in_use && b->stream == stream)
      b->stream = NULL;
  pthread_mutex_unlock(&lock);
}

void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  if (mp_cuda_init())
    return NULL;
  if (isHostShared) {
    CUdeviceptr ptr = 0;
    if (check(cuMemAllocManaged(&ptr, sizeBytes ? sizeBytes : 1,
                                CU_MEM_ATTACH_GLOBAL),
              "cuMemAllocManaged"))
      return NULL;
    return (void *)ptr;
  }
  return alloc_block(sizeBytes, (CUstream)stream);
}

void mgpuMemFree(void *ptr, void *stream) {
  if (init_state == 1)
    free_block(ptr, (CUstream)stream);
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  if (!mp_cuda_init())
    check(cuMemcpyAsync((CUdeviceptr)dst, (CUdeviceptr)src, sizeBytes,
                        (CUstream)stream),
          "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  if (!mp_cuda_init())
    check(cuMemsetD32Async((CUdeviceptr)dst, value, count, (CUstream)stream),
          "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  if (!mp_cuda_init())
    check(cuMemsetD16Async((CUdeviceptr)dst, value, count, (CUstream)stream),
          "cuMemsetD16Async");
}

void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  if (!mp_cuda_init())
    check(cuMemHostRegister(ptr, sizeBytes, 0), "cuMemHostRegister");
}

void mgpuMemHostUnregister(void *ptr) {
  if (!mp_cuda_init())
    check(cuMemHostUnregister(ptr), "cuMemHostUnregister");
}

/*--- Host helpers ---------------------------------------------------------*/

void *mp_cuda_alloc(size_t bytes) {
  if (mp_cuda_init())
    return NULL;
  return alloc_block(bytes, NULL);
}

void mp_cuda_free(void *ptr) {
  if (init_state == 1)
    free_block(ptr, NULL);
}

int mp_cuda_copy_to_device(void *dst, const void *src, size_t bytes) {
  if (mp_cuda_init())
    return -1;
  return check(cuMemcpyHtoD((CUdeviceptr)dst, src, bytes), "cuMemcpyHtoD");
}

int mp_cuda_copy_to_host(void *dst, const void *src, size_t bytes) {
  if (mp_cuda_init())
    return -1;
  return check(cuMemcpyDtoH(dst, (CUdeviceptr)src, bytes), "cuMemcpyDtoH");
}

int mp_cuda_copy_device(void *dst, const void *src, size_t bytes) {
  if (mp_cuda_init())
    return -1;
  return check(cuMemcpyDtoD((CUdeviceptr)dst, (CUdeviceptr)src, bytes),
               "cuMemcpyDtoD");
}

int mp_cuda_synchronize(void) {
  if (mp_cuda_init())
    return -1;
  return check(cuCtxSynchronize(), "cuCtxSynchronize");
}

int64_t mp_cuda_live_bytes(void) { return live_bytes; }
int64_t mp_cuda_peak_bytes(void) { return peak_bytes; }
void mp_cuda_reset_peak(void) { peak_bytes = live_bytes; }
