/*===- mixprec_mpi_runtime.c - MPI runtime of data-parallel steps ---------===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * See mixprec_mpi_runtime.h. Thread-safe initialisation (pthread_once is
 * not enough: mp_rt_mpi_init takes arguments), so a mutex guards it.
 *
 *===----------------------------------------------------------------------===*/

#include "mixprec_mpi_runtime.h"

#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t mp_rt_mpi_lock = PTHREAD_MUTEX_INITIALIZER;
/* Cached after the first successful init: still answered after finalize. */
static int mp_rt_mpi_ready = 0;
static int32_t mp_rt_mpi_size = 1;
static int32_t mp_rt_mpi_rank = 0;

static void mp_rt_mpi_at_exit(void) { mp_rt_mpi_finalize(); }

static void mp_rt_mpi_cache(void) {
  int size = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  mp_rt_mpi_size = size;
  mp_rt_mpi_rank = rank;
  __atomic_store_n(&mp_rt_mpi_ready, 1, __ATOMIC_RELEASE);
}

void mp_rt_mpi_init(int *argc, char ***argv) {
  pthread_mutex_lock(&mp_rt_mpi_lock);
  if (mp_rt_mpi_ready) {
    pthread_mutex_unlock(&mp_rt_mpi_lock);
    return;
  }
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized) {
    fprintf(stderr, "mixprec MPI runtime: MPI was finalised already; it "
                    "cannot be initialised again in this process\n");
    abort();
  }
  if (!initialized) {
    int provided = 0;
    int rc = MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) {
      fprintf(stderr, "mixprec MPI runtime: MPI_Init_thread failed (%d)\n", rc);
      abort();
    }
    atexit(mp_rt_mpi_at_exit);
  }
  mp_rt_mpi_cache();
  pthread_mutex_unlock(&mp_rt_mpi_lock);
}

void mp_rt_mpi_finalize(void) {
  pthread_mutex_lock(&mp_rt_mpi_lock);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized)
    MPI_Finalize();
  pthread_mutex_unlock(&mp_rt_mpi_lock);
}

int32_t mp_rt_mpi_world_size(void) {
  if (!__atomic_load_n(&mp_rt_mpi_ready, __ATOMIC_ACQUIRE))
    mp_rt_mpi_init(NULL, NULL);
  return mp_rt_mpi_size;
}

int32_t mp_rt_mpi_world_rank(void) {
  if (!__atomic_load_n(&mp_rt_mpi_ready, __ATOMIC_ACQUIRE))
    mp_rt_mpi_init(NULL, NULL);
  return mp_rt_mpi_rank;
}

void mp_rt_mpi_abort(int code) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  fflush(stdout);
  fflush(stderr);
  if (initialized && !finalized) {
    /* The launcher kills every rank as soon as it learns of the abort and
     * may drop what it has not forwarded yet: give it a moment to forward
     * this rank's last output (the error message). */
    if (mp_rt_mpi_size > 1) {
      struct timespec pause = {0, 300 * 1000 * 1000};
      nanosleep(&pause, NULL);
    }
    MPI_Abort(MPI_COMM_WORLD, code);
  }
  _Exit(code);
}
