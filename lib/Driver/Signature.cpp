//===- Signature.cpp - element types, tensor specs and roles --------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The static side of a step's interface: element types (ScalarType), tensor
// specs, contract roles, reading them off the entry function after the
// tensor-level pipeline (readSignature), and the signature text embedded in
// artifacts (signatureText).
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec/Dialect/MP/IR/MPOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

size_t mp::scalarTypeSize(ScalarType t) {
  switch (t) {
  case ScalarType::F64:
  case ScalarType::I64:
    return 8;
  case ScalarType::F32:
  case ScalarType::I32:
    return 4;
  case ScalarType::F16:
  case ScalarType::BF16:
    return 2;
  case ScalarType::I1:
  case ScalarType::I8:
    return 1;
  }
  return 0;
}

StringRef mp::scalarTypeName(ScalarType t) {
  switch (t) {
  case ScalarType::F32:
    return "float32";
  case ScalarType::F64:
    return "float64";
  case ScalarType::F16:
    return "float16";
  case ScalarType::BF16:
    return "bfloat16";
  case ScalarType::I1:
    return "bool";
  case ScalarType::I8:
    return "int8";
  case ScalarType::I32:
    return "int32";
  case ScalarType::I64:
    return "int64";
  }
  return "?";
}

StringRef mp::roleName(Role r) {
  switch (r) {
  case Role::Data:
    return "data";
  case Role::Param:
    return "param";
  case Role::State:
    return "state";
  case Role::Update:
    return "update";
  case Role::LossScale:
    return "loss_scale";
  case Role::Tracker:
    return "growth_tracker";
  case Role::Hysteresis:
    return "hysteresis";
  case Role::Overflow:
    return "overflow";
  case Role::GradFinite:
    return "grad_finite";
  case Role::GradNorm:
    return "grad_norm";
  case Role::Loss:
    return "loss";
  case Role::Other:
    return "other";
  }
  return "?";
}

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string TensorSpec::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << scalarTypeName(dtype) << "[";
  llvm::interleave(shape, os, ",");
  os << "]";
  return s;
}

/// Byte size of `spec`, or std::nullopt when it does not fit in int64.
static std::optional<int64_t> checkedBytes(const TensorSpec &spec) {
  int64_t n = static_cast<int64_t>(scalarTypeSize(spec.dtype));
  for (int64_t d : spec.shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  return n;
}

static FailureOr<TensorSpec> specOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return failure();
  TensorSpec spec;
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  Type e = tensor.getElementType();
  if (e.isF32())
    spec.dtype = ScalarType::F32;
  else if (e.isF64())
    spec.dtype = ScalarType::F64;
  else if (e.isF16())
    spec.dtype = ScalarType::F16;
  else if (e.isBF16())
    spec.dtype = ScalarType::BF16;
  else if (e.isInteger(1))
    spec.dtype = ScalarType::I1;
  else if (e.isInteger(8))
    spec.dtype = ScalarType::I8;
  else if (e.isInteger(32))
    spec.dtype = ScalarType::I32;
  else if (e.isInteger(64))
    spec.dtype = ScalarType::I64;
  else
    return failure();
  return spec;
}

//===----------------------------------------------------------------------===//
// Reading the signature
//===----------------------------------------------------------------------===//

/// The `mp.name` attribute of argument `i`, else the first NameLoc in its
/// location, else "arg<i>".
static std::string argumentName(func::FuncOp fn, unsigned i) {
  if (auto name =
          fn.getArgAttrOfType<StringAttr>(i, mp::MPDialect::kNameAttrName))
    if (!name.getValue().empty())
      return name.str();
  std::string found;
  if (!fn.getBody().empty())
    fn.getArgument(i).getLoc()->walk([&](Location loc) {
      if (auto name = dyn_cast<NameLoc>(loc))
        found = name.getName().str();
      return found.empty() ? WalkResult::advance() : WalkResult::interrupt();
    });
  return found.empty() ? "arg" + std::to_string(i) : found;
}

/// Reads roles and types of `fn` (after the tensor-level pipeline).
llvm::Error driver::readSignature(func::FuncOp fn,
                                  const llvm::DenseSet<unsigned> &params,
                                  StepSignature &sig) {
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes())) {
    FailureOr<TensorSpec> spec = specOf(type);
    if (failed(spec))
      return makeError("argument #" + Twine(i) + " of @" + fn.getSymName() +
                       " has unsupported type (static-shape tensors of "
                       "f32/f64/f16/bf16/i1/i8/i32/i64 only)");
    if (!checkedBytes(*spec))
      return makeError("argument #" + Twine(i) + " of @" + fn.getSymName() +
                       " (" + spec->str() +
                       ") has more bytes than fit in a 64-bit size");
    sig.args.push_back(*spec);
    Role role = Role::Data;
    if (fn.getArgAttr(i, mp::MPDialect::kLossScaleAttrName))
      role = Role::LossScale;
    else if (fn.getArgAttr(i, mp::MPDialect::kGrowthTrackerAttrName))
      role = Role::Tracker;
    else if (fn.getArgAttr(i, mp::MPDialect::kHysteresisAttrName))
      role = Role::Hysteresis;
    else if (params.contains(i))
      role = Role::Param;
    sig.argRoles.push_back(role);
    auto init = fn.getArgAttrOfType<StringAttr>(i, "mp.init");
    sig.argInit.push_back(init ? init.str() : "");
    sig.argNames.push_back(argumentName(fn, i));
  }
  if (auto names = fn->getAttrOfType<ArrayAttr>("range_probe.names"))
    for (Attribute name : names)
      if (auto text = dyn_cast<StringAttr>(name))
        sig.probeNames.push_back(text.str());
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes())) {
    FailureOr<TensorSpec> spec = specOf(type);
    if (failed(spec))
      return makeError("result #" + Twine(i) + " of @" + fn.getSymName() +
                       " has unsupported type");
    if (!checkedBytes(*spec))
      return makeError("result #" + Twine(i) + " of @" + fn.getSymName() +
                       " (" + spec->str() +
                       ") has more bytes than fit in a 64-bit size");
    sig.results.push_back(*spec);
    Role role = Role::Other;
    int updates = -1;
    if (auto tie = fn.getResultAttrOfType<IntegerAttr>(
            i, mp::MPDialect::kUpdatesAttrName)) {
      role = Role::Update;
      updates = tie.getInt();
      if (sig.argRoles[updates] == Role::Data)
        sig.argRoles[updates] = Role::State;
    } else if (fn.getResultAttr(i, mp::MPDialect::kLossScaleAttrName)) {
      role = Role::LossScale;
    } else if (fn.getResultAttr(i, mp::MPDialect::kGrowthTrackerAttrName)) {
      role = Role::Tracker;
    } else if (fn.getResultAttr(i, mp::MPDialect::kHysteresisAttrName)) {
      role = Role::Hysteresis;
    } else if (fn.getResultAttr(i, mp::MPDialect::kOverflowAttrName)) {
      role = Role::Overflow;
      sig.overflowResult = i;
    } else if (auto flags = fn.getResultAttrOfType<DenseI64ArrayAttr>(
                   i, mp::MPDialect::kGradFiniteAttrName)) {
      role = Role::GradFinite;
      sig.gradFiniteResult = i;
      sig.gradFiniteArgs.assign(flags.asArrayRef().begin(),
                                flags.asArrayRef().end());
      if (spec->dtype != ScalarType::I1 || spec->shape.size() != 1 ||
          spec->shape[0] != static_cast<int64_t>(sig.gradFiniteArgs.size()))
        return makeError("result #" + Twine(i) + " of @" + fn.getSymName() +
                         " (" + spec->str() +
                         "): mp.grad_finite needs one "
                         "i1 per entry of its array (" +
                         Twine(sig.gradFiniteArgs.size()) + ")");
      for (int64_t a : sig.gradFiniteArgs)
        if (a < -1 || a >= static_cast<int64_t>(sig.args.size()))
          return makeError("result #" + Twine(i) + " of @" + fn.getSymName() +
                           ": mp.grad_finite names argument #" + Twine(a) +
                           " of " + Twine(sig.args.size()));
    } else if (fn.getResultAttr(i, mp::MPDialect::kGradNormAttrName)) {
      role = Role::GradNorm;
      sig.gradNormResult = i;
    } else if (sig.lossResult < 0 && spec->shape.empty() &&
               (spec->dtype == ScalarType::F32 ||
                spec->dtype == ScalarType::F16 ||
                spec->dtype == ScalarType::BF16 ||
                spec->dtype == ScalarType::F64)) {
      role = Role::Loss;
      sig.lossResult = i;
    }
    sig.resultRoles.push_back(role);
    sig.updates.push_back(updates);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Signature text
//===----------------------------------------------------------------------===//

/// The format is described in DriverInternal.h (and read by
/// tools/mp-cuda-train).
std::string driver::signatureText(const StepSignature &sig, StringRef entry,
                                  StringRef metadata) {
  std::string text;
  llvm::raw_string_ostream os(text);
  // Version 2: the packed step ABI (`abi packed _mlir_<entry> N M`).
  os << "mixprec-step 2\nentry " << entry << "\nabi packed _mlir_" << entry
     << " " << sig.args.size() << " " << sig.results.size() << "\n";
  auto dims = [&](const TensorSpec &spec) {
    os << scalarTypeName(spec.dtype) << " " << spec.shape.size();
    for (int64_t d : spec.shape)
      os << " " << d;
  };
  for (auto [i, spec] : llvm::enumerate(sig.args)) {
    os << "arg " << i << " " << roleName(sig.argRoles[i]) << " ";
    dims(spec);
    os << " " << (sig.argInit[i].empty() ? "-" : sig.argInit[i]) << "\n";
  }
  for (auto [i, spec] : llvm::enumerate(sig.results)) {
    os << "result " << i << " " << roleName(sig.resultRoles[i]) << " "
       << sig.updates[i] << " ";
    dims(spec);
    os << "\n";
  }
  os << metadata;
  if (!metadata.empty() && !metadata.ends_with("\n"))
    os << "\n";
  return text;
}
