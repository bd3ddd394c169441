//===- Differentiate.cpp - mp-differentiate pass --------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Expands `mp.value_and_grad @f(args) [scale(%s)] {wrt = ...}`:
//
//   1. clone @f (detached) and inline the func.calls in it, recursively:
//      every call with `inline-calls` (the default) except those marked
//      `no_inline`, none without (recursion and external callees are
//      errors);
//   2. a call kept as a call whose operands are active becomes a call of a
//      forward function @g_fwd (g's results, then the residuals its
//      backward reads), and the reverse sweep differentiates it as a call of
//      the adjoint function @g_bwd (the residuals and result cotangents in,
//      the cotangents of the active arguments out). The pair is built once
//      per callee and set of active arguments by differentiating a copy of
//      g's body with the same machinery (its own calls included) and
//      splitting it at the end of the forward;
//   3. activity analysis: a value is active when it is a float (tensor) that
//      depends on a `wrt` argument; only active values get adjoints, and only
//      ops on a path from a `wrt` argument to the loss are differentiated;
//   4. check that every op the sweep will differentiate has an adjoint rule
//      (AdjointOpInterface; one diagnostic lists all that have none), seed
//      the loss adjoint with `s` (converted to the loss type) or 1 and run
//      the reverse sweep (the rules: AD/*Adjoints.cpp), appending the
//      backward ops after the forward ones;
//   5. rematerialize: forward values the backward reads that cheap ops
//      compute from values it keeps anyway are recomputed in the backward
//      instead of saved (Rematerialize.cpp, docs/differentiate.md "Saved
//      activations"), in the loss body and in each @g before the split;
//   6. inline the result at the op: the forward computation, the backward,
//      and the op's results replaced by the loss and the gradients.
//
// Nothing is modified unless every step succeeds (the new functions are
// inserted in the module only then).
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
#include "llvm/ADT/StringSet.h"
#include <deque>
#include <map>

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

/// The function `call` calls, checked: it exists, is not being
/// differentiated already (`stack`) and is straight-line.
static FailureOr<func::FuncOp> lookupCallee(func::CallOp call,
                                            Operation *symbolTableOp,
                                            SymbolTableCollection &symbols,
                                            ArrayRef<StringRef> stack) {
  auto fn =
      symbols.lookupSymbolIn<func::FuncOp>(symbolTableOp, call.getCalleeAttr());
  if (!fn)
    return call.emitError()
           << kPrefix << "call to unknown function @" << call.getCallee();
  if (llvm::is_contained(stack, fn.getSymName()))
    return call.emitError() << kPrefix << "recursive call to @"
                            << fn.getSymName() << " cannot be differentiated";
  if (failed(checkBody(fn, call)))
    return failure();
  return fn;
}

/// Inlines every func.call at the top level of `block` for which
/// `shouldInline` holds, recursively; `stack` holds the functions being
/// inlined or differentiated (recursion is an error).
static LogicalResult
inlineCalls(Block &block, Operation *symbolTableOp,
            SymbolTableCollection &symbols, SmallVectorImpl<StringRef> &stack,
            function_ref<bool(func::CallOp)> shouldInline) {
  for (Operation &op : llvm::make_early_inc_range(block)) {
    auto call = dyn_cast<func::CallOp>(&op);
    if (!call || !shouldInline(call))
      continue;
    FailureOr<func::FuncOp> fn =
        lookupCallee(call, symbolTableOp, symbols, stack);
    if (failed(fn))
      return failure();
    auto clone = cast<func::FuncOp>((*fn)->clone());
    llvm::scope_exit cleanup([&] { clone->erase(); });
    stack.push_back(fn->getSymName());
    if (failed(inlineCalls(clone.front(), symbolTableOp, symbols, stack,
                           shouldInline)))
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

//===----------------------------------------------------------------------===//
// Differentiating calls as calls
//===----------------------------------------------------------------------===//

namespace {
/// The forward / adjoint pair of one callee for one set of active arguments.
struct CallAdjoint {
  func::FuncOp fwd, bwd;
  /// The callee arguments that get a cotangent (the bwd results, in order).
  SmallVector<int64_t> gradients;
  /// The bwd arguments before the cotangents: >= 0 the call operand of that
  /// index, < 0 the fwd call result `-i - 1` (a result or a residual).
  SmallVector<int64_t> inputs;
  /// The callee results that take a cotangent (the last bwd arguments).
  SmallVector<int64_t> cotangents;
};

/// A differentiated body: the forward ops end at `forwardEnd` (null when
/// there are none); `grads` are the adjoints of the `wrt` arguments (null:
/// the loss does not depend on one).
struct Sweep {
  Operation *forwardEnd = nullptr;
  SmallVector<Value> grads;
};
} // namespace

struct mp::ValueAndGradExpander::Impl {
  Impl(SymbolTableCollection &symbols, DifferentiateOptions options)
      : symbols(symbols), options(options) {}

  bool shouldInline(func::CallOp call) const {
    return options.inlineCalls && !call.getNoInline();
  }

  LogicalResult sweep(func::FuncOp fn, Block &body, ArrayRef<int64_t> wrt,
                      function_ref<void(OpBuilder &, ad::AdjointState &)> seed,
                      Sweep &result);
  FailureOr<CallAdjoint *> getCallAdjoint(func::FuncOp callee,
                                          ArrayRef<int64_t> active);
  LogicalResult buildCallAdjoint(func::FuncOp callee, CallAdjoint &ca);
  /// Names @<base>_fwd<sfx> and @<base>_bwd<sfx> with the same suffix,
  /// free in the module and among the pending functions.
  std::pair<std::string, std::string> uniqueNames(StringRef base);
  void commit();
  void abandon();

  SymbolTableCollection &symbols;
  DifferentiateOptions options;
  Operation *symbolTableOp = nullptr;
  /// The functions being inlined or differentiated (recursion is an error).
  SmallVector<StringRef> stack;
  std::map<std::pair<Operation *, std::vector<int64_t>>, CallAdjoint *> cache;
  std::deque<CallAdjoint> storage;
  /// Built by the current expansion, inserted into the module on success:
  /// (the callee, its fwd / bwd pair, the cache key).
  struct Pending {
    func::FuncOp callee;
    CallAdjoint *ca;
    std::pair<Operation *, std::vector<int64_t>> key;
  };
  SmallVector<Pending> pending;
  llvm::StringSet<> reserved;
  llvm::SetVector<func::FuncOp> callees;
  unsigned numCallAdjoints = 0;
  llvm::DenseMap<Operation *, Operation *> lastInserted;
};

std::pair<std::string, std::string>
mp::ValueAndGradExpander::Impl::uniqueNames(StringRef base) {
  SymbolTable &table = symbols.getSymbolTable(symbolTableOp);
  auto taken = [&](const std::string &name) {
    return table.lookup(name) || reserved.contains(name);
  };
  std::string fwd = (base + "_fwd").str(), bwd = (base + "_bwd").str();
  for (unsigned i = 1; taken(fwd) || taken(bwd); ++i) {
    fwd = (base + "_fwd_" + Twine(i)).str();
    bwd = (base + "_bwd_" + Twine(i)).str();
  }
  reserved.insert(fwd);
  reserved.insert(bwd);
  return {fwd, bwd};
}

void mp::ValueAndGradExpander::Impl::commit() {
  SymbolTable &table = symbols.getSymbolTable(symbolTableOp);
  for (Pending &p : pending) {
    // After the callee and the pairs made for it before, in order.
    Operation *&last = lastInserted[p.callee];
    if (!last)
      last = p.callee;
    table.insert(p.ca->fwd, std::next(Block::iterator(last)));
    table.insert(p.ca->bwd, std::next(Block::iterator(p.ca->fwd)));
    last = p.ca->bwd;
    callees.insert(p.callee);
    ++numCallAdjoints;
  }
  pending.clear();
}

void mp::ValueAndGradExpander::Impl::abandon() {
  for (Pending &p : pending) {
    cache.erase(p.key);
    reserved.erase(p.ca->fwd.getSymName());
    reserved.erase(p.ca->bwd.getSymName());
    p.ca->fwd->erase();
    p.ca->bwd->erase();
  }
  pending.clear();
}

FailureOr<CallAdjoint *>
mp::ValueAndGradExpander::Impl::getCallAdjoint(func::FuncOp callee,
                                               ArrayRef<int64_t> active) {
  std::pair<Operation *, std::vector<int64_t>> key{
      callee, std::vector<int64_t>(active.begin(), active.end())};
  if (auto it = cache.find(key); it != cache.end())
    return it->second;
  CallAdjoint &ca = storage.emplace_back();
  ca.gradients.assign(active.begin(), active.end());
  if (failed(buildCallAdjoint(callee, ca))) {
    storage.pop_back();
    return failure();
  }
  cache[key] = &ca;
  pending.push_back({callee, &ca, key});
  return &ca;
}

/// True for an op without operands that the backward may recreate instead
/// of receiving its result (constants, static tensor.empty).
static bool isConstantLike(Operation *op) {
  return op->getNumOperands() == 0 &&
         (op->hasTrait<OpTrait::ConstantLike>() || isa<tensor::EmptyOp>(op));
}

LogicalResult
mp::ValueAndGradExpander::Impl::buildCallAdjoint(func::FuncOp callee,
                                                 CallAdjoint &ca) {
  auto work = cast<func::FuncOp>(callee->clone());
  llvm::scope_exit cleanup([&] { work->erase(); });
  Block &body = work.front();
  unsigned numArgs = body.getNumArguments();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Location loc = callee.getLoc();

  // Differentiate g's body, seeded by one cotangent argument per active
  // result.
  stack.push_back(callee.getSymName());
  Sweep sw;
  auto seed = [&](OpBuilder &b, ad::AdjointState &state) {
    for (OpOperand &result : ret->getOpOperands()) {
      if (!state.isActive(result.get()))
        continue;
      ca.cotangents.push_back(result.getOperandNumber());
      BlockArgument cot = body.addArgument(result.get().getType(), loc);
      state.addAdjoint(b, loc, result.get(), cot);
    }
  };
  if (failed(sweep(callee, body, ca.gradients, seed, sw)))
    return failure();
  stack.pop_back();

  // Split at the end of the forward: what the backward reads from the
  // forward is an argument, a result or a residual (constants are
  // recreated).
  auto isBackward = [&](Operation *top) {
    return top != ret &&
           (!sw.forwardEnd || sw.forwardEnd->isBeforeInBlock(top));
  };
  llvm::SetVector<Value> args, residuals;
  llvm::SetVector<Operation *> constants;
  auto visit = [&](Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() == &body && arg.getArgNumber() < numArgs)
        args.insert(v);
      return;
    }
    Operation *top = body.findAncestorOpInBlock(*v.getDefiningOp());
    if (!top || isBackward(top))
      return;
    if (isConstantLike(top))
      constants.insert(top);
    else
      residuals.insert(v);
  };
  SmallVector<Operation *> backward;
  for (Operation &op : body.without_terminator())
    if (isBackward(&op))
      backward.push_back(&op);
  for (Operation *op : backward)
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        visit(v);
    });
  for (Value g : sw.grads)
    if (g)
      visit(g);

  SmallVector<Value> bwdInputs;
  SmallVector<unsigned> argNumbers;
  for (Value v : args)
    argNumbers.push_back(cast<BlockArgument>(v).getArgNumber());
  llvm::sort(argNumbers);
  for (unsigned i : argNumbers) {
    ca.inputs.push_back(i);
    bwdInputs.push_back(body.getArgument(i));
  }
  // A residual that g returns anyway is read from that result.
  SmallVector<Value> fwdResults = llvm::to_vector(ret.getOperands());
  for (Value v : residuals) {
    auto it = llvm::find(ret.getOperands(), v);
    int64_t index;
    if (it != ret.getOperands().end()) {
      index = std::distance(ret.getOperands().begin(), it);
    } else {
      index = fwdResults.size();
      fwdResults.push_back(v);
    }
    ca.inputs.push_back(-index - 1);
    bwdInputs.push_back(v);
  }
  for (BlockArgument cot : body.getArguments().drop_front(numArgs))
    bwdInputs.push_back(cot);

  MLIRContext *ctx = callee.getContext();
  OpBuilder b(ctx);
  auto [fwdName, bwdName] = uniqueNames(callee.getSymName());
  // The forward: g's forward ops, returning its results and the residuals.
  {
    auto type = FunctionType::get(ctx, callee.getArgumentTypes(),
                                  ValueRange(fwdResults).getTypes());
    ca.fwd = func::FuncOp::create(loc, fwdName, type);
    ca.fwd.setPrivate();
    Block *entry = ca.fwd.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    map.map(body.getArguments().take_front(numArgs), entry->getArguments());
    for (Operation &op : body.without_terminator()) {
      if (isBackward(&op))
        break;
      b.clone(op, map);
    }
    SmallVector<Value> results;
    for (Value v : fwdResults)
      results.push_back(map.lookup(v));
    func::ReturnOp::create(b, loc, results);
  }
  // The adjoint: the backward ops, returning the argument cotangents.
  {
    SmallVector<Type> gradTypes;
    for (int64_t i : ca.gradients)
      gradTypes.push_back(body.getArgument(i).getType());
    auto type =
        FunctionType::get(ctx, ValueRange(bwdInputs).getTypes(), gradTypes);
    ca.bwd = func::FuncOp::create(loc, bwdName, type);
    ca.bwd.setPrivate();
    Block *entry = ca.bwd.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    map.map(bwdInputs, entry->getArguments());
    for (Operation *op : constants)
      b.clone(*op, map);
    for (Operation *op : backward)
      b.clone(*op, map);
    SmallVector<Value> results;
    for (auto [g, type] : llvm::zip(sw.grads, gradTypes))
      results.push_back(g ? map.lookup(g) : ad::zerosOf(b, loc, type));
    func::ReturnOp::create(b, loc, results);
  }
  return success();
}

LogicalResult mp::ValueAndGradExpander::Impl::sweep(
    func::FuncOp fn, Block &body, ArrayRef<int64_t> wrt,
    function_ref<void(OpBuilder &, ad::AdjointState &)> seed, Sweep &result) {
  // 1. Inline.
  if (failed(inlineCalls(body, symbolTableOp, symbols, stack,
                         [&](func::CallOp c) { return shouldInline(c); })))
    return failure();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  auto forwardOps = [&] {
    SmallVector<Operation *> ops;
    for (Operation &o : body.without_terminator())
      ops.push_back(&o);
    return ops;
  };
  auto activity = [&](ad::AdjointState &state) {
    for (int64_t index : wrt)
      state.markVaried(body.getArgument(index));
    state.propagateVaried(forwardOps());
  };

  // 2. Calls kept as calls with active operands become calls of @g_fwd.
  {
    ad::AdjointState state;
    activity(state);
    for (Operation *op : forwardOps()) {
      auto call = dyn_cast<func::CallOp>(op);
      if (!call)
        continue;
      SmallVector<int64_t> active;
      for (auto [i, v] : llvm::enumerate(call.getOperands()))
        if (state.isActive(v))
          active.push_back(i);
      if (active.empty())
        continue;
      FailureOr<func::FuncOp> callee =
          lookupCallee(call, symbolTableOp, symbols, stack);
      if (failed(callee))
        return failure();
      SmallVector<Type> types = llvm::to_vector(call.getOperandTypes());
      llvm::append_range(types, call.getResultTypes());
      for (Type t : types)
        if (!isStatic(t))
          return call.emitError()
                 << kPrefix << "call of @" << call.getCallee() << " uses " << t
                 << "; only static shapes are supported";
      FailureOr<CallAdjoint *> ca = getCallAdjoint(*callee, active);
      if (failed(ca))
        return failure();
      OpBuilder b(call);
      auto fwd = func::CallOp::create(b, call.getLoc(), (*ca)->fwd,
                                      call.getOperands());
      fwd->setAttr(
          kCallAdjointAttrName,
          b.getDictionaryAttr({
              b.getNamedAttr("adjoint", FlatSymbolRefAttr::get(
                                            (*ca)->bwd.getSymNameAttr())),
              b.getNamedAttr("inputs", b.getDenseI64ArrayAttr((*ca)->inputs)),
              b.getNamedAttr("cotangents",
                             b.getDenseI64ArrayAttr((*ca)->cotangents)),
              b.getNamedAttr("gradients",
                             b.getDenseI64ArrayAttr((*ca)->gradients)),
          }));
      // Later calls read the activity of these results.
      for (auto [from, to] : llvm::zip(call.getResults(), fwd.getResults()))
        if (state.isVaried(from))
          state.markVaried(to);
      call.replaceAllUsesWith(
          fwd.getResults().take_front(call.getNumResults()));
      call.erase();
    }
  }

  // 3. Activity.
  SmallVector<Operation *> forward = forwardOps();
  ad::AdjointState state;
  activity(state);
  SmallVector<Operation *> missing;
  ad::collectMissingAdjoints(forward, ret.getOperands(), state, missing);
  if (!missing.empty())
    return reportMissing(fn, body, missing);

  // 4. Seed and reverse sweep, appended before the return.
  OpBuilder b(ret);
  seed(b, state);
  if (failed(ad::reverseSweep(b, forward, state)))
    return failure();
  for (Operation *op : forward)
    op->removeAttr(kCallAdjointAttrName);
  result.grads.clear();
  for (int64_t index : wrt)
    result.grads.push_back(state.getAdjoint(body.getArgument(index)));
  result.forwardEnd = forward.empty() ? nullptr : forward.back();
  // 5. The backward recomputes cheap forward values instead of saving them.
  if (result.forwardEnd)
    rematerialize(body, result.forwardEnd);
  return success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

mp::ValueAndGradExpander::ValueAndGradExpander(SymbolTableCollection &symbols,
                                               DifferentiateOptions options)
    : impl(std::make_unique<Impl>(symbols, options)) {}

mp::ValueAndGradExpander::~ValueAndGradExpander() = default;

ArrayRef<func::FuncOp> mp::ValueAndGradExpander::getCallees() const {
  return impl->callees.getArrayRef();
}

unsigned mp::ValueAndGradExpander::getNumCallAdjoints() const {
  return impl->numCallAdjoints;
}

LogicalResult mp::ValueAndGradExpander::expand(ValueAndGradOp op,
                                               RewriterBase &rewriter) {
  Impl &s = *impl;
  Operation *symbolTableOp = SymbolTable::getNearestSymbolTable(op);
  if (s.symbolTableOp && s.symbolTableOp != symbolTableOp) {
    s.cache.clear();
    s.lastInserted.clear();
  }
  s.symbolTableOp = symbolTableOp;
  auto callee =
      s.symbols.lookupNearestSymbolFrom<func::FuncOp>(op, op.getCalleeAttr());
  if (!callee)
    return op.emitOpError()
           << "'" << op.getCallee() << "' does not reference a func.func";
  if (failed(checkBody(callee, op)))
    return failure();

  // A detached copy of the callee, differentiated.
  auto work = cast<func::FuncOp>(callee->clone());
  bool ok = false;
  llvm::scope_exit cleanup([&] {
    if (work)
      work->erase();
    if (!ok)
      s.abandon();
    s.stack.clear();
  });
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

  Location loc = op.getLoc();
  auto seed = [&](OpBuilder &b, ad::AdjointState &state) {
    Value loss = ret.getOperand(0);
    Type lossElement = getElementTypeOrSelf(loss.getType());
    Value seedValue;
    if (Value scale = op.getScale()) {
      BlockArgument seedArg = body.addArgument(scale.getType(), loc);
      seedValue = ad::castElements(b, loc, seedArg, lossElement);
    } else {
      seedValue = ad::constantFloat(b, loc, loss.getType(), 1.0);
    }
    state.addAdjoint(b, loc, loss, seedValue);
  };
  s.stack.assign({callee.getSymName()});
  Sweep sw;
  if (failed(s.sweep(callee, body, op.getWrt(), seed, sw)))
    return failure();
  OpBuilder b(ret);
  SmallVector<Value> results = {ret.getOperand(0)};
  for (auto [index, grad] : llvm::zip(op.getWrt(), sw.grads)) {
    // A null gradient: the loss does not depend on this argument.
    results.push_back(
        grad ? grad
             : ad::constantFloat(b, loc, body.getArgument(index).getType(),
                                 0.0));
  }
  ret->setOperands(results);
  ok = true;
  s.commit();

  // Inline at the op.
  SmallVector<Value> argValues = llvm::to_vector(op.getArgs());
  if (Value scale = op.getScale())
    argValues.push_back(scale);
  rewriter.inlineBlockBefore(&body, op, argValues);
  auto movedRet = cast<func::ReturnOp>(op->getPrevNode());
  rewriter.replaceOp(op, movedRet.getOperands());
  rewriter.eraseOp(movedRet);
  return success();
}

LogicalResult mp::expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter,
                                     SymbolTableCollection &symbols,
                                     const DifferentiateOptions &options) {
  ValueAndGradExpander expander(symbols, options);
  return expander.expand(op, rewriter);
}

LogicalResult mp::expandValueAndGrad(ValueAndGradOp op, RewriterBase &rewriter,
                                     SymbolTableCollection &symbols) {
  return expandValueAndGrad(op, rewriter, symbols, DifferentiateOptions());
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
    DifferentiateOptions options;
    options.inlineCalls = inlineCalls;
    ValueAndGradExpander expander(symbols, options);
    llvm::SetVector<func::FuncOp> callees;
    bool failed = false;
    for (ValueAndGradOp op : ops) {
      if (auto fn = symbols.lookupNearestSymbolFrom<func::FuncOp>(
              op, op.getCalleeAttr()))
        callees.insert(fn);
      rewriter.setInsertionPoint(op);
      if (mlir::failed(expander.expand(op, rewriter))) {
        failed = true;
        continue;
      }
      ++numExpanded;
    }
    if (failed)
      return signalPassFailure();
    numCallAdjoints += expander.getNumCallAdjoints();
    // A private loss function left without users is dead: erase it, and so
    // are the private functions whose calls now call their @*_fwd (until
    // none is left: erasing one may leave a function it calls unused).
    // Public ones are kept (the host may call them).
    callees.insert(expander.getCallees().begin(), expander.getCallees().end());
    SmallVector<func::FuncOp> candidates = callees.takeVector();
    for (bool erased = true; erased;) {
      erased = false;
      for (func::FuncOp &fn : candidates)
        if (fn && fn.isPrivate() &&
            SymbolTable::symbolKnownUseEmpty(fn, module)) {
          fn.erase();
          fn = nullptr;
          erased = true;
        }
    }
  }
};
} // namespace
