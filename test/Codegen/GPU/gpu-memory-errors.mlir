// RUN: mp-opt %s --mp-gpu-memory -split-input-file -verify-diagnostics

// mp-gpu-memory rejects host code that would read or write device memory:
// a constant buffer (memref.get_global) still used outside a gpu.launch,
// and a host memref.load / memref.store of a device buffer (an op that no
// kernel took), nested in a host region or not.

memref.global "private" constant @cst : memref<2xf32> = dense<[1.0, 2.0]>

func.func @constant_on_host(%x: memref<2xf32>) {
  // expected-error @below {{mp-to-nvptx: a constant buffer is used by host code, which cannot read device memory}}
  %g = memref.get_global @cst : memref<2xf32>
  memref.copy %g, %x : memref<2xf32> to memref<2xf32>
  return
}

// -----

func.func @host_load(%x: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{mp-to-nvptx: host code accesses device memory (an op was not mapped to a GPU kernel)}}
  %v = memref.load %x[%c0] : memref<4xf32>
  return %v : f32
}

// -----

func.func @host_store(%p: i1) {
  %c0 = arith.constant 0 : index
  %cst = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<4xf32>
  scf.if %p {
    // expected-error @below {{mp-to-nvptx: host code accesses device memory (an op was not mapped to a GPU kernel)}}
    memref.store %cst, %a[%c0] : memref<4xf32>
  }
  memref.dealloc %a : memref<4xf32>
  return
}
