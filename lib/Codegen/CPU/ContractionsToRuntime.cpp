//===- ContractionsToRuntime.cpp - contractions as CPU runtime calls ------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "../Common/BufferAliases.h"
#include "mixprec/Codegen/CPU/Passes.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

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

/// The constant value of `fill` converted to the float type `half`
/// (losesInfo: whether that rounded it).
APFloat fillValueIn(linalg::FillOp fill, Type half, bool &losesInfo) {
  FloatAttr value;
  (void)matchPattern(fill.getInputs()[0], m_Constant(&value));
  APFloat v = value.getValue();
  v.convert(cast<FloatType>(half).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &losesInfo);
  return v;
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
      bool losesInfo = false;
      (void)fillValueIn(fill, half, losesInfo);
      if (losesInfo)
        return {};
    }
  return half;
}

/// A fill of `target` with the value of the constant f32 `fill`, converted
/// to `half` (exact: narrowableOutput checked it), at `b`'s insertion point.
void fillHalf(OpBuilder &b, linalg::FillOp fill, Type half, Value target) {
  bool losesInfo = false;
  APFloat v = fillValueIn(fill, half, losesInfo);
  Value scalar = arith::ConstantOp::create(b, fill.getLoc(), half,
                                           b.getFloatAttr(half, v));
  linalg::FillOp::create(b, fill.getLoc(), ValueRange{scalar},
                         ValueRange{target});
}

/// The private declaration of runtime function `name` (with the C
/// interface unless `cInterface` is false), created at the start of
/// `module` on first use.
func::FuncOp runtimeCallee(ModuleOp module, StringRef name, FunctionType type,
                           bool cInterface = true) {
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (!callee) {
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    callee = func::FuncOp::create(mb, module.getLoc(), name, type);
    callee.setPrivate();
    if (cInterface)
      callee->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      mb.getUnitAttr());
  }
  return callee;
}

/// The packed-B cache (runtime/cpu: the `_cached` entry points keep B's
/// packed panels until the next mp_rt_pack_cache_begin_step / _end_step).
/// Whether `fn` writes none of its memref arguments: for each, the
/// may-alias closure (collectBufferAliases: views, casts, subviews,
/// selects, scf.if results) exists and no use of a member may write
/// memory through it (an op with a write or free effect on it, or with
/// unknown effects: e.g. a call that takes it; `fn`'s own return is no
/// write). Then no argument is
/// written in `fn` even when the caller passed two aliasing arguments.
bool argumentsReadOnly(func::FuncOp fn) {
  // A mutable global the caller might have passed as an argument too.
  auto module = fn->getParentOfType<ModuleOp>();
  auto mutableGlobal = [&](memref::GetGlobalOp get) {
    auto global = module.lookupSymbol<memref::GlobalOp>(get.getNameAttr());
    return !global || !global.getConstant() ? WalkResult::interrupt()
                                            : WalkResult::advance();
  };
  if (fn.isExternal() || fn.walk(mutableGlobal).wasInterrupted())
    return false;
  for (BlockArgument arg : fn.getArguments()) {
    if (!isa<BaseMemRefType>(arg.getType()))
      continue;
    // Returning an alias is no write here (the end call comes before the
    // return: what the caller does with it is outside the bracket). Nor is
    // a dealloc (the ownership-based deallocation's conditional free of a
    // buffer that may be the argument): no cached call reads a freed
    // buffer, and a buffer allocated at its address later is no argument
    // view, so never looked up in the cache.
    FailureOr<SmallVector<Value>> aliases =
        mp::collectBufferAliases(arg, [&](OpOperand &use) {
          Operation *user = use.getOwner();
          return isa<memref::DeallocOp>(user) ||
                 (isa<func::ReturnOp>(user) &&
                  user->getParentOp() == fn.getOperation());
        });
    if (failed(aliases))
      return false;
    for (Value v : *aliases)
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto view = dyn_cast<ViewLikeOpInterface>(user);
            view && view.getViewSource() == v)
          continue; // its result is in the closure
        if (isa<memref::ExtractStridedMetadataOp, arith::SelectOp,
                scf::YieldOp>(user))
          continue; // likewise
        if (isa<memref::DeallocOp>(user))
          continue;
        if (mightHaveEffect<MemoryEffects::Write, MemoryEffects::Free>(user, v))
          return false;
        // An op-wide write (no value named) may be through v.
        auto iface = dyn_cast<MemoryEffectOpInterface>(user);
        if (!iface)
          return false; // recursive effects: not followed
        SmallVector<MemoryEffects::EffectInstance> effects;
        iface.getEffects(effects);
        for (const MemoryEffects::EffectInstance &e : effects)
          if (isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()) &&
              !e.getValue())
            return false;
      }
  }
  return true;
}

/// Whether the contraction's B operand `b` may be cached: a chain of views
/// of an argument of `fn`, which writes none of its arguments.
bool cacheableB(Value b, func::FuncOp fn, bool fnReadOnly) {
  if (!fnReadOnly)
    return false;
  for (;;) {
    if (auto arg = dyn_cast<BlockArgument>(b))
      return arg.getOwner() == &fn.getBody().front();
    auto view = b.getDefiningOp<ViewLikeOpInterface>();
    if (!view || view.getViewDest() != b)
      return false;
    b = view.getViewSource();
  }
}

/// Brackets `fn` with mp_rt_pack_cache_begin_step at entry and
/// mp_rt_pack_cache_end_step before each return: the cached panels of its
/// arguments live for one call of `fn` (plain C functions, no C wrapper).
void bracketWithPackCache(ModuleOp module, func::FuncOp fn) {
  OpBuilder b(module.getContext());
  FunctionType type = b.getFunctionType({}, {});
  func::FuncOp begin = runtimeCallee(module, "mp_rt_pack_cache_begin_step",
                                     type, /*cInterface=*/false);
  func::FuncOp end = runtimeCallee(module, "mp_rt_pack_cache_end_step", type,
                                   /*cInterface=*/false);
  b.setInsertionPointToStart(&fn.getBody().front());
  func::CallOp::create(b, fn.getLoc(), begin, ValueRange{});
  fn.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    func::CallOp::create(b, ret.getLoc(), end, ValueRange{});
  });
}

/// Replaces the f32 buffer `c` (see narrowableOutput) by a new buffer of
/// element type `half`: the fill writes the half constant, the readers take
/// the half element in place of their `arith.truncf`, the deallocs free
/// the new buffer. The contraction `op` (which may itself be a
/// linalg.generic) keeps `c`: the caller replaces it and erases `c`.
/// Returns the new buffer.
Value narrowOutput(Operation *op, Value c, Type half) {
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
    if (user == op)
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(user)) {
      b.setInsertionPoint(fill);
      fillHalf(b, fill, half, h);
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
  }
  return h;
}

/// A bias + activation epilogue to fuse into the contraction `op` whose
/// f32 output `c` is narrowable to `half` (narrowableOutput): `c`'s only
/// reader is a 2-D all-parallel linalg.generic `reader` with identity maps
/// on `c` and on its `half` output (whose element it does not read), a
/// bias vector indexed by the column, and the body
///   yield [maximumf](addf(truncf(c), bias'), 0.0)    (all in `half`)
/// with bias' = truncf(bias) of an f32 bias or the half bias itself
/// (operands of addf / maximumf in either order; +0.0 constant) — what
/// mp-autocast's compute-output=compute leaves for `x.W + b` (then ReLU);
/// the contraction writes C in (rows, cols) order and only allocations
/// (without operands) and deallocations of other buffers lie between it and
/// the reader, so the reader's work can move up to the contraction.
struct Epilogue {
  linalg::GenericOp reader;
  Value bias;
  int64_t biasKind; // runtime kind of the bias (mixprec_cpu_runtime.h)
  int64_t act;      // 0 none, 1 ReLU
};

std::optional<Epilogue> fusableEpilogue(linalg::LinalgOp op, Value c, Type half,
                                        AffineMap cMap, unsigned m,
                                        unsigned n) {
  MLIRContext *ctx = op->getContext();
  if (cMap.getNumResults() != 2 ||
      cMap.getResult(0) != getAffineDimExpr(m, ctx) ||
      cMap.getResult(1) != getAffineDimExpr(n, ctx))
    return std::nullopt;
  linalg::GenericOp reader;
  for (Operation *user : c.getUsers()) {
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (!g || user == op.getOperation())
      continue;
    if (reader)
      return std::nullopt; // more than one reader
    reader = g;
  }
  if (!reader || reader->getBlock() != op->getBlock() ||
      reader.getNumDpsInputs() != 2 || reader.getNumDpsInits() != 1 ||
      reader.getNumLoops() != 2 ||
      reader.getNumParallelLoops() != reader.getNumLoops() ||
      !reader.hasPureBufferSemantics() || reader.getDpsInputs()[0] != c)
    return std::nullopt;
  Value out = reader.getDpsInits()[0];
  for (Operation *o = op->getNextNode(); o != reader; o = o->getNextNode()) {
    if (isa<memref::AllocOp, memref::AllocaOp>(o) && o->getNumOperands() == 0)
      continue;
    if (auto dealloc = dyn_cast<memref::DeallocOp>(o);
        dealloc && dealloc.getMemref() != out)
      continue;
    return std::nullopt;
  }
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap col = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
  SmallVector<AffineMap> maps = reader.getIndexingMapsArray();
  Value bias = reader.getDpsInputs()[1];
  auto biasType = dyn_cast<MemRefType>(bias.getType());
  if (maps[0] != id || maps[1] != col || maps[2] != id || !biasType ||
      biasType.getRank() != 1 || getElementTypeOrSelf(out.getType()) != half ||
      bias == out || out == c)
    return std::nullopt;
  Block &body = reader.getRegion().front();
  if (!body.getArgument(2).use_empty())
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value v = yield.getValues()[0];
  int64_t act = 0;
  auto isZero = [](Value x) {
    FloatAttr z;
    return matchPattern(x, m_Constant(&z)) && z.getValue().isPosZero();
  };
  if (auto max = v.getDefiningOp<arith::MaximumFOp>()) {
    if (isZero(max.getRhs()))
      v = max.getLhs();
    else if (isZero(max.getLhs()))
      v = max.getRhs();
    else
      return std::nullopt;
    act = 1;
  }
  auto add = v.getDefiningOp<arith::AddFOp>();
  if (!add || add.getType() != half)
    return std::nullopt;
  BlockArgument cArg = body.getArgument(0), bArg = body.getArgument(1);
  auto isTruncOf = [&](Value x, Value of) {
    auto t = x.getDefiningOp<arith::TruncFOp>();
    return t && t.getIn() == of && !t.getRoundingmodeAttr();
  };
  Value lhs = add.getLhs(), rhs = add.getRhs();
  if (!isTruncOf(lhs, cArg))
    std::swap(lhs, rhs);
  if (!isTruncOf(lhs, cArg))
    return std::nullopt;
  int64_t biasKind;
  Type be = biasType.getElementType();
  if (rhs == bArg && be == half)
    biasKind = half.isBF16() ? 1 : 2;
  else if (isTruncOf(rhs, bArg) && be.isF32())
    biasKind = half.isBF16() ? 3 : 4;
  else
    return std::nullopt;
  // Every op of the body is one of the chain's (no other result).
  if (std::distance(body.begin(), body.end()) != (act ? 5 : 4) - (rhs == bArg))
    return std::nullopt;
  return Epilogue{reader, bias, biasKind, act};
}

/// The contraction `op` (operand views `va`, `vb` of kinds `ta`, `tb`)
/// and the epilogue `ep` of its narrowable f32 output `c` as one call of
/// `mp_rt_matmul_ep_<A>_<B>_<half>` at the contraction's place: the reader's
/// half output is filled with `c`'s fill value and accumulated into, the
/// runtime adds the bias and applies the activation with the reader's
/// roundings; the reader, the contraction and `c` are erased.
void fuseWithEpilogue(ModuleOp module, linalg::LinalgOp op, Value c, Type half,
                      const Epilogue &ep, Value va, Value vb, StringRef ta,
                      StringRef tb, bool cached) {
  linalg::GenericOp reader = ep.reader;
  Value out = reader.getDpsInits()[0];
  // The output's allocation moves up to the contraction if it lies between.
  if (Operation *alloc = out.getDefiningOp();
      alloc && alloc->getBlock() == op->getBlock() &&
      op->isBeforeInBlock(alloc))
    alloc->moveBefore(op);
  OpBuilder b(op);
  Location loc = reader.getLoc();
  SmallVector<Operation *> dead;
  for (Operation *user : c.getUsers()) {
    if (auto fill = dyn_cast<linalg::FillOp>(user))
      fillHalf(b, fill, half, out);
    if (user != op.getOperation() && user != reader.getOperation())
      dead.push_back(user);
  }
  MLIRContext *ctx = b.getContext();
  auto dyn2 = MemRefType::get(
      {ShapedType::kDynamic, ShapedType::kDynamic}, half,
      StridedLayoutAttr::get(ctx, ShapedType::kDynamic,
                             {ShapedType::kDynamic, ShapedType::kDynamic}));
  Value vc = memref::CastOp::create(b, loc, dyn2, out);
  auto biasType = cast<MemRefType>(ep.bias.getType());
  auto dyn1 = MemRefType::get({ShapedType::kDynamic}, biasType.getElementType(),
                              StridedLayoutAttr::get(ctx, ShapedType::kDynamic,
                                                     {ShapedType::kDynamic}));
  Value vbias = memref::CastOp::create(b, loc, dyn1, ep.bias);
  Value kind = arith::ConstantIntOp::create(b, loc, ep.biasKind, 64);
  Value act = arith::ConstantIntOp::create(b, loc, ep.act, 64);
  std::string name =
      ((cached ? "mp_rt_matmul_ep_cached_" : "mp_rt_matmul_ep_") + ta + "_" +
       tb + "_" + *storageName(half))
          .str();
  auto fnType =
      b.getFunctionType({va.getType(), vb.getType(), vc.getType(),
                         vbias.getType(), kind.getType(), act.getType()},
                        {});
  func::CallOp::create(b, loc, runtimeCallee(module, name, fnType),
                       ValueRange{va, vb, vc, vbias, kind, act});
  reader->erase();
  op->erase();
  for (Operation *o : dead)
    o->erase();
  c.getDefiningOp()->erase();
}

struct ContractionsToRuntimePass
    : mp::impl::MPContractionsToRuntimeBase<ContractionsToRuntimePass> {
  using MPContractionsToRuntimeBase::MPContractionsToRuntimeBase;
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
    // Readers erased by a fused epilogue (later in `candidates`).
    llvm::SmallPtrSet<Operation *, 8> erased;
    // Per function: whether it writes none of its arguments (before any
    // rewrite), and whether a call of it caches a B.
    llvm::DenseMap<Operation *, bool> readOnly;
    llvm::SetVector<Operation *> caching;
    for (linalg::LinalgOp op : candidates)
      if (auto fn = op->getParentOfType<func::FuncOp>();
          fn && !readOnly.count(fn))
        readOnly[fn] = argumentsReadOnly(fn);
    for (linalg::LinalgOp op : candidates) {
      if (erased.contains(op.getOperation()))
        continue;
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
      std::optional<Epilogue> epilogue;
      if (half && lead.empty() && fuseEpilogues)
        epilogue = fusableEpilogue(op, c, half, maps[2], m, n);
      // B read-only during the call of its function: its packed panels
      // are kept (rank 2 only).
      auto fn = op->getParentOfType<func::FuncOp>();
      bool cached =
          lead.empty() && fn && cacheableB(bb, fn, readOnly.lookup(fn));
      Value va = view(b, loc, a, maps[0], order(m, k));
      Value vb = view(b, loc, bb, maps[1], order(k, n));
      if (epilogue && va && vb) {
        erased.insert(epilogue->reader.getOperation());
        fuseWithEpilogue(module, op, c, half, *epilogue, va, vb, *ta, *tb,
                         cached);
        if (cached)
          caching.insert(fn);
        continue;
      }
      Value vc = half ? Value() : view(b, loc, c, maps[2], order(m, n));
      if (!va || !vb || (!half && !vc)) {
        eraseViews({va, vb, vc});
        continue;
      }
      if (half) {
        c = narrowOutput(op, c, half);
        b.setInsertionPoint(op);
        vc = view(b, loc, c, maps[2], order(m, n));
        tc = storageName(half);
      }
      std::string name = (Twine(lead.empty() ? (cached ? "mp_rt_matmul_cached_"
                                                       : "mp_rt_matmul_")
                                             : "mp_rt_batch_matmul_") +
                          *ta + "_" + *tb + "_" + *tc)
                             .str();
      if (cached)
        caching.insert(fn);
      auto fnType =
          b.getFunctionType({va.getType(), vb.getType(), vc.getType()}, {});
      func::CallOp::create(b, loc, runtimeCallee(module, name, fnType),
                           ValueRange{va, vb, vc});
      Value oldC = op.getDpsInits()[0];
      op->erase();
      if (oldC != c && oldC.use_empty())
        oldC.getDefiningOp()->erase();
    }
    for (Operation *fn : caching)
      bracketWithPackCache(module, cast<func::FuncOp>(fn));
  }
};

} // namespace
