//===- fuzz-pipeline.cpp - libFuzzer target: IR -> mp-mixed-precision -----===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Input: MLIR text. A module that parses and verifies is run through the
// whole mp-mixed-precision pipeline (mp-autocast, mp-loss-scaling,
// mp-differentiate, mp-cleanup, mp-lower, mp-cleanup) with the policy and
// loss-scaling options picked from a hash of the input; the IR must verify
// after every pass that succeeded (see FuzzCommon.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

static const char *const kPolicies[] = {
    "mixed_bfloat16", "mixed_float16", "float32", "bfloat16",
    "float16",        "half",          "c=f16",   "p=f16,c=bf16,o=f32"};

static const char *const kScaling[] = {
    " mode=dynamic",
    " mode=static",
    " mode=none",
    " mode=dynamic hysteresis=2",
    " mode=dynamic clip-norm=1.0",
    " mode=static init-scale=1024 clip-norm=0.5"};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::mp::fuzz::Harness harness;
  uint32_t h = mlir::mp::fuzz::hashInput(data, size);
  std::string pipeline = "builtin.module(mp-mixed-precision{policy=";
  pipeline += kPolicies[h % std::size(kPolicies)];
  pipeline += kScaling[(h >> 8) % std::size(kScaling)];
  pipeline += (h >> 16) & 1 ? " accumulate=compute" : "";
  pipeline += "})";
  harness.run(llvm::StringRef(reinterpret_cast<const char *>(data), size),
              pipeline);
  return 0;
}
