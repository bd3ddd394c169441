//===- CUDARuntime.cpp - the CUDA target ----------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The CUDA side of the driver: loading libmixprec_cuda_runtime.so with
// dlopen (tools do not link it: it needs libcuda.so.1), and
// CompiledStep::compileCUDA, which lowers a step with mp-to-nvptx, builds
// the artifact and loads it.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec/Codegen/Common/Passes.h"
#include "mixprec/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>
#include <type_traits>
#include <vector>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

//===----------------------------------------------------------------------===//
// CUDA runtime, loaded at run time
//===----------------------------------------------------------------------===//

llvm::Expected<CudaRuntime *> driver::loadCudaRuntime() {
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
    ok &= driver::loadSymbol(handle, fn, name);
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

//===----------------------------------------------------------------------===//
// Compiling for CUDA
//===----------------------------------------------------------------------===//

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
  lower.enableVerifier(false);
  std::string pipelineErrors;
  llvm::raw_string_ostream pipelineStream(pipelineErrors);
  if (failed(buildToNVPTXPipeline(lower, *nvOptions, pipelineStream)))
    return makeError("building the mp-to-nvptx pipeline: " + pipelineErrors);
  {
    MPEmitPackedInterfaceOptions packed;
    packed.entries = {options.entry};
    packed.internalize = true;
    lower.addPass(createMPEmitPackedInterface(packed));
  }
  if (failed(lower.run(module)))
    return makeError("lowering to NVPTX failed:\n" + diagnostics);
  // Verified once, here (the pass manager does not verify after each pass).
  if (failed(verify(module)))
    return makeError("the lowering to NVPTX produced invalid IR:\n" +
                     diagnostics);
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return makeError("translation to LLVM IR failed:\n" + diagnostics);
  if (llvm::Error err =
          addStepSignature(*llvmModule, options.entry,
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
  std::string symbol = "_mlir_" + options.entry;
  impl->packed =
      reinterpret_cast<void (*)(void **)>(dlsym(impl->library, symbol.c_str()));
  if (!impl->packed)
    return makeError("symbol " + symbol + " not found in " + libPath);
  return llvm::Error::success();
#endif
}

std::string CompiledStep::deviceName() const {
  return impl->cuda ? impl->cuda->deviceName() : "";
}
