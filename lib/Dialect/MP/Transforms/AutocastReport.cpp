//===- AutocastReport.cpp - mp-autocast statistics and report -------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// What mp-autocast counted: sums of AutocastStats over functions, the
// queries the pass statistics are read from, and the JSON report.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Transforms/Autocast.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::mp;

//===----------------------------------------------------------------------===//
// AutocastStats
//===----------------------------------------------------------------------===//

void AutocastStats::accumulate(const AutocastStats &other) {
  for (const auto &[cls, perType] : other.ops)
    for (const auto &[type, n] : perType)
      ops[cls][type] += n;
  castsInserted += other.castsInserted;
  constantsConverted += other.constantsConverted;
  for (const auto &[type, n] : other.paramBytes)
    paramBytes[type] += n;
  for (const auto &[type, n] : other.activationBytes)
    activationBytes[type] += n;
}

/// `m[key]`, or 0 when `key` is absent.
static int64_t lookupOrZero(const std::map<std::string, int64_t> &m,
                            StringRef key) {
  auto it = m.find(key.str());
  return it == m.end() ? int64_t(0) : it->second;
}

int64_t AutocastStats::getNumOpsOfClass(StringRef cls) const {
  int64_t n = 0;
  auto it = ops.find(cls.str());
  if (it != ops.end())
    for (const auto &[type, count] : it->second)
      n += count;
  return n;
}

int64_t AutocastStats::getNumClassifiedOpsIn(StringRef dtype) const {
  int64_t n = 0;
  for (const auto &[cls, perType] : ops)
    if (cls != "unknown")
      n += lookupOrZero(perType, dtype);
  return n;
}

int64_t AutocastStats::getParamBytes(StringRef dtype) const {
  return lookupOrZero(paramBytes, dtype);
}

int64_t AutocastStats::getActivationBytes(StringRef dtype) const {
  return lookupOrZero(activationBytes, dtype);
}

AutocastStats mlir::mp::sumAutocastStats(ArrayRef<AutocastStats> stats) {
  AutocastStats total;
  for (const AutocastStats &s : stats)
    total.accumulate(s);
  return total;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

static void writeStats(llvm::json::OStream &j, const AutocastStats &s) {
  j.attributeObject("ops", [&] {
    for (const auto &entry : s.ops)
      j.attributeObject(entry.first, [&] {
        for (const auto &[type, n] : entry.second)
          j.attribute(type, n);
      });
  });
  j.attribute("casts_inserted", s.castsInserted);
  j.attribute("constants_converted", s.constantsConverted);
  auto bytes = [&](StringRef key, const std::map<std::string, int64_t> &m) {
    j.attributeObject(key, [&] {
      for (const auto &[type, n] : m)
        j.attribute(type, n);
    });
  };
  bytes("param_bytes", s.paramBytes);
  bytes("activation_bytes", s.activationBytes);
}

void mlir::mp::writeAutocastReport(llvm::raw_ostream &os,
                                   const AutocastOptions &options,
                                   ArrayRef<AutocastStats> stats) {
  llvm::json::OStream j(os, /*IndentSize=*/2);
  j.object([&] {
    j.attributeObject("policy", [&] {
      j.attribute("param", stringifyDType(options.policy.param));
      j.attribute("compute", stringifyDType(options.policy.compute));
      j.attribute("output", stringifyDType(options.policy.output));
    });
    j.attribute("target", options.target == Target::NVPTX ? "nvptx" : "cpu");
    j.attribute("accumulate",
                options.accumulate == Accumulate::F32 ? "f32" : "compute");
    AutocastStats total;
    j.attributeArray("functions", [&] {
      for (const AutocastStats &s : stats) {
        total.accumulate(s);
        j.object([&] {
          j.attribute("name", s.function);
          j.attribute("signature_changed", s.signatureChanged);
          writeStats(j, s);
        });
      }
    });
    j.attributeObject("total", [&] { writeStats(j, total); });
  });
  os << "\n";
}
