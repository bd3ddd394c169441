//===- GPUTileContractions.cpp - mp-gpu-tile-contractions -----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"
#include "mixprec/Codegen/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPGPUTILECONTRACTIONS
#include "mixprec/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using mp::ContractionPlan;
using mp::mapDims;
using mp::matchContraction;

namespace {

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
  // An f32 result only rounded by its consumer: the kernel starts from the
  // fill's value and stores the rounded accumulators (no f32 buffer).
  std::optional<mp::OutputCast> rounding = mp::matchOutputCast(op);
  Value dst = rounding ? mp::beginOutputCast(b, *rounding) : out;
  auto launch = gpu::LaunchOp::create(
      b, loc, cst((N + kTileN - 1) / kTileN), cst((M + kTileM - 1) / kTileM),
      cst(B), cT, cT, c1, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, ValueRange{}, TypeRange{tileA, tileB});
  mp::beginLaunchBody(b, launch);
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
    return plan.indices(map, m, n, k, bz);
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
      init.push_back(
          rounding ? rounding->fill.getInputs()[0]
                   : memref::LoadOp::create(b, loc, out,
                                            indices(maps[2], clamp(rows[r], M),
                                                    clamp(cols[c], N), Value()))
                         .getResult());
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
      Value v = kLoop.getResult(r * kRegs + c);
      if (rounding)
        v = arith::TruncFOp::create(b, loc, rounding->half, v);
      memref::StoreOp::create(b, loc, v, dst,
                              indices(maps[2], rows[r], cols[c], Value()));
    }
  op->erase();
  if (rounding)
    mp::finishOutputCast(*rounding, dst);
}

struct TileContractionsPass
    : mp::impl::MPGPUTileContractionsBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (mp::isHostHelper(getOperation()))
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

} // namespace
