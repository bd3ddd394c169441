// RUN: mp-opt %s --mp-gpu-map-loops -split-input-file -verify-diagnostics

// mp-gpu-map-loops: a value computed by a group of device ops (wrapped into
// a one-thread kernel) that host code uses cannot leave the kernel: the
// pass reports the op that computes it and fails.

func.func @returned(%s: memref<f32>) -> f32 {
  %v = memref.load %s[] : memref<f32>
  %two = arith.constant 2.0 : f32
  // expected-error @below {{mp-to-nvptx: a value computed on the device is used by host code}}
  %d = arith.mulf %v, %two : f32
  return %d : f32
}

// -----

func.func private @log(f32)

func.func @passed_to_call(%s: memref<f32>) {
  // expected-error @below {{mp-to-nvptx: a value computed on the device is used by host code}}
  %v = memref.load %s[] : memref<f32>
  call @log(%v) : (f32) -> ()
  return
}

// -----

// A host scf.if (no device access) on a loaded flag is host code too.
func.func @host_branch(%ok: memref<i1>, %x: memref<4xf32>) {
  // expected-error @below {{mp-to-nvptx: a value computed on the device is used by host code}}
  %c = memref.load %ok[] : memref<i1>
  scf.if %c {
    %a = memref.alloca() : memref<4xf32>
  }
  return
}
