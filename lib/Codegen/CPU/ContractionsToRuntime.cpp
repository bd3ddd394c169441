//===- ContractionsToRuntime.cpp - contractions as CPU runtime calls ------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Matchers.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPCONTRACTIONSTORUNTIME
#include "mixprec/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;

namespace {

/// The runtime's name of a storage type (see runtime/cpu).
std::optional<StringRef> storageName(Type t) {
  if (t.isF32())
    return StringRef("f32");
  if (t.isBF16())
    return StringRef("bf16");
  if (t.isF16())
    return StringRef("f16");
  return std::nullopt;
}

/// The kind of the contraction operand read through block argument `arg`
/// (storage type `storage`) when the body's multiply sees `v`: the storage
/// type itself, f32 widened from bf16/f16 storage, or f32 storage rounded
/// to bf16/f16 and widened back (`f32tobf16`, `f32tof16`).
std::optional<std::string> operandKind(Value v, BlockArgument arg) {
  if (!v.getType().isF32())
    return std::nullopt;
  Type storage = arg.getType();
  if (v == arg)
    return storage.isF32() ? std::optional<std::string>("f32") : std::nullopt;
  auto ext = v.getDefiningOp<arith::ExtFOp>();
  if (!ext)
    return std::nullopt;
  Value in = ext.getIn();
  if (in == arg)
    if (auto name = storageName(storage))
      return name->str();
  auto trunc = in.getDefiningOp<arith::TruncFOp>();
  if (!trunc || trunc.getIn() != arg || !storage.isF32() ||
      trunc.getRoundingmodeAttr())
    return std::nullopt;
  if (in.getType().isBF16())
    return std::string("f32tobf16");
  if (in.getType().isF16())
    return std::string("f32tof16");
  return std::nullopt;
}

/// Operand kinds of a contraction linalg.generic whose body is
/// `yield(addf(acc, mulf(conv(a), conv(b))))` in f32 with an f32 output.
std::optional<std::pair<std::string, std::string>>
genericKinds(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getNumArguments() != 3 || !body.getArgument(2).getType().isF32())
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return std::nullopt;
  Value product = add.getRhs();
  if (add.getLhs() != body.getArgument(2)) {
    if (add.getRhs() != body.getArgument(2))
      return std::nullopt;
    product = add.getLhs();
  }
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  auto a = operandKind(mul.getLhs(), body.getArgument(0));
  auto b = operandKind(mul.getRhs(), body.getArgument(1));
  if (!a || !b)
    return std::nullopt;
  // Nothing else in the body: every op feeds the product.
  for (Operation &o : body.without_terminator())
    if (!isa<arith::ExtFOp, arith::TruncFOp, arith::MulFOp, arith::AddFOp>(o))
      return std::nullopt;
  return std::make_pair(*a, *b);
}

/// `value` viewed with its dimensions in the order `want` (loop dims),
/// cast to a fully dynamic strided memref; null if the map is not a
/// permutation of `want`.
Value view(OpBuilder &b, Location loc, Value value, AffineMap map,
           ArrayRef<unsigned> want) {
  if (map.getNumResults() != want.size())
    return {};
  SmallVector<unsigned> perm;
  for (unsigned d : want) {
    std::optional<unsigned> pos;
    for (auto [i, e] : llvm::enumerate(map.getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(e); dim && dim.getPosition() == d)
        pos = i;
    if (!pos)
      return {};
    perm.push_back(*pos);
  }
  auto type = cast<MemRefType>(value.getType());
  bool identity = llvm::equal(perm, llvm::seq<unsigned>(0, perm.size()));
  if (!identity)
    value = memref::TransposeOp::create(
        b, loc, value,
        AffineMapAttr::get(AffineMap::getPermutationMap(perm, b.getContext())));
  SmallVector<int64_t> dyn(want.size(), ShapedType::kDynamic);
  auto target = MemRefType::get(
      dyn, type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, dyn));
  return memref::CastOp::create(b, loc, target, value);
}

/// Erases the view ops built for an operand when the op is kept after all.
void eraseViews(ArrayRef<Value> views) {
  for (Value v : views)
    if (v)
      for (Operation *o = v.getDefiningOp(); o && o->use_empty();) {
        Operation *next =
            o->getNumOperands() ? o->getOperand(0).getDefiningOp() : nullptr;
        if (!isa<memref::CastOp, memref::TransposeOp>(o))
          break;
        o->erase();
        o = next;
      }
}

/// The half type every reader of the f32 buffer `c` that `op` accumulates
/// into rounds it to, when `c` can be narrowed: `c` is a local allocation
/// that nothing but these ops touch:
///   - one `linalg.fill` of a constant (exact in the half type) before `op`
///     in its block,
///   - `op` itself, as its init,
///   - readers after `op`: `linalg.generic` ops that take `c` as an input
///     only and whose bodies use its element only through `arith.truncf` to
///     the half type (what mp-autocast's compute-output=compute leaves
///     after bufferization: the f32 accumulation rounded by its first user),
///   - `memref.dealloc`.
/// Null otherwise.
Type narrowableOutput(linalg::LinalgOp op, Value c) {
  Operation *alloc = c.getDefiningOp();
  auto type = dyn_cast<MemRefType>(c.getType());
  if (!alloc || !isa<memref::AllocOp, memref::AllocaOp>(alloc) || !type ||
      !type.getElementType().isF32() || !type.getLayout().isIdentity())
    return {};
  Block *block = op->getBlock();
  auto after = [&](Operation *user) {
    Operation *ancestor = block->findAncestorOpInBlock(*user);
    return ancestor && ancestor != op && op->isBeforeInBlock(ancestor);
  };
  Type half;
  int fills = 0, readers = 0;
  for (OpOperand &use : c.getUses()) {
    Operation *user = use.getOwner();
    if (user == op) {
      if (!op.isDpsInit(&use))
        return {};
      continue;
    }
    if (isa<memref::DeallocOp>(user)) {
      if (!after(user))
        return {};
      continue;
    }
    if (auto fill = dyn_cast<linalg::FillOp>(user)) {
      FloatAttr value;
      if (user->getBlock() != block || !user->isBeforeInBlock(op) ||
          !fill.isDpsInit(&use) ||
          !matchPattern(fill.getInputs()[0], m_Constant(&value)))
        return {};
      ++fills;
      continue;
    }
    auto reader = dyn_cast<linalg::GenericOp>(user);
    if (!reader || !reader.isDpsInput(&use) || !after(user))
      return {};
    BlockArgument arg = reader.getMatchingBlockArgument(&use);
    for (Operation *argUser : arg.getUsers()) {
      auto trunc = dyn_cast<arith::TruncFOp>(argUser);
      if (!trunc || trunc.getRoundingmodeAttr() ||
          !(trunc.getType().isBF16() || trunc.getType().isF16()) ||
          (half && trunc.getType() != half))
        return {};
      half = trunc.getType();
    }
    ++readers;
  }
  if (fills != 1 || readers == 0 || !half)
    return {};
  // The fill's value must be exact in the half type.
  for (Operation *user : c.getUsers())
    if (auto fill = dyn_cast<linalg::FillOp>(user)) {
      FloatAttr value;
      (void)matchPattern(fill.getInputs()[0], m_Constant(&value));
      bool losesInfo = false;
      APFloat v = value.getValue();
      v.convert(cast<FloatType>(half).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &losesInfo);
      if (losesInfo)
        return {};
    }
  return half;
}

/// Replaces the f32 buffer `c` (see narrowableOutput) by a new buffer of
/// element type `half`: the fill writes the half constant, the readers take
/// the half element in place of their `arith.truncf`, the deallocs free
/// the new buffer; the old one is erased. Returns the new buffer.
Value narrowOutput(Value c, Type half) {
  Operation *alloc = c.getDefiningOp();
  OpBuilder b(alloc);
  auto type = cast<MemRefType>(c.getType());
  OperationState state(alloc->getLoc(), alloc->getName());
  state.addOperands(alloc->getOperands());
  state.addTypes(MemRefType::get(type.getShape(), half,
                                 MemRefLayoutAttrInterface(),
                                 type.getMemorySpace()));
  state.addAttributes(alloc->getAttrs());
  Value h = b.create(state)->getResult(0);
  for (OpOperand &use : llvm::make_early_inc_range(c.getUses())) {
    Operation *user = use.getOwner();
    if (auto fill = dyn_cast<linalg::FillOp>(user)) {
      FloatAttr value;
      (void)matchPattern(fill.getInputs()[0], m_Constant(&value));
      b.setInsertionPoint(fill);
      bool losesInfo = false;
      APFloat v = value.getValue();
      v.convert(cast<FloatType>(half).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &losesInfo);
      Value scalar = arith::ConstantOp::create(b, fill.getLoc(), half,
                                               b.getFloatAttr(half, v));
      linalg::FillOp::create(b, fill.getLoc(), ValueRange{scalar},
                             ValueRange{h});
      fill->erase();
      continue;
    }
    if (auto reader = dyn_cast<linalg::GenericOp>(user)) {
      BlockArgument arg = reader.getMatchingBlockArgument(&use);
      use.set(h);
      arg.setType(half);
      for (Operation *trunc : llvm::make_early_inc_range(arg.getUsers())) {
        trunc->getResult(0).replaceAllUsesWith(arg);
        trunc->erase();
      }
      continue;
    }
    if (isa<memref::DeallocOp>(user))
      use.set(h);
    // The contraction itself is replaced by the caller.
  }
  return h;
}

struct ContractionsToRuntimePass
    : mp::impl::MPContractionsToRuntimeBase<ContractionsToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::GenericOp>(op) &&
          op.hasPureBufferSemantics() && op.getNumDpsInputs() == 2 &&
          op.getNumDpsInits() == 1)
        candidates.push_back(op);
    });
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : candidates) {
      FailureOr<linalg::ContractionDimensions> dims =
          linalg::inferContractionDims(op);
      if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
          dims->k.size() != 1 || dims->batch.size() > 1 ||
          op.getNumLoops() != 3 + dims->batch.size())
        continue;
      Value a = op.getDpsInputs()[0], bb = op.getDpsInputs()[1],
            c = op.getDpsInits()[0];
      std::optional<std::string> ta, tb;
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        auto kinds = genericKinds(generic);
        if (!kinds)
          continue;
        ta = kinds->first, tb = kinds->second;
      } else {
        if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation()))
          if (mm.getCast() != linalg::TypeFn::cast_signed)
            continue;
        if (auto bm = dyn_cast<linalg::BatchMatmulOp>(op.getOperation()))
          if (bm.getCast() != linalg::TypeFn::cast_signed)
            continue;
        auto name = [](Value v) -> std::optional<std::string> {
          if (auto s = storageName(getElementTypeOrSelf(v.getType())))
            return s->str();
          return std::nullopt;
        };
        ta = name(a), tb = name(bb);
      }
      auto tc = storageName(getElementTypeOrSelf(c.getType()));
      if (!ta || !tb || !tc)
        continue;
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      SmallVector<unsigned> lead(dims->batch.begin(), dims->batch.end());
      auto order = [&](unsigned x, unsigned y) {
        SmallVector<unsigned> o(lead);
        o.append({x, y});
        return o;
      };
      unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      // The epilogue: a C that every reader rounds to bf16 / f16 is
      // written rounded by the runtime (C of kind bf16 / f16: f32
      // accumulation, one rounding), into a half buffer.
      Type half = narrowableOutput(op, c);
      Value va = view(b, loc, a, maps[0], order(m, k));
      Value vb = view(b, loc, bb, maps[1], order(k, n));
      Value vc = half ? Value() : view(b, loc, c, maps[2], order(m, n));
      if (!va || !vb || (!half && !vc)) {
        eraseViews({va, vb, vc});
        continue;
      }
      if (half) {
        c = narrowOutput(c, half);
        b.setInsertionPoint(op);
        vc = view(b, loc, c, maps[2], order(m, n));
        tc = storageName(half);
      }
      std::string name =
          (Twine(lead.empty() ? "mp_rt_matmul_" : "mp_rt_batch_matmul_") + *ta +
           "_" + *tb + "_" + *tc)
              .str();
      auto fnType =
          b.getFunctionType({va.getType(), vb.getType(), vc.getType()}, {});
      auto callee = module.lookupSymbol<func::FuncOp>(name);
      if (!callee) {
        OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
        callee = func::FuncOp::create(mb, module.getLoc(), name, fnType);
        callee.setPrivate();
        callee->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                        mb.getUnitAttr());
      }
      func::CallOp::create(b, loc, callee, ValueRange{va, vb, vc});
      Value oldC = op.getDpsInits()[0];
      op->erase();
      if (oldC != c && oldC.use_empty())
        oldC.getDefiningOp()->erase();
    }
  }
};

} // namespace
