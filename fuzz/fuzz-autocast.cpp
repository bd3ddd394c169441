//===- fuzz-autocast.cpp - libFuzzer target: IR -> mp-autocast -> verify --===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Input: MLIR text. Parsed with every dialect mp-opt registers (unregistered
// ops allowed); a module that parses and verifies is run through
// mp-autocast with options picked from a hash of the input (policy, target,
// accumulator type, a keep-fp32 regex, forced op classes), and the result
// must verify (see FuzzCommon.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

static const char *const kPolicies[] = {
    "mixed_bfloat16", "mixed_float16", "float32",
    "bfloat16",       "float16",       "half",
    "mixed",          "c=bf16",        "p=f16,c=bf16,o=f32",
    "p=bf16,o=f16"};

static const char *const kExtras[] = {"",
                                      "",
                                      "",
                                      "",
                                      " keep-fp32=.*",
                                      " keep-fp32=fc|out",
                                      " allow=linalg.generic",
                                      " deny=linalg.matmul,arith.addf",
                                      " follow=math.exp"};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::mp::fuzz::Harness harness;
  uint32_t h = mlir::mp::fuzz::hashInput(data, size);
  std::string pipeline = "builtin.module(mp-autocast{policy=";
  pipeline += kPolicies[h % std::size(kPolicies)];
  pipeline += (h >> 8) & 1 ? " target=nvptx" : " target=cpu";
  pipeline += (h >> 9) & 1 ? " accumulate=compute" : " accumulate=f32";
  pipeline += kExtras[(h >> 10) % std::size(kExtras)];
  pipeline += "})";
  harness.run(llvm::StringRef(reinterpret_cast<const char *>(data), size),
              pipeline);
  return 0;
}
