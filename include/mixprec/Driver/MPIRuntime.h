//===- MPIRuntime.h - MPI for data-parallel steps ---------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The host side of data-parallel training (docs/design.md §16): the MPI
// runtime libmixprec_mpi_runtime.so (runtime/mpi), loaded with dlopen the
// first time it is needed, so that mixprec's tools and libraries do not
// depend on libmpich. CompiledStep::compile loads it and initialises MPI
// when a lowered step calls MPI (MPI_* or mp_rt_mpi_* symbols); mp-run
// (--data-parallel) and the Python module call these functions directly.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DRIVER_MPIRUNTIME_H
#define MIXPREC_DRIVER_MPIRUNTIME_H

#include "llvm/Support/Error.h"

namespace mlir::mp {

/// True when mixprec was built with MPICH (the MPI runtime exists).
bool mpiBuilt();

/// Loads the MPI runtime and initialises MPI unless the process already
/// did (mp_rt_mpi_init: idempotent; MPI_Finalize runs at exit). `argc` /
/// `argv` may be null. Fails with a clear message in a build without MPI
/// or when the runtime cannot be loaded.
llvm::Error mpiInit(int *argc = nullptr, char ***argv = nullptr);

/// Rank in and size of MPI_COMM_WORLD (initialises MPI on first use).
struct MPIWorld {
  int rank = 0;
  int size = 1;
};
llvm::Expected<MPIWorld> mpiWorld();

/// MPI_Finalize, if the runtime is loaded and MPI not finalised yet.
void mpiFinalize();

/// Ends every rank of the job with `code` (MPI_Abort), or just this process
/// when MPI is not initialised.
[[noreturn]] void mpiAbort(int code);

} // namespace mlir::mp

#endif // MIXPREC_DRIVER_MPIRUNTIME_H
