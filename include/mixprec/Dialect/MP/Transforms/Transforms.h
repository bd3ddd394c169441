//===- Transforms.h - mixprec rewrites as C++ entry points ------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The rewrites behind mp-loss-scaling and mp-cleanup, callable from another
// compiler's own passes without mixprec's pass manager. (mp-lower's patterns:
// mixprec/Conversion/MPToStandard/MPToStandard.h.)
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_TRANSFORMS_H
#define MIXPREC_DIALECT_MP_TRANSFORMS_TRANSFORMS_H

#include "mixprec/Dialect/MP/IR/MPAttrs.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"

namespace mlir::mp {

/// Options of the loss-scaling rewrite.
struct LossScalingOptions {
  /// Mode and state-machine parameters.
  LossScaleAttr config;
  /// Clip the unscaled gradients to this global L2 norm; 0 disables it.
  double clipNorm = 0.0;
  /// Gradient accumulation (docs/design.md §17): the data arguments get a
  /// leading dimension of this size and the step loops over it, summing the
  /// f32 gradients before one unscale, finite check and update. 1: off.
  int64_t microbatches = 1;
  /// Also return the global L2 norm of the unscaled gradients, as a
  /// `tensor<f32> {mp.grad_norm}` result.
  bool gradNorm = false;
};

/// Rewrites the step function `fn` (which calls `mp.value_and_grad` at most
/// once, at the top level of its body) for loss scaling: seed, unscale,
/// all-finite check, optional clipping, guarded `mp.updates` results and, in
/// dynamic mode, the appended state arguments and results (docs/design.md
/// §2, §6); static and dynamic modes also return one finite flag per
/// parameter gradient (`{mp.grad_finite}`), and, with `microbatches` > 1,
/// the step accumulates the gradients of that many micro-batches (§17). A
/// function without `mp.value_and_grad` is left unchanged. Emits a diagnostic
/// and fails on a contract violation (e.g. a result that depends on the
/// gradients without an `mp.updates` tie). `numGuarded`, when given, receives
/// the number of guarded results.
LogicalResult applyLossScaling(func::FuncOp fn,
                               const LossScalingOptions &options,
                               unsigned *numGuarded = nullptr);

/// Options of the data-parallel rewrite.
struct DataParallelOptions {
  /// Largest bucket of packed values, in bytes of f32.
  int64_t bucketBytes = 25 << 20;
};

/// Replaces, right after each `mp.value_and_grad` of `fn`, its loss and
/// gradients by their mean over the MPI ranks (f32, bucketed all-reduce
/// through the `mpi` dialect; docs/design.md §16). Returns the number of
/// all-reduce calls per step (0 when `fn` has no `mp.value_and_grad`), or
/// fails with a diagnostic on a value that is not a statically shaped float
/// tensor.
FailureOr<unsigned> applyDataParallel(func::FuncOp fn,
                                      const DataParallelOptions &options);

/// Checks loss-scaling option values; on error returns a message naming the
/// option (e.g. "growth-factor must be > 1, got 1.0").
std::optional<std::string>
verifyLossScalingOptions(StringRef mode, double initScale, double growthFactor,
                         double backoffFactor, int64_t growthInterval,
                         double minScale, double maxScale, int64_t hysteresis,
                         double clipNorm, int64_t microbatches = 1);

/// What mp-cleanup does, as a plain function on `op` (usually a module or a
/// function) that needs no pass manager: greedy canonicalization with the
/// canonicalization patterns of every loaded dialect and registered op (the
/// `mp.cast` folders included), CSE, and canonicalization again, each step
/// configured as upstream's `canonicalize` / `cse` passes with their default
/// options. Every step runs; fails when a greedy rewrite did not converge
/// (the pass ignores that, as `canonicalize` does).
LogicalResult applyCleanup(Operation *op);
/// The same with the patterns built once (getCleanupPatterns).
LogicalResult applyCleanup(Operation *op,
                           const FrozenRewritePatternSet &patterns);
/// The canonicalization patterns of every loaded dialect and registered op.
FrozenRewritePatternSet getCleanupPatterns(MLIRContext *ctx);

} // namespace mlir::mp

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_TRANSFORMS_H
