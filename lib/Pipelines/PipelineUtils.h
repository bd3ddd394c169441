//===- PipelineUtils.h - helpers of the pipeline builders -------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_PIPELINES_PIPELINEUTILS_H
#define MIXPREC_LIB_PIPELINES_PIPELINEUTILS_H

#include "mlir/Pass/PassManager.h"

namespace mlir::mp {

/// mp-if-present running `inner` (anchored on builtin.module) when an op
/// named in `ops`, or of a dialect in `dialects`, is present (with
/// `narrowFloat`: only such ops with a non-f32/f64 float operand or result).
std::unique_ptr<Pass> createIfPresent(OpPassManager inner,
                                      ArrayRef<std::string> ops,
                                      ArrayRef<std::string> dialects = {},
                                      bool narrowFloat = false);

/// mp-if-present running the module pass `pass` when an op of `dialect` is
/// present.
std::unique_ptr<Pass> createIfDialectPresent(std::unique_ptr<Pass> pass,
                                             StringRef dialect);

/// Adds the TOSA lowering of addTosaToLinalgIfPresent unconditionally.
void addTosaToLinalg(OpPassManager &pm);

/// The upstream TOSA -> linalg/arith/tensor/scf lowering (what
/// mlir::tosa::addTosaToLinalgPasses adds, without the TOSA profile
/// validation, then tosa-to-arith and tosa-to-tensor), under mp-if-present:
/// it runs only when an op of the tosa dialect is present. First in
/// mp-mixed-precision, mp-to-cpu and mp-to-nvptx.
void addTosaToLinalgIfPresent(OpPassManager &pm);

} // namespace mlir::mp

#endif // MIXPREC_LIB_PIPELINES_PIPELINEUTILS_H
