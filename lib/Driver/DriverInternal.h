//===- DriverInternal.h - private declarations of the driver ----*- C++ -*-===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// What the files of lib/Driver share and the public header does not show:
// CompiledStep::Impl, the CUDA runtime loaded with dlopen, and the helpers
// one file defines for another (signature, step interface, shared library).
// Not installed; include it from lib/Driver only.
//
//===----------------------------------------------------------------------===//

#ifndef MIXPREC_LIB_DRIVER_DRIVERINTERNAL_H
#define MIXPREC_LIB_DRIVER_DRIVERINTERNAL_H

#include "mixprec/Driver/CompiledStep.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// Set by lib/Driver/CMakeLists.txt; the defaults are for other builds.
#ifndef MIXPREC_RUNTIME_DIR
#define MIXPREC_RUNTIME_DIR ""
#endif
#ifndef MIXPREC_CLANG
#define MIXPREC_CLANG "/usr/lib/llvm-22/bin/clang"
#endif
#ifndef MIXPREC_CUDA_LIBDIR
#define MIXPREC_CUDA_LIBDIR ""
#endif
// MIXPREC_HAVE_MPI: defined when MPICH was found (libmixprec_mpi_runtime.so
// is built); MIXPREC_MPICH_LIBDIR: where libmpich.so is, for AOT links.
#ifndef MIXPREC_MPICH_LIBDIR
#define MIXPREC_MPICH_LIBDIR ""
#endif

#include <dlfcn.h>

namespace llvm {
class MemoryBuffer;
class MemoryBufferRef;
class Module;
namespace orc {
class JITTargetMachineBuilder;
class LLJIT;
} // namespace orc
} // namespace llvm

namespace mlir {
class ModuleOp;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace mlir::mp {
namespace driver {

/// Sets the function pointer `fn` to the symbol `name` of the dlopen'ed
/// `handle`; returns false when the library lacks it.
template <typename FnT>
bool loadSymbol(void *handle, FnT &fn, const char *name) {
  fn = reinterpret_cast<FnT>(dlsym(handle, name));
  return fn != nullptr;
}

inline llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Signature.cpp
//===----------------------------------------------------------------------===//

/// Reads roles and types of `fn` (after the tensor-level pipeline).
/// `params`: the argument numbers passed at `wrt` positions.
llvm::Error readSignature(func::FuncOp fn,
                          const llvm::DenseSet<unsigned> &params,
                          StepSignature &sig);

/// Text that describes the step's signature, embedded in a CUDA artifact as
/// `mixprec_step_signature` so that a host without LLVM (the C driver) can
/// set up its buffers:
///   mixprec-step 2
///   entry train_step
///   abi packed _mlir_train_step <number of args> <number of results>
///   arg <i> <role> <dtype> <rank> <dims...> <init hint or ->
///   result <i> <role> <tied arg or -1> <dtype> <rank> <dims...>
///   meta <key> <value...>
std::string signatureText(const StepSignature &sig, llvm::StringRef entry,
                          llvm::StringRef metadata);

//===----------------------------------------------------------------------===//
// StepABI.cpp
//===----------------------------------------------------------------------===//

/// Adds the signature text as `const char mixprec_step_signature[]` to an
/// artifact whose module defines the packed entry `_mlir_<entry>`
/// (mp-emit-packed-interface), so that a host without LLVM (mp-cpu-train,
/// mp-cuda-train) can set up its buffers and call it.
llvm::Error addStepSignature(llvm::Module &module, llvm::StringRef entry,
                             const std::string &signature);

//===----------------------------------------------------------------------===//
// SharedLibrary.cpp
//===----------------------------------------------------------------------===//

/// The directory of the loaded libmixprec_cpu_runtime.so (so that an
/// installed mp-run or libMixPrecCAPI.so links AOT libraries against the
/// installed runtime), or the build tree's library directory.
std::string runtimeDirectory();

/// Writes `module` as LLVM IR to a temporary file and links it into a shared
/// library with clang: `-shared -fPIC <flags>`. The library goes to
/// `requestedPath`, or to a temporary file recorded in `tempLibrary` (removed
/// with the step). Returns the library's path.
llvm::Expected<std::string>
buildSharedLibrary(llvm::Module &module, llvm::StringRef stem,
                   llvm::StringRef requestedPath, std::string &tempLibrary,
                   llvm::ArrayRef<std::string> flags, llvm::StringRef what);

/// Links object files (compileToObjects) into a shared library with clang,
/// like buildSharedLibrary.
llvm::Expected<std::string>
linkSharedLibrary(llvm::ArrayRef<std::unique_ptr<llvm::MemoryBuffer>> objects,
                  llvm::StringRef stem, llvm::StringRef requestedPath,
                  std::string &tempLibrary, llvm::ArrayRef<std::string> flags,
                  llvm::StringRef what);

//===----------------------------------------------------------------------===//
// Native code generation of CPU steps (Codegen.cpp)
//===----------------------------------------------------------------------===//

/// CPU milliseconds of the calling thread so far.
double threadCpuMs();

/// What compileToObjects did: the optimizer and code generator fields of
/// `profile`.
struct CodegenStats {
  CompiledStep::CompileProfile profile;
};

/// Compile threads: $MIXPREC_COMPILE_THREADS if set (a positive integer),
/// else `requested` if nonzero, else the cores this process may run on.
unsigned compileThreads(unsigned requested);

/// Gives "tune-cpu"="generic" to every function of `module` with a basic
/// block outside any loop longer than Codegen.cpp's kLongBlock (2,000
/// instructions; $MIXPREC_LONG_BLOCK overrides it, 0: never); returns how
/// many.
unsigned tuneLongBlocksGeneric(llvm::Module &module);

/// The step's glue functions (Codegen.cpp's file comment): a block longer
/// than kLongBlock and no loop. Gives them "noimplicitfloat" (no
/// vectorization) and returns their names; nothing when
/// $MIXPREC_FAST_GLUE=0. Before the optimizer.
std::vector<std::string> markGlueFunctions(llvm::Module &module);

/// Gives the functions `glue` names "optnone" + "noinline" (code generated
/// as at -O0); returns how many are still defined. After the optimizer.
unsigned generateGlueAsO0(llvm::Module &module,
                          llvm::ArrayRef<std::string> glue);

/// Optimizes `module` at `optLevel` and generates object code for the
/// target `tmb` describes: the code generator runs on up to `threads`
/// partitions at once when the module is large (one object per
/// partition), else on the whole module (one object). `module` is
/// optimized in place and then unusable (split).
llvm::Expected<std::vector<std::unique_ptr<llvm::MemoryBuffer>>>
compileToObjects(llvm::Module &module,
                 const llvm::orc::JITTargetMachineBuilder &tmb,
                 unsigned optLevel, unsigned threads, CodegenStats &stats);

//===----------------------------------------------------------------------===//
// CUDARuntime.cpp
//===----------------------------------------------------------------------===//

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

/// Loads libmixprec_cuda_runtime.so from MIXPREC_RUNTIME_DIR and
/// initialises the device, once per process; a failure is remembered and
/// returned again by later calls.
llvm::Expected<CudaRuntime *> loadCudaRuntime();

//===----------------------------------------------------------------------===//
// MPIRuntime.cpp
//===----------------------------------------------------------------------===//

/// External functions of a module lowered to the LLVM dialect that the MPI
/// runtime provides: `MPI_*` (libmpich, from the `mpi` dialect) and
/// `mp_rt_mpi_*` (libmixprec_mpi_runtime). Empty for a step without MPI.
std::vector<std::string> mpiSymbols(mlir::ModuleOp module);

/// Fails when the module's `dlti.map` selects an MPI implementation other
/// than MPICH (the `mpi` dialect bakes the ABI's handles into the code).
llvm::Error checkMPIImplementation(mlir::ModuleOp module);

/// libmixprec_mpi_runtime.so (and through it libmpich), loaded with dlopen
/// from runtimeDirectory() (RTLD_GLOBAL), once per process. An error in a
/// build without MPI, or when the library cannot be loaded.
struct MpiRuntime {
  void *handle = nullptr;
  std::string path;
  void (*init)(int *, char ***) = nullptr;
  void (*finalize)() = nullptr;
  int32_t (*worldSize)() = nullptr;
  int32_t (*worldRank)() = nullptr;
  void (*abort)(int) = nullptr;
  /// dlsym in the runtime and its dependencies (libmpich); null if absent.
  void *lookup(llvm::StringRef name) const;
};
llvm::Expected<MpiRuntime *> loadMpiRuntime();

} // namespace driver

//===----------------------------------------------------------------------===//
// CompiledStep::Impl
//===----------------------------------------------------------------------===//

/// What a compiled step holds besides its signature: the JIT (ORC), or
/// the dlopen'ed AOT library / CUDA artifact and the CUDA runtime.
struct CompiledStep::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  driver::CudaRuntime *cuda = nullptr;
  /// The packed entry `_mlir_<entry>(void **)` (JIT, AOT library or CUDA
  /// artifact); null for a compile-only CUDA step.
  void (*packed)(void **) = nullptr;
  void *library = nullptr;
  std::string tempLibrary;
  /// Closes the library and removes a temporary one (CompiledStep.cpp).
  ~Impl();
};

} // namespace mlir::mp

#endif // MIXPREC_LIB_DRIVER_DRIVERINTERNAL_H
