//===- GPUUtils.cpp - host and device buffers of mp-to-nvptx --------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "GPUUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

static Value stripCasts(Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  return v;
}

SmallVector<func::FuncOp> mp::hostFunctions(ModuleOp module) {
  return llvm::to_vector(module.getOps<func::FuncOp>());
}

mp::HostBuffers mp::findHostBuffers(func::FuncOp fn) {
  HostBuffers host;
  fn.walk([&](Operation *op) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      // A call of another host function with a body (a layer function,
      // mp-differentiate's @*_fwd / @*_bwd) passes device buffers.
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (callee && !callee.isExternal() && !isHostHelper(callee))
        return;
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

bool mp::isHostBuffer(Value v, const HostBuffers &host) {
  // A view (subview, reshape, transpose, cast, ...) of a host buffer is host
  // memory too: follow the chain of views to the buffer.
  while (true) {
    if (host.contains(v) ||
        cast<MemRefType>(v.getType()).getElementType().isIndex())
      return true;
    Operation *def = v.getDefiningOp();
    if (auto castOp = dyn_cast_or_null<memref::CastOp>(def)) {
      v = castOp.getSource();
      continue;
    }
    auto view = dyn_cast_or_null<ViewLikeOpInterface>(def);
    if (!view || !isa<MemRefType>(view.getViewSource().getType()))
      return false;
    v = view.getViewSource();
  }
}

bool mp::isHostHelper(func::FuncOp fn) {
  return fn.getSymName().starts_with("dealloc_helper");
}

bool mp::touchesDeviceMemory(Operation *op, const HostBuffers &host) {
  bool found = false;
  op->walk([&](Operation *o) {
    if (auto load = dyn_cast<memref::LoadOp>(o))
      found |= !isHostBuffer(load.getMemRef(), host);
    else if (auto store = dyn_cast<memref::StoreOp>(o))
      found |= !isHostBuffer(store.getMemRef(), host);
  });
  return found;
}

SmallVector<unsigned> mp::mapDims(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

SmallVector<Value> mp::ContractionPlan::indices(AffineMap map, Value mv,
                                                Value nv, Value kv,
                                                Value batchv) const {
  SmallVector<Value> dims(trips.size());
  dims[m] = mv;
  dims[n] = nv;
  dims[k] = kv;
  if (batch >= 0)
    dims[batch] = batchv;
  SmallVector<Value> idx;
  for (unsigned d : mapDims(map))
    idx.push_back(dims[d]);
  return idx;
}

std::optional<mp::ContractionPlan> mp::matchContraction(linalg::LinalgOp op) {
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

std::optional<mp::OutputCast>
mp::matchOutputCast(linalg::LinalgOp contraction) {
  Value out = contraction.getDpsInitOperand(0)->get();
  auto acc = out.getDefiningOp<memref::AllocOp>();
  Block *block = contraction->getBlock();
  if (!acc || acc->getBlock() != block ||
      !acc.getType().getElementType().isF32() ||
      !acc.getType().getLayout().isIdentity())
    return std::nullopt;
  OutputCast oc;
  oc.acc = acc;
  for (Operation *user : acc->getUsers()) {
    if (user == contraction.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    if (user->getBlock() != block)
      return std::nullopt;
    if (auto fill = dyn_cast<linalg::FillOp>(user);
        fill && !oc.fill && fill.hasPureBufferSemantics() &&
        fill.getDpsInits()[0] == out && fill.getInputs()[0].getType().isF32() &&
        fill->isBeforeInBlock(contraction)) {
      oc.fill = fill;
      continue;
    }
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || oc.consumer || !generic.hasPureBufferSemantics() ||
        !contraction->isBeforeInBlock(generic) ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return std::nullopt;
    oc.consumer = generic;
  }
  if (!oc.fill || !oc.consumer)
    return std::nullopt;
  OpOperand *input = nullptr;
  for (OpOperand &operand : oc.consumer->getOpOperands()) {
    if (operand.get() != out)
      continue;
    if (input || oc.consumer.isDpsInit(&operand))
      return std::nullopt;
    input = &operand;
  }
  if (!input || !oc.consumer.getMatchingIndexingMap(input).isIdentity())
    return std::nullopt;
  BlockArgument arg = oc.consumer.getMatchingBlockArgument(input);
  if (arg.use_empty())
    return std::nullopt;
  for (Operation *user : arg.getUsers()) {
    auto trunc = dyn_cast<arith::TruncFOp>(user);
    Type to = trunc ? trunc.getType() : Type();
    if (!to || !(to.isF16() || to.isBF16()) || (oc.half && to != oc.half))
      return std::nullopt;
    oc.half = to;
  }
  return oc;
}

Value mp::beginOutputCast(OpBuilder &b, const OutputCast &oc) {
  memref::AllocOp acc = oc.acc;
  auto half = memref::AllocOp::create(
      b, acc.getLoc(), acc.getType().clone(oc.half), acc.getDynamicSizes(),
      acc.getSymbolOperands(), acc.getAlignmentAttr());
  linalg::GenericOp consumer = oc.consumer;
  for (OpOperand &operand : consumer->getOpOperands()) {
    if (operand.get() != acc.getResult())
      continue;
    BlockArgument arg = consumer.getMatchingBlockArgument(&operand);
    operand.set(half);
    arg.setType(oc.half);
    for (Operation *trunc : llvm::make_early_inc_range(arg.getUsers())) {
      trunc->getResult(0).replaceAllUsesWith(arg);
      trunc->erase();
    }
  }
  return half;
}

void mp::finishOutputCast(const OutputCast &oc, Value half) {
  oc.fill->erase();
  for (Operation *user : llvm::make_early_inc_range(oc.acc->getUsers())) {
    auto dealloc = cast<memref::DeallocOp>(user);
    OpBuilder b(dealloc);
    memref::DeallocOp::create(b, dealloc.getLoc(), half);
    dealloc->erase();
  }
  oc.acc->erase();
}

void mlir::mp::beginLaunchBody(OpBuilder &b, gpu::LaunchOp launch) {
  Block &entry = launch.getBody().front();
  b.setInsertionPointToStart(&entry);
  if (entry.empty() || !entry.back().hasTrait<OpTrait::IsTerminator>()) {
    gpu::TerminatorOp::create(b, launch.getLoc());
    b.setInsertionPointToStart(&entry);
  }
}
