//===- FuseElementwise.cpp - elementwise fusion around contractions -------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPFUSEELEMENTWISE
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {
/// Contractions and convolutions keep their named (or GEMM-shaped) form:
/// mp-contractions-to-runtime maps them to GEMM calls.
bool isContractionLike(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp)
    return false;
  return linalg::isaContractionOpInterface(linalgOp) ||
         linalg::isaConvolutionOpInterface(linalgOp);
}

/// Named ops other than contractions and fills (linalg.reduce, broadcast,
/// transpose, elementwise named ops) as linalg.generic, so that elementwise
/// producers fuse into them and they fuse into their consumers.
void generalizeNamedOps(func::FuncOp func) {
  SmallVector<linalg::LinalgOp> todo;
  func.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp, linalg::FillOp>(op) &&
        op.hasPureTensorSemantics() && !isContractionLike(op))
      todo.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::LinalgOp op : todo) {
    rewriter.setInsertionPoint(op);
    (void)linalg::generalizeNamedOp(rewriter, op);
  }
}

/// An elementwise generic cheap enough to recompute in each consumer: all
/// loops parallel, one result, only arith ops (casts, add/mul, compares,
/// selects: no transcendental) and at most `kMaxOps` of them.
bool isCheapElementwise(linalg::GenericOp op) {
  constexpr unsigned kMaxOps = 6;
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      op.getNumLoops() == 0 || op.getNumReductionLoops() != 0 ||
      !op.hasPureTensorSemantics())
    return false;
  unsigned count = 0;
  for (Operation &o : op.getBody()->without_terminator()) {
    if (!isa<arith::ArithDialect>(o.getDialect()) || o.getNumRegions())
      return false;
    if (++count > kMaxOps)
      return false;
  }
  return true;
}

/// Clones a cheap elementwise generic with several uses once per use when
/// every use can fuse it (each use then fuses its own copy): the value is
/// recomputed inside each consumer instead of being written to memory and
/// read back. Typical case: the unscaled gradient `g * (1/scale)`, read by
/// the all-finite reduction and by the (guarded) optimizer update.
unsigned duplicateCheapProducers(func::FuncOp func,
                                 SmallVectorImpl<Operation *> &touched) {
  SmallVector<linalg::GenericOp> todo;
  func.walk([&](linalg::GenericOp op) {
    if (!isCheapElementwise(op) || op->getResult(0).hasOneUse() ||
        op->getResult(0).use_empty())
      return;
    for (OpOperand &use : op->getResult(0).getUses()) {
      auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (!user || isContractionLike(user) || !user.isDpsInput(&use) ||
          !linalg::areElementwiseOpsFusable(&use))
        return;
    }
    todo.push_back(op);
  });
  OpBuilder b(func.getContext());
  for (linalg::GenericOp op : todo) {
    Value result = op->getResult(0);
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        result.getUses(), [](OpOperand &use) { return &use; });
    touched.push_back(op);
    touched.push_back(uses.front()->getOwner());
    for (OpOperand *use : llvm::drop_begin(uses)) {
      b.setInsertionPoint(op);
      Operation *clone = b.clone(*op);
      use->set(clone->getResult(0));
      touched.push_back(clone);
      touched.push_back(use->getOwner());
    }
  }
  return todo.size();
}

/// `scf.if %c -> tensors { pure tensor code } else { yield outer values }`
/// (the guarded update of dynamic loss scaling: skip the step unless the
/// gradients are finite) becomes the then-code, run unconditionally, and
/// `arith.select %c, new, old` per result. The values are the same (a
/// skipped step still returns its arguments, bit for bit); the update can
/// then share its pass over the gradients with the all-finite check
/// (fuseSiblingReductions); a skipped step, which is rare, costs as much
/// as a normal one.
unsigned speculateGuardedTensorUpdates(func::FuncOp func) {
  SmallVector<scf::IfOp> todo;
  func.walk([&](scf::IfOp op) {
    if (op.getNumResults() == 0 || op.getElseRegion().empty() ||
        !llvm::all_of(op.getResultTypes(),
                      [](Type t) { return isa<RankedTensorType>(t); }))
      return;
    // Else: yields values from outside, nothing else.
    Block &elseBlock = op.getElseRegion().front();
    if (!llvm::hasSingleElement(elseBlock))
      return;
    for (Value v : elseBlock.getTerminator()->getOperands())
      if (v.getParentRegion() == &op.getElseRegion())
        return;
    // Then: side-effect-free tensor code, no regions but linalg bodies.
    for (Operation &o : op.getThenRegion().front().without_terminator()) {
      if (!isMemoryEffectFree(&o))
        return;
      if (o.getNumRegions() && !isa<linalg::LinalgOp>(o))
        return;
    }
    todo.push_back(op);
  });
  for (scf::IfOp op : todo) {
    Block &thenBlock = op.getThenRegion().front();
    Operation *thenYield = thenBlock.getTerminator();
    Operation *elseYield = op.getElseRegion().front().getTerminator();
    for (Operation &o :
         llvm::make_early_inc_range(thenBlock.without_terminator()))
      o.moveBefore(op);
    OpBuilder b(op);
    SmallVector<Value> results;
    for (auto [t, e] :
         llvm::zip(thenYield->getOperands(), elseYield->getOperands()))
      results.push_back(
          arith::SelectOp::create(b, op.getLoc(), op.getCondition(), t, e));
    op->replaceAllUsesWith(results);
    op->erase();
  }
  return todo.size();
}

/// A full reduction (all loops reduction, 0-d outputs: the all-finite
/// check) and an elementwise generic over the same loop ranges reading one
/// of the same tensors with the same map (the update) become one generic:
/// one pass over the shared input. The merged op keeps the reduction
/// iterators; the elementwise result is written at every point.
unsigned fuseSiblingReductions(func::FuncOp func,
                               SmallVectorImpl<Operation *> &touched) {
  SmallVector<linalg::GenericOp> reductions;
  func.walk([&](linalg::GenericOp op) {
    if (op.hasPureTensorSemantics() && op.getNumLoops() > 0 &&
        op.getNumReductionLoops() == op.getNumLoops() &&
        llvm::all_of(op.getDpsInits(), [](Value v) {
          return cast<ShapedType>(v.getType()).getRank() == 0;
        }))
      reductions.push_back(op);
  });
  unsigned fused = 0;
  for (linalg::GenericOp red : reductions) {
    DominanceInfo dom(func);
    SmallVector<int64_t> ranges = red.getStaticLoopRanges();
    if (ShapedType::isDynamicShape(ranges))
      continue;
    linalg::GenericOp sibling;
    for (OpOperand *in : red.getDpsInputOperands()) {
      AffineMap redMap = red.getMatchingIndexingMap(in);
      for (Operation *user : in->get().getUsers()) {
        auto ew = dyn_cast<linalg::GenericOp>(user);
        if (!ew || ew == red || !ew.hasPureTensorSemantics() ||
            ew.getNumReductionLoops() != 0 || ew.getNumDpsInits() != 1 ||
            ew.getStaticLoopRanges() != ranges ||
            !ew.getIndexingMapsArray().back().isIdentity() ||
            ew->getBlock() != red->getBlock())
          continue;
        bool sameMap = llvm::any_of(ew.getDpsInputOperands(), [&](auto *o) {
          return o->get() == in->get() &&
                 ew.getMatchingIndexingMap(o) == redMap;
        });
        // The merged op sits where `red` is: every operand of `ew` must be
        // available there (an init tensor.empty is re-created).
        bool available = llvm::all_of(ew.getDpsInputs(), [&](Value v) {
          return dom.properlyDominates(v, red);
        });
        Value init = ew.getDpsInits()[0];
        bool initOk = dom.properlyDominates(init, red) ||
                      init.getDefiningOp<tensor::EmptyOp>();
        // ... and every user of its result come after `red`.
        bool usersAfter = llvm::all_of(ew->getUsers(), [&](Operation *u) {
          return dom.properlyDominates(red.getOperation(), u);
        });
        if (sameMap && available && initOk && usersAfter) {
          sibling = ew;
          break;
        }
      }
      if (sibling)
        break;
    }
    if (!sibling)
      continue;
    OpBuilder b(red);
    Location loc = red.getLoc();
    Value init = sibling.getDpsInits()[0];
    if (!dom.properlyDominates(init, red))
      init = b.clone(*init.getDefiningOp())->getResult(0);
    SmallVector<Value> inputs(red.getDpsInputs());
    llvm::append_range(inputs, sibling.getDpsInputs());
    SmallVector<Value> inits(red.getDpsInits());
    inits.push_back(init);
    SmallVector<AffineMap> maps;
    for (OpOperand *o : red.getDpsInputOperands())
      maps.push_back(red.getMatchingIndexingMap(o));
    for (OpOperand *o : sibling.getDpsInputOperands())
      maps.push_back(sibling.getMatchingIndexingMap(o));
    for (OpOperand &o : red.getDpsInitsMutable())
      maps.push_back(red.getMatchingIndexingMap(&o));
    maps.push_back(sibling.getIndexingMapsArray().back());
    SmallVector<Type> resultTypes(red->getResultTypes());
    resultTypes.push_back(sibling.getResult(0).getType());
    unsigned nr = red.getNumDpsInputs(), ns = sibling.getNumDpsInputs();
    unsigned no = red.getNumDpsInits();
    auto merged = linalg::GenericOp::create(
        b, loc, resultTypes, inputs, inits, maps, red.getIteratorTypesArray(),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          IRMapping map;
          Block *rb = red.getBlock(), *sb = sibling.getBlock();
          for (unsigned i = 0; i < nr; ++i)
            map.map(rb->getArgument(i), args[i]);
          for (unsigned i = 0; i < no; ++i)
            map.map(rb->getArgument(nr + i), args[nr + ns + i]);
          for (unsigned i = 0; i < ns; ++i)
            map.map(sb->getArgument(i), args[nr + i]);
          map.map(sb->getArgument(ns), args[nr + ns + no]);
          SmallVector<Value> yields;
          for (Operation &o : rb->without_terminator())
            nb.clone(o, map);
          for (Value v : rb->getTerminator()->getOperands())
            yields.push_back(map.lookupOrDefault(v));
          for (Operation &o : sb->without_terminator())
            nb.clone(o, map);
          yields.push_back(
              map.lookupOrDefault(sb->getTerminator()->getOperand(0)));
          linalg::YieldOp::create(nb, nloc, yields);
        });
    red->replaceAllUsesWith(merged->getResults().drop_back());
    sibling->getResult(0).replaceAllUsesWith(merged->getResults().back());
    red->erase();
    sibling->erase();
    ++fused;
    touched.push_back(merged);
    for (Value v : merged->getOperands())
      if (Operation *def = v.getDefiningOp())
        touched.push_back(def);
    for (Operation *user : merged->getUsers())
      touched.push_back(user);
  }
  return fused;
}

struct MPFuseElementwise : mp::impl::MPFuseElementwiseBase<MPFuseElementwise> {
  using MPFuseElementwiseBase::MPFuseElementwiseBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    generalizeNamedOps(getOperation());
    speculateGuardedTensorUpdates(getOperation());
    // Fuse, then give cheap multi-use producers one copy per consumer and
    // fuse again (fusion creates new multi-use producers).
    // After the first round, the rest of the function is at the patterns'
    // fixed point: later rounds start from the ops that changed (copies,
    // their users, merged reductions) instead of the whole function.
    SmallVector<Operation *> touched;
    for (int round = 0; round < 3; ++round) {
      if (failed(fuse(context, round == 0 ? nullptr : &touched)))
        return signalPassFailure();
      touched.clear();
      if (!duplicateCheapProducers(getOperation(), touched))
        break;
    }
    touched.clear();
    if (fuseSiblingReductions(getOperation(), touched) &&
        failed(fuse(context, &touched)))
      return signalPassFailure();
  }

  LogicalResult fuse(MLIRContext *context,
                     const SmallVectorImpl<Operation *> *seeds) {
    RewritePatternSet patterns(context);
    // Upstream's control (fuse a producer with a single use), plus: neither
    // side of the fusion / reshape propagation is a contraction.
    unsigned limit = maxOperands;
    linalg::ControlFusionFn control = [limit](OpOperand *fusedOperand) {
      Operation *producer = fusedOperand->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      // The fused op takes the operands of both but the fused one and the
      // producer's init: bound it (linear on long chains).
      if (producer->getNumOperands() +
              fusedOperand->getOwner()->getNumOperands() >
          limit + 2)
        return false;
      // A 0-d producer (1 / scale, a learning rate) is computed once; fused,
      // it would be recomputed (a division) for every element.
      if (auto type = dyn_cast<ShapedType>(fusedOperand->get().getType());
          type && type.getRank() == 0)
        return false;
      // A producer whose body reads its init (an adjoint accumulating into
      // a zero fill) keeps that result in the fused op, with the init
      // indexed through the consumer's map: a broadcasting consumer would
      // read-modify-write each init element once per broadcast element (a
      // parallel loop accumulating), so only a permutation map may fuse.
      auto producerOp = dyn_cast<linalg::LinalgOp>(producer);
      auto consumerOp = dyn_cast<linalg::LinalgOp>(fusedOperand->getOwner());
      if (producerOp && consumerOp &&
          llvm::any_of(producerOp.getDpsInitsMutable(),
                       [&](OpOperand &init) {
                         return producerOp.payloadUsesValueFromOperand(&init);
                       }) &&
          !consumerOp.getMatchingIndexingMap(fusedOperand).isPermutation())
        return false;
      return !isContractionLike(producer) &&
             !isContractionLike(fusedOperand->getOwner());
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    // No region simplification: the canonicalizer that follows in mp-to-cpu
    // does it once, instead of once per fusion round here.
    if (seeds) {
      // Seeds may repeat (a user of two copies); the driver's worklist
      // takes each op once. Users of the copies may have been seeded twice.
      SetVector<Operation *> unique(seeds->begin(), seeds->end());
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::AnyOp);
      (void)applyOpPatternsGreedily(unique.getArrayRef(), std::move(patterns),
                                    config);
      return success();
    }
    (void)applyPatternsGreedily(
        getOperation(), std::move(patterns),
        GreedyRewriteConfig()
            .setUseTopDownTraversal()
            .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled));
    return success();
  }
};
} // namespace
