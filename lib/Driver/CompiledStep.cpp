//===- CompiledStep.cpp - compile a training step -------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// CompiledStep::compile: parses the input, runs the tensor-level pipeline,
// reads the signature, then lowers with mp-to-cpu and compiles with ORC's
// LLJIT (JIT) or into a shared library (AOT); CUDA steps go to compileCUDA
// (CUDARuntime.cpp). Only the functions the entry reaches are lowered, and
// the IR is verified once, after the lowering (mp-opt verifies after every
// pass). The step is called through its packed entry `_mlir_<entry>`
// (mp-emit-packed-interface, StepABI.cpp). A lowered step that calls MPI
// gets its MPI_* / mp_rt_mpi_* symbols from the MPI runtime
// (MPIRuntime.cpp). The other parts of CompiledStep live in Signature.cpp,
// StepABI.cpp, Codegen.cpp (LLVM IR to object code, on several threads),
// SharedLibrary.cpp, CUDARuntime.cpp, MPIRuntime.cpp and Buffers.cpp.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/Dialect/MP/Transforms/Autocast.h"
#include "mixprec/InitAll.h"
#include "mixprec/Pipelines/Pipelines.h"
#include "mixprec/Support/HostileInput.h"
#include "mixprec_cpu_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <dlfcn.h>
#include <utility>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

CompiledStep::Impl::~Impl() {
  // Global destructors of the JIT'ed module, then the JIT itself.
  if (jit)
    llvm::consumeError(jit->deinitialize(jit->getMainJITDylib()));
  jit.reset();
  if (library)
    dlclose(library);
  if (!tempLibrary.empty())
    llvm::sys::fs::remove(tempLibrary);
}

CompiledStep::~CompiledStep() = default;

/// Points the lowered code's malloc/aligned_alloc/free at the accounting
/// runtime, and upstream's memrefCopy (strided memref.copy) at the
/// runtime's copy.
static void renameAllocator(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  for (auto [from, to] :
       {std::pair<StringRef, StringRef>{"malloc", "mp_rt_malloc"},
        {"aligned_alloc", "mp_rt_aligned_alloc"},
        {"free", "mp_rt_free"},
        {"memrefCopy", "mp_rt_memref_copy"}}) {
    auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(from);
    if (!fn)
      continue;
    if (failed(SymbolTable::replaceAllSymbolUses(fn, StringAttr::get(ctx, to),
                                                 module)))
      continue;
    fn.setSymName(to);
    // Like malloc's: the returned buffer aliases nothing else, so LLVM may
    // keep a reduction's accumulator in a register and vectorize loops
    // without runtime overlap checks.
    if (to == "mp_rt_malloc" || to == "mp_rt_aligned_alloc")
      fn.setResultAttr(0, LLVM::LLVMDialect::getNoAliasAttrName(),
                       UnitAttr::get(ctx));
  }
}

/// Drops the func.func ops that `entry` does not reach through symbol
/// references (calls, or any other use of the name): the compile API lowers
/// only what the step runs, not e.g. the loss function mp-differentiate
/// inlined. Other symbols (globals) stay.
static void dropUnreachableFunctions(ModuleOp module, func::FuncOp entry) {
  SymbolTable table(module);
  llvm::DenseSet<Operation *> reached{entry};
  SmallVector<Operation *> work{entry};
  while (!work.empty()) {
    Operation *fn = work.pop_back_val();
    fn->walk([&](Operation *op) {
      for (NamedAttribute attr : op->getAttrs())
        attr.getValue().walk([&](SymbolRefAttr ref) {
          Operation *callee = table.lookup(ref.getRootReference());
          if (callee && reached.insert(callee).second)
            work.push_back(callee);
        });
    });
  }
  for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!reached.contains(fn))
      fn.erase();
}

/// Verifies `module` (the pass managers of the compile API do not verify
/// after each pass).
static llvm::Error verifyOnce(ModuleOp module, StringRef stage,
                              std::string &diagnostics) {
  if (succeeded(verify(module)))
    return llvm::Error::success();
  return makeError(Twine(stage) + " produced invalid IR:\n" + diagnostics);
}

llvm::Expected<std::unique_ptr<CompiledStep>>
CompiledStep::compile(StringRef mlirText, const CompileOptions &options) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    registerAllPasses();
    return true;
  }();
  (void)initialized;

  auto start = std::chrono::steady_clock::now();
  double cpuStart = threadCpuMs();
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllToLLVMIRTranslations(registry);
  MLIRContext context(registry);
  context.disableMultithreading();

  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Remark)
      return success();
    diagStream << diag.getLocation() << ": ";
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      diagStream << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      diagStream << "warning: ";
      break;
    default:
      diagStream << "note: ";
    }
    diagStream << diag << "\n";
    for (Diagnostic &note : diag.getNotes())
      diagStream << "  note: " << note << "\n";
    return success();
  });

  // Input nested deeper than the parser's stack allows is a diagnostic
  // (mixprec/Support/HostileInput.h).
  if (std::optional<std::string> deep = checkNestingDepth(
          mlirText, options.sourceName.empty() ? "<input>"
                                               : StringRef(options.sourceName)))
    return makeError("cannot parse the input:\n" + *deep);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      mlirText, ParserConfig(&context), options.sourceName);
  if (!module)
    return makeError("cannot parse the input:\n" + diagnostics);
  auto entry = module->lookupSymbol<func::FuncOp>(options.entry);
  if (!entry)
    return makeError("no function @" + options.entry + " in the input");

  // Parameters: the step arguments passed at `wrt` positions.
  llvm::DenseSet<unsigned> params;
  entry.walk([&](mp::ValueAndGradOp vg) {
    for (int64_t index : vg.getWrt())
      if (auto arg = dyn_cast<BlockArgument>(vg.getArgs()[index]))
        if (arg.getOwner() == &entry.getBody().front())
          params.insert(arg.getArgNumber());
  });

  PassManager pm(&context);
  // Verified once, after the lowering (the input was verified when parsed).
  pm.enableVerifier(false);
  // Accept "builtin.module(p1,p2)" as well as "p1,p2": the pass manager is
  // already anchored on the module.
  StringRef pipelineText = StringRef(options.pipeline).trim();
  if (pipelineText.consume_front("builtin.module(") &&
      pipelineText.consume_back(")"))
    pipelineText = pipelineText.trim();
  else
    pipelineText = StringRef(options.pipeline).trim();
  if (!pipelineText.empty() &&
      failed(parsePassPipeline(pipelineText, pm, diagStream)))
    return makeError("invalid pipeline '" + options.pipeline + "':\n" +
                     diagnostics);
  if (failed(pm.run(*module)))
    return makeError("compilation failed:\n" + diagnostics);
  if (options.dumpIR)
    module->print(llvm::errs());
  entry = module->lookupSymbol<func::FuncOp>(options.entry);
  if (!entry)
    return makeError("the pipeline removed @" + options.entry);
  dropUnreachableFunctions(*module, entry);

  std::unique_ptr<CompiledStep> step(new CompiledStep());
  step->impl = std::make_unique<Impl>();
  if (llvm::Error err = readSignature(entry, params, step->sig))
    return std::move(err);
  step->savedActBytes = getSavedActivationBytes(entry, step->sig.lossResult);

  if (options.readOnlyArguments)
    for (unsigned i = 0, e = entry.getNumArguments(); i < e; ++i)
      entry.setArgAttr(i, "bufferization.writable",
                       BoolAttr::get(&context, false));

  step->stepTarget = options.target;
  if (options.target == StepTarget::CUDA) {
    // Data parallelism (the `mpi` dialect, mp_rt_mpi_world_size) is CPU
    // only: mp-to-nvptx has no lowering for it.
    bool usesMPI = false;
    module->walk([&](Operation *op) {
      auto fn = dyn_cast<func::FuncOp>(op);
      if (isa_and_nonnull<mpi::MPIDialect>(op->getDialect()))
        usesMPI = true;
      else if (fn && fn.getSymName().starts_with("mp_rt_mpi_"))
        usesMPI = true;
      return usesMPI ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (usesMPI)
      return makeError("the step is data-parallel (it calls MPI): "
                       "data-parallel training runs on the CPU target only");
    if (llvm::Error err = step->compileCUDA(*module, options, diagnostics))
      return std::move(err);
    step->compileMillis = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count();
    return step;
  }

  PassManager lower(&context);
  lower.enableVerifier(false);
  // Compiled through LLVM here: a step with thousands of loop nests gets
  // one function per nest (mp-outline-loop-nests), or LLVM's loop passes
  // take minutes. The caller's options come last and win.
  auto cpuOptions = ToCPUOptions::createFromString("outline-min-loops=256 " +
                                                   options.cpuOptions);
  if (!cpuOptions)
    return makeError("invalid mp-to-cpu options '" + options.cpuOptions + "'");
  {
    std::string message;
    llvm::raw_string_ostream os(message);
    if (failed(verifyToCPUOptions(*cpuOptions, os)))
      return makeError(message);
  }
  buildToCPUPipeline(lower, *cpuOptions);
  {
    MPEmitPackedInterfaceOptions packed;
    packed.entries = {options.entry};
    packed.internalize = true;
    lower.addPass(createMPEmitPackedInterface(packed));
  }
  if (failed(lower.run(*module)))
    return makeError("lowering to LLVM failed:\n" + diagnostics);
  if (llvm::Error err =
          verifyOnce(*module, "the lowering to LLVM", diagnostics))
    return std::move(err);
  renameAllocator(*module);
  double mlirMs = threadCpuMs() - cpuStart, translateMs = 0;
  std::string symbol = "_mlir_" + options.entry;

  // A data-parallel step calls MPI_* (libmpich) and mp_rt_mpi_* (the MPI
  // runtime): load the runtime, resolve them from it (JIT) or link it
  // (AOT), and initialise MPI now, before the first call (compiled code
  // cannot: MPI_Init twice aborts). A step without MPI does none of this.
  std::vector<std::string> mpi = mpiSymbols(*module);
  MpiRuntime *mpiRuntime = nullptr;
  if (!mpi.empty()) {
    if (llvm::Error err = checkMPIImplementation(*module))
      return std::move(err);
    auto rt = loadMpiRuntime();
    if (!rt)
      return makeError("the step calls MPI (" + llvm::join(mpi, ", ") +
                       "): " + llvm::toString(rt.takeError()));
    mpiRuntime = *rt;
    for (const std::string &name : mpi)
      if (!mpiRuntime->lookup(name))
        return makeError("the step calls " + name + ", which neither " +
                         mpiRuntime->path + " nor libmpich defines");
    mpiRuntime->init(nullptr, nullptr);
  }

  // The host CPU, for the JIT and for AOT libraries alike (Codegen.cpp
  // compiles both, on several threads).
  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    return tmBuilder.takeError();
  // Code generation at the same level as the IR optimizer: -O0 skips the
  // machine scheduler, which dominates the compile of a step with
  // thousands of parameters in one basic block.
  static constexpr llvm::CodeGenOptLevel kLevels[] = {
      llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
      llvm::CodeGenOptLevel::Default, llvm::CodeGenOptLevel::Aggressive};
  tmBuilder->setCodeGenOptLevel(kLevels[std::min(options.optLevel, 3u)]);

  CodegenStats codegen;
  if (!options.aot) {
    // ORC's LLJIT directly, not mlir::ExecutionEngine: the engine adds an
    // exported `_mlir_<name>` wrapper to every function of the module,
    // which would keep the internal step body (inlined into our packed
    // entry) alive and compile it twice.
    llvm::LLVMContext llvmContext;
    double translateStart = threadCpuMs();
    auto llvmModule = translateModuleToLLVMIR(*module, llvmContext);
    if (!llvmModule)
      return makeError("translation to LLVM IR failed:\n" + diagnostics);
    translateMs = threadCpuMs() - translateStart;
    // The JIT links object files (Codegen.cpp), whose initializer sections
    // it would not run; none of our lowerings emits global constructors.
    if (llvmModule->getNamedGlobal("llvm.global_ctors") ||
        llvmModule->getNamedGlobal("llvm.global_dtors"))
      return makeError("the lowered step has global constructors or "
                       "destructors, which the JIT does not run (use --aot)");
    auto objects =
        compileToObjects(*llvmModule, *tmBuilder, options.optLevel,
                         compileThreads(options.compileThreads), codegen);
    if (!objects)
      return objects.takeError();
    auto jit = llvm::orc::LLJITBuilder()
                   .setJITTargetMachineBuilder(std::move(*tmBuilder))
                   .create();
    if (!jit)
      return jit.takeError();
    llvm::orc::JITDylib &main = (*jit)->getMainJITDylib();
    llvm::orc::MangleAndInterner interner((*jit)->getExecutionSession(),
                                          (*jit)->getDataLayout());
    llvm::orc::SymbolMap map;
    int count = 0;
    const MpRtSymbol *symbols = mp_rt_symbols(&count);
    for (int i = 0; i < count; ++i)
      map[interner(symbols[i].name)] = {
          llvm::orc::ExecutorAddr::fromPtr(symbols[i].address),
          llvm::JITSymbolFlags::Exported};
    for (const std::string &name : mpi)
      map[interner(name)] = {
          llvm::orc::ExecutorAddr::fromPtr(mpiRuntime->lookup(name)),
          llvm::JITSymbolFlags::Exported};
    if (llvm::Error err = main.define(llvm::orc::absoluteSymbols(map)))
      return std::move(err);
    // libc and libm (memcpy, expf, ...) from this process.
    auto process =
        llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
            (*jit)->getDataLayout().getGlobalPrefix());
    if (!process)
      return process.takeError();
    main.addGenerator(std::move(*process));
    for (std::unique_ptr<llvm::MemoryBuffer> &object : *objects)
      if (llvm::Error err = (*jit)->addObjectFile(std::move(object)))
        return std::move(err);
    if (llvm::Error err = (*jit)->initialize(main))
      return std::move(err);
    auto fn = (*jit)->lookup(symbol);
    if (!fn)
      return fn.takeError();
    step->impl->packed = fn->toPtr<void (*)(void **)>();
    step->impl->jit = std::move(*jit);
  } else {
    llvm::LLVMContext llvmContext;
    double translateStart = threadCpuMs();
    auto llvmModule = translateModuleToLLVMIR(*module, llvmContext);
    if (!llvmModule)
      return makeError("translation to LLVM IR failed:\n" + diagnostics);
    translateMs = threadCpuMs() - translateStart;
    // The signature, as in CUDA artifacts, so that mp-cpu-train (plain C,
    // no LLVM) can run the library through its packed entry.
    if (llvm::Error err = addStepSignature(
            *llvmModule, options.entry,
            signatureText(step->sig, options.entry, options.metadata)))
      return std::move(err);
    // The runtime is found next to the library ($ORIGIN: an artifact
    // carried to another machine with libmixprec_cpu_runtime.so) or in
    // this build.
    std::string runtimeDir = runtimeDirectory();
    std::vector<std::string> flags{"-L" + runtimeDir,
                                   "-Wl,-rpath,$ORIGIN:" + runtimeDir,
                                   "-lmixprec_cpu_runtime", "-lm"};
    if (mpiRuntime) {
      // The MPI runtime sits next to the CPU runtime (same directory in the
      // build and install trees); libmpich in the system's library path.
      SmallString<256> mpiDir(mpiRuntime->path);
      llvm::sys::path::remove_filename(mpiDir);
      if (mpiDir.str() != runtimeDir) {
        flags.push_back("-L" + mpiDir.str().str());
        flags.push_back("-Wl,-rpath," + mpiDir.str().str());
      }
      flags.push_back("-lmixprec_mpi_runtime");
      if (!StringRef(MIXPREC_MPICH_LIBDIR).empty())
        flags.push_back("-L" MIXPREC_MPICH_LIBDIR);
      flags.push_back("-lmpich");
    }
    tmBuilder->setRelocationModel(llvm::Reloc::PIC_);
    auto objects =
        compileToObjects(*llvmModule, *tmBuilder, options.optLevel,
                         compileThreads(options.compileThreads), codegen);
    if (!objects)
      return objects.takeError();
    auto built =
        linkSharedLibrary(*objects, "mixprec-step", options.aotPath,
                          step->impl->tempLibrary, flags, "AOT library");
    if (!built)
      return built.takeError();
    std::string libPath = *built;
    step->impl->library = dlopen(libPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!step->impl->library)
      return makeError("dlopen " + libPath + ": " + dlerror());
    step->impl->packed = reinterpret_cast<void (*)(void **)>(
        dlsym(step->impl->library, symbol.c_str()));
    if (!step->impl->packed)
      return makeError("symbol " + symbol + " not found in " + libPath);
    step->libPath = libPath;
  }
  step->profile = codegen.profile;
  step->profile.mlirMs = mlirMs;
  step->profile.translateMs = translateMs;
  step->compileMillis = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  return step;
}
