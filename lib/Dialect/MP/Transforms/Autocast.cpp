//===- Autocast.cpp - mp-autocast pass ------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Inserts policy casts (`mp.cast`) on forward code. Each function is rewritten
// in one walk in dominance order: every op is classified (mp.precision >
// keep-fp32 > allow/deny/follow > PrecisionClassOpInterface), its float
// operands are fetched in the dtype its class asks for (one shared cast per
// (value, dtype), constants and tensor.empty rematerialized), and, when an
// operand type changes, the op is rebuilt with the new types (linalg bodies
// regenerated or retyped) and verified; an op that does not verify with the
// new types is left in its input precision with a remark.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Autocast.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Dialect/MP/IR/MPInterfaces.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Regex.h"

namespace mlir::mp {
#define GEN_PASS_DEF_MPAUTOCAST
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

//===----------------------------------------------------------------------===//
// Type helpers
//===----------------------------------------------------------------------===//

static Type elemOf(Type type) { return getElementTypeOrSelf(type); }

static Type withElem(Type type, Type elem) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(elem);
  return elem;
}

/// f32, f16, bf16: the float types a policy casts between.
static bool isPolicyFloat(Type type) {
  Type e = elemOf(type);
  return e.isF32() || e.isF16() || e.isBF16();
}

static bool isFloatLike(Type type) { return isa<FloatType>(elemOf(type)); }

static bool isExactConversion(Type from, Type to) {
  auto f = dyn_cast<FloatType>(elemOf(from));
  auto t = dyn_cast<FloatType>(elemOf(to));
  return f && t && CastOp::isExact(f, t);
}

/// The narrowest policy float type that holds both `a` and `b` exactly.
static Type widest(Type a, Type b) {
  if (!a)
    return b;
  if (!b || a == b)
    return a;
  if (isExactConversion(a, b))
    return b;
  if (isExactConversion(b, a))
    return a;
  return Float32Type::get(a.getContext()); // f16 vs bf16
}

static std::string typeName(Type type) {
  if (std::optional<DType> d = getDType(type))
    return stringifyDType(*d).str();
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

/// Bytes of a static-shape value, saturating at INT64_MAX (hostile shapes
/// such as tensor<4611686018427387904xf32> must not overflow).
static int64_t byteSize(Type type) {
  Type e = elemOf(type);
  if (!e.isIntOrFloat())
    return 0;
  int64_t bytes = (e.getIntOrFloatBitWidth() + 7) / 8;
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    if (!shaped.hasStaticShape())
      return 0;
    for (int64_t d : shaped.getShape())
      if (__builtin_mul_overflow(bytes, d, &bytes))
        return std::numeric_limits<int64_t>::max();
  }
  return bytes;
}

/// `total += bytes`, saturating at INT64_MAX.
static void addSaturating(int64_t &total, int64_t bytes) {
  if (__builtin_add_overflow(total, bytes, &total))
    total = std::numeric_limits<int64_t>::max();
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

LogicalResult mlir::mp::verifyAutocastOptions(const AutocastOptions &options,
                                              PolicyErrorFn emitError) {
  bool ok = true;
  auto fail = [&](const Twine &message) {
    ok = false;
    if (emitError)
      emitError(message);
  };
  if (!options.keepFp32.empty()) {
    llvm::Regex regex(options.keepFp32);
    std::string error;
    if (!regex.isValid(error))
      fail("invalid keep-fp32 regex '" + options.keepFp32 + "': " + error);
  }
  llvm::StringMap<StringRef> listOf;
  auto checkList = [&](const std::vector<std::string> &names, StringRef list) {
    for (const std::string &name : names) {
      StringRef n(name);
      auto [dialect, op] = n.split('.');
      if (dialect.empty() || op.empty() ||
          n.find_first_of(" \t=,") != StringRef::npos) {
        fail("invalid op name '" + n + "' in " + list +
             "; expected <dialect>.<op>, e.g. linalg.matmul");
        continue;
      }
      auto [it, inserted] = listOf.try_emplace(n, list);
      if (!inserted && it->second != list)
        fail("op '" + n + "' is in both " + it->second + " and " + list +
             "; an op may be in one list only");
    }
  };
  checkList(options.allow, "allow");
  checkList(options.deny, "deny");
  checkList(options.follow, "follow");
  return success(ok);
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

namespace {

/// How one op is rewritten.
struct Decision {
  enum Kind { None, Compute, FP32, Follow, Forced, Unknown } kind = None;
  /// The compute dtype (Compute, Forced).
  Type type;
  PrecisionClassOpInterface iface;
};

class Autocaster {
public:
  Autocaster(FunctionOpInterface fn, const AutocastOptions &options,
             AutocastStats &stats)
      : fn(fn), options(options), stats(stats), ctx(fn->getContext()) {
    f32 = Float32Type::get(ctx);
    computeType = getFloatType(ctx, options.policy.compute);
    paramType = getFloatType(ctx, options.policy.param);
    outputType = getFloatType(ctx, options.policy.output);
    if (!options.keepFp32.empty())
      keepRegex.emplace(options.keepFp32);
    allow.insert(options.allow.begin(), options.allow.end());
    deny.insert(options.deny.begin(), options.deny.end());
    follow.insert(options.follow.begin(), options.follow.end());
  }

  LogicalResult run();

private:
  Type origTypeOf(Value v) const {
    auto it = origTypes.find(v);
    return it == origTypes.end() ? v.getType() : it->second;
  }

  Value getAs(Value v, Type elem);
  Decision classify(Operation *op);
  bool matchesKeepFp32(Operation *op);
  void processRegion(Region &region);
  void processOp(Operation *op);
  void keep(Operation *op);
  void handleReturn(Operation *op);
  void roundComputeResults(Operation *op);
  Operation *rebuild(Operation *op, ArrayRef<Value> operands, Decision decision,
                     bool keepResults);
  void fixBody(Operation *clone, Decision decision);
  /// The original element type of `op`'s first float operand.
  Type firstFloatElem(Operation *op) const {
    for (Value v : op->getOperands())
      if (isFloatLike(v.getType()))
        return elemOf(origTypeOf(v));
    return f32;
  }
  void count(StringRef cls, Type type) {
    stats.ops[cls.str()][typeName(type)]++;
  }
  void remark(Operation *op, const Twine &message) {
    if (options.emitRemarks)
      op->emitRemark() << "mp-autocast: " << message;
  }

  FunctionOpInterface fn;
  const AutocastOptions &options;
  AutocastStats &stats;
  MLIRContext *ctx;
  Type f32, computeType, paramType, outputType;
  std::optional<llvm::Regex> keepRegex;
  llvm::StringSet<> allow, deny, follow;
  bool changeSignature = false;
  SmallVector<Type> newResultTypes;
  /// A value that replaced an op result or argument with another element
  /// type -> the type the original had.
  DenseMap<Value, Type> origTypes;
  /// (value, element type) -> the value converted to that element type.
  DenseMap<std::pair<Value, Type>, Value> castCache;
  /// Ops that may have become dead; erased at the end if they are.
  llvm::SetVector<Operation *> maybeDead;
  /// Per block: the last cast of one of its arguments.
  DenseMap<Block *, Operation *> lastArgCast;
  /// Ops this rewrite created (casts, rematerialized constants).
  DenseSet<Operation *> created;
  /// compute-output=compute: weakly typed values (parameters and what
  /// follow ops compute from them and constants alone).
  DenseSet<Value> weak;
};

} // namespace

Value Autocaster::getAs(Value v, Type elem) {
  if (!elem || elemOf(v.getType()) == elem)
    return v;
  // No ping-pong: look through exact (widening) mp.casts.
  Value src = v;
  while (auto c = src.getDefiningOp<CastOp>()) {
    if (!isExactConversion(c.getInput().getType(), c.getType()))
      break;
    src = c.getInput();
  }
  if (elemOf(src.getType()) == elem)
    return src;
  auto key = std::make_pair(src, elem);
  if (Value cached = castCache.lookup(key))
    return cached;

  OpBuilder b(ctx);
  b.setInsertionPointAfterValue(src);
  // Casts of block arguments go after the block's earlier argument casts, in
  // creation order.
  auto arg = dyn_cast<BlockArgument>(src);
  if (Operation *last = arg ? lastArgCast.lookup(arg.getOwner()) : nullptr)
    b.setInsertionPointAfter(last);
  Location loc = src.getLoc();
  Type newType = withElem(src.getType(), elem);
  Value result;
  Operation *def = src.getDefiningOp();
  Attribute constValue;
  if (def && matchPattern(src, m_Constant(&constValue))) {
    // Any constant-like op (arith.constant, tosa.const, ...).
    if (TypedAttr attr = convertFloatConstant(constValue, newType)) {
      result = arith::ConstantOp::create(b, loc, newType, attr);
      ++stats.constantsConverted;
    }
  } else if (auto empty = dyn_cast_if_present<tensor::EmptyOp>(def)) {
    result = tensor::EmptyOp::create(b, loc, newType, empty.getDynamicSizes());
    ++stats.constantsConverted;
  } else if (auto fill = dyn_cast_if_present<linalg::FillOp>(def)) {
    Value scalar = fill.getInputs().front();
    Value init = fill.getOutputs().front();
    if (isa<RankedTensorType>(newType) && matchPattern(scalar, m_Constant()) &&
        init.getDefiningOp<tensor::EmptyOp>()) {
      Value newScalar = getAs(scalar, elem);
      Value newInit = getAs(init, elem);
      b.setInsertionPointAfterValue(src);
      auto newFill = linalg::FillOp::create(b, loc, ValueRange{newScalar},
                                            ValueRange{newInit});
      created.insert(newFill);
      result = newFill.getResult(0);
    }
  }
  if (!result) {
    result = CastOp::create(b, loc, src, elem);
    ++stats.castsInserted;
  }
  created.insert(result.getDefiningOp());
  if (arg)
    lastArgCast[arg.getOwner()] = result.getDefiningOp();
  castCache[key] = result;
  return result;
}

bool Autocaster::matchesKeepFp32(Operation *op) {
  if (!keepRegex)
    return false;
  bool matched = false;
  op->getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc))
      if (keepRegex->match(name.getName().getValue()))
        matched = true;
    return matched ? WalkResult::interrupt() : WalkResult::advance();
  });
  return matched;
}

Decision Autocaster::classify(Operation *op) {
  Decision d;
  d.iface = dyn_cast<PrecisionClassOpInterface>(op);
  if (auto forced = op->getAttrOfType<TypeAttr>(MPDialect::kPrecisionAttrName);
      forced && isPolicyFloat(forced.getValue())) {
    d.kind = Decision::Forced;
    d.type = forced.getValue();
    return d;
  }
  if (matchesKeepFp32(op)) {
    d.kind = Decision::FP32;
    return d;
  }
  StringRef name = op->getName().getStringRef();
  if (allow.contains(name)) {
    d.kind = Decision::Compute;
    d.type = computeType;
    return d;
  }
  if (deny.contains(name)) {
    d.kind = Decision::FP32;
    return d;
  }
  if (follow.contains(name)) {
    d.kind = Decision::Follow;
    return d;
  }
  if (!d.iface)
    return d;
  switch (d.iface.getPrecisionClass()) {
  case PrecisionClass::Compute:
    d.kind = Decision::Compute;
    d.type = computeType;
    break;
  case PrecisionClass::FP32:
    d.kind = Decision::FP32;
    break;
  case PrecisionClass::Follow:
    d.kind = Decision::Follow;
    break;
  case PrecisionClass::Unknown:
    d.kind = Decision::Unknown;
    break;
  }
  return d;
}

/// Gives every float operand of `op` its original type back.
void Autocaster::keep(Operation *op) {
  for (OpOperand &operand : op->getOpOperands()) {
    Value v = operand.get();
    Type orig = origTypeOf(v);
    if (orig != v.getType())
      operand.set(getAs(v, elemOf(orig)));
  }
}

void Autocaster::handleReturn(Operation *op) {
  for (OpOperand &operand : op->getOpOperands()) {
    unsigned i = operand.getOperandNumber();
    Value v = operand.get();
    if (i >= newResultTypes.size() || !isPolicyFloat(v.getType())) {
      keep(op);
      continue;
    }
    Type declared = fn.getResultTypes()[i];
    Type declaredElem = elemOf(declared);
    if (!declaredElem.isF32() || outputType == f32) {
      operand.set(getAs(v, declaredElem));
      continue;
    }
    Value rounded = getAs(v, outputType);
    operand.set(changeSignature ? rounded : getAs(rounded, declaredElem));
  }
}

/// compute-output=compute: every f32 result of the compute-class op `op` (its
/// f32 accumulation) is rounded to the compute dtype by one `mp.cast` right
/// after it, and every user sees the rounded value (an fp32-class user
/// widens it back).
void Autocaster::roundComputeResults(Operation *op) {
  if (options.computeOutput != ComputeOutput::Compute || computeType == f32)
    return;
  OpBuilder b(ctx);
  b.setInsertionPointAfter(op);
  for (OpResult result : op->getResults()) {
    if (result.use_empty() || !isPolicyFloat(result.getType()) ||
        !elemOf(result.getType()).isF32())
      continue;
    auto cast = CastOp::create(b, result.getLoc(), result, computeType);
    b.setInsertionPointAfter(cast);
    created.insert(cast);
    ++stats.castsInserted;
    result.replaceAllUsesExcept(cast, cast);
    origTypes[cast] = origTypeOf(result);
    castCache[{result, computeType}] = cast;
  }
}

/// Scalar `v` as float type `to` at `b`: a constant folds, a widening is
/// an arith.extf, anything else an arith.truncf.
static Value convertScalar(OpBuilder &b, Value v, Type to) {
  if (v.getType() == to)
    return v;
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    if (TypedAttr c = convertFloatConstant(attr, to))
      return arith::ConstantOp::create(b, v.getLoc(), to, c);
  if (isExactConversion(v.getType(), to))
    return arith::ExtFOp::create(b, v.getLoc(), to, v);
  return arith::TruncFOp::create(b, v.getLoc(), to, v);
}

void Autocaster::fixBody(Operation *clone, Decision decision) {
  // tensor.pad yields its padding value: rounded to the new element type
  // (a constant folds), pad(x, c) in bf16 is bitwise the rounding of the
  // f32 pad of the widened x, so a half activation is padded in half.
  if (auto pad = dyn_cast<tensor::PadOp>(clone)) {
    auto yield = cast<tensor::YieldOp>(pad.getBody()->getTerminator());
    Value value = yield.getValue();
    Type to = pad.getResultType().getElementType();
    if (value.getType() == to || !isa<FloatType>(value.getType()))
      return;
    OpBuilder b(yield);
    yield->setOperand(0, convertScalar(b, value, to));
    return;
  }
  auto linalgOp = dyn_cast<linalg::LinalgOp>(clone);
  if (!linalgOp || clone->getNumRegions() != 1 || clone->getRegion(0).empty())
    return;
  Region &region = clone->getRegion(0);
  Location loc = clone->getLoc();

  // Named ops: regenerate the body from the op's region builder.
  if (auto regionBuilder = linalgOp.getRegionBuilder()) {
    Block &old = region.front();
    old.dropAllDefinedValueUses();
    old.erase();
    Block *block = new Block();
    region.push_back(block);
    for (Value operand : clone->getOperands())
      block->addArgument(elemOf(operand.getType()), loc);
    ImplicitLocOpBuilder b(loc, ctx);
    b.setInsertionPointToStart(block);
    regionBuilder(b, *block, clone->getAttrs(),
                  [&]() { return clone->emitError(); });
    return;
  }

  // Explicit bodies (generic, reduce, map): retype the block arguments.
  Block &body = region.front();
  DenseMap<Value, Type> oldTypes;
  for (BlockArgument arg : body.getArguments()) {
    if (arg.getArgNumber() >= clone->getNumOperands())
      break;
    Type newType = elemOf(clone->getOperand(arg.getArgNumber()).getType());
    if (arg.getType() != newType) {
      oldTypes[arg] = arg.getType();
      arg.setType(newType);
    }
  }
  OpBuilder b(ctx);
  auto convert = [&](Value v, Type to) { return convertScalar(b, v, to); };

  // Contractions keep their scalar arithmetic (f32 products and sums of
  // rounded inputs, like the named ops): convert the arguments back.
  bool computeLike =
      decision.kind == Decision::Compute ||
      (decision.kind == Decision::Forced && decision.iface &&
       decision.iface.getPrecisionClass() == PrecisionClass::Compute);
  if (computeLike) {
    b.setInsertionPointToStart(&body);
    for (BlockArgument value : body.getArguments()) {
      Type oldType = oldTypes.lookup(value);
      if (!oldType)
        continue;
      Value converted = convert(value, oldType);
      value.replaceAllUsesExcept(converted, converted.getDefiningOp());
    }
    oldTypes.clear();
  }

  auto dps = cast<DestinationStyleOpInterface>(clone);
  for (Operation &bodyOp : llvm::make_early_inc_range(body)) {
    b.setInsertionPoint(&bodyOp);
    if (bodyOp.hasTrait<OpTrait::IsTerminator>()) {
      for (OpOperand &operand : bodyOp.getOpOperands()) {
        unsigned i = operand.getOperandNumber();
        if (i < dps.getNumDpsInits() && isa<FloatType>(operand.get().getType()))
          operand.set(
              convert(operand.get(), elemOf(dps.getDpsInits()[i].getType())));
      }
      continue;
    }
    bool touched = llvm::any_of(bodyOp.getOperands(),
                                [&](Value v) { return oldTypes.count(v); });
    if (!touched)
      continue;
    // A user's conversion: re-derive it from the new operand type.
    if (isa<arith::ExtFOp, arith::TruncFOp>(bodyOp)) {
      Value in = bodyOp.getOperand(0);
      Value replacement = convert(in, bodyOp.getResult(0).getType());
      bodyOp.getResult(0).replaceAllUsesWith(replacement);
      bodyOp.erase();
      continue;
    }
    bool allScalarFloat =
        llvm::all_of(bodyOp.getOperandTypes(),
                     [](Type t) { return t.isIntOrIndexOrFloat(); }) &&
        llvm::all_of(bodyOp.getResultTypes(),
                     [](Type t) { return t.isIntOrIndexOrFloat(); });
    bool sameAll = bodyOp.hasTrait<OpTrait::SameOperandsAndResultType>();
    bool sameOperands = bodyOp.hasTrait<OpTrait::SameTypeOperands>();
    bool select = isa<arith::SelectOp>(bodyOp);
    if (allScalarFloat && (sameAll || sameOperands || select)) {
      // Run in the widest of the (non-constant) float operands.
      unsigned first = select ? 1 : 0;
      Type w, wAll;
      for (Value v : bodyOp.getOperands().drop_front(first)) {
        if (!isa<FloatType>(v.getType()))
          continue;
        wAll = widest(wAll, v.getType());
        if (!matchPattern(v, m_Constant()))
          w = widest(w, v.getType());
      }
      if (!w)
        w = wAll;
      Type oldResultType;
      for (OpOperand &operand : bodyOp.getOpOperands()) {
        if (operand.getOperandNumber() < first ||
            !isa<FloatType>(operand.get().getType()))
          continue;
        if (!oldResultType)
          oldResultType = oldTypes.lookup(operand.get());
        operand.set(convert(operand.get(), w));
      }
      if (sameAll || select)
        for (Value result : bodyOp.getResults())
          if (isa<FloatType>(result.getType()) && result.getType() != w) {
            oldTypes[result] = result.getType();
            result.setType(w);
          }
      continue;
    }
    // Any other body op sees the types it was written for.
    for (OpOperand &operand : bodyOp.getOpOperands())
      if (Type old = oldTypes.lookup(operand.get()))
        operand.set(convert(operand.get(), old));
  }
}

Operation *Autocaster::rebuild(Operation *op, ArrayRef<Value> operands,
                               Decision decision, bool keepResults) {
  OpBuilder b(op);
  Operation *clone = b.clone(*op);
  clone->setOperands(operands);

  if (auto dps = dyn_cast<DestinationStyleOpInterface>(clone)) {
    for (OpResult result : clone->getResults())
      if (isa<TensorType>(result.getType()))
        result.setType(dps.getTiedOpOperand(result)->get().getType());
  } else if (!keepResults) {
    // Results follow the operands: old element type -> new element type,
    // taken from the non-accumulator operands first.
    DenseMap<Type, Type> mapping;
    for (bool accumulators : {false, true})
      for (OpOperand &operand : op->getOpOperands()) {
        bool isAcc = decision.iface && decision.iface.isAccumulator(operand);
        if (isAcc != accumulators || !isPolicyFloat(operand.get().getType()))
          continue;
        mapping.try_emplace(
            elemOf(origTypeOf(operand.get())),
            elemOf(operands[operand.getOperandNumber()].getType()));
      }
    for (OpResult result : clone->getResults())
      if (Type to = mapping.lookup(elemOf(result.getType())))
        result.setType(withElem(result.getType(), to));
  }
  fixBody(clone, decision);

  ScopedDiagnosticHandler silence(ctx, [](Diagnostic &) { return success(); });
  if (failed(verify(clone))) {
    clone->erase();
    return nullptr;
  }
  return clone;
}

void Autocaster::processRegion(Region &region) {
  if (region.empty())
    return;
  for (Block *block : getBlocksSortedByDominance(region))
    for (Operation &op : llvm::make_early_inc_range(*block))
      processOp(&op);
}

void Autocaster::processOp(Operation *op) {
  if (created.contains(op))
    return;
  if (op->hasTrait<OpTrait::IsTerminator>()) {
    if (op->getParentOp() == fn.getOperation())
      handleReturn(op);
    else
      keep(op);
    return;
  }
  bool hasFloatOperand = llvm::any_of(op->getOperandTypes(), isFloatLike);
  bool nonPolicyFloat =
      llvm::any_of(
          op->getOperandTypes(),
          [](Type t) { return isFloatLike(t) && !isPolicyFloat(t); }) ||
      llvm::any_of(op->getResultTypes(),
                   [](Type t) { return isFloatLike(t) && !isPolicyFloat(t); });
  Decision d;
  if (!isa_and_present<MPDialect>(op->getDialect()) && !nonPolicyFloat)
    d = classify(op);
  if (d.kind == Decision::None) {
    // Control flow (recursed into), sources, user casts, mp ops and f64
    // code are left alone quietly; any other op with float operands is
    // unknown.
    bool quiet = op->getNumRegions() > 0 || !hasFloatOperand ||
                 isa<CastOpInterface, CallOpInterface>(op) ||
                 isa_and_present<MPDialect>(op->getDialect()) || nonPolicyFloat;
    if (quiet) {
      keep(op);
      for (Region &region : op->getRegions())
        processRegion(region);
      return;
    }
    d.kind = Decision::Unknown;
  }
  if (!hasFloatOperand) {
    keep(op);
    return;
  }
  if (d.kind == Decision::Unknown) {
    keep(op);
    count("unknown", firstFloatElem(op));
    remark(op, "no precision class for '" + op->getName().getStringRef() +
                   "'; kept in its input precision");
    return;
  }

  // The element type each float operand is fetched in.
  Type runType;
  bool producesWeak = false;
  SmallVector<Type> targets(op->getNumOperands());
  switch (d.kind) {
  case Decision::Compute:
  case Decision::Forced: {
    runType = d.type;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isFloatLike(operand.get().getType()))
        continue;
      bool isAcc = d.iface && d.iface.isAccumulator(operand);
      if (isAcc && options.accumulate == Accumulate::F32)
        targets[operand.getOperandNumber()] = elemOf(origTypeOf(operand.get()));
      else
        targets[operand.getOperandNumber()] = d.type;
    }
    break;
  }
  case Decision::FP32:
    runType = f32;
    for (OpOperand &operand : op->getOpOperands())
      if (isFloatLike(operand.get().getType()))
        targets[operand.getOperandNumber()] = f32;
    break;
  case Decision::Follow: {
    // The widest float data input; constants and tensor.empty are weakly
    // typed (they do not widen the op) unless every input is one.
    SmallVector<Value> inputs;
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
      for (OpOperand *in : dps.getDpsInputOperands())
        inputs.push_back(in->get());
    else
      inputs.append(op->operand_begin(), op->operand_end());
    // With compute-output=compute, parameters (see run()) and what follow
    // ops compute from them and from constants alone are weakly typed
    // too, one tier above constants: a bias add on
    // a bf16 matmul result runs in bf16 (the bias is cast, as PyTorch's
    // linear / conv and Keras's variable autocasting do).
    Type w, wAll, wStrong;
    for (Value v : inputs) {
      if (!isFloatLike(v.getType()))
        continue;
      Type e = elemOf(v.getType());
      wAll = widest(wAll, e);
      if (!matchPattern(v, m_Constant()) &&
          !v.getDefiningOp<tensor::EmptyOp>()) {
        w = widest(w, e);
        if (!weak.contains(v))
          wStrong = widest(wStrong, e);
      }
    }
    if (options.computeOutput == ComputeOutput::Compute) {
      producesWeak = !wStrong;
      if (wStrong)
        w = wStrong;
    }
    runType = w ? w : wAll;
    if (!runType) // Only inits are float (e.g. linalg.fill of an int).
      runType = firstFloatElem(op);
    for (OpOperand &operand : op->getOpOperands())
      if (isFloatLike(operand.get().getType()))
        targets[operand.getOperandNumber()] = runType;
    break;
  }
  default:
    llvm_unreachable("handled above");
  }

  SmallVector<Value> operands;
  bool typesChanged = false;
  for (OpOperand &operand : op->getOpOperands()) {
    Value v = getAs(operand.get(), targets[operand.getOperandNumber()]);
    operands.push_back(v);
    typesChanged |= v.getType() != origTypeOf(operand.get());
  }
  StringRef cls = d.kind == Decision::Compute  ? "compute"
                  : d.kind == Decision::FP32   ? "fp32"
                  : d.kind == Decision::Follow ? "follow"
                                               : "forced";
  if (!typesChanged) {
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        maybeDead.insert(def);
    op->setOperands(operands);
    count(cls, runType);
    if (d.kind == Decision::Compute)
      roundComputeResults(op);
    if (producesWeak)
      weak.insert(op->result_begin(), op->result_end());
    return;
  }

  Operation *clone = nullptr;
  bool computeNonDps =
      (d.kind == Decision::Compute || d.kind == Decision::Forced) &&
      !isa<DestinationStyleOpInterface>(op) &&
      options.accumulate == Accumulate::F32;
  if (computeNonDps)
    clone = rebuild(op, operands, d, /*keepResults=*/true);
  if (!clone)
    clone = rebuild(op, operands, d, /*keepResults=*/false);
  if (!clone) {
    for (Value v : operands)
      if (Operation *def = v.getDefiningOp(); def && created.contains(def))
        maybeDead.insert(def);
    keep(op);
    count("unknown", firstFloatElem(op));
    remark(op, "'" + op->getName().getStringRef() + "' cannot run in " +
                   typeName(runType) + "; kept in its input precision");
    return;
  }
  for (auto [oldResult, newResult] :
       llvm::zip(op->getResults(), clone->getResults())) {
    if (oldResult.getType() != newResult.getType())
      origTypes[newResult] = origTypeOf(oldResult);
    oldResult.replaceAllUsesWith(newResult);
  }
  for (Value operand : op->getOperands())
    if (Operation *def = operand.getDefiningOp())
      maybeDead.insert(def);
  op->erase();
  count(cls, runType);
  if (d.kind == Decision::Compute)
    roundComputeResults(clone);
  if (producesWeak)
    weak.insert(clone->result_begin(), clone->result_end());
}

LogicalResult Autocaster::run() {
  Region &body = fn.getFunctionBody();
  Block &entry = body.front();

  // Signature: f32 results become the output dtype in a function nobody
  // references; a referenced one keeps its types.
  ArrayRef<Type> resultTypes = fn.getResultTypes();
  newResultTypes.assign(resultTypes.begin(), resultTypes.end());
  if (outputType != f32) {
    Operation *symbolTable = fn->getParentOp();
    while (symbolTable && !symbolTable->hasTrait<OpTrait::SymbolTable>())
      symbolTable = symbolTable->getParentOp();
    bool unused =
        !symbolTable || SymbolTable::symbolKnownUseEmpty(fn, symbolTable);
    bool any = false;
    for (Type &type : newResultTypes)
      if (elemOf(type).isF32() && isPolicyFloat(type)) {
        type = withElem(type, outputType);
        any = true;
      }
    changeSignature = unused && any;
    if (!changeSignature)
      newResultTypes.assign(resultTypes.begin(), resultTypes.end());
  }

  // Params: f32 arguments are cast once to the param dtype.
  if (paramType != f32) {
    OpBuilder b(ctx);
    b.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      if (!elemOf(arg.getType()).isF32() || arg.use_empty())
        continue;
      auto cast = CastOp::create(b, arg.getLoc(), arg, paramType);
      created.insert(cast);
      lastArgCast[&entry] = cast;
      b.setInsertionPointAfter(cast);
      ++stats.castsInserted;
      arg.replaceAllUsesExcept(cast, cast);
      origTypes[cast] = arg.getType();
      castCache[{arg, paramType}] = cast;
    }
  }
  if (options.computeOutput == ComputeOutput::Compute) {
    // The weakly typed arguments: the parameters, i.e. the arguments a
    // referencing mp.value_and_grad differentiates (the batch and the
    // targets keep their precision), or every argument of a function no
    // mp.value_and_grad references.
    std::optional<llvm::SmallDenseSet<unsigned>> params;
    Operation *symbolTable = fn->getParentOp();
    while (symbolTable && !symbolTable->hasTrait<OpTrait::SymbolTable>())
      symbolTable = symbolTable->getParentOp();
    if (symbolTable)
      if (auto uses = SymbolTable::getSymbolUses(fn, symbolTable))
        for (const SymbolTable::SymbolUse &use : *uses)
          if (auto vag = dyn_cast<ValueAndGradOp>(use.getUser())) {
            if (!params)
              params.emplace();
            for (int64_t i : vag.getWrt())
              params->insert(static_cast<unsigned>(i));
          }
    for (BlockArgument arg : entry.getArguments()) {
      if (params && !params->contains(arg.getArgNumber()))
        continue;
      weak.insert(arg);
      if (Value cast = castCache.lookup({arg, paramType}))
        weak.insert(cast);
    }
  }

  processRegion(body);

  // Erase what the rewrite left dead (the f32 fills, empties and constants
  // that were rematerialized, the inputs of rebuilt ops).
  bool erased = true;
  while (erased) {
    erased = false;
    for (Operation *op : llvm::to_vector(maybeDead)) {
      if (!isOpTriviallyDead(op))
        continue;
      for (Value operand : op->getOperands())
        if (Operation *def = operand.getDefiningOp())
          maybeDead.insert(def);
      maybeDead.remove(op);
      op->erase();
      erased = true;
    }
  }

  if (changeSignature) {
    fn.setType(FunctionType::get(ctx, fn.getArgumentTypes(), newResultTypes));
    stats.signatureChanged = true;
  }

  // Bytes of params and activations per dtype.
  for (BlockArgument arg : entry.getArguments()) {
    if (!isPolicyFloat(arg.getType()))
      continue;
    Type type = arg.getType();
    if (elemOf(type).isF32())
      type = withElem(type, paramType);
    addSaturating(stats.paramBytes[typeName(elemOf(type))], byteSize(type));
  }
  fn.getFunctionBody().walk([&](Operation *op) {
    if (isa<arith::ConstantOp, tensor::EmptyOp>(op) ||
        isa_and_present<linalg::LinalgOp>(op->getParentOp()))
      return;
    for (Type type : op->getResultTypes())
      if (isa<TensorType>(type) && isPolicyFloat(type))
        addSaturating(stats.activationBytes[typeName(elemOf(type))],
                      byteSize(type));
  });
  return success();
}

static bool isStepFunction(FunctionOpInterface fn) {
  return fn->walk([](ValueAndGradOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

LogicalResult mlir::mp::autocastFunction(FunctionOpInterface fn,
                                         const AutocastOptions &options,
                                         AutocastStats *stats) {
  AutocastStats local;
  AutocastStats &s = stats ? *stats : local;
  s.function = SymbolTable::getSymbolName(fn).str();
  if (fn.isExternal() || isStepFunction(fn))
    return success();
  Autocaster autocaster(fn, options, s);
  return autocaster.run();
}

LogicalResult mlir::mp::autocastModule(ModuleOp module,
                                       const AutocastOptions &options,
                                       std::vector<AutocastStats> *stats) {
  SmallVector<FunctionOpInterface> functions;
  module->walk([&](FunctionOpInterface fn) {
    functions.push_back(fn);
    return WalkResult::skip();
  });
  for (FunctionOpInterface fn : functions) {
    if (fn.isExternal() || isStepFunction(fn))
      continue;
    AutocastStats s;
    if (failed(autocastFunction(fn, options, &s)))
      return failure();
    if (stats)
      stats->push_back(std::move(s));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct MPAutocastPass : mp::impl::MPAutocastBase<MPAutocastPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    bool ok = true;
    auto emit = [&](const Twine &message) {
      ok = false;
      emitError(UnknownLoc::get(ctx)) << "mp-autocast: " << message;
    };
    FailureOr<Target> parsedTarget = parseTarget(target, emit);
    if (succeeded(parsedTarget)) {
      parsed.target = *parsedTarget;
      FailureOr<Policy> parsedPolicy = parsePolicy(policy, parsed.target, emit);
      if (succeeded(parsedPolicy))
        parsed.policy = *parsedPolicy;
    }
    if (accumulate == "f32")
      parsed.accumulate = Accumulate::F32;
    else if (accumulate == "compute")
      parsed.accumulate = Accumulate::Compute;
    else
      emit("unknown accumulate value '" + accumulate +
           "'; accepted: f32, compute");
    if (computeOutput == "compute")
      parsed.computeOutput = ComputeOutput::Compute;
    else if (computeOutput == "f32")
      parsed.computeOutput = ComputeOutput::F32;
    else
      emit("unknown compute-output value '" + computeOutput +
           "'; accepted: compute, f32");
    parsed.allow.assign(allow.begin(), allow.end());
    parsed.deny.assign(deny.begin(), deny.end());
    parsed.follow.assign(follow.begin(), follow.end());
    parsed.keepFp32 = keepFp32;
    (void)verifyAutocastOptions(parsed, emit);
    return success(ok);
  }

  void runOnOperation() override {
    std::vector<AutocastStats> stats;
    if (failed(autocastModule(getOperation(), parsed, &stats)))
      return signalPassFailure();
    AutocastStats total = sumAutocastStats(stats);
    numFunctions += stats.size();
    numComputeOps += total.getNumOpsOfClass("compute");
    numFP32Ops += total.getNumOpsOfClass("fp32");
    numFollowOps += total.getNumOpsOfClass("follow");
    numForcedOps += total.getNumOpsOfClass("forced");
    numUnknownOps += total.getNumOpsOfClass("unknown");
    numOpsF32 += total.getNumClassifiedOpsIn("f32");
    numOpsBF16 += total.getNumClassifiedOpsIn("bf16");
    numOpsF16 += total.getNumClassifiedOpsIn("f16");
    numCasts += total.castsInserted;
    numConstants += total.constantsConverted;
    paramBytesF32 += total.getParamBytes("f32");
    paramBytesBF16 += total.getParamBytes("bf16");
    paramBytesF16 += total.getParamBytes("f16");
    activationBytesF32 += total.getActivationBytes("f32");
    activationBytesBF16 += total.getActivationBytes("bf16");
    activationBytesF16 += total.getActivationBytes("f16");

    if (!report.empty()) {
      std::error_code ec;
      llvm::raw_fd_ostream os(report, ec, llvm::sys::fs::OF_Text);
      if (ec) {
        mlir::emitError(getOperation()->getLoc())
            << "mp-autocast: cannot write report '" << report
            << "': " << ec.message();
        return signalPassFailure();
      }
      writeAutocastReport(os, parsed, stats);
    }
  }

  AutocastOptions parsed;
};
} // namespace
