//===- MPIExternalModels.cpp - memory effects of the mpi ops --------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Each model states what the op does to its buffers, plus one effect on no
// value (the collective's library state): the op is then never erased,
// duplicated or reordered with another collective, and buffer deallocation
// knows which buffers it reads and writes.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Utils/MPIExternalModels.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {
using EffectList =
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>;

struct AllReduceEffects
    : MemoryEffectOpInterface::ExternalModel<AllReduceEffects,
                                             mpi::AllReduceOp> {
  void getEffects(Operation *op, EffectList &effects) const {
    auto allReduce = cast<mpi::AllReduceOp>(op);
    effects.emplace_back(MemoryEffects::Read::get(),
                         &allReduce.getSendbufMutable());
    // sendbuf == recvbuf lowers to MPI_IN_PLACE: recvbuf is read too.
    effects.emplace_back(MemoryEffects::Read::get(),
                         &allReduce.getRecvbufMutable());
    effects.emplace_back(MemoryEffects::Write::get(),
                         &allReduce.getRecvbufMutable());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};

/// send / isend read their buffer, recv / irecv write it.
template <typename OpT, bool Writes>
struct BufferEffects
    : MemoryEffectOpInterface::ExternalModel<BufferEffects<OpT, Writes>, OpT> {
  void getEffects(Operation *op, EffectList &effects) const {
    auto typed = cast<OpT>(op);
    if (Writes)
      effects.emplace_back(MemoryEffects::Write::get(), &typed.getRefMutable());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &typed.getRefMutable());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};
} // namespace

void mp::registerMPIExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, mpi::MPIDialect *) {
    mpi::AllReduceOp::attachInterface<AllReduceEffects>(*context);
    mpi::SendOp::attachInterface<BufferEffects<mpi::SendOp, false>>(*context);
    mpi::ISendOp::attachInterface<BufferEffects<mpi::ISendOp, false>>(*context);
    mpi::RecvOp::attachInterface<BufferEffects<mpi::RecvOp, true>>(*context);
    mpi::IRecvOp::attachInterface<BufferEffects<mpi::IRecvOp, true>>(*context);
  });
}
