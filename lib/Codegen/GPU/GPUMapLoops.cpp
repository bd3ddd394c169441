//===- GPUMapLoops.cpp - mp-gpu-map-loops ---------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUMAPLOOPS
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

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

struct MapLoopsPass : mp::impl::MPGPUMapLoopsBase<MapLoopsPass> {
  using Base::Base;

  LogicalResult wrapSequential(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    mp::HostBuffers host = mp::findHostBuffers(fn);
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
        if (mp::touchesDeviceMemory(&op, host))
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
    for (func::FuncOp fn : mp::hostFunctions(getOperation())) {
      if (fn.isExternal() || mp::isHostHelper(fn))
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

} // namespace
