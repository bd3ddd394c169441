//===- Policy.h - precision policies ----------------------------*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Parsing of precision policy strings (docs/design.md §5), as a plain C++ API
// shared by the `mp-autocast` pass option, the Python bindings and the C API.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_DIALECT_MP_UTILS_POLICY_H
#define MIXPREC_DIALECT_MP_UTILS_POLICY_H

#include "mixprec/Dialect/MP/IR/MPAttrs.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include <optional>
#include <string>

namespace mlir::mp {

/// The code generation target: decides what `half` means.
enum class Target { CPU, NVPTX };

/// A concrete float dtype of a policy (`half` is resolved by the target).
enum class DType { F32, F16, BF16 };

/// The three dtypes of a precision policy (jmp / Keras terminology).
struct Policy {
  DType param = DType::F32;
  DType compute = DType::F32;
  DType output = DType::F32;

  bool operator==(const Policy &other) const {
    return param == other.param && compute == other.compute &&
           output == other.output;
  }
  bool operator!=(const Policy &other) const { return !(*this == other); }

  /// `params=f32,compute=bf16,output=f32`: a string `parsePolicy` accepts.
  std::string str() const;
};

/// Receives one diagnostic message (no trailing newline).
using PolicyErrorFn = llvm::function_ref<void(const llvm::Twine &)>;

/// Parses a policy string: a named policy (`default`, `float32`, `full`,
/// `f32`, `mixed`, `mixed_float16`, `mixed_bfloat16`, `float16`, `f16`,
/// `bfloat16`, `bf16`, `half`) or the custom form
/// `params=<dtype>,compute=<dtype>,output=<dtype>` with keys `p|params`,
/// `c|compute`, `o|output` and dtypes `float32|f32|full`, `float16|f16`,
/// `bfloat16|bf16`, `half`. Missing keys follow jmp: param defaults to f32,
/// compute to param, output to compute; a repeated key: the last wins.
/// `half` resolves by target: bf16 on CPU, f16 on NVPTX. On a malformed
/// string, calls `emitError` (if given) with a message that names the bad
/// token and lists what is accepted, and returns failure.
FailureOr<Policy> parsePolicy(StringRef spec, Target target,
                              PolicyErrorFn emitError = {});

/// Parses `cpu` or `nvptx`; calls `emitError` and fails otherwise.
FailureOr<Target> parseTarget(StringRef spec, PolicyErrorFn emitError = {});

/// Parses one dtype name (`float32|f32|full`, `float16|f16`, `bfloat16|bf16`,
/// `half`); std::nullopt when unknown.
std::optional<DType> parseDType(StringRef name, Target target);

/// `f32`, `f16` or `bf16`.
StringRef stringifyDType(DType dtype);

/// The MLIR float type of `dtype`.
FloatType getFloatType(MLIRContext *ctx, DType dtype);

/// The dtype of an f32, f16 or bf16 type; std::nullopt for any other type.
std::optional<DType> getDType(Type type);

/// `#mp.policy<param = ..., compute = ..., output = ...>` for `policy`.
PolicyAttr getPolicyAttr(MLIRContext *ctx, const Policy &policy);

/// The policy an `#mp.policy` attribute describes.
Policy getPolicy(PolicyAttr attr);

/// Accepted spellings, for messages and help texts.
StringRef getAcceptedPolicyNames();
StringRef getAcceptedDTypeNames();
StringRef getAcceptedPolicyKeys();

} // namespace mlir::mp

#endif // MIXPREC_DIALECT_MP_UTILS_POLICY_H
