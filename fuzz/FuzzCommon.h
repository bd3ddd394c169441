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
#include "llvm/Support/raw_ostream.h"
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

namespace mixprec::fuzz {

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

/// One MLIR context with every dialect mp-opt registers, renewed every
/// `kRenewEvery` inputs so that uniqued attributes and types of past inputs
/// do not accumulate without bound.
class Harness {
public:
  Harness() {
    mixprec::registerAllDialects(registry);
    mixprec::registerAllPasses();
  }

  /// Parses `text`; on success runs `pipeline` (textual pass pipeline on the
  /// module) with verification after every successful pass.
  void run(llvm::StringRef text, llvm::StringRef pipeline) {
    if (!context || ++uses > kRenewEvery)
      renew();
    mlir::ParserConfig config(context.get());
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(text, config);
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

private:
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

} // namespace mixprec::fuzz

#endif // MIXPREC_FUZZ_FUZZCOMMON_H
