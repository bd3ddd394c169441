//===- MakeTrainable.cpp - mp-make-trainable pass -------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Turns an inference function into the training-graph contract
// (docs/design.md §2), like ONNX Runtime's training-artifact generation:
// its float arguments (and, on request, its float tensor constants) become
// params, its float results a loss (sum, mse, softmax cross-entropy), and an
// optimizer (sgd, momentum, adam, adamw) updates the params in @train_step,
// every new value tied to its argument with mp.updates.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Passes.h"
#include "mixprec/Dialect/MP/Utils/TensorBuilders.h"
#include "mixprec/Support/Format.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace mlir::mp {
#define GEN_PASS_DEF_MPMAKETRAINABLE
#include "mixprec/Dialect/MP/Transforms/Passes.h.inc"
} // namespace mlir::mp

using namespace mlir;
using namespace mlir::mp;

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// Parses "0,2,5" into indices; std::nullopt if `text` is not such a list.
static std::optional<SmallVector<int64_t>> parseIndexList(StringRef text) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  SmallVector<int64_t> indices;
  for (StringRef part : parts) {
    int64_t index;
    if (part.trim().getAsInteger(10, index) || index < 0)
      return std::nullopt;
    indices.push_back(index);
  }
  return indices;
}

namespace {
struct Config {
  std::string entry, params, paramArgs, loss, optimizer;
  int64_t minElements, targetArg;
  double lr, momentum, beta1, beta2, eps, weightDecay;
  bool keepEntry;
  std::string initDir;
};
} // namespace

/// The first bad option, as "name: what is wrong" text, or std::nullopt.
static std::optional<std::string> verifyOptions(const Config &c) {
  if (!llvm::is_contained({"args", "constants", "both"}, c.params))
    return "unknown params '" + c.params + "'; accepted: args, constants, both";
  if (!llvm::is_contained({"sum", "mse", "cross-entropy"}, c.loss))
    return "unknown loss '" + c.loss + "'; accepted: sum, mse, cross-entropy";
  if (!llvm::is_contained({"sgd", "momentum", "adam", "adamw"}, c.optimizer))
    return "unknown optimizer '" + c.optimizer +
           "'; accepted: sgd, momentum, adam, adamw";
  if (!c.paramArgs.empty() && !parseIndexList(c.paramArgs)) {
    std::string error;
    if (!llvm::Regex(c.paramArgs).isValid(error))
      return "param-args '" + c.paramArgs +
             "' is neither an index list nor a valid regex: " + error;
  }
  if (c.minElements < 1)
    return "min-elements must be >= 1, got " + std::to_string(c.minElements);
  if (c.targetArg < -1)
    return "target-arg must be -1 (append targets) or an argument index, "
           "got " +
           std::to_string(c.targetArg);
  if (c.targetArg >= 0 && c.loss == "sum")
    return "target-arg needs loss=mse or loss=cross-entropy (loss=sum has "
           "no target)";
  if (!(std::isfinite(c.lr) && c.lr > 0))
    return "lr must be finite and > 0, got " + formatDouble(c.lr);
  if (!(c.momentum >= 0 && c.momentum < 1))
    return "momentum must be in [0, 1), got " + formatDouble(c.momentum);
  if (!(c.beta1 >= 0 && c.beta1 < 1))
    return "beta1 must be in [0, 1), got " + formatDouble(c.beta1);
  if (!(c.beta2 >= 0 && c.beta2 < 1))
    return "beta2 must be in [0, 1), got " + formatDouble(c.beta2);
  if (!(std::isfinite(c.eps) && c.eps > 0))
    return "eps must be finite and > 0, got " + formatDouble(c.eps);
  if (!(std::isfinite(c.weightDecay) && c.weightDecay >= 0))
    return "weight-decay must be finite and >= 0, got " +
           formatDouble(c.weightDecay);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

/// The name a regex in param-args is matched against.
static std::string argName(func::FuncOp fn, unsigned i) {
  if (auto name = fn.getArgAttrOfType<StringAttr>(i, MPDialect::kNameAttrName))
    return name.str();
  if (!fn.isExternal())
    if (auto loc = dyn_cast<NameLoc>(fn.getArgument(i).getLoc()))
      return loc.getName().str();
  return "arg" + std::to_string(i);
}

/// `arith.constant dense<value> : type` (a splat of a ranked float tensor).
static Value splatConstant(OpBuilder &b, Location loc, RankedTensorType type,
                           double value) {
  auto element = cast<FloatType>(type.getElementType());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(element, value)));
}

/// Sum of all elements of a ranked tensor, as a rank-0 tensor of its
/// element type (linalg.reduce over every dimension; rank 0: the value).
static Value sumAll(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 0)
    return value;
  Type element = type.getElementType();
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
  Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, element);
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
          .getResult(0);
  auto dims = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  auto reduce = linalg::ReduceOp::create(
      b, loc, value, init, dims,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value sum = arith::AddFOp::create(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return reduce.getResult(0);
}

/// Reduction of the last dimension of `value` (rank >= 1) with max or add.
static Value reduceLast(OpBuilder &b, Location loc, Value value, bool max) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  int64_t last = type.getRank() - 1;
  SmallVector<int64_t> shape(type.getShape().drop_back());
  double start = max ? -std::numeric_limits<double>::infinity() : 0.0;
  Value startValue =
      arith::ConstantOp::create(b, loc, b.getFloatAttr(element, start));
  Value empty = tensor::EmptyOp::create(b, loc, shape, element);
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{startValue}, ValueRange{empty})
          .getResult(0);
  auto reduce = linalg::ReduceOp::create(
      b, loc, value, init, ArrayRef<int64_t>{last},
      [max](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r =
            max ? arith::MaximumFOp::create(nb, nloc, args[0], args[1])
                      .getResult()
                : arith::AddFOp::create(nb, nloc, args[0], args[1]).getResult();
        linalg::YieldOp::create(nb, nloc, r);
      });
  return reduce.getResult(0);
}

/// linalg.broadcast of `value` (the result of reduceLast) back to `type`.
static Value broadcastLast(OpBuilder &b, Location loc, Value value,
                           RankedTensorType type) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::BroadcastOp::create(b, loc, value, empty,
                                     ArrayRef<int64_t>{type.getRank() - 1})
      .getResult()[0];
}

static Value toF32(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return mp::detail::convertFloat(b, loc, value, type.clone(b.getF32Type()));
}

/// The loss term of one float result `pred` (and its target): rank-0 f32.
static Value buildLossTerm(OpBuilder &b, Location loc, StringRef kind,
                           Value pred, Value target) {
  Value x = toF32(b, loc, pred);
  auto type = cast<RankedTensorType>(x.getType());
  auto scalar = RankedTensorType::get({}, b.getF32Type());
  if (kind == "sum")
    return sumAll(b, loc, x);
  Value t = toF32(b, loc, target);
  if (kind == "mse") {
    Value d = arith::SubFOp::create(b, loc, x, t);
    Value sq = arith::MulFOp::create(b, loc, d, d);
    double inv = 1.0 / static_cast<double>(type.getNumElements());
    return arith::MulFOp::create(b, loc, sumAll(b, loc, sq),
                                 splatConstant(b, loc, scalar, inv));
  }
  // Softmax cross-entropy over the last dimension, mean over the others:
  // -sum(t * log_softmax(x)) / (numel / classes).
  Value m = broadcastLast(b, loc, reduceLast(b, loc, x, /*max=*/true), type);
  Value z = arith::SubFOp::create(b, loc, x, m);
  Value e = math::ExpOp::create(b, loc, z);
  Value lse = math::LogOp::create(b, loc, reduceLast(b, loc, e, false));
  Value logp =
      arith::SubFOp::create(b, loc, z, broadcastLast(b, loc, lse, type));
  Value tl = arith::MulFOp::create(b, loc, t, logp);
  int64_t rows = type.getNumElements() / type.getShape().back();
  return arith::MulFOp::create(
      b, loc, sumAll(b, loc, tl),
      splatConstant(b, loc, scalar, -1.0 / static_cast<double>(rows)));
}

/// mp.init hint of a promoted constant: zeros / ones for such splats,
/// glorot for matrices and up, else zeros (mp-run's defaults).
static StringRef initHintOf(ElementsAttr value, RankedTensorType type) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value))
    if (dense.isSplat()) {
      double v = dense.getSplatValue<APFloat>().convertToDouble();
      if (v == 0.0)
        return "zeros";
      if (v == 1.0)
        return "ones";
    }
  return type.getRank() >= 2 ? "glorot" : "zeros";
}

/// True if every use of `value` is the init (outs) of a destination-style
/// op: an accumulator start value, not a weight.
static bool onlyInitUses(Value value) {
  if (value.use_empty())
    return true;
  for (OpOperand &use : value.getUses()) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    if (!dps || !dps.isDpsInit(&use))
      return false;
  }
  return true;
}

/// Writes `value` (a float ElementsAttr with readable values) as a NumPy
/// .npy file (format 1.0, little-endian; bf16 as raw 2-byte '<V2').
static LogicalResult writeNpy(StringRef path, ElementsAttr value,
                              std::string &error) {
  auto type = cast<RankedTensorType>(value.getShapedType());
  auto element = cast<FloatType>(type.getElementType());
  StringRef descr;
  if (element.isF32())
    descr = "<f4";
  else if (element.isF64())
    descr = "<f8";
  else if (element.isF16())
    descr = "<f2";
  else if (element.isBF16())
    descr = "<V2";
  else {
    error = "no .npy dtype for element type";
    return failure();
  }
  auto values = value.try_value_begin<APFloat>();
  if (!values) {
    error = "its values cannot be read (e.g. an elided resource)";
    return failure();
  }
  std::string shape = "(";
  for (int64_t d : type.getShape())
    shape += std::to_string(d) + ", ";
  if (type.getRank() > 1)
    shape.resize(shape.size() - 2);
  else if (type.getRank() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + descr.str() +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = ec.message();
    return failure();
  }
  os << "\x93NUMPY" << '\x01' << '\x00';
  uint16_t length = header.size();
  os << static_cast<char>(length & 0xff) << static_cast<char>(length >> 8);
  os << header;
  unsigned bytes = element.getWidth() / 8;
  auto it = *values;
  for (int64_t n = 0, e = value.getNumElements(); n < e; ++n, ++it) {
    uint64_t bits = (*it).bitcastToAPInt().getZExtValue();
    for (unsigned i = 0; i < bytes; ++i)
      os << static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  os.close();
  if (os.has_error()) {
    error = os.error().message();
    os.clear_error();
    return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

namespace {
/// One trainable value of @loss: argument `index`, with its mp.init hint.
struct Param {
  unsigned index;
  std::string name;
  std::string init;
};

struct MakeTrainable {
  const Config &config;
  ModuleOp module;
  unsigned promoted = 0, stateArgs = 0, numParams = 0;
  /// Promoted constants: argument index and value (for init-dir).
  SmallVector<std::pair<unsigned, ElementsAttr>> initValues;

  LogicalResult run();
  FailureOr<func::FuncOp> findEntry();
  LogicalResult selectParamArgs(func::FuncOp fn, SmallVectorImpl<Param> &out);
  void buildStep(func::FuncOp lossFn, ArrayRef<Param> params);
};
} // namespace

FailureOr<func::FuncOp> MakeTrainable::findEntry() {
  if (!config.entry.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(config.entry);
    if (!fn)
      return mlir::emitError(module.getLoc())
             << "mp-make-trainable: no function @" << config.entry
             << " (option entry)";
    if (fn.isExternal())
      return mlir::emitError(fn.getLoc())
             << "mp-make-trainable: @" << config.entry << " has no body";
    return fn;
  }
  SmallVector<func::FuncOp> candidates;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal())
      candidates.push_back(fn);
  if (candidates.size() == 1)
    return candidates.front();
  InFlightDiagnostic diag = mlir::emitError(module.getLoc())
                            << "mp-make-trainable: " << candidates.size()
                            << " public functions with a body; name the "
                               "inference function with entry=<name>";
  for (auto fn : candidates)
    diag.attachNote(fn.getLoc()) << "candidate @" << fn.getSymName();
  return failure();
}

LogicalResult MakeTrainable::selectParamArgs(func::FuncOp fn,
                                             SmallVectorImpl<Param> &out) {
  unsigned n = fn.getNumArguments();
  auto hintOf = [&](unsigned i) -> std::string {
    if (auto init =
            fn.getArgAttrOfType<StringAttr>(i, MPDialect::kInitAttrName))
      return init.str();
    return cast<RankedTensorType>(fn.getArgumentTypes()[i]).getRank() >= 2
               ? "glorot"
               : "zeros";
  };
  auto add = [&](unsigned i) -> LogicalResult {
    if (!isFloatTensor(fn.getArgumentTypes()[i]))
      return mlir::emitError(fn.getLoc())
             << "mp-make-trainable: argument #" << i << " ("
             << fn.getArgumentTypes()[i]
             << ") cannot be a param: not a float tensor";
    if (config.targetArg == static_cast<int64_t>(i))
      return mlir::emitError(fn.getLoc())
             << "mp-make-trainable: argument #" << i
             << " is the target (target-arg) and cannot be a "
                "param";
    out.push_back({i, argName(fn, i), hintOf(i)});
    return success();
  };
  if (config.paramArgs.empty()) {
    for (unsigned i = 0; i < n; ++i)
      if (isFloatTensor(fn.getArgumentTypes()[i]) &&
          config.targetArg != static_cast<int64_t>(i))
        out.push_back({i, argName(fn, i), hintOf(i)});
    return success();
  }
  if (auto indices = parseIndexList(config.paramArgs)) {
    llvm::sort(*indices);
    for (int64_t i : *indices) {
      if (i >= static_cast<int64_t>(n))
        return mlir::emitError(fn.getLoc())
               << "mp-make-trainable: param-args index " << i
               << " out of range (@" << fn.getSymName() << " has " << n
               << " arguments)";
      if (!out.empty() && out.back().index == static_cast<unsigned>(i))
        continue;
      if (failed(add(i)))
        return failure();
    }
    return success();
  }
  llvm::Regex regex("^(" + config.paramArgs + ")$");
  for (unsigned i = 0; i < n; ++i)
    if (regex.match(argName(fn, i)) && failed(add(i)))
      return failure();
  if (out.empty())
    return mlir::emitError(fn.getLoc())
           << "mp-make-trainable: param-args regex '" << config.paramArgs
           << "' matches no argument name of @" << fn.getSymName();
  return success();
}

LogicalResult MakeTrainable::run() {
  FailureOr<func::FuncOp> found = findEntry();
  if (failed(found))
    return failure();
  func::FuncOp entry = *found;
  MLIRContext *ctx = module.getContext();
  Location loc = entry.getLoc();
  bool wantArgs = config.params != "constants";
  bool wantConstants = config.params != "args";

  // Checks on the entry, before anything changes.
  bool entryUsed = !SymbolTable::symbolKnownUseEmpty(entry, module);
  for (StringRef name : {"loss", "train_step"})
    if (Operation *other = module.lookupSymbol(name))
      if (other != entry.getOperation() || config.keepEntry || entryUsed)
        return mlir::emitError(other->getLoc())
               << "mp-make-trainable: the module already has a symbol @" << name
               << "; the pass creates @loss and @train_step";
  SmallVector<func::ReturnOp> returns;
  entry.walk([&](func::ReturnOp r) {
    if (r->getParentOp() == entry.getOperation())
      returns.push_back(r);
  });
  if (returns.size() != 1)
    return mlir::emitError(entry.getLoc())
           << "mp-make-trainable: @" << entry.getSymName()
           << " must have exactly one func.return, has " << returns.size();
  SmallVector<unsigned> floatResults;
  for (auto [i, type] : llvm::enumerate(entry.getResultTypes()))
    if (isFloatTensor(type)) {
      if (!cast<RankedTensorType>(type).hasStaticShape())
        return mlir::emitError(entry.getLoc())
               << "mp-make-trainable: result #" << i << " of @"
               << entry.getSymName() << " has a dynamic shape (" << type
               << "); training graphs need static shapes";
      if (cast<RankedTensorType>(type).getNumElements() == 0)
        return mlir::emitError(entry.getLoc())
               << "mp-make-trainable: result #" << i << " of @"
               << entry.getSymName() << " (" << type
               << ") has no elements; a loss needs at least one";
      floatResults.push_back(i);
    }
  if (floatResults.empty())
    return mlir::emitError(entry.getLoc())
           << "mp-make-trainable: @" << entry.getSymName()
           << " has no float tensor result to build a "
              "loss from";
  bool needsTarget = config.loss != "sum";
  if (config.loss == "cross-entropy")
    for (unsigned i : floatResults)
      if (cast<RankedTensorType>(entry.getResultTypes()[i]).getRank() == 0)
        return mlir::emitError(entry.getLoc())
               << "mp-make-trainable: loss=cross-entropy needs results of "
                  "rank >= 1 (classes in the last dimension); result #"
               << i << " is rank 0";
  if (config.targetArg >= 0) {
    if (config.targetArg >= static_cast<int64_t>(entry.getNumArguments()))
      return mlir::emitError(entry.getLoc())
             << "mp-make-trainable: target-arg " << config.targetArg
             << " out of range (@" << entry.getSymName() << " has "
             << entry.getNumArguments() << " arguments)";
    if (floatResults.size() != 1)
      return mlir::emitError(entry.getLoc())
             << "mp-make-trainable: target-arg needs exactly one float "
                "result, @"
             << entry.getSymName() << " has " << floatResults.size();
    Type want = entry.getResultTypes()[floatResults.front()];
    Type have = entry.getArgumentTypes()[config.targetArg];
    if (!isFloatTensor(have) ||
        cast<ShapedType>(have).getShape() != cast<ShapedType>(want).getShape())
      return mlir::emitError(entry.getLoc())
             << "mp-make-trainable: target-arg " << config.targetArg << " ("
             << have << ") does not match the result type " << want;
  }
  SmallVector<Param> params;
  if (wantArgs && failed(selectParamArgs(entry, params)))
    return failure();
  for (const Param &p : params)
    if (!cast<RankedTensorType>(entry.getArgumentTypes()[p.index])
             .hasStaticShape())
      return mlir::emitError(entry.getLoc())
             << "mp-make-trainable: param argument #" << p.index << " ("
             << entry.getArgumentTypes()[p.index]
             << ") has a dynamic shape; training graphs need static shapes";

  // Constants to promote: top-level float tensor constants.
  SmallVector<Operation *> constants;
  if (wantConstants)
    for (Operation &op : entry.getBody().front()) {
      if (!op.hasTrait<OpTrait::ConstantLike>() || op.getNumResults() != 1)
        continue;
      auto type = dyn_cast<RankedTensorType>(op.getResult(0).getType());
      ElementsAttr value;
      if (!type || !isFloatTensor(type) || !type.hasStaticShape() ||
          type.getNumElements() < config.minElements ||
          !matchPattern(op.getResult(0), m_Constant(&value)) ||
          onlyInitUses(op.getResult(0)))
        continue;
      constants.push_back(&op);
    }
  if (params.empty() && constants.empty())
    return mlir::emitError(entry.getLoc())
           << "mp-make-trainable: nothing to train in @" << entry.getSymName()
           << " (params=" << config.params << ", param-args='"
           << config.paramArgs << "', min-elements=" << config.minElements
           << "): no float tensor argument or constant selected";

  // @loss: a copy of the entry.
  OpBuilder b(ctx);
  b.setInsertionPointAfter(entry);
  auto lossFn = cast<func::FuncOp>(b.clone(*entry));
  lossFn.setSymName("loss");
  lossFn.setPublic();
  Block &body = lossFn.getBody().front();

  // Promoted constants become arguments after the entry's own.
  for (Operation *original : constants) {
    // The clone's op at the same position.
    unsigned position = std::distance(entry.getBody().front().begin(),
                                      Block::iterator(original));
    Operation *op = &*std::next(body.begin(), position);
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    ElementsAttr value;
    (void)matchPattern(op->getResult(0), m_Constant(&value));
    unsigned index = lossFn.getNumArguments();
    std::string name = "const" + std::to_string(promoted);
    NamedAttrList attrs;
    attrs.set(MPDialect::kNameAttrName, b.getStringAttr(name));
    (void)lossFn.insertArgument(index, type, attrs.getDictionary(ctx),
                                op->getLoc());
    op->getResult(0).replaceAllUsesWith(lossFn.getArgument(index));
    params.push_back({index, name, initHintOf(value, type).str()});
    initValues.push_back({index, value});
    ++promoted;
  }
  for (Operation *original : llvm::reverse(constants)) {
    unsigned position = std::distance(entry.getBody().front().begin(),
                                      Block::iterator(original));
    std::next(body.begin(), position)->erase();
  }

  // Targets: appended (one per float result) or an existing argument.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Value> targets;
  if (needsTarget) {
    if (config.targetArg >= 0) {
      targets.push_back(lossFn.getArgument(config.targetArg));
    } else {
      for (auto [k, i] : llvm::enumerate(floatResults)) {
        unsigned index = lossFn.getNumArguments();
        NamedAttrList attrs;
        attrs.set(MPDialect::kNameAttrName,
                  b.getStringAttr("target" + std::to_string(k)));
        (void)lossFn.insertArgument(index, entry.getResultTypes()[i],
                                    attrs.getDictionary(ctx), loc);
        targets.push_back(lossFn.getArgument(index));
      }
    }
  }

  // The loss of the float results, in f32.
  b.setInsertionPoint(ret);
  Value loss;
  for (auto [k, i] : llvm::enumerate(floatResults)) {
    Value term = buildLossTerm(b, loc, config.loss, ret.getOperand(i),
                               needsTarget ? targets[k] : Value());
    loss = loss ? arith::AddFOp::create(b, loc, loss, term).getResult() : term;
  }
  func::ReturnOp::create(b, ret.getLoc(), loss);
  ret.erase();
  lossFn.setFunctionType(
      FunctionType::get(ctx, lossFn.getArgumentTypes(), {loss.getType()}));
  lossFn.setAllResultAttrs(ArrayRef<DictionaryAttr>{DictionaryAttr::get(ctx)});
  // What only fed the dropped (non-float) results.
  IRRewriter rewriter(ctx);
  (void)runRegionDCE(rewriter, lossFn.getBody());

  llvm::sort(params,
             [](const Param &a, const Param &b) { return a.index < b.index; });
  numParams = params.size();
  buildStep(lossFn, params);
  if (!config.keepEntry && !entryUsed)
    entry.erase();
  // The promoted constants' values, for mp-run --inputs / Python.
  if (!config.initDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(config.initDir))
      return mlir::emitError(module.getLoc())
             << "mp-make-trainable: init-dir '" << config.initDir
             << "': " << ec.message();
    for (auto [index, value] : initValues) {
      SmallString<128> path(config.initDir);
      llvm::sys::path::append(path, "arg" + std::to_string(index) + ".npy");
      std::string error;
      if (failed(writeNpy(path, value, error)))
        mlir::emitWarning(loc)
            << "mp-make-trainable: init-dir: value of "
               "promoted constant argument #"
            << index << " not written (" << path << "): " << error;
    }
  }
  return success();
}

void MakeTrainable::buildStep(func::FuncOp lossFn, ArrayRef<Param> params) {
  MLIRContext *ctx = module.getContext();
  Location loc = lossFn.getLoc();
  OpBuilder b(ctx);
  b.setInsertionPointAfter(lossFn);
  StringRef opt = config.optimizer;
  auto scalar = RankedTensorType::get({}, b.getF32Type());

  // Arguments: @loss's, then the optimizer state.
  SmallVector<Type> argTypes(lossFn.getArgumentTypes());
  SmallVector<DictionaryAttr> argAttrs;
  for (unsigned i = 0; i < lossFn.getNumArguments(); ++i)
    argAttrs.push_back(lossFn.getArgAttrDict(i) ? lossFn.getArgAttrDict(i)
                                                : DictionaryAttr::get(ctx));
  for (const Param &p : params) {
    NamedAttrList attrs(argAttrs[p.index]);
    attrs.set(MPDialect::kInitAttrName, b.getStringAttr(p.init));
    argAttrs[p.index] = attrs.getDictionary(ctx);
  }
  auto stateAttrs = [&](StringRef name) {
    NamedAttrList attrs;
    attrs.set(MPDialect::kInitAttrName, b.getStringAttr("zeros"));
    attrs.set(MPDialect::kNameAttrName, b.getStringAttr(name));
    return attrs.getDictionary(ctx);
  };
  // State kinds per param, in order: momentum (v) | adam (m, then v), t.
  SmallVector<StringRef> perParam;
  if (opt == "momentum")
    perParam = {"momentum"};
  else if (opt == "adam" || opt == "adamw")
    perParam = {"exp_avg", "exp_avg_sq"};
  unsigned firstState = argTypes.size();
  for (StringRef kind : perParam)
    for (const Param &p : params) {
      argTypes.push_back(lossFn.getArgumentTypes()[p.index]);
      argAttrs.push_back(stateAttrs(p.name + "." + kind.str()));
    }
  bool adam = opt == "adam" || opt == "adamw";
  if (adam) {
    argTypes.push_back(scalar);
    argAttrs.push_back(stateAttrs(opt.str() + ".step"));
  }
  stateArgs = argTypes.size() - firstState;

  SmallVector<Type> resultTypes;
  SmallVector<DictionaryAttr> resultAttrs;
  auto tie = [&](unsigned arg) {
    resultTypes.push_back(argTypes[arg]);
    resultAttrs.push_back(
        DictionaryAttr::get(ctx, {b.getNamedAttr(MPDialect::kUpdatesAttrName,
                                                 b.getI64IntegerAttr(arg))}));
  };
  for (const Param &p : params)
    tie(p.index);
  for (unsigned s = firstState; s < argTypes.size(); ++s)
    tie(s);
  resultTypes.push_back(scalar);
  resultAttrs.push_back(DictionaryAttr::get(ctx));

  auto step = func::FuncOp::create(
      b, loc, "train_step", FunctionType::get(ctx, argTypes, resultTypes));
  step.setAllArgAttrs(argAttrs);
  step.setAllResultAttrs(resultAttrs);
  Block *block = step.addEntryBlock();
  b.setInsertionPointToStart(block);

  SmallVector<Type> vgTypes{scalar};
  SmallVector<int64_t> wrt;
  for (const Param &p : params) {
    vgTypes.push_back(argTypes[p.index]);
    wrt.push_back(p.index);
  }
  auto lossArgs = block->getArguments().take_front(lossFn.getNumArguments());
  auto vg = ValueAndGradOp::create(b, loc, vgTypes, lossFn.getSymName(),
                                   lossArgs, Value(), wrt);

  unsigned n = params.size();
  auto state = [&](unsigned kind, unsigned i) {
    return block->getArgument(firstState + kind * n + i);
  };
  auto typeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  auto mul = [&](Value v, double c) -> Value {
    return arith::MulFOp::create(b, loc, v,
                                 splatConstant(b, loc, typeOf(v), c));
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  };
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubFOp::create(b, loc, x, y);
  };

  // Adam's bias corrections, once per step, in f32 scalars:
  // step_size = lr / (1 - beta1^t), sbc2 = sqrt(1 - beta2^t), t = t + 1.
  Value t1, stepSize, sbc2;
  if (adam) {
    Value t = block->getArgument(argTypes.size() - 1);
    Value one = splatConstant(b, loc, scalar, 1.0);
    t1 = add(t, one);
    auto powOf = [&](double base) -> Value {
      return math::PowFOp::create(b, loc, splatConstant(b, loc, scalar, base),
                                  t1);
    };
    Value bc1 = sub(one, powOf(config.beta1));
    Value bc2 = sub(one, powOf(config.beta2));
    Value size = arith::DivFOp::create(
        b, loc, splatConstant(b, loc, scalar, config.lr), bc1);
    stepSize = tensor::ExtractOp::create(b, loc, size, ValueRange{});
    sbc2 = tensor::ExtractOp::create(b, loc, math::SqrtOp::create(b, loc, bc2),
                                     ValueRange{});
  }
  auto splatScalar = [&](Value f32Scalar, RankedTensorType type) -> Value {
    Value s =
        mp::detail::convertFloat(b, loc, f32Scalar, type.getElementType());
    return tensor::SplatOp::create(b, loc, s, type);
  };

  SmallVector<Value> newParams, newStates[2];
  for (auto [i, p] : llvm::enumerate(params)) {
    Value w = block->getArgument(p.index);
    Value g = vg.getResults()[1 + i];
    RankedTensorType type = typeOf(w);
    double wd = config.weightDecay;
    if (wd > 0 && opt != "adamw")
      g = add(g, mul(w, wd)); // L2 penalty, PyTorch's weight_decay
    if (opt == "sgd") {
      newParams.push_back(sub(w, mul(g, config.lr)));
      continue;
    }
    if (opt == "momentum") {
      Value v = add(mul(state(0, i), config.momentum), g);
      newStates[0].push_back(v);
      newParams.push_back(sub(w, mul(v, config.lr)));
      continue;
    }
    if (opt == "adamw" && wd > 0)
      w = mul(w, 1.0 - config.lr * wd); // decoupled decay
    Value m = add(mul(state(0, i), config.beta1), mul(g, 1.0 - config.beta1));
    Value v = add(mul(state(1, i), config.beta2),
                  mul(arith::MulFOp::create(b, loc, g, g), 1.0 - config.beta2));
    Value denom =
        add(arith::DivFOp::create(b, loc, math::SqrtOp::create(b, loc, v),
                                  splatScalar(sbc2, type)),
            splatConstant(b, loc, type, config.eps));
    Value update =
        arith::MulFOp::create(b, loc, arith::DivFOp::create(b, loc, m, denom),
                              splatScalar(stepSize, type));
    newParams.push_back(sub(w, update));
    newStates[0].push_back(m);
    newStates[1].push_back(v);
  }
  SmallVector<Value> results(newParams);
  results.append(newStates[0]);
  results.append(newStates[1]);
  if (adam)
    results.push_back(t1);
  results.push_back(vg.getLoss());
  func::ReturnOp::create(b, loc, results);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct MPMakeTrainablePass
    : mp::impl::MPMakeTrainableBase<MPMakeTrainablePass> {
  using Base::Base;

  void runOnOperation() override {
    Config config{entry,       params,    paramArgs,   loss,      optimizer,
                  minElements, targetArg, lr,          momentum,  beta1,
                  beta2,       eps,       weightDecay, keepEntry, initDir};
    if (auto error = verifyOptions(config)) {
      // At the module's location, without the module printed after it.
      mlir::emitError(getOperation().getLoc())
          << "mp-make-trainable: " << *error;
      return signalPassFailure();
    }
    MakeTrainable rewrite{config, getOperation(), 0, 0, 0, {}};
    if (failed(rewrite.run()))
      return signalPassFailure();
    numParams += rewrite.numParams;
    numPromoted += rewrite.promoted;
    numStateArgs += rewrite.stateArgs;
  }
};
} // namespace
