//===- RangeProbe.cpp - mp-range-probe pass -------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Adds @<entry>_range_probe: the loss function of the step's
// mp.value_and_grad, taking the step's own arguments, that also returns,
// per named value (an op result with a NameLoc), its largest magnitude and
// the fraction of its nonzero elements below f16's smallest normal: what
// mp-run --range-report and mixprec.range_report need to say which layers
// would overflow or underflow in f16 (a check like the Rust trainer's
// check_fp16_safe).
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPRANGEPROBE
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

/// f16's smallest normal, 2^-14.
static constexpr double kF16MinNormal = 6.103515625e-05;

/// The first NameLoc name in `loc`, or "".
static std::string nameOf(Location loc) {
  std::string name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l))
      name = n.getName().str();
    return name.empty() ? WalkResult::advance() : WalkResult::interrupt();
  });
  return name;
}

/// [max |x|, fraction of nonzero elements with |x| < 2^-14] of the float
/// tensor `value`, as two f32 scalars (the fraction is 0 for an all-zero
/// tensor).
static std::pair<Value, Value> buildRange(OpBuilder &b, Location loc,
                                          Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  unsigned rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  auto scalarInit = [&](Type t) {
    Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, t);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
    return linalg::FillOp::create(b, loc, TypeRange{empty.getType()},
                                  ValueRange{zero}, ValueRange{empty})
        .getResult(0);
  };
  SmallVector<Value> inits{scalarInit(f32), scalarInit(i64), scalarInit(i64)};
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(rank, ctx)};
  maps.append(3, AffineMap::get(rank, 0, ctx));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(inits)), ValueRange{value}, inits, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = args[0];
        if (x.getType() != f32)
          x = cast<FloatType>(x.getType()).getWidth() < 32
                  ? Value(arith::ExtFOp::create(nb, nloc, f32, x))
                  : Value(arith::TruncFOp::create(nb, nloc, f32, x));
        Value mag = math::AbsFOp::create(nb, nloc, x);
        Value max = arith::MaximumFOp::create(nb, nloc, args[1], mag);
        Value zero = arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(0));
        Value tiny = arith::ConstantOp::create(
            nb, nloc, nb.getF32FloatAttr(kF16MinNormal));
        Value nonzero = arith::CmpFOp::create(
            nb, nloc, arith::CmpFPredicate::OGT, mag, zero);
        Value small = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OLT,
                                            mag, tiny);
        Value under = arith::AndIOp::create(nb, nloc, nonzero, small);
        Value one =
            arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(1));
        Value none =
            arith::ConstantOp::create(nb, nloc, nb.getI64IntegerAttr(0));
        Value n = arith::AddIOp::create(
            nb, nloc, args[2],
            arith::SelectOp::create(nb, nloc, nonzero, one, none));
        Value u = arith::AddIOp::create(
            nb, nloc, args[3],
            arith::SelectOp::create(nb, nloc, under, one, none));
        linalg::YieldOp::create(nb, nloc, ValueRange{max, n, u});
      });
  auto extract = [&](unsigned i) {
    return tensor::ExtractOp::create(b, loc, generic.getResult(i), ValueRange{})
        .getResult();
  };
  Value max = extract(0);
  Value n = arith::SIToFPOp::create(b, loc, f32, extract(1));
  Value u = arith::SIToFPOp::create(b, loc, f32, extract(2));
  Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1));
  Value fraction = arith::DivFOp::create(
      b, loc, u, arith::MaximumFOp::create(b, loc, n, one));
  return {max, fraction};
}

namespace {
struct RangeProbePass : public mp::impl::MPRangeProbeBase<RangeProbePass> {
  using MPRangeProbeBase::MPRangeProbeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&](Operation *at, const Twine &message) {
      at->emitError("mp-range-probe: ") << message;
      signalPassFailure();
    };
    auto step = module.lookupSymbol<func::FuncOp>(entry);
    if (!step || step.isExternal())
      return fail(module, "no function @" + entry + " with a body");
    SmallVector<ValueAndGradOp> calls;
    step.walk([&](ValueAndGradOp op) { calls.push_back(op); });
    if (calls.size() != 1)
      return fail(step, "@" + entry + " calls mp.value_and_grad " +
                            Twine(calls.size()) + " times, expected once");
    ValueAndGradOp call = calls.front();
    auto loss = module.lookupSymbol<func::FuncOp>(call.getCallee());
    if (!loss || loss.isExternal() || !loss.getBody().hasOneBlock())
      return fail(call, "the callee is not a function with one block");
    std::string probeName = entry + "_range_probe";
    if (module.lookupSymbol(probeName))
      return fail(module, "@" + probeName + " exists already");
    if (!name.empty() && !only && module.lookupSymbol(name))
      return fail(module, "@" + name + " exists already");
    // The callee's arguments are the step's: operand j must be an
    // argument of the step.
    SmallVector<unsigned> argOf;
    for (auto [j, operand] : llvm::enumerate(call.getArgs())) {
      auto arg = dyn_cast<BlockArgument>(operand);
      if (!arg || arg.getOwner() != &step.getBody().front())
        return fail(call, "operand #" + Twine(j) +
                              " of mp.value_and_grad is not an argument of @" +
                              entry);
      argOf.push_back(arg.getArgNumber());
    }

    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(step);
    Location loc = loss.getLoc();
    Block &body = loss.getBody().front();
    auto returnOp = cast<func::ReturnOp>(body.getTerminator());
    // Named values first, to know the result type.
    SmallVector<std::pair<Value, std::string>> named;
    llvm::StringMap<unsigned> seen;
    for (Operation &op : body.without_terminator()) {
      // Not activations: constants, and tensor.empty, whose contents are
      // undefined (probing one reports whatever the memory held).
      if (isa<arith::ConstantOp, tensor::EmptyOp>(op))
        continue;
      std::string name = nameOf(op.getLoc());
      if (name.empty())
        continue;
      for (Value result : op.getResults()) {
        auto type = dyn_cast<RankedTensorType>(result.getType());
        if (!type || !type.hasStaticShape() ||
            !isa<FloatType>(type.getElementType()))
          continue;
        unsigned k = seen[name]++;
        named.push_back({result, k ? name + "#" + std::to_string(k) : name});
      }
    }
    if (named.empty())
      return fail(loss, "@" + loss.getSymName().str() +
                            " has no named values (ops with a NameLoc, e.g. "
                            "loc(\"fc1\"), and a float tensor result)");
    auto resultType = RankedTensorType::get(
        {static_cast<int64_t>(named.size()), 2}, b.getF32Type());
    SmallVector<Type> results(returnOp.getOperandTypes());
    results.push_back(resultType);
    auto probe = func::FuncOp::create(
        b, loc, probeName, b.getFunctionType(step.getArgumentTypes(), results));
    Block *probeBody = probe.addEntryBlock();
    IRMapping map;
    for (auto [j, arg] : llvm::enumerate(body.getArguments()))
      map.map(arg, probeBody->getArgument(argOf[j]));
    b.setInsertionPointToStart(probeBody);
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    SmallVector<Value> stats;
    SmallVector<Attribute> names;
    for (auto &[value, name] : named) {
      auto [max, fraction] = buildRange(b, loc, map.lookup(value));
      stats.push_back(max);
      stats.push_back(fraction);
      names.push_back(b.getStringAttr(name));
    }
    Value table = tensor::FromElementsOp::create(b, loc, resultType, stats);
    SmallVector<Value> returned;
    for (Value v : returnOp.getOperands())
      returned.push_back(map.lookup(v));
    returned.push_back(table);
    func::ReturnOp::create(b, loc, returned);
    probe->setAttr("range_probe.names", b.getArrayAttr(names));

    if (only) {
      // Keep the probe and the functions it calls.
      llvm::SetVector<Operation *> keep;
      keep.insert(probe);
      for (size_t i = 0; i < keep.size(); ++i)
        keep[i]->walk([&](func::CallOp c) {
          if (auto f = module.lookupSymbol<func::FuncOp>(c.getCallee()))
            keep.insert(f);
        });
      for (auto f : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
        if (!keep.contains(f))
          f.erase();
    }
    if (!name.empty())
      SymbolTable::setSymbolName(probe, name);
  }
};
} // namespace
