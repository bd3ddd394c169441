//===- MPIExternalModels.h - memory effects of the mpi ops ------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_UTILS_MPIEXTERNALMODELS_H
#define MIXPREC_DIALECT_MP_UTILS_MPIEXTERNALMODELS_H

namespace mlir {
class DialectRegistry;
namespace mp {

/// Attaches `MemoryEffectOpInterface` external models to the upstream `mpi`
/// ops that take buffers (allreduce, send, recv, isend, irecv). MLIR 22
/// declares no effects for them, and ownership-based buffer deallocation
/// rejects ops with unknown effects; mp-data-parallel's all-reduce must pass
/// through mp-to-cpu. Called by `mlir::mp::registerAllDialects` and
/// `registerMixPrecDialects`.
void registerMPIExternalModels(DialectRegistry &registry);

} // namespace mp
} // namespace mlir

#endif // MIXPREC_DIALECT_MP_UTILS_MPIEXTERNALMODELS_H
