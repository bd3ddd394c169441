/*===- mixprec_cuda_runtime.h - CUDA runtime of compiled steps ----*- C -*-===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * The host code that MLIR's gpu-to-llvm lowering (LLVM 22) generates calls
 * the `mgpu*` functions below; Debian ships no MLIR CUDA runtime, so mixprec
 * implements them on the CUDA driver API (libcuda only, no cudart, no C++
 * runtime). On top of them, `mp_cuda_*` helpers let a host program (mp-run,
 * the standalone C driver) move tensors to and from the device.
 *
 * Behaviour:
 *  - The first call initialises the driver and retains the primary context
 *    of device 0 (or the one given to mgpuSetDefaultDevice /
 *    MIXPREC_CUDA_DEVICE).
 *  - Errors never abort: the first failure is printed to stderr as one line
 *    ("mixprec-cuda: error: ...") and kept; mp_cuda_error() returns it, and
 *    calls after a failure do nothing and return null handles.
 *  - mgpuMemAlloc / mgpuMemFree go through a caching allocator (blocks are
 *    reused by size, stream-ordered like PyTorch's caching allocator);
 *    streams are pooled. mp_cuda_live_bytes / mp_cuda_peak_bytes count the
 *    bytes handed out.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MIXPREC_CUDA_RUNTIME_H
#define MIXPREC_CUDA_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*--- Called by lowered MLIR host code (signatures of LLVM 22) ------------*/
void *mgpuModuleLoad(void *data, size_t size);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes);
void mgpuMemHostUnregister(void *ptr);
void mgpuSetDefaultDevice(int32_t device);

/*--- Host helpers ---------------------------------------------------------*/
/* Initialises the driver and the context; 0 on success, else -1 and
 * mp_cuda_error() says why (e.g. no driver, no device). */
int mp_cuda_init(void);
/* The first error seen, or NULL. */
const char *mp_cuda_error(void);
/* Non-zero: do not print errors to stderr (the caller reports them). */
void mp_cuda_set_quiet(int quiet);
/* "NVIDIA H100 80GB HBM3 (sm_90)" after a successful init. */
const char *mp_cuda_device_name(void);
void *mp_cuda_alloc(size_t bytes);
void mp_cuda_free(void *ptr);
int mp_cuda_copy_to_device(void *dst, const void *src, size_t bytes);
int mp_cuda_copy_to_host(void *dst, const void *src, size_t bytes);
int mp_cuda_copy_device(void *dst, const void *src, size_t bytes);
int mp_cuda_synchronize(void);
int64_t mp_cuda_live_bytes(void);
int64_t mp_cuda_peak_bytes(void);
void mp_cuda_reset_peak(void);
/* Kernel launches so far (for statistics). */
int64_t mp_cuda_launch_count(void);

#ifdef __cplusplus
}
#endif

#endif /* MIXPREC_CUDA_RUNTIME_H */
