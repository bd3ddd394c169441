//===- MPIRuntime.cpp - MPI for data-parallel steps -----------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Loading libmixprec_mpi_runtime.so with dlopen (mixprec's tools and
// libraries do not link libmpich: a module without MPI builds and runs
// exactly as before), the public mpi* functions of MPIRuntime.h, and what
// CompiledStep::compile needs to resolve a lowered step's MPI symbols: the
// list of them, and a check that the step was lowered for MPICH's ABI.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec/Driver/MPIRuntime.h"

#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <type_traits>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

std::vector<std::string> driver::mpiSymbols(ModuleOp module) {
  std::vector<std::string> names;
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
    StringRef name = fn.getSymName();
    if (fn.isExternal() &&
        (name.starts_with("MPI_") || name.starts_with("mp_rt_mpi_")))
      names.push_back(name.str());
  }
  return names;
}

llvm::Error driver::checkMPIImplementation(ModuleOp module) {
  FailureOr<Attribute> impl =
      dlti::query(module, {StringRef("MPI:Implementation")},
                  /*emitError=*/false);
  if (failed(impl))
    return llvm::Error::success(); // upstream's default is MPICH
  auto name = dyn_cast<StringAttr>(*impl);
  if (name && name.getValue() == "MPICH")
    return llvm::Error::success();
  std::string text;
  llvm::raw_string_ostream os(text);
  impl->print(os);
  return makeError("the step was lowered for the MPI implementation " + text +
                   " (module attribute dlti.map \"MPI:Implementation\"); "
                   "mixprec runs MPICH's ABI only (\"MPICH\")");
}

llvm::Expected<MpiRuntime *> driver::loadMpiRuntime() {
#ifndef MIXPREC_HAVE_MPI
  return makeError(
      "mixprec was built without MPI: install MPICH (`apt-get install mpich "
      "libmpich-dev`, scripts/setup.sh) and reconfigure the build to run "
      "data-parallel steps");
#else
  static MpiRuntime runtime;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string path = runtimeDirectory() + "/libmixprec_mpi_runtime.so";
    // RTLD_GLOBAL: MPICH's own plugins, and code looked up in the process
    // (the JIT's fallback), see libmpich's symbols.
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      std::string fallback =
          std::string(MIXPREC_RUNTIME_DIR) + "/libmixprec_mpi_runtime.so";
      if (fallback != path)
        handle = dlopen(fallback.c_str(), RTLD_NOW | RTLD_GLOBAL);
      if (handle)
        path = fallback;
    }
    if (!handle) {
      failure =
          "cannot load the mixprec MPI runtime: " + std::string(dlerror());
      return;
    }
    bool ok = true;
    auto get = [&](auto &fn, const char *name) {
      ok &= driver::loadSymbol(handle, fn, name);
    };
    get(runtime.init, "mp_rt_mpi_init");
    get(runtime.finalize, "mp_rt_mpi_finalize");
    get(runtime.worldSize, "mp_rt_mpi_world_size");
    get(runtime.worldRank, "mp_rt_mpi_world_rank");
    get(runtime.abort, "mp_rt_mpi_abort");
    if (!ok) {
      failure = "the mixprec MPI runtime at " + path + " lacks mp_rt_mpi_*";
      return;
    }
    runtime.handle = handle;
    runtime.path = path;
  });
  if (!failure.empty())
    return makeError(failure);
  return &runtime;
#endif
}

void *driver::MpiRuntime::lookup(StringRef name) const {
  // The runtime's handle searches its dependencies too: libmpich.
  return dlsym(handle, name.str().c_str());
}

//===----------------------------------------------------------------------===//
// Public API (MPIRuntime.h)
//===----------------------------------------------------------------------===//

bool mlir::mp::mpiBuilt() {
#ifdef MIXPREC_HAVE_MPI
  return true;
#else
  return false;
#endif
}

llvm::Error mlir::mp::mpiInit(int *argc, char ***argv) {
  auto rt = loadMpiRuntime();
  if (!rt)
    return rt.takeError();
  (*rt)->init(argc, argv);
  return llvm::Error::success();
}

llvm::Expected<MPIWorld> mlir::mp::mpiWorld() {
  auto rt = loadMpiRuntime();
  if (!rt)
    return rt.takeError();
  MPIWorld world;
  world.size = (*rt)->worldSize();
  world.rank = (*rt)->worldRank();
  return world;
}

void mlir::mp::mpiFinalize() {
#ifdef MIXPREC_HAVE_MPI
  if (auto rt = loadMpiRuntime())
    (*rt)->finalize();
  else
    llvm::consumeError(rt.takeError());
#endif
}

void mlir::mp::mpiAbort(int code) {
#ifdef MIXPREC_HAVE_MPI
  if (auto rt = loadMpiRuntime())
    (*rt)->abort(code);
  else
    llvm::consumeError(rt.takeError());
#endif
  std::_Exit(code);
}
