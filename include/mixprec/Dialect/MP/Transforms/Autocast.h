//===- Autocast.h - policy casts on forward code ----------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The rewrite behind `mp-autocast` as plain C++ entry points, so that another
// compiler can run it without mixprec's pass manager.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_TRANSFORMS_AUTOCAST_H
#define MIXPREC_DIALECT_MP_TRANSFORMS_AUTOCAST_H

#include "mixprec/Dialect/MP/Utils/Policy.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/raw_ostream.h"
#include <map>
#include <string>
#include <vector>

namespace mlir::mp {

/// Where compute-class ops accumulate.
enum class Accumulate { F32, Compute };

/// The type of a compute-class op's result: rounded to the compute dtype
/// (an `mp.cast` after the f32 accumulation, as in PyTorch autocast), or the
/// accumulator type as is.
enum class ComputeOutput { Compute, F32 };

/// What `mp-autocast`'s options say, parsed.
struct AutocastOptions {
  Policy policy{DType::F32, DType::BF16, DType::F32};
  Target target = Target::CPU;
  Accumulate accumulate = Accumulate::F32;
  ComputeOutput computeOutput = ComputeOutput::Compute;
  /// Op names (`linalg.matmul`) forced to the compute / fp32 / follow class.
  std::vector<std::string> allow, deny, follow;
  /// Regex searched in the op's NameLoc names; a match forces fp32. Empty:
  /// none.
  std::string keepFp32;
  /// Emit a remark on each op left alone because it has no precision class.
  bool emitRemarks = true;
};

/// What autocast did to one function (the JSON report's entry).
struct AutocastStats {
  std::string function;
  bool signatureChanged = false;
  /// ops[class][dtype]: ops per precision class (compute, fp32, follow,
  /// forced, unknown) and the dtype they run in.
  std::map<std::string, std::map<std::string, int64_t>> ops;
  int64_t castsInserted = 0;
  int64_t constantsConverted = 0;
  /// Bytes per dtype of the float arguments (after casting to the param
  /// dtype) and of the float tensors the function's ops produce; static
  /// shapes only.
  std::map<std::string, int64_t> paramBytes, activationBytes;

  /// Adds `other`'s counts to this one.
  void accumulate(const AutocastStats &other);

  /// Ops of precision class `cls` (`compute`, `fp32`, `follow`, `forced`,
  /// `unknown`), over all dtypes.
  int64_t getNumOpsOfClass(StringRef cls) const;
  /// Classified ops (every class but `unknown`) that run in `dtype` (`f32`,
  /// `bf16`, `f16`).
  int64_t getNumClassifiedOpsIn(StringRef dtype) const;
  /// Bytes of parameters / activations in `dtype`; 0 when there are none.
  int64_t getParamBytes(StringRef dtype) const;
  int64_t getActivationBytes(StringRef dtype) const;
};

/// The sum of `stats` (the totals of the JSON report); `function` is empty.
AutocastStats sumAutocastStats(ArrayRef<AutocastStats> stats);

/// Checks `options` (the regex, the op-name lists); calls `emitError` with a
/// message on each problem.
LogicalResult verifyAutocastOptions(const AutocastOptions &options,
                                    PolicyErrorFn emitError);

/// Rewrites `fn` per `options` (see docs/autocast.md). Functions without a
/// body and step functions (containing `mp.value_and_grad`) are left alone
/// and succeed. Fills `stats` if given.
LogicalResult autocastFunction(FunctionOpInterface fn,
                               const AutocastOptions &options,
                               AutocastStats *stats = nullptr);

/// Runs `autocastFunction` on every function in `module`.
LogicalResult autocastModule(ModuleOp module, const AutocastOptions &options,
                             std::vector<AutocastStats> *stats = nullptr);

/// Writes the JSON report for `stats` (one entry per function, and totals).
void writeAutocastReport(llvm::raw_ostream &os, const AutocastOptions &options,
                         ArrayRef<AutocastStats> stats);

/// Bytes the forward keeps for the backward in a differentiated step
/// function `step` (after mp-differentiate, on tensors), counted statically:
/// the forward is the set of ops of the entry block that result
/// `lossResult` (the loss) depends on; a saved activation is a static-shape
/// tensor result of a forward op that depends on a function argument (not
/// a constant, an empty tensor or a fill of a constant) and is used by an
/// op outside the forward other than the terminator (the backward, the
/// update). Function arguments (parameters, the batch) are not counted:
/// they are live anyway. -1 when `step` has no body or `lossResult` is out
/// of range.
int64_t getSavedActivationBytes(FunctionOpInterface step, int lossResult);

} // namespace mlir::mp

#endif // MIXPREC_DIALECT_MP_TRANSFORMS_AUTOCAST_H
