//===- SharedLibrary.cpp - AOT: LLVM IR to a shared library ---------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Ahead-of-time code generation: shared libraries built with clang
// (MIXPREC_CLANG), from an LLVM module written as LLVM IR (CUDA artifacts)
// or from the object files of Codegen.cpp (the CPU AOT path); and where the
// CPU runtime those libraries link against is found.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec_cpu_runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
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

/// Links `inputs` (LLVM IR or object files) into a shared library with
/// clang and removes them; the library goes to `requestedPath` or a
/// temporary file recorded in `tempLibrary`.
static llvm::Expected<std::string>
runClang(ArrayRef<std::string> inputs, StringRef stem, StringRef requestedPath,
         std::string &tempLibrary, ArrayRef<std::string> flags,
         StringRef what) {
  auto removeInputs = [&] {
    for (const std::string &input : inputs)
      llvm::sys::fs::remove(input);
  };
  std::string libPath = requestedPath.str();
  if (libPath.empty()) {
    SmallString<128> tmp;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile(stem, "so", tmp)) {
      removeInputs();
      return makeError("cannot create a temporary file: " + ec.message());
    }
    libPath = tmp.str().str();
    tempLibrary = libPath;
  }
  SmallVector<StringRef> argv{MIXPREC_CLANG, "-shared", "-fPIC",
                              "-Wno-override-module"};
  for (const std::string &input : inputs)
    argv.push_back(input);
  argv.append({"-o", libPath});
  for (const std::string &flag : flags)
    argv.push_back(flag);
  std::string errMsg;
  int rc = llvm::sys::ExecuteAndWait(MIXPREC_CLANG, argv, std::nullopt, {}, 0,
                                     0, &errMsg);
  removeInputs();
  if (rc != 0)
    return makeError("building the " + what + " with " + Twine(MIXPREC_CLANG) +
                     " failed (exit " + Twine(rc) + ") " + errMsg);
  return libPath;
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
  return runClang({irPath.str().str()}, stem, requestedPath, tempLibrary, flags,
                  what);
}

llvm::Expected<std::string>
driver::linkSharedLibrary(ArrayRef<std::unique_ptr<llvm::MemoryBuffer>> objects,
                          StringRef stem, StringRef requestedPath,
                          std::string &tempLibrary, ArrayRef<std::string> flags,
                          StringRef what) {
  std::vector<std::string> paths;
  for (const std::unique_ptr<llvm::MemoryBuffer> &object : objects) {
    SmallString<128> path;
    std::error_code ec = llvm::sys::fs::createTemporaryFile(stem, "o", path);
    if (!ec) {
      paths.push_back(path.str().str());
      llvm::raw_fd_ostream out(path, ec);
      if (!ec)
        out << object->getBuffer();
    }
    if (ec) {
      for (const std::string &p : paths)
        llvm::sys::fs::remove(p);
      return makeError("cannot write a temporary object file: " + ec.message());
    }
  }
  return runClang(paths, stem, requestedPath, tempLibrary, flags, what);
}
