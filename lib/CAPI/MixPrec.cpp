//===- MixPrec.cpp - C API of mixprec -------------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec-c/MixPrec.h"
#include "mixprec/Dialect/MP/IR/MPDialect.h"
#include "mixprec/Driver/CompiledStep.h"
#include "mixprec/InitAll.h"
#include "mixprec/Support/HostileInput.h"
#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

using namespace mlir;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(MP, mp, mlir::mp::MPDialect)

void mixprecRegisterAllDialects(MlirDialectRegistry registry) {
  mlir::mp::registerAllDialects(*unwrap(registry));
}

void mixprecRegisterMixPrecDialects(MlirDialectRegistry registry) {
  mlir::mp::registerMixPrecDialects(*unwrap(registry));
}

void mixprecRegisterAllPasses(void) {
  static std::once_flag once;
  std::call_once(once, [] { mlir::mp::registerAllPasses(); });
}

/// A malloc'd NUL-terminated copy of `text`.
static char *copyString(llvm::StringRef text) {
  char *out = static_cast<char *>(std::malloc(text.size() + 1));
  if (!out)
    return nullptr;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

static bool finish(bool ok, const std::string &text, char **result) {
  if (result)
    *result = copyString(text);
  return ok;
}

static bool runPassPipeline(const char *irText, const char *pipeline,
                            char **result);

// Hostile input (mixprec/Support/HostileInput.h): nesting past the limit is
// a diagnostic, and parsing and the passes run on a thread with a large
// stack, not on the caller's.
bool mixprecRunPassPipeline(const char *irText, const char *pipeline,
                            char **result) {
  if (result)
    *result = nullptr;
  if (!irText)
    return finish(false, "error: no input IR (NULL)\n", result);
  if (std::optional<std::string> deep =
          mlir::mp::checkNestingDepth(irText, "<input>"))
    return finish(false, *deep + "\n", result);
  bool ok = false;
  mlir::mp::runOnLargeStack(
      [&] { ok = runPassPipeline(irText, pipeline, result); });
  return ok;
}

static bool runPassPipeline(const char *irText, const char *pipeline,
                            char **result) {
  mixprecRegisterAllPasses();

  DialectRegistry registry;
  mlir::mp::registerAllDialects(registry);
  MLIRContext context(registry);
  // The diagnostics are returned as text: no dump of the whole module.
  context.printOpOnDiagnostic(false);

  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(irText, "<input>"), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(*sourceMgr, &context, diagStream);

  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return finish(false,
                  diagnostics.empty() ? "error: cannot parse the input\n"
                                      : diagnostics,
                  result);

  PassManager pm(&context);
  // Accept "builtin.module(p1,p2)" as well as "p1,p2": the pass manager is
  // anchored on the module already.
  llvm::StringRef full = llvm::StringRef(pipeline ? pipeline : "").trim();
  llvm::StringRef inner = full;
  if (!(inner.consume_front("builtin.module(") && inner.consume_back(")")))
    inner = full;
  inner = inner.trim();
  if (!inner.empty()) {
    std::string parseErrors;
    llvm::raw_string_ostream parseStream(parseErrors);
    if (failed(parsePassPipeline(inner, pm, parseStream)))
      return finish(
          false,
          diagnostics + "error: invalid pass pipeline '" + full.str() +
              "': " + parseErrors +
              (parseErrors.empty() || parseErrors.back() != '\n' ? "\n" : ""),
          result);
  }
  if (failed(pm.run(*module)))
    return finish(false,
                  diagnostics.empty() ? "error: the pass pipeline failed\n"
                                      : diagnostics,
                  result);

  std::string output;
  llvm::raw_string_ostream os(output);
  module->print(os);
  return finish(true, output, result);
}

bool mixprecCompileToSharedLibrary(const char *irText, const char *pipeline,
                                   const char *entry, const char *outputPath,
                                   char **diagnostics) {
  if (diagnostics)
    *diagnostics = nullptr;
  if (!irText || !outputPath || !*outputPath)
    return finish(false, "error: no input IR or no output path\n", diagnostics);
  mixprecRegisterAllPasses();
  mlir::mp::CompileOptions options;
  if (entry && *entry)
    options.entry = entry;
  options.pipeline = pipeline ? pipeline : "";
  options.aot = true;
  options.aotPath = outputPath;
  options.sourceName = "<input>";
  // The driver checks the nesting; it parses and compiles on a large stack.
  std::optional<llvm::Expected<std::unique_ptr<mlir::mp::CompiledStep>>> step;
  mlir::mp::runOnLargeStack(
      [&] { step.emplace(mlir::mp::CompiledStep::compile(irText, options)); });
  if (!*step)
    return finish(false, llvm::toString(step->takeError()) + "\n", diagnostics);
  return true;
}

void mixprecStringDestroy(char *str) { std::free(str); }
