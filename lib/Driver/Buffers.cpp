//===- Buffers.cpp - host and device tensors ------------------------------===//
//
// Part of mixprec: MLIR passes for mixed-precision training.
//
//===----------------------------------------------------------------------===//
//
// Tensor memory: host tensors from the runtime allocator (allocateTensor /
// freeTensor), copies to and from a step's device (CompiledStep::toDevice /
// toHost / release; host copies for a CPU step), and the device memory peak.
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "mixprec_cpu_runtime.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::mp;
using namespace mlir::mp::driver;

//===----------------------------------------------------------------------===//
// Host tensors
//===----------------------------------------------------------------------===//

HostTensor mp::allocateTensor(const TensorSpec &spec) {
  HostTensor t;
  t.spec = spec;
  size_t bytes = std::max<size_t>(spec.numBytes(), 1);
  t.data = t.base = mp_rt_malloc(bytes);
  if (t.data)
    std::memset(t.data, 0, bytes);
  return t;
}

void mp::freeTensor(HostTensor &t) {
  mp_rt_free(t.base ? t.base : t.data);
  t.data = t.base = nullptr;
}

//===----------------------------------------------------------------------===//
// Device tensors
//===----------------------------------------------------------------------===//

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
