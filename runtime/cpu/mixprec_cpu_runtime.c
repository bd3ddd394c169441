/*===- mixprec_cpu_runtime.c - runtime of compiled CPU steps --------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cpu_runtime.h"

#include <stdatomic.h>
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
void mp_rt_reset_peak(void) { atomic_store(&peak_bytes, atomic_load(&live_bytes)); }

/* memref.copy of non-contiguous memrefs lowers to a call to memrefCopy (the
 * name and signature of MLIR's CRunnerUtils); implemented here so compiled
 * steps need no MLIR runtime library. Descriptors are passed unranked:
 * {rank, pointer to {allocated, aligned, offset, sizes[rank],
 * strides[rank]}}. */
typedef struct {
  int64_t rank;
  void *descriptor;
} MpUnrankedMemRef;

typedef struct {
  void *allocated;
  char *aligned;
  int64_t offset;
  int64_t shapeAndStrides[];
} MpMemRefDesc;

void memrefCopy(int64_t elemSize, void *srcArg, void *dstArg) {
  MpUnrankedMemRef *src = (MpUnrankedMemRef *)srcArg;
  MpUnrankedMemRef *dst = (MpUnrankedMemRef *)dstArg;
  int64_t rank = src->rank;
  MpMemRefDesc *s = (MpMemRefDesc *)src->descriptor;
  MpMemRefDesc *d = (MpMemRefDesc *)dst->descriptor;
  const int64_t *sizes = s->shapeAndStrides;
  const int64_t *sStrides = s->shapeAndStrides + rank;
  const int64_t *dStrides = d->shapeAndStrides + rank;
  char *sp = s->aligned + s->offset * elemSize;
  char *dp = d->aligned + d->offset * elemSize;
  if (rank == 0) {
    memcpy(dp, sp, (size_t)elemSize);
    return;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  int64_t index[64] = {0};
  if (rank > 64)
    abort();
  int64_t sOff = 0, dOff = 0;
  for (;;) {
    memcpy(dp + dOff * elemSize, sp + sOff * elemSize, (size_t)elemSize);
    int64_t axis = rank - 1;
    for (; axis >= 0; --axis) {
      ++index[axis];
      sOff += sStrides[axis];
      dOff += dStrides[axis];
      if (index[axis] < sizes[axis])
        break;
      sOff -= sStrides[axis] * sizes[axis];
      dOff -= dStrides[axis] * sizes[axis];
      index[axis] = 0;
    }
    if (axis < 0)
      return;
  }
}
