//===- FuzzCommon.h - shared pieces of the mixprec fuzz targets -*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// IR text -> parse -> pass pipeline -> verify, for libFuzzer targets.
//
// Invalid input (parse errors, verifier errors of the input, clean pass
// failures with a diagnostic) is rejected silently: every diagnostic goes to
// a handler that swallows it. A pass that *succeeds* but leaves IR that does
// not verify is a real bug: the instrumentation below prints the pass and
// the diagnostics and aborts, so libFuzzer reports it as a crash. Crashes,
// asserts and sanitizer reports inside the passes are reported by libFuzzer
// itself.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_FUZZ_FUZZCOMMON_H
#define MIXPREC_FUZZ_FUZZCOMMON_H

#include "mixprec/InitAll.h"
#include "mixprec/Support/HostileInput.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

// Same settings as the sanitizer build (test/lit.cfg.py): LLVM's header-only
// allocators poison memory from our instrumented code in arenas that the
// uninstrumented libMLIR also uses (false use-after-poison otherwise).
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

namespace mlir::mp::fuzz {

/// Verifies the IR after every pass that succeeded; a failure is a bug of
/// that pass (it reported success but produced invalid IR): abort.
struct VerifyAfterEachPass : public mlir::PassInstrumentation {
  std::string *diagnostics;
  explicit VerifyAfterEachPass(std::string *diagnostics)
      : diagnostics(diagnostics) {}
  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override {
    diagnostics->clear();
    if (mlir::succeeded(mlir::verify(op)))
      return;
    llvm::errs() << "FUZZ FINDING: pass '" << pass->getArgument()
                 << "' succeeded but produced IR that does not verify:\n"
                 << *diagnostics << "\n";
    llvm::errs().flush();
    abort();
  }
};

/// Known crashes of Debian's MLIR 22 *parser/verifier* on invalid input
/// (not mixprec code, which we cannot fix here; reproducers in
/// docs/robustness.md): the custom parsers of linalg.broadcast /
/// linalg.transpose / linalg.reduce store a null attribute when the array
/// after `dimensions =` / `permutation =` is malformed (segfault in
/// NamedAttrList::set), and the linalg.broadcast verifier crashes on a
/// repeated dimension (llvm/llvm-project#211203). Inputs that could reach
/// them are rejected before parsing: every `dimensions` / `permutation`
/// keyword followed by `=` must be followed by a well-formed list of small
/// distinct non-negative integers. This only removes invalid (or
/// unusual) inputs; every well-formed use still reaches the passes.
inline bool mayHitUpstreamParserCrash(llvm::StringRef text) {
  auto skipSpace = [&](size_t i) {
    while (i < text.size()) {
      if (isspace(static_cast<unsigned char>(text[i]))) {
        ++i;
      } else if (text.substr(i).starts_with("//")) {
        while (i < text.size() && text[i] != '\n')
          ++i;
      } else {
        break;
      }
    }
    return i;
  };
  for (llvm::StringRef key : {"dimensions", "permutation"}) {
    for (size_t pos = text.find(key); pos != llvm::StringRef::npos;
         pos = text.find(key, pos + 1)) {
      size_t i = skipSpace(pos + key.size());
      if (i >= text.size() || text[i] != '=')
        continue;
      i = skipSpace(i + 1);
      if (i >= text.size() || text[i] != '[')
        return true;
      i = skipSpace(i + 1);
      llvm::SmallVector<uint64_t> seen;
      bool expectValue = true, closed = false;
      while (i < text.size()) {
        if (text[i] == ']' && (seen.empty() || !expectValue)) {
          closed = true;
          break;
        }
        if (expectValue) {
          size_t start = i;
          uint64_t v = 0;
          while (i < text.size() &&
                 isdigit(static_cast<unsigned char>(text[i])) && i - start < 9)
            v = v * 10 + (text[i++] - '0');
          if (i == start || (i < text.size() && isdigit(text[i])))
            return true;
          if (llvm::is_contained(seen, v))
            return true;
          seen.push_back(v);
          expectValue = false;
        } else if (text[i] == ',') {
          ++i;
          expectValue = true;
        } else {
          return true;
        }
        i = skipSpace(i);
      }
      if (!closed)
        return true;
    }
  }
  return false;
}

/// One MLIR context with every dialect mp-opt registers, renewed every
/// `kRenewEvery` inputs so that uniqued attributes and types of past inputs
/// do not accumulate without bound.
class Harness {
public:
  Harness() {
    mlir::mp::registerAllDialects(registry);
    mlir::mp::registerAllPasses();
  }

  /// Parses `text`; on success runs `pipeline` (textual pass pipeline on the
  /// module) with verification after every successful pass.
  /// As every mixprec entry point does (mixprec/Support/HostileInput.h):
  /// input nested past the limit is rejected before parsing, and parsing and
  /// the passes run on a thread with a large stack, so a finding is what a
  /// user of mp-opt / mp-run / Python would hit, not an artifact of the
  /// fuzzer's own stack.
  void run(llvm::StringRef text, llvm::StringRef pipeline) {
    if (mayHitUpstreamParserCrash(text) || mlir::mp::findExcessiveNesting(text))
      return;
    mlir::mp::runOnLargeStack([&] { runHere(text, pipeline); });
  }

private:
  void runHere(llvm::StringRef text, llvm::StringRef pipeline) {
    if (!context || ++uses > kRenewEvery)
      renew();
    mlir::ParserConfig config(context.get());
    // MLIR's lexer reads up to a NUL terminator (libFuzzer's buffer has
    // none): parse a NUL-terminated copy.
    std::string source = text.str();
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(source, config);
    if (!module)
      return; // invalid input: parse or verifier error (swallowed)
    mlir::PassManager pm(context.get());
    // Our instrumentation verifies after each successful pass; the pass
    // manager's own verifier would turn a bad pass into a plain failure.
    pm.enableVerifier(false);
    if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, llvm::nulls())))
      abort(); // the harness's own pipeline must parse
    pm.addInstrumentation(std::make_unique<VerifyAfterEachPass>(&diags));
    (void)pm.run(*module); // a clean failure with a diagnostic is fine
    diags.clear();
  }

  static constexpr unsigned kRenewEvery = 2000;

  void renew() {
    handler.reset();
    context = std::make_unique<mlir::MLIRContext>(
        registry, mlir::MLIRContext::Threading::DISABLED);
    context->allowUnregisteredDialects(true);
    context->printOpOnDiagnostic(false);
    context->printStackTraceOnDiagnostic(false);
    handler = std::make_unique<mlir::ScopedDiagnosticHandler>(
        context.get(), [this](mlir::Diagnostic &d) {
          // Keep the text only for a verifier finding's report.
          if (diags.size() < 4096)
            diags += d.str() + "\n";
          return mlir::success();
        });
    uses = 0;
  }

  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
  std::string diags;
  unsigned uses = 0;
};

/// A cheap deterministic hash of the input picks pass options, so that one
/// input always runs the same configuration (reproducible findings) while
/// the corpus as a whole exercises all of them.
inline uint32_t hashInput(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; ++i)
    h = (h ^ data[i]) * 16777619u;
  return h;
}

} // namespace mlir::mp::fuzz

#endif // MIXPREC_FUZZ_FUZZCOMMON_H
