//===- BufferAliases.h - may-alias sets of buffers --------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// A conservative may-alias closure of a buffer after bufferization, shared by
// the passes that reason about a buffer's lifetime (mp-reuse-dead-buffers,
// mp-dealloc-at-last-use).
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_CONVERSION_BUFFERALIASES_H
#define MIXPREC_LIB_CONVERSION_BUFFERALIASES_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

namespace mlir::mp {

/// Every value that may alias `root` (root first), following views
/// (ViewLikeOpInterface, e.g. memref.cast, transpose, subview, reshapes),
/// `memref.extract_strided_metadata`'s base buffer, `arith.select` and the
/// results of `scf.if` / `scf.index_switch` / `scf.execute_region`. Fails
/// on a use that could let the buffer escape or alias in a way this does
/// not follow: a loop's yield, any other terminator (`func.return`), a
/// dealloc or clone, an op with memref results of unknown relation. Uses
/// for which `accept` returns true are taken as plain uses.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
collectBufferAliases(mlir::Value root,
                     llvm::function_ref<bool(mlir::OpOperand &)> accept);

/// The ancestors in `block` of the ops that define or use any of `values`,
/// other than `ignore`; the last of them (or `start` when none is later).
/// Null when one of them is not in `block` (e.g. an `scf.if` result used
/// after the region that holds `block`) or a value is a block argument:
/// the lifetime then extends beyond what `block` shows.
mlir::Operation *lastUseInBlock(mlir::Block *block,
                                llvm::ArrayRef<mlir::Value> values,
                                mlir::Operation *start,
                                mlir::Operation *ignore = nullptr);

} // namespace mlir::mp

#endif // MIXPREC_LIB_CONVERSION_BUFFERALIASES_H
