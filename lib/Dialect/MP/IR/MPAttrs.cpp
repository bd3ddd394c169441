//===- MPAttrs.cpp - mixprec attributes -----------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/IR/MPAttrs.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <charconv>
#include <cmath>

using namespace mlir;
using namespace mlir::mp;

#include "mixprec/Dialect/MP/IR/MPOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mixprec/Dialect/MP/IR/MPOpsAttributes.cpp.inc"

void MPDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mixprec/Dialect/MP/IR/MPOpsAttributes.cpp.inc"
      >();
}

bool mlir::mp::isPolicyFloatType(Type type) {
  return type && (type.isF32() || type.isF16() || type.isBF16());
}

/// Prints `value` with the fewest digits that read back to the same double,
/// always with a '.' or an exponent so that it parses as a float.
static void printShortestDouble(raw_ostream &os, double value) {
  if (std::isinf(value)) {
    os << (value < 0 ? "-inf" : "inf");
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  StringRef text(buf, end - buf);
  os << text;
  if (text.find_first_of(".eEn") == StringRef::npos)
    os << ".0";
}

/// `value` as printShortestDouble prints it, for diagnostics.
static std::string formatDouble(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printShortestDouble(os, value);
  return text;
}

//===----------------------------------------------------------------------===//
// PolicyAttr
//===----------------------------------------------------------------------===//

static constexpr StringLiteral kPolicyDtypes = "f32, bf16, f16";

Attribute PolicyAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  Builder b(parser.getContext());
  Type types[3];
  StringRef keys[3] = {"param", "compute", "output"};
  if (parser.parseLess())
    return {};
  for (unsigned i = 0; i < 3; ++i) {
    if (i > 0 && parser.parseComma())
      return {};
    StringRef key;
    SMLoc keyLoc = parser.getCurrentLocation();
    if (parser.parseKeyword(&key))
      return {};
    if (key != keys[i]) {
      parser.emitError(keyLoc)
          << "expected #mp.policy key '" << keys[i] << "', got '" << key
          << "'; the keys are param, compute, output in this order";
      return {};
    }
    if (parser.parseEqual())
      return {};
    StringRef dtype;
    SMLoc dtypeLoc = parser.getCurrentLocation();
    if (parser.parseOptionalKeyword(&dtype)) {
      parser.emitError(dtypeLoc) << "expected a dtype for #mp.policy key '"
                                 << key << "'; accepted: " << kPolicyDtypes;
      return {};
    }
    types[i] = llvm::StringSwitch<Type>(dtype)
                   .Case("f32", b.getF32Type())
                   .Case("bf16", b.getBF16Type())
                   .Case("f16", b.getF16Type())
                   .Default(Type());
    if (!types[i]) {
      parser.emitError(dtypeLoc)
          << "unknown dtype '" << dtype << "' for #mp.policy key '" << key
          << "'; accepted: " << kPolicyDtypes;
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<PolicyAttr>(loc, parser.getContext(), types[0],
                                       types[1], types[2]);
}

void PolicyAttr::print(AsmPrinter &printer) const {
  printer << "<param = " << getParam() << ", compute = " << getCompute()
          << ", output = " << getOutput() << ">";
}

LogicalResult PolicyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 Type param, Type compute, Type output) {
  for (auto [key, type] : {std::pair<StringRef, Type>{"param", param},
                           {"compute", compute},
                           {"output", output}}) {
    if (!isPolicyFloatType(type))
      return emitError() << "#mp.policy " << key << " dtype must be one of "
                         << "f32, bf16, f16; got " << type;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LossScaleAttr
//===----------------------------------------------------------------------===//

namespace {
enum class LossScaleKey {
  Init,
  GrowthFactor,
  BackoffFactor,
  GrowthInterval,
  Min,
  Max,
  Hysteresis
};
} // namespace

static constexpr StringLiteral kLossScaleKeys =
    "init, growth_factor, backoff_factor, growth_interval, min, max, "
    "hysteresis";

/// Parses a float literal, an integer literal or `inf`.
static ParseResult parseScaleValue(AsmParser &parser, double &value) {
  if (succeeded(parser.parseOptionalKeyword("inf"))) {
    value = std::numeric_limits<double>::infinity();
    return success();
  }
  bool negative = succeeded(parser.parseOptionalMinus());
  uint64_t integer;
  OptionalParseResult asInteger = parser.parseOptionalInteger(integer);
  if (asInteger.has_value()) {
    if (failed(*asInteger))
      return failure();
    value = static_cast<double>(integer);
  } else if (parser.parseFloat(value)) {
    return failure();
  }
  if (negative)
    value = -value;
  return success();
}

Attribute LossScaleAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  MLIRContext *ctx = parser.getContext();
  if (parser.parseLess())
    return {};
  StringRef kindName;
  SMLoc kindLoc = parser.getCurrentLocation();
  if (parser.parseKeyword(&kindName))
    return {};
  std::optional<LossScaleKind> kind = symbolizeLossScaleKind(kindName);
  if (!kind) {
    parser.emitError(kindLoc) << "unknown loss-scaling mode '" << kindName
                              << "'; accepted: none, static, dynamic";
    return {};
  }

  double init = kDefaultInit, growth = kDefaultGrowthFactor,
         backoff = kDefaultBackoffFactor, minScale = kDefaultMin,
         maxScale = kDefaultMax;
  int64_t interval = kDefaultGrowthInterval, hysteresis = kDefaultHysteresis;
  llvm::SmallDenseSet<unsigned> seen;

  while (succeeded(parser.parseOptionalComma())) {
    StringRef keyName;
    SMLoc keyLoc = parser.getCurrentLocation();
    if (parser.parseKeyword(&keyName))
      return {};
    std::optional<LossScaleKey> key =
        llvm::StringSwitch<std::optional<LossScaleKey>>(keyName)
            .Case("init", LossScaleKey::Init)
            .Case("growth_factor", LossScaleKey::GrowthFactor)
            .Case("backoff_factor", LossScaleKey::BackoffFactor)
            .Case("growth_interval", LossScaleKey::GrowthInterval)
            .Case("min", LossScaleKey::Min)
            .Case("max", LossScaleKey::Max)
            .Case("hysteresis", LossScaleKey::Hysteresis)
            .Default(std::nullopt);
    if (!key) {
      parser.emitError(keyLoc) << "unknown #mp.loss_scale key '" << keyName
                               << "'; accepted: " << kLossScaleKeys;
      return {};
    }
    if (!seen.insert(static_cast<unsigned>(*key)).second) {
      parser.emitError(keyLoc)
          << "duplicate #mp.loss_scale key '" << keyName << "'";
      return {};
    }
    if (*kind == LossScaleKind::None ||
        (*kind == LossScaleKind::Static && *key != LossScaleKey::Init)) {
      parser.emitError(keyLoc)
          << "key '" << keyName << "' is not accepted in mode '" << kindName
          << "'"
          << (*kind == LossScaleKind::Static ? "; static mode accepts: init"
                                             : "; mode none takes no keys");
      return {};
    }
    if (parser.parseEqual())
      return {};
    ParseResult result = success();
    switch (*key) {
    case LossScaleKey::Init:
      result = parseScaleValue(parser, init);
      break;
    case LossScaleKey::GrowthFactor:
      result = parseScaleValue(parser, growth);
      break;
    case LossScaleKey::BackoffFactor:
      result = parseScaleValue(parser, backoff);
      break;
    case LossScaleKey::Min:
      result = parseScaleValue(parser, minScale);
      break;
    case LossScaleKey::Max:
      result = parseScaleValue(parser, maxScale);
      break;
    case LossScaleKey::GrowthInterval:
      result = parser.parseInteger(interval);
      break;
    case LossScaleKey::Hysteresis:
      result = parser.parseInteger(hysteresis);
      break;
    }
    if (failed(result))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<LossScaleAttr>(
      loc, ctx, *kind, llvm::APFloat(init), llvm::APFloat(growth),
      llvm::APFloat(backoff), interval, llvm::APFloat(minScale),
      llvm::APFloat(maxScale), hysteresis);
}

void LossScaleAttr::print(AsmPrinter &printer) const {
  raw_ostream &os = printer.getStream();
  os << "<" << stringifyLossScaleKind(getKind());
  if (getKind() == LossScaleKind::None) {
    os << ">";
    return;
  }
  os << ", init = ";
  printShortestDouble(os, getInitValue());
  if (getKind() == LossScaleKind::Dynamic) {
    os << ", growth_factor = ";
    printShortestDouble(os, getGrowthFactorValue());
    os << ", backoff_factor = ";
    printShortestDouble(os, getBackoffFactorValue());
    os << ", growth_interval = " << getGrowthInterval() << ", min = ";
    printShortestDouble(os, getMinScaleValue());
    os << ", max = ";
    printShortestDouble(os, getMaxScaleValue());
    os << ", hysteresis = " << getHysteresis();
  }
  os << ">";
}

LogicalResult
LossScaleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      LossScaleKind kind, APFloat init, APFloat growthFactor,
                      APFloat backoffFactor, int64_t growthInterval,
                      APFloat minScale, APFloat maxScale, int64_t hysteresis) {
  double initV = init.convertToDouble(),
         growth = growthFactor.convertToDouble(),
         backoff = backoffFactor.convertToDouble(),
         minV = minScale.convertToDouble(), maxV = maxScale.convertToDouble();
  if (!(std::isfinite(initV) && initV > 0))
    return emitError() << "#mp.loss_scale init must be finite and > 0, got "
                       << formatDouble(initV);
  if (kind != LossScaleKind::Dynamic)
    return success();
  if (!(std::isfinite(growth) && growth > 1))
    return emitError()
           << "#mp.loss_scale growth_factor must be finite and > 1, got "
           << formatDouble(growth);
  if (!(backoff > 0 && backoff < 1))
    return emitError()
           << "#mp.loss_scale backoff_factor must be in (0, 1), got "
           << formatDouble(backoff);
  if (growthInterval < 1)
    return emitError() << "#mp.loss_scale growth_interval must be >= 1, got "
                       << growthInterval;
  if (!(std::isfinite(minV) && minV >= 0))
    return emitError() << "#mp.loss_scale min must be finite and >= 0, got "
                       << formatDouble(minV);
  if (!(maxV >= minV) || std::isnan(maxV))
    return emitError() << "#mp.loss_scale max must be >= min ("
                       << formatDouble(minV) << "), got " << formatDouble(maxV);
  if (hysteresis < 1)
    return emitError() << "#mp.loss_scale hysteresis must be >= 1, got "
                       << hysteresis;
  if (hysteresis > std::numeric_limits<int32_t>::max() ||
      growthInterval > std::numeric_limits<int32_t>::max())
    return emitError() << "#mp.loss_scale growth_interval and hysteresis "
                          "must fit in i32 (the state is a tensor<i32>)";
  return success();
}
