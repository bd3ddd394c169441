//===- OutlineParallelLoops.cpp - loop nests to split over threads --------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// A linalg op on buffers with a parallel loop whose iterations write
// disjoint output elements becomes a loop nest in a function of its own,
// taking that loop's range as (begin, end), called over the whole range
// with the `mp_parallel_for` mark. The marked call is what
// mp-parallel-calls-to-runtime hands to the runtime's thread pool; unmarked
// (or without that pass) it runs the same loops serially.
//
//===----------------------------------------------------------------------===//

#include "Outlining.h"
#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPOUTLINEPARALLELLOOPS
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// The buffer a view (subview, cast, transpose, reshape, ...) reads.
Value rootBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      v = view.getViewSource();
      continue;
    }
    // Side-effect-free memref to memref ops of one memref operand.
    auto memrefs = llvm::make_filter_range(def->getOperands(), [](Value o) {
      return isa<BaseMemRefType>(o.getType());
    });
    if (!isMemoryEffectFree(def) || def->getNumResults() != 1 ||
        !isa<BaseMemRefType>(v.getType()) ||
        std::distance(memrefs.begin(), memrefs.end()) != 1)
      break;
    v = *memrefs.begin();
  }
  return v;
}

/// The loop of `op` whose iterations may run in any order and in parallel
/// with the same results: a parallel loop that every output's indexing map
/// (a projected permutation) names, so that two iterations write disjoint
/// elements, of an op whose body has no side effects, whose outputs are
/// distinct buffers and whose inputs read an output's buffer only as that
/// output, at the same index. The outermost such loop whose static extent
/// is not 1.
std::optional<unsigned> splittableLoop(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0)
    return std::nullopt;
  if (Block *body = op.getBlock())
    for (Operation &inner : body->without_terminator())
      if (!isMemoryEffectFree(&inner) || inner.getNumRegions() != 0)
        return std::nullopt;
  for (OpOperand *input : op.getDpsInputOperands())
    for (OpOperand &init : op.getDpsInitsMutable())
      if (isa<MemRefType>(input->get().getType()) &&
          rootBuffer(input->get()) == rootBuffer(init.get()) &&
          (input->get() != init.get() || op.getMatchingIndexingMap(input) !=
                                             op.getMatchingIndexingMap(&init)))
        return std::nullopt;
  for (OpOperand &a : op.getDpsInitsMutable())
    for (OpOperand &b : op.getDpsInitsMutable())
      if (&a != &b && rootBuffer(a.get()) == rootBuffer(b.get()))
        return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  for (unsigned d = 0; d < iterators.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || extents[d] == 1)
      continue;
    AffineExpr dim = getAffineDimExpr(d, op->getContext());
    bool disjoint = llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &o) {
      AffineMap map = op.getMatchingIndexingMap(&o);
      return map.isProjectedPermutation() &&
             map.getResultPosition(dim).has_value();
    });
    if (disjoint)
      return d;
  }
  return std::nullopt;
}

/// Scalar work per iteration of the whole nest: the body's ops plus one
/// load or store per operand.
int64_t workPerElement(linalg::LinalgOp op) {
  int64_t ops = op->getNumOperands();
  if (Block *body = op.getBlock())
    ops += static_cast<int64_t>(body->getOperations().size()) - 1;
  return std::max<int64_t>(ops, 1);
}

struct OutlineParallelLoopsPass
    : mp::impl::MPOutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    mp::OutlinedFunctions outlined;
    bool changed = false;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      SmallVector<std::pair<linalg::LinalgOp, unsigned>> candidates;
      func.walk([&](linalg::LinalgOp op) {
        if (std::optional<unsigned> d = splittableLoop(op))
          candidates.push_back({op, *d});
      });
      unsigned counter = 0;
      Operation *after = func;
      for (auto [op, dim] : candidates)
        if (Operation *fn =
                outline(func, op, dim, after, symbols, outlined, counter)) {
          after = fn;
          changed = true;
        }
    }
    // Nothing outlined: the pass manager need not verify the module again.
    if (!changed)
      markAllAnalysesPreserved();
  }

  /// Outlines `op` split along loop `dim` into a function placed after
  /// `after`, or takes the same function made before (`outlined`), and
  /// calls it in its place; returns the last function placed, or null
  /// where `op` stays (too little work, or not lowerable to loops).
  Operation *outline(func::FuncOp parent, linalg::LinalgOp op, unsigned dim,
                     Operation *after, SymbolTable &symbols,
                     mp::OutlinedFunctions &outlined, unsigned &counter) {
    SmallVector<int64_t> extents = op.getStaticLoopRanges();
    int64_t perElement = workPerElement(op);
    bool dynamic = llvm::any_of(extents, ShapedType::isDynamic);
    if (!dynamic) {
      // Saturating at 2^40: a work above minWork is all that matters.
      const int64_t cap = int64_t(1) << 40;
      int64_t work = perElement;
      for (int64_t e : extents)
        work = e == 0 ? 0 : work > cap / e ? cap : work * e;
      if (work < static_cast<int64_t>(minWork))
        return nullptr;
    }

    // Values from outside; constants are cloned into the new function.
    llvm::SetVector<Value> captured;
    for (Value v : op->getOperands())
      captured.insert(v);
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    mp::Captures caps = mp::splitCaptures(captured);
    SmallVector<Value> &args = caps.args;

    Location loc = op.getLoc();
    OpBuilder b(parent);
    b.setInsertionPointAfter(after);
    Type index = b.getIndexType();
    SmallVector<Type> argTypes{index, index};
    llvm::append_range(argTypes, ValueRange(args).getTypes());
    auto fn = func::FuncOp::create(
        b, loc, (parent.getSymName() + "_par" + Twine(counter)).str(),
        b.getFunctionType(argTypes, {}));
    fn.setPrivate();
    // Inlined back, the nests of a long step would make one huge function.
    fn->setAttr("passthrough", b.getStrArrayAttr({"noinline"}));
    // Its memrefs are distinct buffers (splittableLoop: outputs have roots
    // of their own, an input shares one only as the same value, passed
    // once) where each root is a buffer of its own: an allocation, a
    // global or an argument of the caller (the caller's buffers are
    // assumed distinct, as the driver passes them).
    if (llvm::all_of(args, [](Value v) {
          if (!isa<BaseMemRefType>(v.getType()))
            return true;
          Value root = rootBuffer(v);
          Operation *def = root.getDefiningOp();
          if (!def)
            return isa<BlockArgument>(root) &&
                   isa<FunctionOpInterface>(
                       cast<BlockArgument>(root).getOwner()->getParentOp());
          return isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(
              def);
        }))
      fn->setAttr("mp_noalias_args", b.getUnitAttr());
    Block *body = fn.addEntryBlock();
    OpBuilder inner = OpBuilder::atBlockBegin(body);
    IRMapping map;
    mp::mapCaptures(inner, caps, body->getArguments().drop_front(2), map);
    auto copy = cast<linalg::LinalgOp>(inner.clone(*op, map));
    func::ReturnOp::create(inner, loc);

    IRRewriter rewriter(&getContext());
    rewriter.setInsertionPoint(copy);
    FailureOr<linalg::LinalgLoops> loops =
        linalg::linalgOpToLoops(rewriter, copy);
    if (failed(loops) || loops->size() != extents.size()) {
      fn.erase();
      return nullptr;
    }
    rewriter.eraseOp(copy);
    auto split = cast<scf::ForOp>((*loops)[dim]);
    split.getLowerBoundMutable().assign(body->getArgument(0));
    split.getUpperBoundMutable().assign(body->getArgument(1));
    // The bounds of the loop now taken from the arguments, and the like.
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *o) { ops.push_back(o); });
    for (Operation *o : llvm::reverse(ops))
      if (o->getNumRegions() == 0 && isOpTriviallyDead(o))
        o->erase();
    func::FuncOp kept = outlined.keepOrReuse(fn, symbols);
    if (kept == fn) {
      ++counter;
      after = fn;
    }
    fn = kept;

    // The call, over the whole range.
    Operation *before = op->getPrevNode();
    OpBuilder at(op);
    SmallVector<Range> ranges = op.createLoopRanges(at, loc);
    auto value = [&](OpFoldResult r) {
      return getValueOrCreateConstantIndexOp(at, loc, r);
    };
    SmallVector<Value> operands{arith::ConstantIndexOp::create(at, loc, 0),
                                value(ranges[dim].size)};
    llvm::append_range(operands, args);
    auto mark = [&](func::CallOp call) {
      call->setAttr("mp_parallel_for", at.getUnitAttr());
    };
    if (!dynamic) {
      mark(func::CallOp::create(at, loc, fn, operands));
    } else {
      // Too little work, known at run time only: the serial call.
      Value work = arith::ConstantIndexOp::create(at, loc, perElement);
      for (Range &r : ranges)
        work = arith::MulIOp::create(at, loc, work, value(r.size));
      Value big = arith::CmpIOp::create(
          at, loc, arith::CmpIPredicate::uge, work,
          arith::ConstantIndexOp::create(at, loc, minWork));
      auto branch = scf::IfOp::create(at, loc, big, /*withElseRegion=*/true);
      OpBuilder thenB = branch.getThenBodyBuilder();
      mark(func::CallOp::create(thenB, loc, fn, operands));
      OpBuilder elseB = branch.getElseBodyBuilder();
      func::CallOp::create(elseB, loc, fn, operands);
    }
    // The extents (memref.dim, affine.apply) the call does not use.
    SmallVector<Operation *> created;
    for (Operation *o = before ? before->getNextNode()
                               : &op->getBlock()->front();
         o != op.getOperation(); o = o->getNextNode())
      created.push_back(o);
    op->erase();
    for (Operation *o : llvm::reverse(created))
      if (o->getNumRegions() == 0 && isOpTriviallyDead(o))
        o->erase();
    return after;
  }
};

} // namespace
