//===- OutlineLoopNests.cpp - loop nests of huge functions to functions ---===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "Outlining.h"
#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPOUTLINELOOPNESTS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

struct OutlineLoopNestsPass
    : mp::impl::MPOutlineLoopNestsBase<OutlineLoopNestsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    mp::OutlinedFunctions outlined;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      SmallVector<Operation *> nests;
      for (Block &block : func.getBody())
        for (Operation &op : block)
          if (isa<scf::ForOp, scf::ParallelOp>(op))
            nests.push_back(&op);
      if (nests.size() < minLoops)
        continue;
      unsigned counter = 0;
      Operation *after = func;
      for (Operation *nest : nests)
        after = outline(func, nest, after, symbols, outlined, counter);
    }
  }

  /// Outlines `nest` of `parent` into a function placed after `after`, or
  /// calls the same function made before (`outlined`); returns the last
  /// function placed.
  Operation *outline(func::FuncOp parent, Operation *nest, Operation *after,
                     SymbolTable &symbols, mp::OutlinedFunctions &outlined,
                     unsigned &counter) {
    // Values from outside; constants are cloned into the new function.
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(nest->getRegions(), captured);
    for (Value v : nest->getOperands())
      captured.insert(v);
    mp::Captures caps = mp::splitCaptures(captured);
    SmallVector<Value> &args = caps.args;
    OpBuilder b(parent);
    b.setInsertionPointAfter(after);
    auto type =
        b.getFunctionType(ValueRange(args).getTypes(), nest->getResultTypes());
    auto fn = func::FuncOp::create(
        b, nest->getLoc(),
        (parent.getSymName() + "_loop" + Twine(counter)).str(), type);
    fn.setPrivate();
    // `passthrough` reaches llvm.func (and LLVM IR) through func-to-llvm;
    // inlined back, the nests would make one huge function again.
    fn->setAttr("passthrough", b.getStrArrayAttr({"noinline"}));
    Block *body = fn.addEntryBlock();
    OpBuilder inner = OpBuilder::atBlockBegin(body);
    IRMapping map;
    mp::mapCaptures(inner, caps, body->getArguments(), map);
    Operation *copy = inner.clone(*nest, map);
    func::ReturnOp::create(inner, nest->getLoc(), copy->getResults());
    func::FuncOp kept = outlined.keepOrReuse(fn, symbols);
    if (kept == fn) {
      ++counter;
      after = fn;
    }
    fn = kept;
    OpBuilder at(nest);
    auto call = func::CallOp::create(at, nest->getLoc(), fn, args);
    nest->replaceAllUsesWith(call.getResults());
    nest->erase();
    return after;
  }
};

} // namespace
