//===- StepABI.cpp - calling a compiled step ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The step's binary interface, the packed ABI (docs/design.md, "Step
// ABI"): a compiled step exports `void _mlir_<entry>(void **packed)`
// (mp-emit-packed-interface), where packed[i] points to the memref
// descriptor of argument i and packed[N + j] to the descriptor that
// receives result j; there is no limit on their number. This file adds the
// signature text to artifacts (addStepSignature), writes the descriptors,
// and holds CompiledStep::call, which takes ownership of the results
// (takeDeviceResults for a CUDA step).
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec_cpu_runtime.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

//===----------------------------------------------------------------------===//
// The signature of an artifact
//===----------------------------------------------------------------------===//

llvm::Error driver::addStepSignature(llvm::Module &module, StringRef entry,
                                     const std::string &signature) {
  std::string packed = ("_mlir_" + entry).str();
  llvm::Function *fn = module.getFunction(packed);
  if (!fn || fn->isDeclaration())
    return makeError("no " + packed + " in the lowered module");
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Constant *text = llvm::ConstantDataArray::getString(ctx, signature);
  new llvm::GlobalVariable(module, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           "mixprec_step_signature");
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// CompiledStep::call
//===----------------------------------------------------------------------===//

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
  if (!impl->packed)
    return makeError("the step was compiled only (--compile-only): it "
                     "cannot be called");

  // The packed array: one descriptor pointer per argument, then one per
  // result. Descriptors are {allocated, aligned, offset, sizes, strides}
  // (3 + 2 * rank words); arguments' and results' descriptors live back to
  // back in one vector each, which is not resized once pointers are taken.
  std::vector<int64_t> argDesc;
  for (const HostTensor &t : args)
    writeDescriptor(t, argDesc);
  size_t resultWords = 0;
  for (const TensorSpec &r : sig.results)
    resultWords += 3 + 2 * r.shape.size();
  std::vector<int64_t> resultDesc(std::max<size_t>(resultWords, 1), 0);
  std::vector<void *> packed;
  packed.reserve(args.size() + sig.results.size());
  size_t offset = 0;
  for (const HostTensor &t : args) {
    packed.push_back(argDesc.data() + offset);
    offset += 3 + 2 * t.spec.shape.size();
  }
  offset = 0;
  for (const TensorSpec &r : sig.results) {
    packed.push_back(resultDesc.data() + offset);
    offset += 3 + 2 * r.shape.size();
  }
  impl->packed(packed.data());

  if (impl->cuda) {
    if (const char *err = impl->cuda->error())
      return makeError(Twine("CUDA: ") + err);
    return takeDeviceResults(args, resultDesc, results);
  }

  // Take ownership of the results; copy any that alias an argument or an
  // earlier result, or that are not contiguous.
  results.clear();
  offset = 0;
  llvm::DenseSet<void *> seen;
  for (const HostTensor &a : args)
    seen.insert(a.base ? a.base : a.data);
  for (const TensorSpec &spec : sig.results) {
    int64_t *d = resultDesc.data() + offset;
    size_t rank = spec.shape.size();
    offset += 3 + 2 * rank;
    void *allocated = reinterpret_cast<void *>(d[0]);
    char *aligned = reinterpret_cast<char *>(d[1]);
    char *first = aligned + d[2] * scalarTypeSize(spec.dtype);
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
      size_t elem = scalarTypeSize(spec.dtype);
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
    char *first =
        reinterpret_cast<char *>(d[1]) + d[2] * scalarTypeSize(spec.dtype);
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
