//===- Differentiate.cpp - mp-differentiate pass --------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Expands `mp.value_and_grad @f(args) [scale(%s)] {wrt = ...}`:
//
//   1. clone @f (detached) and inline every func.call in it, recursively
//      (recursion and external callees are errors);
//   2. activity analysis: a value is active when it is a float (tensor) that
//      depends on a `wrt` argument; only active values get adjoints, and only
//      ops on a path from a `wrt` argument to the loss are differentiated;
//   3. check that every op the sweep will differentiate has an adjoint rule
//      (AdjointOpInterface; one diagnostic lists all that have none), seed
//      the loss adjoint with `s` (converted to the loss type) or 1 and run
//      the reverse sweep (the rules: AD/*Adjoints.cpp), appending the
//      backward ops after the forward ones;
//   4. rematerialize: forward values the backward reads that cheap ops
//      compute from values it keeps anyway are recomputed in the backward
//      instead of saved (Rematerialize.cpp, docs/differentiate.md "Saved
//      activations");
//   5. inline the result at the op: the forward computation, the backward,
//      and the op's results replaced by the loss and the gradients.
//
// Nothing is modified unless every step succeeds.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Differentiate.h"
#include "Rematerialize.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Adjoint.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPDIFFERENTIATE
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

static constexpr StringLiteral kPrefix = "mp-differentiate: ";

/// Moves the body of `callee` (already a detached clone) in place of `call`.
static void inlineClone(func::FuncOp clone, Operation *call) {
  Block &block = clone.front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  for (auto [arg, operand] :
       llvm::zip(block.getArguments(), call->getOperands()))
    arg.replaceAllUsesWith(operand);
  call->replaceAllUsesWith(ret.getOperands());
  ret.erase();
  call->getBlock()->getOperations().splice(Block::iterator(call),
                                           block.getOperations());
  call->erase();
}

/// Checks that `fn` can be differentiated as a straight-line body.
static LogicalResult checkBody(func::FuncOp fn, Operation *user) {
  if (fn.isExternal()) {
    InFlightDiagnostic diag = user->emitError()
                              << kPrefix << "cannot differentiate through @"
                              << fn.getSymName() << ": it has no body";
    diag.attachNote(fn.getLoc()) << "declared here";
    return diag;
  }
  if (!fn.getBody().hasOneBlock())
    return fn.emitError() << kPrefix << "@" << fn.getSymName()
                          << " has several blocks; only straight-line "
                             "functions are supported";
  return success();
}

/// Inlines every func.call at the top level of `block`, recursively; `stack`
/// holds the functions being inlined (recursion is an error).
static LogicalResult inlineCalls(Block &block, Operation *symbolTableOp,
                                 SymbolTableCollection &symbols,
                                 SmallVectorImpl<StringRef> &stack) {
  for (Operation &op : llvm::make_early_inc_range(block)) {
    auto call = dyn_cast<func::CallOp>(&op);
    if (!call)
      continue;
    auto fn = symbols.lookupSymbolIn<func::FuncOp>(symbolTableOp,
                                                   call.getCalleeAttr());
    if (!fn)
      return call.emitError()
             << kPrefix << "call to unknown function @" << call.getCallee();
    if (llvm::is_contained(stack, fn.getSymName()))
      return call.emitError() << kPrefix << "recursive call to @"
                              << fn.getSymName() << " cannot be differentiated";
    if (failed(checkBody(fn, call)))
      return failure();
    auto clone = cast<func::FuncOp>(fn->clone());
    llvm::scope_exit cleanup([&] { clone->erase(); });
    stack.push_back(fn.getSymName());
    if (failed(inlineCalls(clone.front(), symbolTableOp, symbols, stack)))
      return failure();
    stack.pop_back();
    inlineClone(clone, call);
  }
  return success();
}

/// One diagnostic for every op of `fn`'s body on the differentiated path
/// without an adjoint rule: an error at the first (in program order) listing
/// each op name with its count, and a note at each other op.
static LogicalResult reportMissing(func::FuncOp fn, Block &body,
                                   SmallVectorImpl<Operation *> &missing) {
  llvm::DenseMap<Operation *, unsigned> position;
  for (auto [i, op] : llvm::enumerate(body))
    position[&op] = i;
  // Sorted by the position of the top-level op holding each (ties: the
  // order found, as the index is part of the key).
  SmallVector<std::pair<unsigned, unsigned>> keys;
  for (auto [i, op] : llvm::enumerate(missing))
    keys.push_back({position.lookup(body.findAncestorOpInBlock(*op)),
                    static_cast<unsigned>(i)});
  llvm::sort(keys);
  SmallVector<Operation *> sorted;
  for (auto [pos, i] : keys)
    sorted.push_back(missing[i]);
  missing.assign(sorted.begin(), sorted.end());
  llvm::MapVector<OperationName, unsigned> counts;
  for (Operation *op : missing)
    ++counts[op->getName()];
  InFlightDiagnostic diag = missing.front()->emitError();
  if (missing.size() == 1) {
    diag << kPrefix << "no adjoint rule for '" << missing.front()->getName()
         << "'";
    return diag;
  }
  diag << kPrefix << "no adjoint rule for " << missing.size() << " ops in @"
       << fn.getSymName() << ": ";
  llvm::interleaveComma(counts, diag, [&](auto &entry) {
    diag << "'" << entry.first << "' (" << entry.second << ")";
  });
  for (Operation *op : ArrayRef<Operation *>(missing).drop_front())
    diag.attachNote(op->getLoc())
        << "no adjoint rule for '" << op->getName() << "'";
  return diag;
}

static bool isStatic(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return !shaped || shaped.hasStaticShape();
}

LogicalResult mp::expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter,
                                     SymbolTableCollection &symbols) {
  Operation *symbolTableOp = SymbolTable::getNearestSymbolTable(op);
  auto callee =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(op, op.getCalleeAttr());
  if (!callee)
    return op.emitOpError()
           << "'" << op.getCallee() << "' does not reference a func.func";
  if (failed(checkBody(callee, op)))
    return failure();

  // 1. A detached copy of the callee with every call inlined.
  auto work = cast<func::FuncOp>(callee->clone());
  llvm::scope_exit cleanup([&] {
    if (work)
      work->erase();
  });
  SmallVector<StringRef> stack = {callee.getSymName()};
  if (failed(inlineCalls(work.front(), symbolTableOp, symbols, stack)))
    return failure();
  Block &body = work.front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret || ret.getNumOperands() != 1)
    return op.emitOpError() << kPrefix << "@" << callee.getSymName()
                            << " must return exactly the loss";
  for (int64_t index : op.getWrt())
    if (!isStatic(body.getArgument(index).getType()))
      return op.emitOpError()
             << kPrefix << "argument #" << index
             << " has a dynamic shape; only static shapes are supported";

  // 2. Activity.
  SmallVector<Operation *> forward;
  for (Operation &o : body.without_terminator())
    forward.push_back(&o);
  ad::AdjointState state;
  for (int64_t index : op.getWrt())
    state.markVaried(body.getArgument(index));
  state.propagateVaried(forward);
  SmallVector<Operation *> missing;
  ad::collectMissingAdjoints(forward, ret.getOperands(), state, missing);
  if (!missing.empty())
    return reportMissing(callee, body, missing);

  // 3. Seed and reverse sweep, appended before the return.
  OpBuilder b(ret);
  Location loc = op.getLoc();
  Value loss = ret.getOperand(0);
  Type lossElement = getElementTypeOrSelf(loss.getType());
  Value seed;
  if (Value scale = op.getScale()) {
    BlockArgument seedArg = body.addArgument(scale.getType(), loc);
    seed = ad::castElements(b, loc, seedArg, lossElement);
  } else {
    seed = ad::constantFloat(b, loc, loss.getType(), 1.0);
  }
  state.addAdjoint(b, loc, loss, seed);
  if (failed(ad::reverseSweep(b, forward, state)))
    return failure();
  SmallVector<Value> results = {loss};
  for (int64_t index : op.getWrt()) {
    BlockArgument arg = body.getArgument(index);
    Value grad = state.getAdjoint(arg);
    if (!grad) // The loss does not depend on this argument.
      grad = ad::constantFloat(b, loc, arg.getType(), 0.0);
    results.push_back(grad);
  }
  ret->setOperands(results);
  // 4. The backward recomputes cheap forward values instead of saving them.
  if (!forward.empty())
    rematerialize(body, forward.back());

  // 5. Inline at the op.
  SmallVector<Value> argValues = llvm::to_vector(op.getArgs());
  if (Value scale = op.getScale())
    argValues.push_back(scale);
  rewriter.inlineBlockBefore(&body, op, argValues);
  auto movedRet = cast<func::ReturnOp>(op->getPrevNode());
  rewriter.replaceOp(op, movedRet.getOperands());
  rewriter.eraseOp(movedRet);
  return success();
}

LogicalResult mp::expandValueAndGrad(ValueAndGradOp op,
                                     RewriterBase &rewriter) {
  SymbolTableCollection symbols;
  return expandValueAndGrad(op, rewriter, symbols);
}

void mp::registerDifferentiateDependentDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, math::MathDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, func::FuncDialect, mp::MPDialect,
                  scf::SCFDialect>();
  registerAdjointExternalModels(registry);
}

namespace {
struct MPDifferentiatePass
    : mp::impl::MPDifferentiateBase<MPDifferentiatePass> {
  using Base::Base;

  /// The adjoint rules come with the pass: a compiler that registers only
  /// the dialects it parses still gets them.
  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    registerDifferentiateDependentDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<ValueAndGradOp> ops;
    module.walk([&](ValueAndGradOp op) { ops.push_back(op); });
    SymbolTableCollection symbols;
    IRRewriter rewriter(&getContext());
    llvm::SetVector<func::FuncOp> callees;
    bool failed = false;
    for (ValueAndGradOp op : ops) {
      if (auto fn = symbols.lookupNearestSymbolFrom<func::FuncOp>(
              op, op.getCalleeAttr()))
        callees.insert(fn);
      rewriter.setInsertionPoint(op);
      if (mlir::failed(expandValueAndGrad(op, rewriter, symbols))) {
        failed = true;
        continue;
      }
      ++numExpanded;
    }
    if (failed)
      return signalPassFailure();
    // A private loss function left without users is dead: erase it. Public
    // ones are kept (the host may call them).
    for (func::FuncOp fn : callees)
      if (fn.isPrivate() && SymbolTable::symbolKnownUseEmpty(fn, module))
        fn.erase();
  }
};
} // namespace
