/*===- mixprec_mpi_runtime.h - MPI runtime of data-parallel steps --*- C -*-===*
 *
 * Part of mixprec: MLIR passes for mixed-precision training.
 *
 * A data-parallel step (mp-mixed-precision{data-parallel=mpi}) calls
 * MPI_Allreduce (MPICH ABI, lowered from the `mpi` dialect) and
 * mp_rt_mpi_world_size() for the 1/N of the mean. MPI must be initialised
 * once per process before the first collective and may not be initialised
 * twice, which compiled code cannot check (the `mpi` dialect has no
 * MPI_Initialized), so this library owns MPI_Init: the world size and rank
 * queries initialise MPI on first use unless the host already did
 * (MPI_Initialized), and register MPI_Finalize with atexit. Any host then
 * works without an explicit init: mp-run, Python, an AOT artifact's C
 * driver. Hosts that want MPI to see argc/argv, or an explicit finalize,
 * call mp_rt_mpi_init / mp_rt_mpi_finalize (both idempotent).
 *
 * Linked against libmpich only; built when CMake finds MPICH.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MIXPREC_MPI_RUNTIME_H
#define MIXPREC_MPI_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Size of and rank in MPI_COMM_WORLD; initialise MPI on first use (then
 * finalised at exit). After MPI_Finalize they return the last values. */
int32_t mp_rt_mpi_world_size(void);
int32_t mp_rt_mpi_world_rank(void);

/* MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED) unless MPI is already
 * initialised (by this library or by the host); registers MPI_Finalize
 * with atexit when this library initialised MPI. argc/argv may be null.
 * Aborts the process with a message if MPI was finalised already or the
 * init fails. */
void mp_rt_mpi_init(int *argc, char ***argv);

/* MPI_Finalize, once, if MPI is initialised and not finalised yet. */
void mp_rt_mpi_finalize(void);

/* MPI_Abort(MPI_COMM_WORLD, code): ends every rank of the job (a rank that
 * fails alone must not leave the others waiting in a collective). Flushes
 * stdio and, in a job of several ranks, waits 0.3 s first so that the
 * launcher forwards the output already written. Exits with `code` when MPI
 * is not initialised. */
void mp_rt_mpi_abort(int code);

#ifdef __cplusplus
}
#endif

#endif /* MIXPREC_MPI_RUNTIME_H */
