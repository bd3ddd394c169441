//===- Policy.cpp - precision policies ------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Utils/Policy.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"
#include <cctype>

using namespace mlir;
using namespace mlir::mp;

namespace {
/// A dtype before `half` is resolved.
enum class Spec { F32, F16, BF16, Half };
} // namespace

static std::optional<Spec> parseSpec(StringRef name) {
  return llvm::StringSwitch<std::optional<Spec>>(name)
      .Cases({"float32", "f32", "full"}, Spec::F32)
      .Cases({"float16", "f16"}, Spec::F16)
      .Cases({"bfloat16", "bf16"}, Spec::BF16)
      .Case("half", Spec::Half)
      .Default(std::nullopt);
}

static DType resolve(Spec spec, Target target) {
  switch (spec) {
  case Spec::F32:
    return DType::F32;
  case Spec::F16:
    return DType::F16;
  case Spec::BF16:
    return DType::BF16;
  case Spec::Half:
    return target == Target::NVPTX ? DType::F16 : DType::BF16;
  }
  llvm_unreachable("unknown dtype spec");
}

StringRef mlir::mp::getAcceptedPolicyNames() {
  return "default, float32, full, f32, mixed, mixed_float16, mixed_bfloat16, "
         "float16, f16, bfloat16, bf16, half";
}

StringRef mlir::mp::getAcceptedDTypeNames() {
  return "float32, f32, full, float16, f16, bfloat16, bf16, half";
}

StringRef mlir::mp::getAcceptedPolicyKeys() {
  return "p, params, c, compute, o, output";
}

std::optional<DType> mlir::mp::parseDType(StringRef name, Target target) {
  if (std::optional<Spec> spec = parseSpec(name))
    return resolve(*spec, target);
  return std::nullopt;
}

StringRef mlir::mp::stringifyDType(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  }
  llvm_unreachable("unknown dtype");
}

std::string Policy::str() const {
  return ("params=" + stringifyDType(param) + ",compute=" +
          stringifyDType(compute) + ",output=" + stringifyDType(output))
      .str();
}

FloatType mlir::mp::getFloatType(MLIRContext *ctx, DType dtype) {
  switch (dtype) {
  case DType::F32:
    return Float32Type::get(ctx);
  case DType::F16:
    return Float16Type::get(ctx);
  case DType::BF16:
    return BFloat16Type::get(ctx);
  }
  llvm_unreachable("unknown dtype");
}

std::optional<DType> mlir::mp::getDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  return std::nullopt;
}

PolicyAttr mlir::mp::getPolicyAttr(MLIRContext *ctx, const Policy &policy) {
  return PolicyAttr::get(ctx, getFloatType(ctx, policy.param),
                         getFloatType(ctx, policy.compute),
                         getFloatType(ctx, policy.output));
}

Policy mlir::mp::getPolicy(PolicyAttr attr) {
  Policy policy;
  policy.param = getDType(attr.getParam()).value_or(DType::F32);
  policy.compute = getDType(attr.getCompute()).value_or(DType::F32);
  policy.output = getDType(attr.getOutput()).value_or(DType::F32);
  return policy;
}

FailureOr<Target> mlir::mp::parseTarget(StringRef spec,
                                        PolicyErrorFn emitError) {
  if (spec == "cpu")
    return Target::CPU;
  if (spec == "nvptx")
    return Target::NVPTX;
  if (emitError)
    emitError("unknown target '" + spec + "'; accepted: cpu, nvptx");
  return failure();
}

FailureOr<Policy> mlir::mp::parsePolicy(StringRef spec, Target target,
                                        PolicyErrorFn emitError) {
  auto fail = [&](const Twine &message) -> FailureOr<Policy> {
    if (emitError)
      emitError(message);
    return failure();
  };
  const std::string accepted =
      ("accepted: a named policy (" + getAcceptedPolicyNames() +
       ") or 'params=<dtype>,compute=<dtype>,output=<dtype>'")
          .str();

  if (spec.empty())
    return fail("empty policy string; " + accepted);
  for (char c : spec)
    if (std::isspace(static_cast<unsigned char>(c)))
      return fail("whitespace in policy '" + spec +
                  "'; policies contain no spaces; " + accepted);

  // Named policies.
  if (!spec.contains('=') && !spec.contains(',')) {
    std::optional<std::array<Spec, 3>> named =
        llvm::StringSwitch<std::optional<std::array<Spec, 3>>>(spec)
            .Cases({"default", "float32", "full", "f32"},
                   std::array<Spec, 3>{Spec::F32, Spec::F32, Spec::F32})
            .Case("mixed",
                  std::array<Spec, 3>{Spec::F32, Spec::Half, Spec::F32})
            .Case("mixed_float16",
                  std::array<Spec, 3>{Spec::F32, Spec::F16, Spec::F32})
            .Case("mixed_bfloat16",
                  std::array<Spec, 3>{Spec::F32, Spec::BF16, Spec::F32})
            .Cases({"float16", "f16"},
                   std::array<Spec, 3>{Spec::F16, Spec::F16, Spec::F16})
            .Cases({"bfloat16", "bf16"},
                   std::array<Spec, 3>{Spec::BF16, Spec::BF16, Spec::BF16})
            .Case("half",
                  std::array<Spec, 3>{Spec::Half, Spec::Half, Spec::Half})
            .Default(std::nullopt);
    if (!named)
      return fail("unknown policy '" + spec + "'; " + accepted);
    Policy policy;
    policy.param = resolve((*named)[0], target);
    policy.compute = resolve((*named)[1], target);
    policy.output = resolve((*named)[2], target);
    return policy;
  }

  // Custom: comma-separated key=dtype entries.
  std::optional<Spec> param, compute, output;
  SmallVector<StringRef> entries;
  spec.split(entries, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
  for (StringRef entry : entries) {
    if (entry.empty())
      return fail("empty entry in policy '" + spec +
                  "'; expected comma-separated <key>=<dtype> with keys " +
                  getAcceptedPolicyKeys());
    if (entry.count('=') != 1)
      return fail("malformed entry '" + entry + "' in policy '" + spec +
                  "'; expected <key>=<dtype> with keys " +
                  getAcceptedPolicyKeys() + " and dtypes " +
                  getAcceptedDTypeNames());
    auto [key, value] = entry.split('=');
    std::optional<Spec> *slot = llvm::StringSwitch<std::optional<Spec> *>(key)
                                    .Cases({"p", "params"}, &param)
                                    .Cases({"c", "compute"}, &compute)
                                    .Cases({"o", "output"}, &output)
                                    .Default(nullptr);
    if (!slot)
      return fail("unknown key '" + key + "' in policy entry '" + entry +
                  "'; accepted keys: " + getAcceptedPolicyKeys());
    std::optional<Spec> dtype = parseSpec(value);
    if (!dtype)
      return fail("unknown dtype '" + value + "' for key '" + key +
                  "' in policy '" + spec +
                  "'; accepted dtypes: " + getAcceptedDTypeNames());
    *slot = dtype; // A repeated key: the last one wins.
  }
  // jmp's defaulting: param -> f32, compute -> param, output -> compute.
  Policy policy;
  policy.param = resolve(param.value_or(Spec::F32), target);
  policy.compute = compute ? resolve(*compute, target) : policy.param;
  policy.output = output ? resolve(*output, target) : policy.compute;
  return policy;
}
