/*===- mixprec_cpu_runtime.c - runtime of compiled CPU steps --------------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_cpu_runtime.h"

#include <stdatomic.h>
#include <stdlib.h>

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
