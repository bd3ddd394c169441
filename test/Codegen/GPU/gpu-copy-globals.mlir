// RUN: mp-opt %s --mp-gpu-copy-globals -split-input-file --mlir-very-unsafe-disable-verifier-on-parsing | FileCheck %s

// mp-gpu-copy-globals: after gpu-kernel-outlining, each memref.global of the
// top-level module that a memref.get_global inside a gpu.module names, and
// that the gpu.module does not hold yet, is cloned (once, made private) at
// the start of that gpu.module; then the top-level globals that host code
// no longer uses are erased.
//
// A get_global in a gpu.module naming a global of the outer module does not
// verify (it resolves in the gpu.module): that is the IR this pass repairs,
// hence --mlir-very-unsafe-disable-verifier-on-parsing. The pass manager
// still verifies the output.

// @a and @b are read by kernels only: cloned, the host ones erased. @shared
// is read by a kernel and by the host: cloned and kept. @host_only stays on
// the host only. @state is public: its copy is private.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NEXT:    memref.global "private" constant @shared : memref<2xf32> = dense<[5.000000e+00, 6.000000e+00]>
// CHECK-NEXT:    memref.global "private" constant @host_only : memref<2xf32> = dense<[7.000000e+00, 8.000000e+00]>
// CHECK-NEXT:    func.func @step(
// CHECK-NEXT:      %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:      memref.get_global @shared : memref<2xf32>
// CHECK-NEXT:      memref.copy
// CHECK-NEXT:      memref.get_global @host_only : memref<2xf32>
// CHECK-NEXT:      memref.copy
// CHECK-NEXT:      gpu.launch_func @mp_kernels::@k0
// CHECK-NEXT:      gpu.launch_func @mp_kernels::@k1
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.module @mp_kernels {
// CHECK-NEXT:      memref.global "private" @state : memref<2xf32> = uninitialized
// CHECK-NEXT:      memref.global "private" constant @shared : memref<2xf32> = dense<[5.000000e+00, 6.000000e+00]>
// CHECK-NEXT:      memref.global "private" constant @b : memref<2xf16> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-NEXT:      memref.global "private" constant @a : memref<4xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> {alignment = 64 : i64}
// CHECK-NEXT:      gpu.func @k0(
// CHECK-NEXT:        gpu.thread_id x
// CHECK-NEXT:        memref.get_global @a : memref<4xf32>
// CHECK:           gpu.func @k1(
// CHECK-NEXT:        arith.constant 0 : index
// CHECK-NEXT:        memref.get_global @a : memref<4xf32>
// CHECK-NEXT:        memref.get_global @b : memref<2xf16>
// CHECK-NEXT:        memref.get_global @shared : memref<2xf32>
// CHECK-NEXT:        memref.get_global @state : memref<2xf32>
// CHECK-NOT:     memref.global
module attributes {gpu.container_module} {
  memref.global "private" constant @a : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]> {alignment = 64 : i64}
  memref.global "private" constant @b : memref<2xf16> = dense<[1.0, 2.0]>
  memref.global "private" constant @shared : memref<2xf32> = dense<[5.0, 6.0]>
  memref.global "private" constant @host_only : memref<2xf32> = dense<[7.0, 8.0]>
  memref.global @state : memref<2xf32> = uninitialized
  func.func @step(%x: memref<4xf32>, %y: memref<2xf32>) {
    %c1 = arith.constant 1 : index
    %s = memref.get_global @shared : memref<2xf32>
    memref.copy %s, %y : memref<2xf32> to memref<2xf32>
    %h = memref.get_global @host_only : memref<2xf32>
    memref.copy %h, %y : memref<2xf32> to memref<2xf32>
    gpu.launch_func @mp_kernels::@k0 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @mp_kernels::@k1 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @mp_kernels {
    gpu.func @k0(%arg0: memref<4xf32>) kernel {
      %t = gpu.thread_id x
      %g = memref.get_global @a : memref<4xf32>
      %v = memref.load %g[%t] : memref<4xf32>
      memref.store %v, %arg0[%t] : memref<4xf32>
      gpu.return
    }
    gpu.func @k1(%arg0: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %g = memref.get_global @a : memref<4xf32>
      %h = memref.get_global @b : memref<2xf16>
      %s = memref.get_global @shared : memref<2xf32>
      %m = memref.get_global @state : memref<2xf32>
      %v = memref.load %g[%c0] : memref<4xf32>
      %w = memref.load %h[%c0] : memref<2xf16>
      %e = arith.extf %w : f16 to f32
      %u = memref.load %s[%c0] : memref<2xf32>
      %r = arith.addf %v, %e : f32
      %q = arith.addf %r, %u : f32
      memref.store %q, %arg0[%c0] : memref<4xf32>
      memref.store %q, %m[%c0] : memref<2xf32>
      gpu.return
    }
  }
}

// -----

// Two gpu.modules (mp-gpu-merge-modules not run) reading the same global:
// one copy each.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NEXT:    func.func @two(
// CHECK:         gpu.module @first {
// CHECK-NEXT:      memref.global "private" constant @c : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-NEXT:      gpu.func @k(
// CHECK:         gpu.module @second {
// CHECK-NEXT:      memref.global "private" constant @c : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-NEXT:      gpu.func @k(
// CHECK-NOT:     memref.global
module attributes {gpu.container_module} {
  memref.global "private" constant @c : memref<2xf32> = dense<[1.0, 2.0]>
  func.func @two(%x: memref<2xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @first::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<2xf32>)
    gpu.launch_func @second::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<2xf32>)
    return
  }
  gpu.module @first {
    gpu.func @k(%arg0: memref<2xf32>) kernel {
      %g = memref.get_global @c : memref<2xf32>
      memref.copy %g, %arg0 : memref<2xf32> to memref<2xf32>
      gpu.return
    }
  }
  gpu.module @second {
    gpu.func @k(%arg0: memref<2xf32>) kernel {
      %c0 = arith.constant 0 : index
      %g = memref.get_global @c : memref<2xf32>
      %v = memref.load %g[%c0] : memref<2xf32>
      memref.store %v, %arg0[%c0] : memref<2xf32>
      gpu.return
    }
  }
}

// -----

// As gpu-kernel-outlining leaves it: the kernel module already holds the
// global it reads; nothing is cloned (no duplicate) and only the host copy,
// which host code no longer uses, is erased.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NEXT:    func.func @outlined(
// CHECK-NEXT:      arith.constant 1 : index
// CHECK-NEXT:      gpu.launch_func @outlined_kernel::@outlined_kernel
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.module @outlined_kernel {
// CHECK-NEXT:      gpu.func @outlined_kernel(
// CHECK-NEXT:        memref.get_global @__constant_2xf32 : memref<2xf32>
// CHECK-NEXT:        memref.copy
// CHECK-NEXT:        gpu.return
// CHECK-NEXT:      }
// CHECK-NEXT:      memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]> {alignment = 64 : i64}
// CHECK-NEXT:    }
// CHECK-NEXT:  }
module attributes {gpu.container_module} {
  memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]> {alignment = 64 : i64}
  func.func @outlined(%x: memref<2xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @outlined_kernel::@outlined_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<2xf32>)
    return
  }
  gpu.module @outlined_kernel {
    gpu.func @outlined_kernel(%arg0: memref<2xf32>) kernel {
      %g = memref.get_global @__constant_2xf32 : memref<2xf32>
      memref.copy %g, %arg0 : memref<2xf32> to memref<2xf32>
      gpu.return
    }
    memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]> {alignment = 64 : i64}
  }
}

// -----

// No kernel reads the global and the host does: nothing changes.
// CHECK-LABEL: module {
// CHECK-NEXT:    memref.global "private" constant @table : memref<2xf32> = dense<[3.000000e+00, 4.000000e+00]>
// CHECK-NEXT:    func.func @host(%[[Y:[a-z0-9]+]]: memref<2xf32>)
// CHECK-NEXT:      %[[T:.+]] = memref.get_global @table : memref<2xf32>
// CHECK-NEXT:      memref.copy %[[T]], %[[Y]] : memref<2xf32> to memref<2xf32>
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:  }
memref.global "private" constant @table : memref<2xf32> = dense<[3.0, 4.0]>
func.func @host(%y: memref<2xf32>) {
  %t = memref.get_global @table : memref<2xf32>
  memref.copy %t, %y : memref<2xf32> to memref<2xf32>
  return
}
