//===- StepABI.cpp - calling a compiled step ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// The step's binary interface: the uniform call wrapper and signature an
// artifact exports (addStepInterface), the thunks that call a C function
// with N pointer arguments, the memref descriptors handed to the entry's C
// interface, and CompiledStep::call, which takes ownership of the results
// (takeDeviceResults for a CUDA step).
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec_cpu_runtime.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

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
const auto kThunks = makeThunks(std::make_index_sequence<kMaxCallArgs + 1>{});
} // namespace

//===----------------------------------------------------------------------===//
// The step interface of an artifact
//===----------------------------------------------------------------------===//

llvm::Error driver::addStepInterface(llvm::Module &module, StringRef entry,
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
