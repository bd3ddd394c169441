//===- Codegen.cpp - LLVM IR to object code, on several threads ----------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The native code generation of a CPU step (JIT and AOT): LLVM's optimizer
// runs on the whole module, then its code generator on partitions of it
// (one per compile thread), each in its own LLVMContext
// on its own thread. A deep model's step is many functions (the layer
// functions of `share_layers`, the loop nests mp-outline-loop-nests
// outlined, the step itself), so its partitions compile concurrently. A
// small module stays one partition.
//
// After the optimizer, a function with a basic block of more than
// kLongBlock instructions is code-generated with the generic x86 tuning
// ("tune-cpu"="generic"): such blocks are a step's straight-line call
// set-ups (hundreds of memref descriptors per call), where the host CPU's
// post-RA list scheduler costs most of the code generation time (it is
// superlinear in the length of the block) and gains nothing. A long block
// inside a loop keeps the host tuning: on an AVX2-only CPU the optimizer
// unrolls some of the MLP step's loop bodies past 2,000 instructions, and
// those are the step's hot code.
//
// Such a function without a loop (every loop nest outlined) is the step's
// glue (allocations, descriptors, calls of the layer functions and
// of the outlined loop nests, frees): it gets "noimplicitfloat" before the
// optimizer, which makes the SLP and loop vectorizers skip it (on the
// 12-layer GPT's 48,000-instruction step, SLP was half of the optimizer's
// time and vectorized nothing that runs per element), and "optnone" after
// it, so that its code is generated as at -O0 (fast instruction selection
// and register allocation: 4x quicker on that function). The optimizer
// still sees it whole, so the constant sizes and strides it passes still
// reach the functions it calls. It runs once per step; its instructions
// are a few tens of microseconds of a step's milliseconds.
// $MIXPREC_FAST_GLUE=0 turns this off, to compare.
//
// The partitions are balanced by each function's instruction count, an
// estimate of its code generation cost, largest first onto the least
// loaded partition. The glue, although code-generated as at -O0, counts
// fully: its instruction selection falls back to SelectionDAG (for its
// thousands of arguments and its calls), and on the 12-layer step it
// cost about 1.7 s for 35,000 instructions, more per instruction than the
// optimized functions.
// llvm::SplitModule assigns functions by a hash of their names: on the
// 12-layer GPT step one partition got 2.3 of the 2.8 CPU seconds.
// Locals are made hidden externals first, as SplitModule does, so that a
// partition can call a function another one defines.
//
// The optimizer is LLVM's default per-module pipeline at the requested
// level (what MLIR's makeOptimizingTransformer runs), except that
// CalledValuePropagation is skipped in a module without an indirect call:
// its only output is `!callees` metadata on indirect calls, and its
// propagation over every pointer value of a step's glue is superlinear
// (0.6 of 3.5 s of the optimizer at 12 GPT layers, 0.02 s at 1).
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <queue>
#include <thread>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

namespace {
/// A basic block longer than this gets the generic tuning (file comment).
constexpr size_t kLongBlock = 2000;
/// A module with fewer instructions (after the optimizer) than this is not
/// split: its code generation is quick. The 1-layer GPT step, 19,500
/// instructions and 0.75 s of code generation on a 2-core EPYC, is split;
/// the MLP example's step (10,800) is not.
constexpr size_t kMinSplitInstructions = 15000;
} // namespace

double driver::threadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

unsigned driver::compileThreads(unsigned requested) {
  if (const char *env = std::getenv("MIXPREC_COMPILE_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0)
      return static_cast<unsigned>(n);
  }
  if (requested > 0)
    return requested;
  return std::max(1u, llvm::hardware_concurrency().compute_thread_count());
}

/// kLongBlock, or $MIXPREC_LONG_BLOCK=<n> (0: never), to compare.
static size_t longBlockLimit() {
  size_t limit = kLongBlock;
  if (const char *env = std::getenv("MIXPREC_LONG_BLOCK")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 0)
      limit = n == 0 ? SIZE_MAX : static_cast<size_t>(n);
  }
  return limit;
}

/// Whether `fn` has a basic block longer than `limit` instructions.
static bool hasLongBlock(llvm::Function &fn, size_t limit) {
  return llvm::any_of(
      fn, [&](llvm::BasicBlock &block) { return block.size() > limit; });
}

/// Whether `fn` has a basic block longer than `limit` instructions that is
/// in no loop: straight-line set-up code, not a (possibly unrolled) loop
/// body.
static bool hasLongBlockOutsideLoops(llvm::Function &fn, size_t limit) {
  if (!hasLongBlock(fn, limit))
    return false;
  llvm::DominatorTree dt(fn);
  llvm::LoopInfo loops(dt);
  return llvm::any_of(fn, [&](llvm::BasicBlock &block) {
    return block.size() > limit && !loops.getLoopFor(&block);
  });
}

/// Whether `fn` has a loop: code that runs per element, which the
/// vectorizers and the host tuning are for.
static bool hasLoops(llvm::Function &fn) {
  llvm::DominatorTree dt(fn);
  llvm::LoopInfo loops(dt);
  return !loops.empty();
}

std::vector<std::string> driver::markGlueFunctions(llvm::Module &module) {
  std::vector<std::string> glue;
  if (const char *env = std::getenv("MIXPREC_FAST_GLUE");
      env && std::string(env) == "0")
    return glue;
  size_t limit = longBlockLimit();
  for (llvm::Function &fn : module) {
    if (fn.isDeclaration() || !hasLongBlock(fn, limit) || hasLoops(fn))
      continue;
    fn.addFnAttr(llvm::Attribute::NoImplicitFloat);
    glue.push_back(fn.getName().str());
  }
  return glue;
}

unsigned driver::generateGlueAsO0(llvm::Module &module,
                                  llvm::ArrayRef<std::string> glue) {
  unsigned count = 0;
  for (const std::string &name : glue) {
    llvm::Function *fn = module.getFunction(name);
    if (!fn || fn->isDeclaration())
      continue;
    fn->removeFnAttr(llvm::Attribute::AlwaysInline);
    fn->addFnAttr(llvm::Attribute::NoInline);
    fn->addFnAttr(llvm::Attribute::OptimizeNone);
    ++count;
  }
  return count;
}

unsigned driver::tuneLongBlocksGeneric(llvm::Module &module) {
  size_t limit = longBlockLimit();
  unsigned tuned = 0;
  for (llvm::Function &fn : module) {
    if (fn.isDeclaration() || fn.hasFnAttribute("tune-cpu") ||
        fn.hasFnAttribute(llvm::Attribute::OptimizeNone))
      continue;
    if (hasLongBlockOutsideLoops(fn, limit)) {
      fn.addFnAttr("tune-cpu", "generic");
      ++tuned;
    }
  }
  return tuned;
}

/// Whether `module` has a call or invoke through a function pointer.
static bool hasIndirectCall(llvm::Module &module) {
  for (llvm::Function &fn : module)
    for (llvm::BasicBlock &block : fn)
      for (llvm::Instruction &inst : block)
        if (auto *call = llvm::dyn_cast<llvm::CallBase>(&inst))
          if (call->isIndirectCall())
            return true;
  return false;
}

/// LLVM's default module pipeline at `optLevel` (file comment).
static llvm::Error optimizeModule(llvm::Module &module, unsigned optLevel,
                                  llvm::TargetMachine *tm) {
  static const llvm::OptimizationLevel levels[] = {
      llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1,
      llvm::OptimizationLevel::O2, llvm::OptimizationLevel::O3};
  if (optLevel > 3)
    return makeError("invalid optimization level " + std::to_string(optLevel));
  llvm::PassInstrumentationCallbacks callbacks;
  if (!hasIndirectCall(module))
    callbacks.registerShouldRunOptionalPassCallback(
        [](llvm::StringRef pass, llvm::Any) {
          return pass != "CalledValuePropagationPass";
        });
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = true;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm, tuning, std::nullopt, &callbacks);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(levels[optLevel]);
  mpm.run(module, mam);
  return llvm::Error::success();
}

/// Code generation cost estimate of `fn`: its instruction count (file
/// comment).
static uint64_t codegenCost(const llvm::Function &fn) {
  return fn.getInstructionCount();
}

/// Splits `module` into at most `n` partitions of about equal code
/// generation cost, each written as bitcode into `bitcode` (file comment).
/// A module with aliases, ifuncs or comdats (never produced by the MLIR
/// lowering) stays one partition.
static void splitBalanced(llvm::Module &module, unsigned n,
                          std::vector<llvm::SmallString<0>> &bitcode) {
  if (!module.alias_empty() || !module.ifunc_empty() ||
      !module.getComdatSymbolTable().empty())
    return;
  std::vector<llvm::Function *> functions;
  for (llvm::Function &fn : module)
    if (!fn.isDeclaration())
      functions.push_back(&fn);
  if (functions.size() < 2)
    return;
  n = std::min<unsigned>(n, functions.size());
  std::stable_sort(functions.begin(), functions.end(),
                   [](llvm::Function *a, llvm::Function *b) {
                     return codegenCost(*a) > codegenCost(*b);
                   });
  // Least loaded partition first (ties: the lower index).
  using Load = std::pair<uint64_t, unsigned>;
  std::priority_queue<Load, std::vector<Load>, std::greater<Load>> loads;
  for (unsigned i = 0; i < n; ++i)
    loads.push({0, i});
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> partitionOf;
  for (llvm::Function *fn : functions) {
    auto [load, i] = loads.top();
    loads.pop();
    partitionOf[fn] = i;
    loads.push({load + codegenCost(*fn), i});
  }
  // What one partition defines, another may reference.
  auto externalize = [](llvm::GlobalValue &gv) {
    if (gv.hasLocalLinkage()) {
      gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
      gv.setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
    if (!gv.hasName())
      gv.setName("__mixprec_unnamed");
  };
  for (llvm::Function &fn : module)
    externalize(fn);
  for (llvm::GlobalVariable &gv : module.globals())
    externalize(gv);
  for (unsigned i = 0; i < n; ++i) {
    llvm::ValueToValueMapTy map;
    // Global variables (constants) are defined by the first partition.
    std::unique_ptr<llvm::Module> part =
        llvm::CloneModule(module, map, [&](const llvm::GlobalValue *gv) {
          auto it = partitionOf.find(gv);
          return it == partitionOf.end() ? i == 0 : it->second == i;
        });
    if (i != 0)
      part->setModuleInlineAsm("");
    llvm::raw_svector_ostream os(bitcode.emplace_back());
    llvm::WriteBitcodeToFile(*part, os);
  }
}

/// Generates object code for `module` with its own target machine.
static llvm::Error emitObject(llvm::Module &module,
                              llvm::orc::JITTargetMachineBuilder tmb,
                              llvm::SmallVectorImpl<char> &object) {
  auto tm = tmb.createTargetMachine();
  if (!tm)
    return tm.takeError();
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit object files");
  pm.run(module);
  return llvm::Error::success();
}

llvm::Expected<std::vector<std::unique_ptr<llvm::MemoryBuffer>>>
driver::compileToObjects(llvm::Module &module,
                         const llvm::orc::JITTargetMachineBuilder &tmb,
                         unsigned optLevel, unsigned threads,
                         CodegenStats &stats) {
  stats = CodegenStats();
  CompiledStep::CompileProfile &profile = stats.profile;
  double optStart = threadCpuMs();
  // The optimizer sees the whole module: its interprocedural passes
  // propagate the constant sizes and strides of the memref descriptors
  // into the functions a step calls (split first, the layer functions of a
  // 12-layer GPT took 10x as long to compile and ran 2x slower).
  {
    auto tm = llvm::orc::JITTargetMachineBuilder(tmb).createTargetMachine();
    if (!tm)
      return tm.takeError();
    module.setDataLayout((*tm)->createDataLayout());
    module.setTargetTriple((*tm)->getTargetTriple());
    std::vector<std::string> glue = markGlueFunctions(module);
    if (llvm::Error err = optimizeModule(module, optLevel, tm->get()))
      return std::move(err);
    profile.fastGlue = generateGlueAsO0(module, glue);
  }
  profile.genericTuned = tuneLongBlocksGeneric(module);
  profile.optMs = threadCpuMs() - optStart;

  // Partitions for code generation as bitcode: each is parsed again in its
  // own context, so that the threads share nothing.
  std::vector<llvm::SmallString<0>> bitcode;
  if (threads > 1 && module.getInstructionCount() >= kMinSplitInstructions)
    splitBalanced(module, threads, bitcode);
  std::vector<llvm::SmallVector<char, 0>> objects;
  if (bitcode.size() <= 1) {
    // One partition: the module itself, on this thread.
    objects.resize(1);
    profile.partitions = 1;
    double codegenStart = threadCpuMs();
    if (llvm::Error err = emitObject(module, tmb, objects[0]))
      return std::move(err);
    profile.codegenMs = profile.codegenMaxMs = threadCpuMs() - codegenStart;
  } else {
    size_t n = bitcode.size();
    objects.resize(n);
    std::vector<llvm::Error> errors;
    for (size_t i = 0; i < n; ++i)
      errors.push_back(llvm::Error::success());
    std::vector<double> cpuMs(n, 0);
    auto work = [&](size_t i) {
      double workStart = threadCpuMs();
      llvm::LLVMContext context;
      auto part = llvm::parseBitcodeFile(
          llvm::MemoryBufferRef(bitcode[i].str(), "partition"), context);
      if (!part) {
        errors[i] = part.takeError();
        return;
      }
      errors[i] = emitObject(**part, tmb, objects[i]);
      cpuMs[i] = threadCpuMs() - workStart;
    };
    std::vector<std::thread> pool;
    for (size_t i = 1; i < n; ++i)
      pool.emplace_back(work, i);
    work(0);
    for (std::thread &t : pool)
      t.join();
    llvm::Error all = llvm::Error::success();
    for (llvm::Error &err : errors)
      all = llvm::joinErrors(std::move(all), std::move(err));
    if (all)
      return std::move(all);
    profile.partitions = n;
    for (double ms : cpuMs) {
      profile.codegenMs += ms;
      profile.codegenMaxMs = std::max(profile.codegenMaxMs, ms);
    }
  }
  profile.threads = std::min<unsigned>(threads, profile.partitions);
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
  for (size_t i = 0; i < objects.size(); ++i)
    buffers.push_back(std::make_unique<llvm::SmallVectorMemoryBuffer>(
        std::move(objects[i]), "mixprec-step-" + std::to_string(i) + ".o",
        /*RequiresNullTerminator=*/false));
  return buffers;
}
