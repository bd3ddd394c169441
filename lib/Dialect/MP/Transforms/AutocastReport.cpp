//===- AutocastReport.cpp - mp-autocast statistics and report -------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// What mp-autocast counted: sums of AutocastStats over functions, the
// queries the pass statistics are read from, and the JSON report.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Autocast.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::mp;

//===----------------------------------------------------------------------===//
// AutocastStats
//===----------------------------------------------------------------------===//

void AutocastStats::accumulate(const AutocastStats &other) {
  for (const auto &[cls, perType] : other.ops)
    for (const auto &[type, n] : perType)
      ops[cls][type] += n;
  castsInserted += other.castsInserted;
  constantsConverted += other.constantsConverted;
  for (const auto &[type, n] : other.paramBytes)
    paramBytes[type] += n;
  for (const auto &[type, n] : other.activationBytes)
    activationBytes[type] += n;
}

/// `m[key]`, or 0 when `key` is absent.
static int64_t lookupOrZero(const std::map<std::string, int64_t> &m,
                            StringRef key) {
  auto it = m.find(key.str());
  return it == m.end() ? int64_t(0) : it->second;
}

int64_t AutocastStats::getNumOpsOfClass(StringRef cls) const {
  int64_t n = 0;
  auto it = ops.find(cls.str());
  if (it != ops.end())
    for (const auto &[type, count] : it->second)
      n += count;
  return n;
}

int64_t AutocastStats::getNumClassifiedOpsIn(StringRef dtype) const {
  int64_t n = 0;
  for (const auto &[cls, perType] : ops)
    if (cls != "unknown")
      n += lookupOrZero(perType, dtype);
  return n;
}

int64_t AutocastStats::getParamBytes(StringRef dtype) const {
  return lookupOrZero(paramBytes, dtype);
}

int64_t AutocastStats::getActivationBytes(StringRef dtype) const {
  return lookupOrZero(activationBytes, dtype);
}

AutocastStats mlir::mp::sumAutocastStats(ArrayRef<AutocastStats> stats) {
  AutocastStats total;
  for (const AutocastStats &s : stats)
    total.accumulate(s);
  return total;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

static void writeStats(llvm::json::OStream &j, const AutocastStats &s) {
  j.attributeObject("ops", [&] {
    for (const auto &entry : s.ops)
      j.attributeObject(entry.first, [&] {
        for (const auto &[type, n] : entry.second)
          j.attribute(type, n);
      });
  });
  j.attribute("casts_inserted", s.castsInserted);
  j.attribute("constants_converted", s.constantsConverted);
  auto bytes = [&](StringRef key, const std::map<std::string, int64_t> &m) {
    j.attributeObject(key, [&] {
      for (const auto &[type, n] : m)
        j.attribute(type, n);
    });
  };
  bytes("param_bytes", s.paramBytes);
  bytes("activation_bytes", s.activationBytes);
}

void mlir::mp::writeAutocastReport(llvm::raw_ostream &os,
                                   const AutocastOptions &options,
                                   ArrayRef<AutocastStats> stats) {
  llvm::json::OStream j(os, /*IndentSize=*/2);
  j.object([&] {
    j.attributeObject("policy", [&] {
      j.attribute("param", stringifyDType(options.policy.param));
      j.attribute("compute", stringifyDType(options.policy.compute));
      j.attribute("output", stringifyDType(options.policy.output));
    });
    j.attribute("target", options.target == Target::NVPTX ? "nvptx" : "cpu");
    j.attribute("accumulate",
                options.accumulate == Accumulate::F32 ? "f32" : "compute");
    j.attribute("compute_output", options.computeOutput == ComputeOutput::F32
                                      ? "f32"
                                      : "compute");
    AutocastStats total;
    j.attributeArray("functions", [&] {
      for (const AutocastStats &s : stats) {
        total.accumulate(s);
        j.object([&] {
          j.attribute("name", s.function);
          j.attribute("signature_changed", s.signatureChanged);
          writeStats(j, s);
        });
      }
    });
    j.attributeObject("total", [&] { writeStats(j, total); });
  });
  os << "\n";
}

//===----------------------------------------------------------------------===//
// Saved activations of a differentiated step
//===----------------------------------------------------------------------===//

int64_t mlir::mp::getSavedActivationBytes(FunctionOpInterface step,
                                          int lossResult) {
  if (step.isExternal() || lossResult < 0)
    return -1;
  Block &entry = step.getFunctionBody().front();
  Operation *terminator = entry.getTerminator();
  if (lossResult >= static_cast<int>(terminator->getNumOperands()))
    return -1;
  // The forward: the entry-block ops the loss depends on (an op with
  // regions counts with everything its regions use).
  llvm::DenseSet<Operation *> forward;
  SmallVector<Value> work{terminator->getOperand(lossResult)};
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (!def || !(def = entry.findAncestorOpInBlock(*def)) ||
        !forward.insert(def).second)
      continue;
    def->walk([&](Operation *op) {
      work.append(op->operand_begin(), op->operand_end());
    });
  }
  // Forward ops that depend on an argument, in block order.
  llvm::DenseSet<Operation *> dynamic;
  auto isDynamic = [&](Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner() == &entry;
    Operation *def = entry.findAncestorOpInBlock(*v.getDefiningOp());
    return def && dynamic.contains(def);
  };
  // Saved values, each counted once: a reshape (a view after
  // bufferization) stands for the tensor it reshapes.
  llvm::SetVector<Value> roots;
  for (Operation &op : entry.without_terminator()) {
    if (!forward.contains(&op))
      continue;
    bool dependsOnArg = false;
    op.walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        if ((!v.getDefiningOp() || !op.isAncestor(v.getDefiningOp())) &&
            isDynamic(v))
          dependsOnArg = true;
    });
    if (!dependsOnArg)
      continue;
    dynamic.insert(&op);
    for (Value result : op.getResults()) {
      bool usedOutside = llvm::any_of(result.getUsers(), [&](Operation *u) {
        Operation *user = entry.findAncestorOpInBlock(*u);
        return user && user != terminator && !forward.contains(user);
      });
      if (!usedOutside)
        continue;
      Value root = result;
      while (Operation *def = root.getDefiningOp()) {
        if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::CastOp,
                 tensor::ReshapeOp>(def))
          break;
        root = def->getOperand(0);
      }
      if (!isa<BlockArgument>(root))
        roots.insert(root);
    }
  }
  int64_t saved = 0;
  for (Value root : roots) {
    auto type = dyn_cast<RankedTensorType>(root.getType());
    if (!type || !type.hasStaticShape() ||
        !type.getElementType().isIntOrFloat())
      continue;
    int64_t bytes = (type.getElementTypeBitWidth() + 7) / 8;
    for (int64_t d : type.getShape())
      if (__builtin_mul_overflow(bytes, d, &bytes))
        bytes = std::numeric_limits<int64_t>::max();
    if (__builtin_add_overflow(saved, bytes, &saved))
      saved = std::numeric_limits<int64_t>::max();
  }
  return saved;
}
