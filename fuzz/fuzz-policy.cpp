//===- fuzz-policy.cpp - libFuzzer target: the policy parser -------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to mlir::mp::parsePolicy (docs/design.md §5) for both
// targets and checks its contract:
//  - a rejected string produces exactly one non-empty diagnostic;
//  - an accepted policy prints (Policy::str) to a string that parses back to
//    the same policy, for both targets (str() never says `half`);
//  - `half` is the only spelling whose meaning depends on the target.
// Any violation aborts (a finding).
//
//===----------------------------------------------------------------------===//

#include "mixprec/Dialect/MP/Utils/Policy.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::mp;

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

static void fail(const char *what, llvm::StringRef input) {
  llvm::errs() << "FUZZ FINDING: " << what << " for policy '" << input << "'\n";
  abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef spec(reinterpret_cast<const char *>(data), size);
  FailureOr<Policy> byTarget[2];
  for (Target target : {Target::CPU, Target::NVPTX}) {
    unsigned messages = 0;
    bool emptyMessage = false;
    FailureOr<Policy> policy =
        parsePolicy(spec, target, [&](const llvm::Twine &message) {
          ++messages;
          emptyMessage |= message.str().empty();
        });
    byTarget[target == Target::NVPTX] = policy;
    if (failed(policy)) {
      if (messages != 1 || emptyMessage)
        fail("rejected without exactly one non-empty diagnostic", spec);
      // Without a callback it must fail the same way, silently.
      if (succeeded(parsePolicy(spec, target)))
        fail("result depends on the error callback", spec);
      continue;
    }
    if (messages != 0)
      fail("accepted with a diagnostic", spec);
    std::string printed = policy->str();
    for (Target other : {Target::CPU, Target::NVPTX}) {
      FailureOr<Policy> again = parsePolicy(printed, other);
      if (failed(again) || *again != *policy)
        fail("Policy::str() does not parse back to the same policy", spec);
    }
  }
  // Acceptance never depends on the target; only `half` may change meaning.
  if (succeeded(byTarget[0]) != succeeded(byTarget[1]))
    fail("accepted for one target only", spec);
  if (succeeded(byTarget[0]) && *byTarget[0] != *byTarget[1] &&
      !spec.contains("half") && spec != "mixed")
    fail("target-dependent policy without 'half'", spec);
  return 0;
}
