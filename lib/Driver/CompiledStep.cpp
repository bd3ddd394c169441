//===- CompiledStep.cpp - compile and call a training step ----------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//

#include "mixprec/Driver/CompiledStep.h"
#include "mixprec/Conversion/Pipelines.h"
#include "mixprec/Dialect/MP/IR/MPOps.h"
#include "mixprec/InitAll.h"
#include "mixprec_cpu_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>
#include <dlfcn.h>
#include <utility>

using namespace mlir;
using namespace mixprec;

#ifndef MIXPREC_RUNTIME_DIR
#define MIXPREC_RUNTIME_DIR ""
#endif
#ifndef MIXPREC_CLANG
#define MIXPREC_CLANG "/usr/lib/llvm-22/bin/clang"
#endif
#ifndef MIXPREC_CUDA_LIBDIR
#define MIXPREC_CUDA_LIBDIR ""
#endif

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

size_t mixprec::dtypeSize(DType t) {
  switch (t) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I1:
  case DType::I8:
    return 1;
  }
  return 0;
}

StringRef mixprec::dtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::F16:
    return "float16";
  case DType::BF16:
    return "bfloat16";
  case DType::I1:
    return "bool";
  case DType::I8:
    return "int8";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  }
  return "?";
}

StringRef mixprec::roleName(Role r) {
  switch (r) {
  case Role::Data:
    return "data";
  case Role::Param:
    return "param";
  case Role::State:
    return "state";
  case Role::Update:
    return "update";
  case Role::LossScale:
    return "loss_scale";
  case Role::Tracker:
    return "growth_tracker";
  case Role::Hysteresis:
    return "hysteresis";
  case Role::Overflow:
    return "overflow";
  case Role::Loss:
    return "loss";
  case Role::Other:
    return "other";
  }
  return "?";
}

int64_t TensorSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string TensorSpec::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << dtypeName(dtype) << "[";
  llvm::interleave(shape, os, ",");
  os << "]";
  return s;
}

HostTensor mixprec::allocateTensor(const TensorSpec &spec) {
  HostTensor t;
  t.spec = spec;
  size_t bytes = std::max<size_t>(spec.numBytes(), 1);
  t.data = t.base = mp_rt_malloc(bytes);
  if (t.data)
    std::memset(t.data, 0, bytes);
  return t;
}

void mixprec::freeTensor(HostTensor &t) {
  mp_rt_free(t.base ? t.base : t.data);
  t.data = t.base = nullptr;
}

static llvm::Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Byte size of `spec`, or std::nullopt when it does not fit in int64.
static std::optional<int64_t> checkedBytes(const TensorSpec &spec) {
  int64_t n = static_cast<int64_t>(dtypeSize(spec.dtype));
  for (int64_t d : spec.shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  return n;
}

static FailureOr<TensorSpec> specOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return failure();
  TensorSpec spec;
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  Type e = tensor.getElementType();
  if (e.isF32())
    spec.dtype = DType::F32;
  else if (e.isF64())
    spec.dtype = DType::F64;
  else if (e.isF16())
    spec.dtype = DType::F16;
  else if (e.isBF16())
    spec.dtype = DType::BF16;
  else if (e.isInteger(1))
    spec.dtype = DType::I1;
  else if (e.isInteger(8))
    spec.dtype = DType::I8;
  else if (e.isInteger(32))
    spec.dtype = DType::I32;
  else if (e.isInteger(64))
    spec.dtype = DType::I64;
  else
    return failure();
  return spec;
}

//===----------------------------------------------------------------------===//
// Calling a C function with N pointer arguments
//===----------------------------------------------------------------------===//

namespace {
using Thunk = void (*)(void *, void **);
template <size_t... I>
void callWith(void *fn, void **a, std::index_sequence<I...>) {
  using F = void (*)(decltype((void)I, (void *)nullptr)...);
  reinterpret_cast<F>(fn)(a[I]...);
}
template <size_t N> void thunk(void *fn, void **a) {
  callWith(fn, a, std::make_index_sequence<N>{});
}
template <size_t... N>
constexpr std::array<Thunk, sizeof...(N)>
makeThunks(std::index_sequence<N...>) {
  return {&thunk<N>...};
}
constexpr size_t kMaxCallArgs = 96;
const auto kThunks = makeThunks(std::make_index_sequence<kMaxCallArgs + 1>{});
} // namespace

//===----------------------------------------------------------------------===//
// CompiledStep
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// CUDA runtime, loaded at run time
//===----------------------------------------------------------------------===//

namespace {
/// The host helpers of runtime/cuda, looked up with dlsym: mixprec tools do
/// not link the CUDA runtime (it needs libcuda.so.1, which machines without
/// an NVIDIA driver lack), they load it when a CUDA step is compiled.
struct CudaRuntime {
  int (*init)();
  const char *(*error)();
  void (*setQuiet)(int);
  const char *(*deviceName)();
  void *(*alloc)(size_t);
  void (*free)(void *);
  int (*toDevice)(void *, const void *, size_t);
  int (*toHost)(void *, const void *, size_t);
  int (*copyDevice)(void *, const void *, size_t);
  int64_t (*peakBytes)();
  void (*resetPeak)();
};
} // namespace

static llvm::Expected<CudaRuntime *> loadCudaRuntime() {
  static CudaRuntime runtime;
  static std::string failure;
  static bool loaded = false;
  if (loaded)
    return &runtime;
  if (!failure.empty())
    return makeError(failure);
  std::string path =
      std::string(MIXPREC_RUNTIME_DIR) + "/libmixprec_cuda_runtime.so";
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    std::string why = dlerror();
    if (why.find("libcuda.so") != std::string::npos)
      failure = "no NVIDIA driver on this machine: cannot load libcuda.so.1 "
                "(" +
                why + ")";
    else
      failure = "cannot load the mixprec CUDA runtime: " + why;
    return makeError(failure);
  }
  bool ok = true;
  auto get = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(handle, name));
    ok &= fn != nullptr;
  };
  get(runtime.init, "mp_cuda_init");
  get(runtime.error, "mp_cuda_error");
  get(runtime.setQuiet, "mp_cuda_set_quiet");
  get(runtime.deviceName, "mp_cuda_device_name");
  get(runtime.alloc, "mp_cuda_alloc");
  get(runtime.free, "mp_cuda_free");
  get(runtime.toDevice, "mp_cuda_copy_to_device");
  get(runtime.toHost, "mp_cuda_copy_to_host");
  get(runtime.copyDevice, "mp_cuda_copy_device");
  get(runtime.peakBytes, "mp_cuda_peak_bytes");
  get(runtime.resetPeak, "mp_cuda_reset_peak");
  if (!ok) {
    failure = "the mixprec CUDA runtime at " + path + " lacks mp_cuda_*";
    return makeError(failure);
  }
  // Errors come back to the caller as llvm::Error; do not print them twice.
  runtime.setQuiet(1);
  if (runtime.init() != 0) {
    failure = std::string("no usable CUDA device: ") + runtime.error();
    return makeError(failure);
  }
  loaded = true;
  return &runtime;
}

/// Text that describes the step's signature, embedded in a CUDA artifact as
/// `mixprec_step_signature` so that a host without LLVM (the C driver) can
/// set up its buffers:
///   mixprec-step 1
///   entry train_step
///   arg <i> <role> <dtype> <rank> <dims...> <init hint or ->
///   result <i> <role> <tied arg or -1> <dtype> <rank> <dims...>
///   meta <key> <value...>
static std::string signatureText(const StepSignature &sig, StringRef entry,
                                 StringRef metadata) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "mixprec-step 1\nentry " << entry << "\n";
  auto dims = [&](const TensorSpec &spec) {
    os << dtypeName(spec.dtype) << " " << spec.shape.size();
    for (int64_t d : spec.shape)
      os << " " << d;
  };
  for (auto [i, spec] : llvm::enumerate(sig.args)) {
    os << "arg " << i << " " << roleName(sig.argRoles[i]) << " ";
    dims(spec);
    os << " " << (sig.argInit[i].empty() ? "-" : sig.argInit[i]) << "\n";
  }
  for (auto [i, spec] : llvm::enumerate(sig.results)) {
    os << "result " << i << " " << roleName(sig.resultRoles[i]) << " "
       << sig.updates[i] << " ";
    dims(spec);
    os << "\n";
  }
  os << metadata;
  if (!metadata.empty() && !metadata.ends_with("\n"))
    os << "\n";
  return text;
}

/// Adds `void mixprec_step_call(void *results, void **args)`, which calls
/// the entry's C interface with the descriptors in `args` (and `results`
/// first when the entry has results), and the signature text as
/// `const char mixprec_step_signature[]`, to an artifact.
static llvm::Error addStepInterface(llvm::Module &module, StringRef entry,
                                    bool hasResults,
                                    const std::string &signature) {
  llvm::Function *ciface = module.getFunction(("_mlir_ciface_" + entry).str());
  if (!ciface)
    return makeError("no _mlir_ciface_" + entry + " in the lowered module");
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr}, false);
  auto *call = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                      "mixprec_step_call", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", call));
  SmallVector<llvm::Value *> args;
  unsigned n = ciface->getFunctionType()->getNumParams();
  unsigned index = 0;
  if (hasResults) {
    args.push_back(call->getArg(0));
    index = 1;
  }
  for (unsigned i = 0; index < n; ++index, ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, call->getArg(1), i);
    args.push_back(b.CreateLoad(ptr, slot));
  }
  b.CreateCall(ciface, args);
  b.CreateRetVoid();
  llvm::Constant *text = llvm::ConstantDataArray::getString(ctx, signature);
  new llvm::GlobalVariable(module, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           "mixprec_step_signature");
  return llvm::Error::success();
}

struct CompiledStep::Impl {
  std::unique_ptr<ExecutionEngine> engine;
  CudaRuntime *cuda = nullptr;
  void (*stepCall)(void *, void **) = nullptr;
  void *library = nullptr;
  void *function = nullptr;
  std::string tempLibrary;
  ~Impl() {
    if (library)
      dlclose(library);
    if (!tempLibrary.empty())
      llvm::sys::fs::remove(tempLibrary);
  }
};

CompiledStep::~CompiledStep() = default;

/// Reads roles and types of `fn` (after the tensor-level pipeline).
static llvm::Error readSignature(func::FuncOp fn,
                                 const llvm::DenseSet<unsigned> &params,
                                 StepSignature &sig) {
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes())) {
    FailureOr<TensorSpec> spec = specOf(type);
    if (failed(spec))
      return makeError("argument #" + Twine(i) + " of @" + fn.getSymName() +
                       " has unsupported type (static-shape tensors of "
                       "f32/f64/f16/bf16/i1/i8/i32/i64 only)");
    if (!checkedBytes(*spec))
      return makeError("argument #" + Twine(i) + " of @" + fn.getSymName() +
                       " (" + spec->str() +
                       ") has more bytes than fit in a 64-bit size");
    sig.args.push_back(*spec);
    Role role = Role::Data;
    if (fn.getArgAttr(i, mp::MPDialect::kLossScaleAttrName))
      role = Role::LossScale;
    else if (fn.getArgAttr(i, mp::MPDialect::kGrowthTrackerAttrName))
      role = Role::Tracker;
    else if (fn.getArgAttr(i, mp::MPDialect::kHysteresisAttrName))
      role = Role::Hysteresis;
    else if (params.contains(i))
      role = Role::Param;
    sig.argRoles.push_back(role);
    auto init = fn.getArgAttrOfType<StringAttr>(i, "mp.init");
    sig.argInit.push_back(init ? init.str() : "");
  }
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes())) {
    FailureOr<TensorSpec> spec = specOf(type);
    if (failed(spec))
      return makeError("result #" + Twine(i) + " of @" + fn.getSymName() +
                       " has unsupported type");
    if (!checkedBytes(*spec))
      return makeError("result #" + Twine(i) + " of @" + fn.getSymName() +
                       " (" + spec->str() +
                       ") has more bytes than fit in a 64-bit size");
    sig.results.push_back(*spec);
    Role role = Role::Other;
    int updates = -1;
    if (auto tie = fn.getResultAttrOfType<IntegerAttr>(
            i, mp::MPDialect::kUpdatesAttrName)) {
      role = Role::Update;
      updates = tie.getInt();
      if (sig.argRoles[updates] == Role::Data)
        sig.argRoles[updates] = Role::State;
    } else if (fn.getResultAttr(i, mp::MPDialect::kLossScaleAttrName)) {
      role = Role::LossScale;
    } else if (fn.getResultAttr(i, mp::MPDialect::kGrowthTrackerAttrName)) {
      role = Role::Tracker;
    } else if (fn.getResultAttr(i, mp::MPDialect::kHysteresisAttrName)) {
      role = Role::Hysteresis;
    } else if (fn.getResultAttr(i, mp::MPDialect::kOverflowAttrName)) {
      role = Role::Overflow;
      sig.overflowResult = i;
    } else if (sig.lossResult < 0 && spec->shape.empty() &&
               (spec->dtype == DType::F32 || spec->dtype == DType::F16 ||
                spec->dtype == DType::BF16 || spec->dtype == DType::F64)) {
      role = Role::Loss;
      sig.lossResult = i;
    }
    sig.resultRoles.push_back(role);
    sig.updates.push_back(updates);
  }
  return llvm::Error::success();
}

/// Points the lowered code's malloc/free at the accounting runtime, and
/// upstream's memrefCopy (strided memref.copy) at the runtime's copy.
static void renameAllocator(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  for (auto [from, to] :
       {std::pair<StringRef, StringRef>{"malloc", "mp_rt_malloc"},
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
    if (to == "mp_rt_malloc")
      fn.setResultAttr(0, LLVM::LLVMDialect::getNoAliasAttrName(),
                       UnitAttr::get(ctx));
  }
}

/// The directory of the loaded libmixprec_cpu_runtime.so (so that an
/// installed mp-run or libMixPrecCAPI.so links AOT libraries against the
/// installed runtime), or the build tree's library directory.
static std::string runtimeDirectory() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&mp_rt_malloc), &info) &&
      info.dli_fname &&
      llvm::sys::path::filename(info.dli_fname)
          .starts_with("libmixprec_cpu_runtime")) {
    SmallString<256> dir(info.dli_fname);
    llvm::sys::path::remove_filename(dir);
    if (!llvm::sys::fs::make_absolute(dir) && !dir.empty())
      return dir.str().str();
  }
  return MIXPREC_RUNTIME_DIR;
}

/// Writes `module` as LLVM IR to a temporary file and links it into a shared
/// library with clang: `-shared -fPIC <flags>`. The library goes to
/// `requestedPath`, or to a temporary file recorded in `tempLibrary` (removed
/// with the step). Returns the library's path.
static llvm::Expected<std::string>
buildSharedLibrary(llvm::Module &module, StringRef stem,
                   StringRef requestedPath, std::string &tempLibrary,
                   ArrayRef<std::string> flags, StringRef what) {
  SmallString<128> irPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile(stem, "ll", irPath))
    return makeError("cannot create a temporary file: " + ec.message());
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(irPath, ec);
    if (ec)
      return makeError("cannot write " + irPath + ": " + ec.message());
    module.print(out, nullptr);
  }
  std::string libPath = requestedPath.str();
  if (libPath.empty()) {
    SmallString<128> tmp;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile(stem, "so", tmp)) {
      llvm::sys::fs::remove(irPath);
      return makeError("cannot create a temporary file: " + ec.message());
    }
    libPath = tmp.str().str();
    tempLibrary = libPath;
  }
  SmallVector<StringRef> argv{
      MIXPREC_CLANG, "-shared", "-fPIC", "-Wno-override-module",
      irPath,        "-o",      libPath};
  for (const std::string &flag : flags)
    argv.push_back(flag);
  std::string errMsg;
  int rc = llvm::sys::ExecuteAndWait(MIXPREC_CLANG, argv, std::nullopt, {}, 0,
                                     0, &errMsg);
  llvm::sys::fs::remove(irPath);
  if (rc != 0)
    return makeError("building the " + what + " with " + Twine(MIXPREC_CLANG) +
                     " failed (exit " + Twine(rc) + ") " + errMsg);
  return libPath;
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

  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(mlirText, ParserConfig(&context));
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
  if (getenv("MIXPREC_DUMP_IR"))
    module->print(llvm::errs());
  entry = module->lookupSymbol<func::FuncOp>(options.entry);
  if (!entry)
    return makeError("the pipeline removed @" + options.entry);

  std::unique_ptr<CompiledStep> step(new CompiledStep());
  step->impl = std::make_unique<Impl>();
  if (llvm::Error err = readSignature(entry, params, step->sig))
    return std::move(err);
  if (step->sig.args.size() + 1 > kMaxCallArgs)
    return makeError("too many arguments for the C call (" +
                     Twine(step->sig.args.size()) + ")");

  if (options.readOnlyArguments)
    for (unsigned i = 0, e = entry.getNumArguments(); i < e; ++i)
      entry.setArgAttr(i, "bufferization.writable",
                       BoolAttr::get(&context, false));

  step->stepTarget = options.target;
  if (options.target == Target::CUDA) {
    if (llvm::Error err = step->compileCUDA(*module, options, diagnostics))
      return std::move(err);
    step->compileMillis = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count();
    return step;
  }

  PassManager lower(&context);
  // Compiled through LLVM here: a step with thousands of loop nests gets
  // one function per nest (mp-outline-loop-nests), or LLVM's loop passes
  // take minutes. The caller's options come last and win.
  auto cpuOptions = ToCPUOptions::createFromString("outline-min-loops=256 " +
                                                   options.cpuOptions);
  if (!cpuOptions)
    return makeError("invalid mp-to-cpu options '" + options.cpuOptions + "'");
  buildToCPUPipeline(lower, *cpuOptions);
  if (failed(lower.run(*module)))
    return makeError("lowering to LLVM failed:\n" + diagnostics);
  renameAllocator(*module);
  std::string symbol = "_mlir_ciface_" + options.entry;

  if (!options.aot) {
    auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!tmBuilder)
      return tmBuilder.takeError();
    tmBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
    auto tm = tmBuilder->createTargetMachine();
    if (!tm)
      return tm.takeError();
    ExecutionEngineOptions engineOptions;
    std::function<llvm::Error(llvm::Module *)> transformer =
        makeOptimizingTransformer(options.optLevel, 0, tm->get());
    engineOptions.transformer = transformer;
    engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
    auto engine =
        ExecutionEngine::create(*module, engineOptions, std::move(*tm));
    if (!engine)
      return engine.takeError();
    (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap map;
      int count = 0;
      const MpRtSymbol *symbols = mp_rt_symbols(&count);
      for (int i = 0; i < count; ++i)
        map[interner(symbols[i].name)] = {
            llvm::orc::ExecutorAddr::fromPtr(symbols[i].address),
            llvm::JITSymbolFlags::Exported};
      return map;
    });
    auto fn = (*engine)->lookup(symbol);
    if (!fn)
      return fn.takeError();
    step->impl->function = *fn;
    step->impl->engine = std::move(*engine);
  } else {
    llvm::LLVMContext llvmContext;
    auto llvmModule = translateModuleToLLVMIR(*module, llvmContext);
    if (!llvmModule)
      return makeError("translation to LLVM IR failed:\n" + diagnostics);
    // The signature and a uniform call wrapper, as in CUDA artifacts, so
    // that mp-cpu-train (plain C, no LLVM) can run the library.
    if (llvm::Error err = addStepInterface(
            *llvmModule, options.entry, !step->sig.results.empty(),
            signatureText(step->sig, options.entry, options.metadata)))
      return std::move(err);
    // The runtime is found next to the library ($ORIGIN: an artifact
    // carried to another machine with libmixprec_cpu_runtime.so) or in
    // this build.
    std::string runtimeDir = runtimeDirectory();
    std::vector<std::string> flags{
        "-O" + std::to_string(std::min(options.optLevel, 3u)),
        "-march=native",
        "-L" + runtimeDir,
        "-Wl,-rpath,$ORIGIN:" + runtimeDir,
        "-lmixprec_cpu_runtime",
        "-lm"};
    auto built =
        buildSharedLibrary(*llvmModule, "mixprec-step", options.aotPath,
                           step->impl->tempLibrary, flags, "AOT library");
    if (!built)
      return built.takeError();
    std::string libPath = *built;
    step->impl->library = dlopen(libPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!step->impl->library)
      return makeError("dlopen " + libPath + ": " + dlerror());
    step->impl->function = dlsym(step->impl->library, symbol.c_str());
    if (!step->impl->function)
      return makeError("symbol " + symbol + " not found in " + libPath);
    step->libPath = libPath;
  }
  step->compileMillis = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  return step;
}

llvm::Error CompiledStep::compileCUDA(ModuleOp module,
                                      const CompileOptions &options,
                                      std::string &diagnostics) {
#ifndef MIXPREC_HAVE_CUDA
  (void)module;
  (void)options;
  (void)diagnostics;
  return makeError("--target cuda: this build has no CUDA runtime (no CUDA "
                   "toolkit was found when it was configured)");
#else
  auto nvOptions = ToNVPTXOptions::createFromString(options.nvptxOptions);
  if (!nvOptions)
    return makeError("invalid mp-to-nvptx options '" + options.nvptxOptions +
                     "'");
  PassManager lower(module.getContext());
  std::string pipelineErrors;
  llvm::raw_string_ostream pipelineStream(pipelineErrors);
  if (failed(buildToNVPTXPipeline(lower, *nvOptions, pipelineStream)))
    return makeError("building the mp-to-nvptx pipeline: " + pipelineErrors);
  if (failed(lower.run(module)))
    return makeError("lowering to NVPTX failed:\n" + diagnostics);
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return makeError("translation to LLVM IR failed:\n" + diagnostics);
  if (llvm::Error err =
          addStepInterface(*llvmModule, options.entry, !sig.results.empty(),
                           signatureText(sig, options.entry, options.metadata)))
    return err;

  // Portable host code (no -march=native): the artifact is meant to be
  // carried to the GPU machine. It needs libc and our runtime, found next
  // to it ($ORIGIN) or in the build tree.
  std::string runtimeDir = MIXPREC_RUNTIME_DIR;
  std::string cudaLibDir = MIXPREC_CUDA_LIBDIR;
  std::vector<std::string> flags{"-O2", "-L" + runtimeDir,
                                 "-Wl,-rpath,$ORIGIN:" + runtimeDir,
                                 "-lmixprec_cuda_runtime"};
  if (!cudaLibDir.empty())
    flags.push_back("-Wl,-rpath-link," + cudaLibDir);
  auto built =
      buildSharedLibrary(*llvmModule, "mixprec-cuda-step", options.aotPath,
                         impl->tempLibrary, flags, "CUDA artifact");
  if (!built)
    return built.takeError();
  libPath = *built;

  if (options.compileOnly)
    return llvm::Error::success();
  // Load the runtime first: a machine without a driver or a GPU fails here
  // with one clear message, before the artifact's constructor runs.
  auto runtime = loadCudaRuntime();
  if (!runtime)
    return runtime.takeError();
  impl->cuda = *runtime;
  impl->library = dlopen(libPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!impl->library)
    return makeError("dlopen " + libPath + ": " + dlerror());
  if (const char *err = impl->cuda->error())
    return makeError(Twine("loading the GPU kernels failed: ") + err);
  impl->stepCall = reinterpret_cast<void (*)(void *, void **)>(
      dlsym(impl->library, "mixprec_step_call"));
  if (!impl->stepCall)
    return makeError("symbol mixprec_step_call not found in " + libPath);
  return llvm::Error::success();
#endif
}

std::string CompiledStep::deviceName() const {
  return impl->cuda ? impl->cuda->deviceName() : "";
}

int64_t CompiledStep::devicePeakBytes() const {
  return impl->cuda ? impl->cuda->peakBytes() : -1;
}

void CompiledStep::resetDevicePeak() {
  if (impl->cuda)
    impl->cuda->resetPeak();
}

llvm::Expected<HostTensor> CompiledStep::toDevice(const HostTensor &host) {
  if (!impl->cuda) {
    HostTensor t = allocateTensor(host.spec);
    std::memcpy(t.data, host.data, host.spec.numBytes());
    return t;
  }
  HostTensor t;
  t.spec = host.spec;
  t.data = t.base =
      impl->cuda->alloc(std::max<size_t>(host.spec.numBytes(), 1));
  if (!t.data ||
      impl->cuda->toDevice(t.data, host.data, host.spec.numBytes()) != 0)
    return makeError(Twine("CUDA: ") + impl->cuda->error());
  return t;
}

llvm::Expected<HostTensor> CompiledStep::toHost(const HostTensor &tensor) {
  HostTensor t = allocateTensor(tensor.spec);
  if (!impl->cuda) {
    std::memcpy(t.data, tensor.data, tensor.spec.numBytes());
    return t;
  }
  if (impl->cuda->toHost(t.data, tensor.data, tensor.spec.numBytes()) != 0) {
    freeTensor(t);
    return makeError(Twine("CUDA: ") + impl->cuda->error());
  }
  return t;
}

void CompiledStep::release(HostTensor &tensor) {
  if (!impl->cuda) {
    freeTensor(tensor);
    return;
  }
  impl->cuda->free(tensor.base ? tensor.base : tensor.data);
  tensor.data = tensor.base = nullptr;
}

/// Writes a memref descriptor {allocated, aligned, offset, sizes, strides}
/// for a contiguous row-major tensor into `out`.
static void writeDescriptor(const HostTensor &t, std::vector<int64_t> &out) {
  out.push_back(reinterpret_cast<int64_t>(t.base ? t.base : t.data));
  out.push_back(reinterpret_cast<int64_t>(t.data));
  out.push_back(0);
  for (int64_t d : t.spec.shape)
    out.push_back(d);
  int64_t stride = 1;
  std::vector<int64_t> strides(t.spec.shape.size());
  for (int64_t i = static_cast<int64_t>(t.spec.shape.size()) - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= t.spec.shape[i];
  }
  out.insert(out.end(), strides.begin(), strides.end());
}

llvm::Error CompiledStep::call(ArrayRef<HostTensor> args,
                               std::vector<HostTensor> &results) {
  if (args.size() != sig.args.size())
    return makeError("expected " + Twine(sig.args.size()) + " arguments, got " +
                     Twine(args.size()));
  for (auto [i, t] : llvm::enumerate(args))
    if (t.spec.shape != sig.args[i].shape || t.spec.dtype != sig.args[i].dtype)
      return makeError("argument #" + Twine(i) + ": expected " +
                       sig.args[i].str() + ", got " + t.spec.str());

  // Descriptors live in one vector per argument so that pointers to them
  // stay valid.
  std::vector<std::vector<int64_t>> argDescs(args.size());
  for (auto [i, t] : llvm::enumerate(args))
    writeDescriptor(t, argDescs[i]);
  size_t resultWords = 0;
  for (const TensorSpec &r : sig.results)
    resultWords += 3 + 2 * r.shape.size();
  std::vector<int64_t> resultDesc(std::max<size_t>(resultWords, 1), 0);

  std::vector<void *> callArgs;
  if (impl->cuda) {
    for (auto &d : argDescs)
      callArgs.push_back(d.data());
    impl->stepCall(resultDesc.data(), callArgs.data());
    if (const char *err = impl->cuda->error())
      return makeError(Twine("CUDA: ") + err);
    return takeDeviceResults(args, resultDesc, results);
  }
  if (!sig.results.empty())
    callArgs.push_back(resultDesc.data());
  for (auto &d : argDescs)
    callArgs.push_back(d.data());
  kThunks[callArgs.size()](impl->function, callArgs.data());

  // Take ownership of the results; copy any that alias an argument or an
  // earlier result, or that are not contiguous.
  results.clear();
  size_t offset = 0;
  llvm::DenseSet<void *> seen;
  for (const HostTensor &a : args)
    seen.insert(a.base ? a.base : a.data);
  for (const TensorSpec &spec : sig.results) {
    int64_t *d = resultDesc.data() + offset;
    size_t rank = spec.shape.size();
    offset += 3 + 2 * rank;
    void *allocated = reinterpret_cast<void *>(d[0]);
    char *aligned = reinterpret_cast<char *>(d[1]);
    char *first = aligned + d[2] * dtypeSize(spec.dtype);
    bool contiguous = true;
    int64_t expected = 1;
    for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i) {
      if (spec.shape[i] != 1 && d[3 + rank + i] != expected)
        contiguous = false;
      expected *= spec.shape[i];
    }
    HostTensor t;
    t.spec = spec;
    bool fresh = seen.insert(allocated).second;
    if (contiguous && fresh) {
      t.base = allocated;
      t.data = first;
    } else {
      t = allocateTensor(spec);
      // Strided copy element by element (rare: aliasing or views).
      size_t elem = dtypeSize(spec.dtype);
      int64_t n = spec.numElements();
      std::vector<int64_t> index(rank, 0);
      for (int64_t k = 0; k < n; ++k) {
        int64_t src = 0;
        for (size_t j = 0; j < rank; ++j)
          src += index[j] * d[3 + rank + j];
        std::memcpy(static_cast<char *>(t.data) + k * elem, first + src * elem,
                    elem);
        for (int64_t j = static_cast<int64_t>(rank) - 1; j >= 0; --j) {
          if (++index[j] < spec.shape[j])
            break;
          index[j] = 0;
        }
      }
      // A fresh but strided buffer is ours to release once copied.
      if (fresh)
        mp_rt_free(allocated);
    }
    results.push_back(t);
  }
  return llvm::Error::success();
}

llvm::Error CompiledStep::takeDeviceResults(ArrayRef<HostTensor> args,
                                            ArrayRef<int64_t> resultDesc,
                                            std::vector<HostTensor> &results) {
  results.clear();
  size_t offset = 0;
  llvm::DenseSet<void *> seen;
  for (const HostTensor &a : args)
    seen.insert(a.base ? a.base : a.data);
  for (const TensorSpec &spec : sig.results) {
    const int64_t *d = resultDesc.data() + offset;
    size_t rank = spec.shape.size();
    offset += 3 + 2 * rank;
    void *allocated = reinterpret_cast<void *>(d[0]);
    char *first = reinterpret_cast<char *>(d[1]) + d[2] * dtypeSize(spec.dtype);
    int64_t expected = 1;
    for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i) {
      if (spec.shape[i] != 1 && d[3 + rank + i] != expected)
        return makeError("CUDA: result " + spec.str() +
                         " is not contiguous (unsupported)");
      expected *= spec.shape[i];
    }
    HostTensor t;
    t.spec = spec;
    if (seen.insert(allocated).second) {
      t.base = allocated;
      t.data = first;
    } else {
      // Aliases an argument or an earlier result: give it its own buffer.
      t.data = t.base = impl->cuda->alloc(std::max<size_t>(spec.numBytes(), 1));
      if (!t.data ||
          impl->cuda->copyDevice(t.data, first, spec.numBytes()) != 0)
        return makeError(Twine("CUDA: ") + impl->cuda->error());
    }
    results.push_back(t);
  }
  return llvm::Error::success();
}
