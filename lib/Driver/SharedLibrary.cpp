//===- SharedLibrary.cpp - AOT: LLVM IR to a shared library ---------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Ahead-of-time code generation: an LLVM module is written as LLVM IR and
// linked into a shared library with clang (MIXPREC_CLANG), for the CPU AOT
// path and for CUDA artifacts; and where the CPU runtime those libraries
// link against is found.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec_cpu_runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

std::string driver::runtimeDirectory() {
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

llvm::Expected<std::string>
driver::buildSharedLibrary(llvm::Module &module, StringRef stem,
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
