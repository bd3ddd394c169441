// RUN: mp-opt %s --mp-gpu-merge-modules -split-input-file | FileCheck %s

// mp-gpu-merge-modules: after gpu-kernel-outlining (one gpu.module per
// kernel), when there is more than one gpu.module, all their ops move, in
// order, into one gpu.module @mp_kernels placed where the first one was;
// a kernel whose name clashes is renamed (SymbolTable uniquing), a
// memref.global already in @mp_kernels is dropped (the same host
// constant), and every gpu.launch_func is pointed at its kernel in
// @mp_kernels. With one gpu.module or none, nothing changes.

// Two outlined kernels both named @step_kernel; both modules hold a copy of
// @cst, the second also @cst_1.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK:         func.func @step(%[[X:[a-z0-9]+]]: memref<4xf32>)
// CHECK-NEXT:      %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:      %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT:      gpu.launch_func @mp_kernels::@step_kernel blocks in (%[[C1]], %[[C1]], %[[C1]]) threads in (%[[C4]], %[[C1]], %[[C1]]) args(%[[X]] : memref<4xf32>)
// CHECK-NEXT:      gpu.launch_func @mp_kernels::@step_kernel_0 blocks in (%[[C1]], %[[C1]], %[[C1]]) threads in (%[[C4]], %[[C1]], %[[C1]]) args(%[[X]] : memref<4xf32>)
// CHECK-NEXT:      gpu.launch_func @mp_kernels::@step_kernel_0 blocks in (%[[C1]], %[[C1]], %[[C1]]) threads in (%[[C4]], %[[C1]], %[[C1]]) args(%[[X]] : memref<4xf32>)
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.module @mp_kernels {
// CHECK-NEXT:      memref.global "private" constant @cst : memref<4xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK-NEXT:      gpu.func @step_kernel(%{{.+}}: memref<4xf32>) kernel {
// CHECK-NEXT:        gpu.thread_id x
// CHECK-NEXT:        %[[G:.+]] = memref.get_global @cst : memref<4xf32>
// CHECK-NEXT:        memref.load %[[G]]
// CHECK-NEXT:        memref.store
// CHECK-NEXT:        gpu.return
// CHECK-NEXT:      }
// CHECK-NEXT:      memref.global "private" constant @cst_1 : memref<4xf32> = dense<[5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]>
// CHECK-NEXT:      gpu.func @step_kernel_0(%{{.+}}: memref<4xf32>) kernel {
// CHECK-NEXT:        gpu.thread_id x
// CHECK-NEXT:        %[[G2:.+]] = memref.get_global @cst : memref<4xf32>
// CHECK-NEXT:        %[[H2:.+]] = memref.get_global @cst_1 : memref<4xf32>
// CHECK-NEXT:        memref.load %[[G2]]
// CHECK-NEXT:        memref.load %[[H2]]
// CHECK-NEXT:        arith.addf
// CHECK-NEXT:        memref.store
// CHECK-NEXT:        gpu.return
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NOT:   gpu.module
module attributes {gpu.container_module} {
  func.func @step(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @step_kernel {
    memref.global "private" constant @cst : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    gpu.func @step_kernel(%arg0: memref<4xf32>) kernel {
      %t = gpu.thread_id x
      %g = memref.get_global @cst : memref<4xf32>
      %v = memref.load %g[%t] : memref<4xf32>
      memref.store %v, %arg0[%t] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    memref.global "private" constant @cst : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    memref.global "private" constant @cst_1 : memref<4xf32> = dense<[5.0, 6.0, 7.0, 8.0]>
    gpu.func @step_kernel(%arg0: memref<4xf32>) kernel {
      %t = gpu.thread_id x
      %g = memref.get_global @cst : memref<4xf32>
      %h = memref.get_global @cst_1 : memref<4xf32>
      %v = memref.load %g[%t] : memref<4xf32>
      %w = memref.load %h[%t] : memref<4xf32>
      %s = arith.addf %v, %w : f32
      memref.store %s, %arg0[%t] : memref<4xf32>
      gpu.return
    }
  }
}

// -----

// One gpu.module: left alone (its name and the launch_func included).
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK:         func.func @single(%[[X:[a-z0-9]+]]: memref<4xf32>)
// CHECK-NEXT:      %[[C1:.+]] = arith.constant 1 : index
// CHECK-NEXT:      gpu.launch_func @single_kernel::@single_kernel blocks in (%[[C1]], %[[C1]], %[[C1]]) threads in (%[[C1]], %[[C1]], %[[C1]]) args(%[[X]] : memref<4xf32>)
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:    gpu.module @single_kernel {
// CHECK-NEXT:      gpu.func @single_kernel(%{{.+}}: memref<4xf32>) kernel {
// CHECK-NEXT:        gpu.return
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NOT:     mp_kernels
module attributes {gpu.container_module} {
  func.func @single(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @single_kernel::@single_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @single_kernel {
    gpu.func @single_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// No gpu.module (nothing outlined): nothing changes.
// CHECK-LABEL: func.func @host_only(
// CHECK-NEXT:    return
// CHECK-NOT:     gpu.module
func.func @host_only(%x: memref<4xf32>) {
  return
}

// -----

// A renamed symbol keeps its meaning: @b's private @f becomes @f_0 and its
// caller @kb calls @f_0 (not @a's @f); @b's global @k, whose name is taken
// by @a's kernel, is kept as @k_1 and read through the new name.

// CHECK-LABEL: gpu.module @mp_kernels
// CHECK:         func.func private @f(%{{.*}}: f32) -> f32
// CHECK-NEXT:      math.absf
// CHECK:         gpu.func @k(%{{.*}}: memref<4xf32>) kernel
// CHECK:           func.call @f(
// CHECK:         func.func private @f_0(%{{.*}}: f32) -> f32
// CHECK-NEXT:      arith.negf
// CHECK:         memref.global "private" constant @k_1 : memref<4xf32> = dense<2.000000e+00>
// CHECK:         gpu.func @kb(%{{.*}}: memref<4xf32>) kernel
// CHECK:           memref.get_global @k_1 : memref<4xf32>
// CHECK:           func.call @f_0(
// CHECK-LABEL: func.func @host(
// CHECK:         gpu.launch_func  @mp_kernels::@k
// CHECK:         gpu.launch_func  @mp_kernels::@kb
module attributes {gpu.container_module} {
  gpu.module @a {
    func.func private @f(%x: f32) -> f32 {
      %y = math.absf %x : f32
      return %y : f32
    }
    gpu.func @k(%m: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %m[%c0] : memref<4xf32>
      %r = func.call @f(%v) : (f32) -> f32
      memref.store %r, %m[%c0] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @b {
    func.func private @f(%x: f32) -> f32 {
      %y = arith.negf %x : f32
      return %y : f32
    }
    memref.global "private" constant @k : memref<4xf32> = dense<2.0>
    gpu.func @kb(%m: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %g = memref.get_global @k : memref<4xf32>
      %v = memref.load %g[%c0] : memref<4xf32>
      %r = func.call @f(%v) : (f32) -> f32
      memref.store %r, %m[%c0] : memref<4xf32>
      gpu.return
    }
  }
  func.func @host(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @a::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @b::@kb blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
}
