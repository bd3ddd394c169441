//===- ToNVPTX.cpp - the mp-to-nvptx pipeline -----------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Tensor IR (the output of mp-mixed-precision) to GPU kernels for NVIDIA
// GPUs (NVVM -> PTX / cubin / fatbin, embedded with gpu-module-to-binary)
// and host code in the LLVM dialect that calls the mgpu* runtime functions
// (runtime/cuda). The passes defined here fill the gaps between upstream
// passes:
//
//  - mp-gpu-predicate: scf.if with tensor results (the skip-step guard of
//    mp-loss-scaling) becomes a select computed on the device, so the host
//    never reads the finite flag;
//  - mp-gpu-tensorize-scalars: host scalar code on 0-d tensors (the
//    loss-scale state machine) becomes a 0-d linalg.generic (a device
//    kernel);
//  - mp-gpu-split-reductions: large full reductions (the all-finite checks,
//    global norms) are split in two stages so that they run in parallel;
//  - mp-gpu-map-loops: memref.copy to linalg.copy, the remaining sequential
//    host loops to single-thread kernels, tiling and mapping of scf.parallel
//    to blocks and threads (innermost dimension to threadIdx.x);
//  - mp-gpu-memory: host allocations to gpu.alloc / gpu.dealloc, host
//    constants sunk into the kernels that use them.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Conversion/Passes.h"
#include "mixprec/Conversion/Pipelines.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

/// Host functions: func.func ops directly in the top-level module (not in
/// a gpu.module).
static SmallVector<func::FuncOp> hostFunctions(ModuleOp module) {
  return llvm::to_vector(module.getOps<func::FuncOp>());
}

static bool isPureTree(Region &region) {
  bool pure = true;
  region.walk([&](Operation *op) {
    if (!isMemoryEffectFree(op))
      pure = false;
  });
  return pure;
}

//===----------------------------------------------------------------------===//
// mp-gpu-predicate
//===----------------------------------------------------------------------===//

/// Rewrites `scf.if %c -> (tensors, scalars) {A} else {B}` with
/// side-effect-free branches into A; B; select(%c, a, b) per result, where
/// a tensor select is a linalg.generic that reads the condition from a 0-d
/// tensor on the device. When %c is `tensor.extract %t[]`, %t is read
/// directly, so no value ever travels to the host.
static LogicalResult predicateIf(RewriterBase &rewriter, scf::IfOp op) {
  if (op.getNumResults() == 0 || op.getElseRegion().empty())
    return failure();
  for (Type t : op.getResultTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (tensor ? !tensor.hasStaticShape() : !t.isIntOrIndexOrFloat())
      return failure();
  }
  if (!isPureTree(op.getThenRegion()) || !isPureTree(op.getElseRegion()))
    return failure();

  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  Value cond = op.getCondition();
  Value condTensor;
  if (auto extract = cond.getDefiningOp<tensor::ExtractOp>();
      extract && extract.getTensor().getType().getRank() == 0)
    condTensor = extract.getTensor();

  auto inlineBranch = [&](Block *block) {
    auto yield = cast<scf::YieldOp>(block->getTerminator());
    SmallVector<Value> values(yield.getOperands());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(block, op);
    return values;
  };
  SmallVector<Value> thenValues = inlineBranch(op.thenBlock());
  SmallVector<Value> elseValues = inlineBranch(op.elseBlock());

  SmallVector<Value> results;
  for (auto [t, e] : llvm::zip(thenValues, elseValues)) {
    if (t == e) {
      results.push_back(t);
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(t.getType());
    if (!type) {
      results.push_back(arith::SelectOp::create(rewriter, loc, cond, t, e));
      continue;
    }
    if (!condTensor)
      condTensor = tensor::FromElementsOp::create(
          rewriter, loc, RankedTensorType::get({}, cond.getType()), cond);
    int64_t rank = type.getRank();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{condTensor, t, e},
        ValueRange{init}, ArrayRef<AffineMap>{scalar, id, id, id}, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value s = arith::SelectOp::create(b, l, args[0], args[1], args[2]);
          linalg::YieldOp::create(b, l, s);
        });
    results.push_back(generic.getResult(0));
  }
  rewriter.replaceOp(op, results);
  return success();
}

struct PredicateGuardsPass
    : PassWrapper<PredicateGuardsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PredicateGuardsPass)
  StringRef getArgument() const final { return "mp-gpu-predicate"; }
  StringRef getDescription() const final {
    return "Turn side-effect-free scf.if with tensor results (the skip-step "
           "guard) into selects computed on the device";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect,
                    arith::ArithDialect>();
  }
  void runOnOperation() override {
    SmallVector<scf::IfOp> ifs;
    // Post-order: inner ifs first.
    getOperation().walk([&](scf::IfOp op) { ifs.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (scf::IfOp op : ifs)
      (void)predicateIf(rewriter, op);
  }
};

//===----------------------------------------------------------------------===//
// mp-gpu-tensorize-scalars
//===----------------------------------------------------------------------===//

/// Rewrites `tensor.from_elements %s : tensor<T>` where %s is computed by
/// pure scalar ops from constants and `tensor.extract %t[]` of 0-d tensors
/// into one 0-d linalg.generic over those tensors, so that the scalar code
/// runs on the device.
static LogicalResult tensorizeScalar(RewriterBase &rewriter,
                                     tensor::FromElementsOp op) {
  auto type = op.getType();
  if (type.getRank() != 0)
    return failure();
  Value root = op.getElements()[0];
  llvm::SetVector<Operation *> slice;
  llvm::SetVector<Value> inputs;
  bool ok = true;
  std::function<void(Value)> visit = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (!ok || !def) {
      ok = false;
      return;
    }
    if (slice.contains(def))
      return;
    if (auto extract = dyn_cast<tensor::ExtractOp>(def)) {
      if (extract.getTensor().getType().getRank() != 0) {
        ok = false;
        return;
      }
      inputs.insert(extract.getTensor());
      slice.insert(def);
      return;
    }
    if (def->getNumRegions() != 0 || !isPure(def) ||
        def->getBlock() != op->getBlock()) {
      ok = false;
      return;
    }
    for (Type t : def->getResultTypes())
      if (!t.isIntOrIndexOrFloat())
        ok = false;
    for (Value operand : def->getOperands())
      visit(operand);
    slice.insert(def);
  };
  visit(root);
  if (!ok)
    return failure();

  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                       type.getElementType());
  SmallVector<AffineMap> maps(inputs.size() + 1, AffineMap::get(0, 0, ctx));
  SmallVector<Value> inputList(inputs.begin(), inputs.end());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, inputList, ValueRange{init}, maps,
      ArrayRef<utils::IteratorType>{},
      [&](OpBuilder &b, Location l, ValueRange args) {
        IRMapping mapping;
        for (Operation *s : slice) {
          if (auto extract = dyn_cast<tensor::ExtractOp>(s)) {
            unsigned index =
                llvm::find(inputList, extract.getTensor()) - inputList.begin();
            mapping.map(extract.getResult(), args[index]);
            continue;
          }
          b.clone(*s, mapping);
        }
        linalg::YieldOp::create(b, l, mapping.lookupOrDefault(root));
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

struct TensorizeScalarsPass
    : PassWrapper<TensorizeScalarsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TensorizeScalarsPass)
  StringRef getArgument() const final { return "mp-gpu-tensorize-scalars"; }
  StringRef getDescription() const final {
    return "Turn host scalar code between 0-d tensors into 0-d "
           "linalg.generic ops (device kernels)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect>();
  }
  void runOnOperation() override {
    SmallVector<tensor::FromElementsOp> ops;
    getOperation().walk([&](tensor::FromElementsOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (tensor::FromElementsOp op : ops)
      (void)tensorizeScalar(rewriter, op);
  }
};

//===----------------------------------------------------------------------===//
// mp-gpu-split-reductions
//===----------------------------------------------------------------------===//

/// A linalg.generic that reduces whole static tensors (all iterators
/// reductions, identity input maps, a 0-d output) runs as one GPU thread
/// once lowered. Collapse it to 1-D and split the reduction in two stages
/// (linalg::splitReduction): `ratio` threads reduce contiguous chunks, then
/// one thread combines the partial results.
static LogicalResult splitFullReduction(RewriterBase &rewriter,
                                        linalg::GenericOp op,
                                        int64_t minElements) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      op.getNumParallelLoops() != 0 || !op.hasPureTensorSemantics())
    return failure();
  auto outType = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!outType || outType.getRank() != 0)
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t n = 1;
  for (int64_t r : ranges) {
    if (ShapedType::isDynamic(r))
      return failure();
    n *= r;
  }
  if (n < minElements)
    return failure();
  for (OpOperand *in : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(in).isIdentity())
      return failure();
  int64_t ratio = 0;
  for (int64_t r = 1024; r >= 32; --r)
    if (n % r == 0) {
      ratio = r;
      break;
    }
  if (!ratio)
    return failure();

  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  linalg::GenericOp flat = op;
  if (ranges.size() > 1) {
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, ranges.size()));
    SmallVector<Value> inputs;
    for (Value in : op.getDpsInputs())
      inputs.push_back(tensor::CollapseShapeOp::create(
          rewriter, loc, in, ArrayRef<ReassociationIndices>{all}));
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    SmallVector<AffineMap> maps(inputs.size(), id);
    maps.push_back(AffineMap::get(1, 0, ctx));
    flat = linalg::GenericOp::create(
        rewriter, loc, op.getResultTypes(), inputs, op.getDpsInits(), maps,
        ArrayRef<utils::IteratorType>{utils::IteratorType::reduction});
    rewriter.inlineRegionBefore(op.getRegion(), flat.getRegion(),
                                flat.getRegion().end());
    rewriter.replaceOp(op, flat.getResults());
  }
  linalg::ControlSplitReductionFn control = [&](linalg::LinalgOp) {
    return linalg::SplitReductionOptions{ratio, 0, false};
  };
  rewriter.setInsertionPoint(flat);
  if (failed(linalg::splitReduction(rewriter, flat, control)))
    return success(flat != op);
  return success();
}

struct SplitReductionsPass
    : PassWrapper<SplitReductionsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SplitReductionsPass)
  SplitReductionsPass() = default;
  SplitReductionsPass(const SplitReductionsPass &other) : PassWrapper(other) {}
  StringRef getArgument() const final { return "mp-gpu-split-reductions"; }
  StringRef getDescription() const final {
    return "Split full reductions of large tensors into two parallel stages";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect,
                    arith::ArithDialect>();
  }
  Option<int64_t> minElements{
      *this, "min-elements",
      llvm::cl::desc("Split reductions of at least this many elements"),
      llvm::cl::init(4096)};
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops)
      (void)splitFullReduction(rewriter, op, minElements);
  }
};

//===----------------------------------------------------------------------===//
// mp-gpu-parallel-outer
//===----------------------------------------------------------------------===//

/// Generalizes linalg ops and interchanges their loops so that parallel
/// dimensions come first: a reduction over rows (bias gradients) then
/// lowers to a parallel loop over columns with a sequential loop inside,
/// which maps to GPU threads, instead of a sequential loop around a
/// parallel one.
struct ParallelOuterPass
    : PassWrapper<ParallelOuterPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ParallelOuterPass)
  StringRef getArgument() const final { return "mp-gpu-parallel-outer"; }
  StringRef getDescription() const final {
    return "Generalize linalg ops and move parallel loops outermost";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      SmallVector<unsigned> order;
      for (auto [i, it] : llvm::enumerate(iterators))
        if (it == utils::IteratorType::parallel)
          order.push_back(i);
      for (auto [i, it] : llvm::enumerate(iterators))
        if (it != utils::IteratorType::parallel)
          order.push_back(i);
      bool sorted = llvm::is_sorted(order);
      if (sorted)
        continue;
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      (void)linalg::interchangeGenericOp(rewriter, generic, order);
    }
  }
};

//===----------------------------------------------------------------------===//
// mp-gpu-map-loops
//===----------------------------------------------------------------------===//

static Value stripCasts(Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  return v;
}

/// Buffers that stay in host memory: the pointer and ownership arrays of
/// the deallocation helpers (index arrays, buffers passed to a func.call)
/// and stack allocations. Every other buffer lives on the device.
using HostBuffers = llvm::DenseSet<Value>;
static HostBuffers findHostBuffers(func::FuncOp fn) {
  HostBuffers host;
  fn.walk([&](Operation *op) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      for (Value a : call.getOperands())
        if (isa<MemRefType>(a.getType()))
          host.insert(stripCasts(a));
    } else if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (alloc.getType().getElementType().isIndex())
        host.insert(alloc);
    } else if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      host.insert(alloca);
    }
  });
  return host;
}

static bool isHostBuffer(Value v, const HostBuffers &host) {
  v = stripCasts(v);
  return host.contains(v) ||
         cast<MemRefType>(v.getType()).getElementType().isIndex();
}

/// Functions made by the buffer deallocation pipeline run on the host.
static bool isHostHelper(func::FuncOp fn) {
  return fn.getSymName().starts_with("dealloc_helper");
}

/// True if `op` (or an op nested in it) reads or writes a device buffer.
static bool touchesDeviceMemory(Operation *op, const HostBuffers &host) {
  bool found = false;
  op->walk([&](Operation *o) {
    if (auto load = dyn_cast<memref::LoadOp>(o))
      found |= !isHostBuffer(load.getMemRef(), host);
    else if (auto store = dyn_cast<memref::StoreOp>(o))
      found |= !isHostBuffer(store.getMemRef(), host);
  });
  return found;
}

static gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *ctx,
                                             gpu::Processor p) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id);
}

/// Maps dimension d of an n-d loop: the innermost to x, then y, then z,
/// the rest sequential.
static gpu::Processor processorFor(unsigned d, unsigned n, bool threads) {
  unsigned fromInner = n - 1 - d;
  if (fromInner > 2)
    return gpu::Processor::Sequential;
  unsigned base = threads ? static_cast<unsigned>(gpu::Processor::ThreadX)
                          : static_cast<unsigned>(gpu::Processor::BlockX);
  return static_cast<gpu::Processor>(base + fromInner);
}

static void setSequential(scf::ParallelOp op) {
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping(
      op.getNumLoops(), mapTo(op.getContext(), gpu::Processor::Sequential));
  (void)gpu::setMappingAttr(op, mapping);
}

struct MapLoopsPass : PassWrapper<MapLoopsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MapLoopsPass)
  MapLoopsPass() = default;
  MapLoopsPass(const MapLoopsPass &other) : PassWrapper(other) {}
  StringRef getArgument() const final { return "mp-gpu-map-loops"; }
  StringRef getDescription() const final {
    return "Wrap sequential host loops into single-thread parallel loops, "
           "tile parallel loops and map them to GPU blocks and threads";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect, scf::SCFDialect, affine::AffineDialect,
                    arith::ArithDialect>();
  }
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block (at most)"),
                            llvm::cl::init(256)};

  LogicalResult wrapSequential(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    HostBuffers host = findHostBuffers(fn);
    // Constants first, so that they never split a group.
    Operation *firstNonConstant = nullptr;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (matchPattern(&op, m_Constant())) {
        if (firstNonConstant)
          op.moveBefore(firstNonConstant);
      } else if (!firstNonConstant) {
        firstNonConstant = &op;
      }
    }
    SmallVector<SmallVector<Operation *>> groups;
    SmallVector<Operation *> current;
    llvm::DenseSet<Operation *> inCurrent;
    auto close = [&] {
      if (!current.empty())
        groups.push_back(current);
      current.clear();
      inCurrent.clear();
    };
    for (Operation &op : block.without_terminator()) {
      bool device = false;
      if (!isa<scf::ParallelOp, gpu::LaunchOp>(op)) {
        if (touchesDeviceMemory(&op, host))
          device = true;
        else if (!current.empty() && op.getNumRegions() == 0 && isPure(&op))
          device = llvm::any_of(op.getOperands(), [&](Value v) {
            return inCurrent.contains(v.getDefiningOp());
          });
      }
      if (!device) {
        close();
        continue;
      }
      current.push_back(&op);
      inCurrent.insert(&op);
    }
    close();

    MLIRContext *ctx = fn.getContext();
    for (auto &group : groups) {
      llvm::DenseSet<Operation *> members(group.begin(), group.end());
      for (Operation *op : group)
        for (Value r : op->getResults())
          for (Operation *user : r.getUsers()) {
            Operation *top = block.findAncestorOpInBlock(*user);
            if (!members.contains(top))
              return op->emitError(
                  "mp-to-nvptx: a value computed on the device is used by "
                  "host code");
          }
      OpBuilder b(group.front());
      Location loc = group.front()->getLoc();
      Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
      Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
      auto par = scf::ParallelOp::create(b, loc, ValueRange{c0}, ValueRange{c1},
                                         ValueRange{c1});
      for (Operation *op : group)
        op->moveBefore(par.getBody()->getTerminator());
      (void)gpu::setMappingAttr(par, {mapTo(ctx, gpu::Processor::BlockX)});
      par.getBody()->walk([](scf::ParallelOp inner) { setSequential(inner); });
    }
    return success();
  }

  void tileAndMap(scf::ParallelOp op) {
    MLIRContext *ctx = op.getContext();
    unsigned n = op.getNumLoops();
    SmallVector<int64_t> trips(n, ShapedType::kDynamic);
    for (unsigned d = 0; d < n; ++d) {
      auto lb = getConstantIntValue(op.getLowerBound()[d]);
      auto ub = getConstantIntValue(op.getUpperBound()[d]);
      auto step = getConstantIntValue(op.getStep()[d]);
      if (lb && ub && step && *step > 0)
        trips[d] = (*ub - *lb + *step - 1) / *step;
    }
    // Threads: the innermost dimension first (32, or the whole block for
    // 1-d loops), then y and z with what is left; z at most 64.
    SmallVector<int64_t> tiles(n, 1);
    int64_t budget = blockSize;
    for (int d = n - 1; d >= 0 && d >= static_cast<int>(n) - 3; --d) {
      int64_t limit = budget;
      if (d == static_cast<int>(n) - 1 && n > 1)
        limit = std::min<int64_t>(32, budget);
      if (d == static_cast<int>(n) - 3)
        limit = std::min<int64_t>(64, limit);
      int64_t t = trips[d] == ShapedType::kDynamic
                      ? limit
                      : std::min<int64_t>(limit, trips[d]);
      t = std::max<int64_t>(t, 1);
      tiles[d] = t;
      budget = std::max<int64_t>(1, budget / t);
    }
    auto [outer, inner] = scf::tileParallelLoop(op, tiles, false);
    SmallVector<gpu::ParallelLoopDimMappingAttr> blocks, threads;
    for (unsigned d = 0; d < n; ++d) {
      blocks.push_back(mapTo(ctx, processorFor(d, n, false)));
      threads.push_back(mapTo(ctx, processorFor(d, n, true)));
    }
    (void)gpu::setMappingAttr(outer, blocks);
    (void)gpu::setMappingAttr(inner, threads);
    inner.getBody()->walk([&](scf::ParallelOp nested) {
      if (nested != inner)
        setSequential(nested);
    });
  }

  void runOnOperation() override {
    for (func::FuncOp fn : hostFunctions(getOperation())) {
      if (fn.isExternal() || isHostHelper(fn))
        continue;
      if (failed(wrapSequential(fn)))
        return signalPassFailure();
      SmallVector<scf::ParallelOp> tops;
      for (auto op : fn.getBody().front().getOps<scf::ParallelOp>())
        if (!op->hasAttr(gpu::getMappingAttrName()))
          tops.push_back(op);
      for (scf::ParallelOp op : tops)
        tileAndMap(op);
      // Fold the index arithmetic of tiling (constant steps and bounds are
      // what convert-parallel-loops-to-gpu needs), without the
      // canonicalization patterns that would inline 1-trip loops.
      (void)applyPatternsGreedily(fn, RewritePatternSet(&getContext()));
    }
  }
};

/// memref.copy between device buffers to linalg.copy, so that it becomes a
/// kernel (handles strided views) like every other linalg op.
struct CopyToLinalgPass
    : PassWrapper<CopyToLinalgPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopyToLinalgPass)
  StringRef getArgument() const final { return "mp-gpu-copies"; }
  StringRef getDescription() const final {
    return "memref.copy of device buffers to linalg.copy";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
  void runOnOperation() override {
    if (isHostHelper(getOperation()))
      return;
    HostBuffers host = findHostBuffers(getOperation());
    getOperation().walk([&](memref::CopyOp copy) {
      if (isHostBuffer(copy.getSource(), host) ||
          isHostBuffer(copy.getTarget(), host))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

//===----------------------------------------------------------------------===//
// mp-gpu-tile-contractions
//===----------------------------------------------------------------------===//

/// A contraction this pass can tile: a linalg op on buffers with two
/// inputs and one output, static loop ranges, projected-permutation
/// indexing maps, exactly one reduction loop `k` read by both inputs, a
/// parallel loop `m` read by input 0 only, a parallel loop `n` read by
/// input 1 only and at most one more parallel (batch) loop; the output
/// reads every parallel loop and not `k`. linalg.matmul, batch_matmul and
/// the transposed generic contractions of the backward pass all fit.
struct ContractionPlan {
  unsigned m = 0, n = 0, k = 0;
  int batch = -1;
  SmallVector<int64_t> trips;
};

static SmallVector<unsigned> mapDims(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

static std::optional<ContractionPlan> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 0)
    return std::nullopt;
  ContractionPlan plan;
  plan.trips = op.getStaticLoopRanges();
  if (llvm::any_of(plan.trips,
                   [](int64_t t) { return ShapedType::isDynamic(t); }))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false) ||
        map.getNumSymbols() != 0)
      return std::nullopt;
  for (OpOperand &operand : op->getOpOperands())
    if (!isa<MemRefType>(operand.get().getType()))
      return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> reductions, parallels;
  for (auto [i, it] : llvm::enumerate(iterators))
    (it == utils::IteratorType::reduction ? reductions : parallels)
        .push_back(i);
  if (reductions.size() != 1 || parallels.size() < 2 || parallels.size() > 3)
    return std::nullopt;
  plan.k = reductions.front();
  SmallVector<unsigned> a = mapDims(maps[0]), b = mapDims(maps[1]),
                        c = mapDims(maps[2]);
  if (!llvm::is_contained(a, plan.k) || !llvm::is_contained(b, plan.k) ||
      llvm::is_contained(c, plan.k) || c.size() != parallels.size())
    return std::nullopt;
  int m = -1, n = -1;
  for (unsigned d : parallels) {
    bool inA = llvm::is_contained(a, d), inB = llvm::is_contained(b, d);
    if (inA && !inB) {
      if (m >= 0)
        return std::nullopt;
      m = d;
    } else if (inB && !inA) {
      if (n >= 0)
        return std::nullopt;
      n = d;
    } else {
      if (plan.batch >= 0)
        return std::nullopt;
      plan.batch = d;
    }
  }
  if (m < 0 || n < 0)
    return std::nullopt;
  plan.m = m;
  plan.n = n;
  // The payload must be a function of the block arguments (and values
  // defined above the op) only.
  Block *body = op.getBlock();
  bool ok = true;
  body->walk([&](Operation *inner) {
    if (isa<linalg::IndexOp>(inner) || inner->getNumRegions() != 0 ||
        !isPure(inner))
      if (!isa<linalg::YieldOp>(inner))
        ok = false;
  });
  if (!ok)
    return std::nullopt;
  for (Type t : {getElementTypeOrSelf(op.getDpsInputOperand(0)->get()),
                 getElementTypeOrSelf(op.getDpsInputOperand(1)->get()),
                 getElementTypeOrSelf(op.getDpsInitOperand(0)->get())})
    if (!t.isIntOrFloat())
      return std::nullopt;
  return plan;
}

/// Tiles a contraction into one gpu.launch: each block computes a
/// kTileM x kTileN output tile with 16x16 threads (a 4x4 register tile
/// each, rows ty + 16 r and columns tx + 16 c, so that global stores and
/// shared-memory reads are coalesced / conflict free) and walks the
/// reduction in kTileK steps: both input tiles are staged in workgroup
/// memory (in the input element type: f16/bf16 stay 16-bit) between
/// gpu.barrier ops; the payload of the linalg op (e.g. extf, mulf, addf:
/// f32 accumulation) runs on registers. Edge tiles: loads clamp their
/// indices into the buffer (the padding lanes compute on duplicates and
/// are never stored), the inner reduction loop stops at K, stores are
/// guarded.
static void tileContraction(linalg::LinalgOp op, const ContractionPlan &plan) {
  constexpr int64_t kTileM = 64, kTileN = 64, kTileK = 16, kThreads = 16,
                    kRegs = kTileM / kThreads;
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  int64_t M = plan.trips[plan.m], N = plan.trips[plan.n],
          K = plan.trips[plan.k];
  int64_t B = plan.batch >= 0 ? plan.trips[plan.batch] : 1;
  Value in0 = op.getDpsInputOperand(0)->get();
  Value in1 = op.getDpsInputOperand(1)->get();
  Value out = op.getDpsInitOperand(0)->get();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto tileType = [&](Value v, int64_t cols) {
    return MemRefType::get({kTileK, cols}, getElementTypeOrSelf(v),
                           MemRefLayoutAttrInterface{}, workgroup);
  };
  Type tileA = tileType(in0, kTileM), tileB = tileType(in1, kTileN);
  Value c1 = cst(1), cT = cst(kThreads);
  auto launch = gpu::LaunchOp::create(
      b, loc, cst((N + kTileN - 1) / kTileN), cst((M + kTileM - 1) / kTileM),
      cst(B), cT, cT, c1, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, ValueRange{}, TypeRange{tileA, tileB});
  Block &entry = launch.getBody().front();
  b.setInsertionPointToStart(&entry);
  if (entry.empty() || !entry.back().hasTrait<OpTrait::IsTerminator>()) {
    gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&entry);
  }
  Value sharedA = launch.getWorkgroupAttributions()[0];
  Value sharedB = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value bx = launch.getBlockIds().x, by = launch.getBlockIds().y;
  Value bz = launch.getBlockIds().z;
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, cst(y));
  };
  auto clamp = [&](Value x, int64_t size) -> Value {
    return arith::MinUIOp::create(b, loc, x, cst(size - 1));
  };
  auto lt = [&](Value x, int64_t size) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x,
                                 cst(size));
  };
  // Indices of operand `map` for loop values m, n, k (batch = blockIdx.z).
  auto indices = [&](AffineMap map, Value m, Value n, Value k) {
    SmallVector<Value> dims(plan.trips.size());
    dims[plan.m] = m;
    dims[plan.n] = n;
    dims[plan.k] = k;
    if (plan.batch >= 0)
      dims[plan.batch] = bz;
    SmallVector<Value> idx;
    for (unsigned d : mapDims(map))
      idx.push_back(dims[d]);
    return idx;
  };
  Value m0 = mul(by, kTileM), n0 = mul(bx, kTileN);
  SmallVector<Value> rows, cols;
  for (int64_t r = 0; r < kRegs; ++r) {
    rows.push_back(add(add(m0, ty), cst(r * kThreads)));
    cols.push_back(add(add(n0, tx), cst(r * kThreads)));
  }
  // Accumulators start from the output (linalg semantics).
  SmallVector<Value> init;
  for (int64_t r = 0; r < kRegs; ++r)
    for (int64_t c = 0; c < kRegs; ++c)
      init.push_back(memref::LoadOp::create(
          b, loc, out,
          indices(maps[2], clamp(rows[r], M), clamp(cols[c], N), Value())));
  Value tid = add(mul(ty, kThreads), tx);
  auto kLoop = scf::ForOp::create(b, loc, cst(0), cst(K), cst(kTileK), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // Stage one input tile: element e = tid + 256 i of the kTileK x size
    // tile; consecutive threads walk the operand's contiguous dimension.
    auto stage = [&](Value input, AffineMap map, unsigned dim, int64_t size,
                     int64_t extent, Value base, Value shared) {
      bool kInner = mapDims(map).back() == plan.k;
      for (int64_t i = 0; i < kTileK * size / (kThreads * kThreads); ++i) {
        Value e = add(tid, cst(i * kThreads * kThreads));
        Value kk, xx;
        if (kInner) {
          kk = arith::RemUIOp::create(b, loc, e, cst(kTileK));
          xx = arith::DivUIOp::create(b, loc, e, cst(kTileK));
        } else {
          xx = arith::RemUIOp::create(b, loc, e, cst(size));
          kk = arith::DivUIOp::create(b, loc, e, cst(size));
        }
        Value gx = clamp(add(base, xx), extent);
        Value gk = clamp(add(k0, kk), K);
        Value m = dim == plan.m ? gx : Value();
        Value n = dim == plan.n ? gx : Value();
        Value v = memref::LoadOp::create(b, loc, input, indices(map, m, n, gk));
        memref::StoreOp::create(b, loc, v, shared, ValueRange{kk, xx});
      }
    };
    stage(in0, maps[0], plan.m, kTileM, M, m0, sharedA);
    stage(in1, maps[1], plan.n, kTileN, N, n0, sharedB);
    gpu::BarrierOp::create(b, loc);
    Value kEnd = arith::MinSIOp::create(
        b, loc, cst(kTileK), arith::SubIOp::create(b, loc, cst(K), k0));
    auto inner =
        scf::ForOp::create(b, loc, cst(0), kEnd, c1, kLoop.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard guard2(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      SmallVector<Value> as, bs;
      for (int64_t r = 0; r < kRegs; ++r) {
        as.push_back(memref::LoadOp::create(
            b, loc, sharedA, ValueRange{kk, add(ty, cst(r * kThreads))}));
        bs.push_back(memref::LoadOp::create(
            b, loc, sharedB, ValueRange{kk, add(tx, cst(r * kThreads))}));
      }
      Block *body = op.getBlock();
      SmallVector<Value> next;
      for (int64_t r = 0; r < kRegs; ++r)
        for (int64_t c = 0; c < kRegs; ++c) {
          IRMapping mapping;
          mapping.map(body->getArgument(0), as[r]);
          mapping.map(body->getArgument(1), bs[c]);
          mapping.map(body->getArgument(2),
                      inner.getRegionIterArgs()[r * kRegs + c]);
          for (Operation &o : body->without_terminator()) {
            Operation *copy = b.clone(o, mapping);
            // Let ptxas fuse the multiply-add into fma.rn.f32.
            if (auto fm = dyn_cast<arith::ArithFastMathInterface>(copy)) {
              arith::FastMathFlags flags = arith::FastMathFlags::contract;
              if (arith::FastMathFlagsAttr old = fm.getFastMathFlagsAttr())
                flags = flags | old.getValue();
              copy->setAttr(fm.getFastMathAttrName(),
                            arith::FastMathFlagsAttr::get(ctx, flags));
            }
          }
          next.push_back(
              mapping.lookupOrDefault(body->getTerminator()->getOperand(0)));
        }
      scf::YieldOp::create(b, loc, next);
    }
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, inner.getResults());
  }
  for (int64_t r = 0; r < kRegs; ++r)
    for (int64_t c = 0; c < kRegs; ++c) {
      Value inBounds =
          arith::AndIOp::create(b, loc, lt(rows[r], M), lt(cols[c], N));
      auto guard = scf::IfOp::create(b, loc, inBounds, /*withElse=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guard.thenBlock());
      memref::StoreOp::create(b, loc, kLoop.getResult(r * kRegs + c), out,
                              indices(maps[2], rows[r], cols[c], Value()));
    }
  op->erase();
}

struct TileContractionsPass
    : PassWrapper<TileContractionsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileContractionsPass)
  StringRef getArgument() const final { return "mp-gpu-tile-contractions"; }
  StringRef getDescription() const final {
    return "Contractions on buffers to shared-memory tiled GPU kernels";
  }
  TileContractionsPass() = default;
  TileContractionsPass(const TileContractionsPass &other)
      : PassWrapper(other) {}
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect, scf::SCFDialect, arith::ArithDialect,
                    memref::MemRefDialect>();
  }
  Option<int64_t> minSize{
      *this, "min-size",
      llvm::cl::desc("Tile contractions of at least this many multiply-adds "
                     "(the product of the loop ranges); smaller ones keep "
                     "one thread per output element"),
      llvm::cl::init(0)};
  void runOnOperation() override {
    if (isHostHelper(getOperation()))
      return;
    SmallVector<std::pair<linalg::LinalgOp, ContractionPlan>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      std::optional<ContractionPlan> plan = matchContraction(op);
      if (!plan)
        return;
      int64_t size = 1;
      for (int64_t t : plan->trips)
        size *= t;
      if (size >= minSize)
        work.emplace_back(op, *plan);
    });
    for (auto &[op, plan] : work)
      tileContraction(op, plan);
  }
};

//===----------------------------------------------------------------------===//
// mp-gpu-memory
//===----------------------------------------------------------------------===//

struct GPUMemoryPass : PassWrapper<GPUMemoryPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(GPUMemoryPass)
  StringRef getArgument() const final { return "mp-gpu-memory"; }
  StringRef getDescription() const final {
    return "Host memref.alloc/dealloc to gpu.alloc/dealloc; constants "
           "(memref.get_global) sunk into the kernels that read them";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect>();
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (func::FuncOp fn : hostFunctions(module)) {
      if (isHostHelper(fn))
        continue;
      HostBuffers host = findHostBuffers(fn);
      SmallVector<Operation *> ops;
      fn.walk([&](Operation *op) {
        if (isa<memref::AllocOp, memref::DeallocOp, memref::GetGlobalOp>(op))
          ops.push_back(op);
      });
      for (Operation *op : ops) {
        OpBuilder b(op);
        if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
          if (host.contains(alloc.getResult()) ||
              alloc.getType().getElementType().isIndex())
            continue;
          auto g = gpu::AllocOp::create(
              b, alloc.getLoc(), alloc.getType(), Type(), ValueRange{},
              alloc.getDynamicSizes(), alloc.getSymbolOperands(), false);
          alloc.replaceAllUsesWith(g.getMemref());
          alloc.erase();
        } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
          if (isHostBuffer(dealloc.getMemref(), host))
            continue;
          gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange{},
                                 dealloc.getMemref());
          dealloc.erase();
        } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
          // Sink into each launch that uses it; the global itself is
          // copied into the gpu.module by mp-gpu-copy-globals after
          // outlining.
          for (OpOperand &use : llvm::make_early_inc_range(global->getUses())) {
            auto launch = use.getOwner()->getParentOfType<gpu::LaunchOp>();
            if (!launch)
              continue;
            OpBuilder lb(&launch.getBody().front(),
                         launch.getBody().front().begin());
            Operation *clone = lb.clone(*global);
            use.set(clone->getResult(0));
          }
          if (global->use_empty()) {
            global.erase();
          } else {
            global.emitError("mp-to-nvptx: a constant buffer is used by "
                             "host code, which cannot read device memory");
            return signalPassFailure();
          }
        }
      }
      // Anything still reading or writing device memory on the host?
      WalkResult r = fn.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (isa<gpu::LaunchOp>(op))
          return WalkResult::skip();
        if (isa<memref::LoadOp, memref::StoreOp>(op) &&
            touchesDeviceMemory(op, host)) {
          op->emitError("mp-to-nvptx: host code accesses device memory "
                        "(an op was not mapped to a GPU kernel)");
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (r.wasInterrupted())
        return signalPassFailure();
    }
  }
};

/// Moves all outlined kernels into one gpu.module (`mp_kernels`), so that
/// the artifact embeds one binary, loaded once, and bin/fatbin runs ptxas
/// once.
struct MergeKernelModulesPass
    : PassWrapper<MergeKernelModulesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MergeKernelModulesPass)
  StringRef getArgument() const final { return "mp-gpu-merge-modules"; }
  StringRef getDescription() const final {
    return "Merge the outlined gpu.module ops into one";
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto modules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() <= 1)
      return;
    OpBuilder b(modules.front());
    auto merged =
        gpu::GPUModuleOp::create(b, modules.front().getLoc(), "mp_kernels");
    SymbolTable mergedSymbols(merged);
    MLIRContext *ctx = &getContext();
    llvm::StringMap<StringAttr> renamed; // "module::kernel" -> new name
    for (gpu::GPUModuleOp gm : modules) {
      for (Operation &op :
           llvm::make_early_inc_range(gm.getBodyRegion().front())) {
        auto sym = dyn_cast<SymbolOpInterface>(op);
        StringRef oldName = sym ? sym.getName() : "";
        if (sym && isa<memref::GlobalOp>(op) && mergedSymbols.lookup(oldName)) {
          op.erase(); // the same host constant, copied earlier
          continue;
        }
        Block &into = merged.getBodyRegion().front();
        op.moveBefore(&into, into.end());
        if (sym) {
          StringAttr newName = mergedSymbols.insert(&op);
          renamed[(gm.getName() + "::" + oldName).str()] = newName;
        }
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find((launch.getKernelModuleName().getValue() +
                              "::" + launch.getKernelName().getValue())
                                 .str());
      if (it == renamed.end())
        return;
      launch.setKernelAttr(
          SymbolRefAttr::get(StringAttr::get(ctx, "mp_kernels"),
                             {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp gm : modules)
      gm.erase();
  }
};

/// Copies the memref.global ops that kernels reference into their
/// gpu.module (after gpu-kernel-outlining).
struct CopyGlobalsPass : PassWrapper<CopyGlobalsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopyGlobalsPass)
  StringRef getArgument() const final { return "mp-gpu-copy-globals"; }
  StringRef getDescription() const final {
    return "Copy memref.global ops used by kernels into their gpu.module";
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto gm : module.getOps<gpu::GPUModuleOp>()) {
      SymbolTable inner(gm);
      gm.walk([&](memref::GetGlobalOp get) {
        if (inner.lookup(get.getName()))
          return;
        auto global = symbols.lookup<memref::GlobalOp>(get.getName());
        if (!global)
          return;
        OpBuilder b(&gm.getBodyRegion().front(),
                    gm.getBodyRegion().front().begin());
        auto copy = cast<memref::GlobalOp>(b.clone(*global));
        copy.setPrivate();
        inner.insert(copy);
      });
    }
    // Globals no longer used by host code.
    for (auto global :
         llvm::make_early_inc_range(module.getOps<memref::GlobalOp>()))
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }
};

/// Polynomial approximations of math functions inside gpu.module, so that
/// kernels need no libdevice (format=isa works without a CUDA toolkit).
struct ApproximateMathPass
    : PassWrapper<ApproximateMathPass, OperationPass<gpu::GPUModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ApproximateMathPass)
  StringRef getArgument() const final { return "mp-gpu-approximate-math"; }
  StringRef getDescription() const final {
    return "Polynomial approximations of math functions in GPU modules";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<math::MathDialect, arith::ArithDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Pipeline
//===----------------------------------------------------------------------===//

/// Default PTX ISA feature for a chip: +ptx80 (CUDA 12.0+) up to sm_90a;
/// newer chips get the minimum version NVVM picks for them.
static std::string defaultFeatures(StringRef chip) {
  unsigned sm = 0;
  StringRef digits = chip;
  if (digits.consume_front("sm_"))
    digits.take_while([](char c) { return isdigit(c); }).getAsInteger(10, sm);
  return sm != 0 && sm <= 90 ? "+ptx80" : "";
}

LogicalResult mixprec::buildToNVPTXPipeline(OpPassManager &pm,
                                            const ToNVPTXOptions &options,
                                            llvm::raw_ostream &errors) {
  auto parse = [&](StringRef text) {
    return parsePassPipeline(text, pm, errors);
  };
  addHostPreparation(pm, options.emitCInterface);
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(std::make_unique<PredicateGuardsPass>());
  pm.addNestedPass<func::FuncOp>(std::make_unique<TensorizeScalarsPass>());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (failed(parse("func.func(convert-elementwise-to-linalg,"
                   "linalg-fuse-elementwise-ops),canonicalize,cse")))
    return failure();
  auto split = std::make_unique<SplitReductionsPass>();
  split->minElements = options.splitReductions;
  if (options.splitReductions > 0)
    pm.addNestedPass<func::FuncOp>(std::move(split));
  pm.addNestedPass<func::FuncOp>(std::make_unique<ParallelOuterPass>());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  if (options.reuseBuffers)
    pm.addNestedPass<func::FuncOp>(mixprec::createMPReuseDeadBuffers());
  // Device temporaries freed after their last use: the runtime's caching
  // allocator reuses a block only on the stream that freed it, in order.
  mixprec::addBufferDeallocation(pm, /*simplify=*/true, options.earlyDealloc);
  if (failed(parse("convert-bufferization-to-memref,canonicalize")))
    return failure();
  pm.addNestedPass<func::FuncOp>(std::make_unique<CopyToLinalgPass>());
  if (options.tileContractions) {
    auto tile = std::make_unique<TileContractionsPass>();
    tile->minSize = options.tileMinSize;
    pm.addNestedPass<func::FuncOp>(std::move(tile));
  }
  if (failed(parse("func.func(convert-linalg-to-parallel-loops)")))
    return failure();
  auto map = std::make_unique<MapLoopsPass>();
  map->blockSize = options.blockSize;
  pm.addPass(std::move(map));
  if (failed(parse("func.func(convert-parallel-loops-to-gpu)")))
    return failure();
  pm.addPass(std::make_unique<GPUMemoryPass>());
  if (failed(parse("gpu-kernel-outlining")))
    return failure();
  pm.addPass(std::make_unique<MergeKernelModulesPass>());
  pm.addPass(std::make_unique<CopyGlobalsPass>());
  if (failed(parse("func.func(gpu-async-region),lower-affine,"
                   "convert-scf-to-cf,canonicalize,cse")))
    return failure();
  pm.addNestedPass<gpu::GPUModuleOp>(std::make_unique<ApproximateMathPass>());

  std::string features = options.features;
  if (features == "default")
    features = defaultFeatures(options.chip);
  std::string attach = "nvvm-attach-target{chip=" + options.chip +
                       " O=" + std::to_string(options.optLevel);
  if (!features.empty())
    attach += " features=" + features;
  attach += "}";
  if (failed(parse(attach)))
    return failure();
  if (failed(parse("gpu.module(convert-gpu-to-nvvm,canonicalize,cse,"
                   "reconcile-unrealized-casts)")))
    return failure();
  std::string toBinary = "gpu-module-to-binary{format=" + options.format;
  if (!options.toolkit.empty())
    toBinary += " toolkit=" + options.toolkit;
  toBinary += "}";
  if (failed(parse(toBinary)))
    return failure();
  if (failed(parse("expand-strided-metadata,lower-affine,gpu-to-llvm,"
                   "convert-to-llvm,reconcile-unrealized-casts,canonicalize")))
    return failure();
  return success();
}

void mixprec::registerToNVPTXPasses() {
  PassRegistration<PredicateGuardsPass>();
  PassRegistration<TensorizeScalarsPass>();
  PassRegistration<SplitReductionsPass>();
  PassRegistration<ParallelOuterPass>();
  PassRegistration<MapLoopsPass>();
  PassRegistration<CopyToLinalgPass>();
  PassRegistration<TileContractionsPass>();
  PassRegistration<GPUMemoryPass>();
  PassRegistration<CopyGlobalsPass>();
  PassRegistration<MergeKernelModulesPass>();
  PassRegistration<ApproximateMathPass>();
}
