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

/* A 16-byte header right in front of every block: the pointer malloc
 * returned and the block's size. */
#define MP_RT_HEADER 16

typedef struct {
  void *base;
  size_t size;
} mp_rt_header;

static _Atomic int64_t live_bytes;
static _Atomic int64_t peak_bytes;

static void *account(char *base, char *ptr, size_t size) {
  mp_rt_header *header = (mp_rt_header *)(ptr - MP_RT_HEADER);
  header->base = base;
  header->size = size;
  int64_t now = atomic_fetch_add(&live_bytes, (int64_t)size) + (int64_t)size;
  int64_t peak = atomic_load(&peak_bytes);
  while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
    ;
  return ptr;
}

void *mp_rt_malloc(size_t size) {
  char *base = (char *)malloc(size + MP_RT_HEADER);
  if (!base)
    return NULL;
  return account(base, base + MP_RT_HEADER, size);
}

void *mp_rt_aligned_alloc(size_t alignment, size_t size) {
  /* malloc's blocks are 16-byte aligned, and so is base + the header. */
  if (alignment <= MP_RT_HEADER)
    return mp_rt_malloc(size);
  if (alignment & (alignment - 1))
    return NULL; /* not a power of two: aligned_alloc's EINVAL */
  char *base = (char *)malloc(size + MP_RT_HEADER + alignment);
  if (!base)
    return NULL;
  uintptr_t first = (uintptr_t)base + MP_RT_HEADER;
  uintptr_t aligned = (first + alignment - 1) & ~(uintptr_t)(alignment - 1);
  return account(base, base + (aligned - (uintptr_t)base), size);
}

/* MIXPREC_POISON_FREED=1: freed blocks are filled with 0xff bytes (NaN in
 * f32, bf16 and f16) first, so that compiled code reading a buffer after it
 * was freed computes NaNs instead of, by luck, the old values. A testing
 * aid for the passes that place deallocations (mp-dealloc-at-last-use). */
static int poison_freed(void) {
  static _Atomic int cached = -1;
  int v = atomic_load(&cached);
  if (v < 0) {
    const char *env = getenv("MIXPREC_POISON_FREED");
    v = env && *env && strcmp(env, "0") != 0;
    atomic_store(&cached, v);
  }
  return v;
}

void mp_rt_free(void *ptr) {
  if (!ptr)
    return;
  const mp_rt_header *header =
      (const mp_rt_header *)((char *)ptr - MP_RT_HEADER);
  void *base = header->base;
  size_t size = header->size;
  atomic_fetch_sub(&live_bytes, (int64_t)size);
  if (poison_freed())
    memset(ptr, 0xff, size);
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
 * Symbols for the JIT: the allocator, the copy and the contractions of
 * mp_rt_gemm.c.
 *===----------------------------------------------------------------------===*/

#include <pthread.h>

static MpRtSymbol *symbol_table;
static int symbol_count;
static pthread_once_t symbols_once = PTHREAD_ONCE_INIT;

static void symbols_init(void) {
  static const MpRtSymbol own[] = {
      {"mp_rt_malloc", (void *)&mp_rt_malloc},
      {"mp_rt_aligned_alloc", (void *)&mp_rt_aligned_alloc},
      {"mp_rt_free", (void *)&mp_rt_free},
      {"mp_rt_memref_copy", (void *)&mp_rt_memref_copy}};
  int own_count = (int)(sizeof(own) / sizeof(own[0])), gemm_count = 0;
  const MpRtSymbol *gemm = mp_rt_gemm_symbols(&gemm_count);
  symbol_table = (MpRtSymbol *)malloc(sizeof(MpRtSymbol) *
                                      (size_t)(own_count + gemm_count));
  if (!symbol_table)
    abort();
  memcpy(symbol_table, own, sizeof(own));
  memcpy(symbol_table + own_count, gemm,
         sizeof(MpRtSymbol) * (size_t)gemm_count);
  symbol_count = own_count + gemm_count;
}

const MpRtSymbol *mp_rt_symbols(int *count) {
  pthread_once(&symbols_once, symbols_init);
  *count = symbol_count;
  return symbol_table;
}
