// RUN: mp-opt %s --mp-loss-scaling=mode=static --mp-data-parallel -split-input-file | FileCheck %s
// RUN: mp-opt %s --mp-loss-scaling=mode=static --mp-data-parallel=bucket-bytes=48 -split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: mp-opt %s --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic data-parallel=mpi" -split-input-file | FileCheck %s --check-prefix=PIPE
// RUN: mp-opt %s --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic data-parallel=mpi" --mp-to-cpu -split-input-file | FileCheck %s --check-prefix=LLVM
// RUN: mp-opt %s --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic" -split-input-file | FileCheck %s --check-prefix=OFF

// mp-data-parallel: right after mp.value_and_grad, the loss and every
// gradient are replaced by their mean over the MPI ranks, in f32: flattened,
// packed into one bucket (bucket-bytes permitting), summed by one
// mpi.allreduce on buffers, scaled by 1/N (N from mp_rt_mpi_world_size) and
// unpacked; mp.unscale and mp.all_finite then see the reduced gradients.
// A value that does not fit a bucket is reduced alone, without a copy.

// CHECK: module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "MPICH">}
// CHECK: func.func private @mp_rt_mpi_world_size() -> i32
// CHECK-LABEL: func.func @train_step(
// CHECK:         %[[SCALE:.+]] = arith.constant dense<3.276800e+04> : tensor<f32>
// CHECK-NEXT:    %[[VG:.+]]:3 = mp.value_and_grad @loss(%{{.+}}) scale(%[[SCALE]])
// CHECK-NEXT:    %[[N:.+]] = call @mp_rt_mpi_world_size() : () -> i32
// CHECK-NEXT:    %[[NF:.+]] = arith.sitofp %[[N]] : i32 to f32
// CHECK-NEXT:    %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:    %[[INV:.+]] = arith.divf %[[ONE]], %[[NF]] : f32
// CHECK-NEXT:    %[[INVT:.+]] = tensor.from_elements %[[INV]] : tensor<f32>
// CHECK-NEXT:    %[[COMM:.+]] = mpi.comm_world : !mpi.comm
// CHECK-NEXT:    %[[L1:.+]] = tensor.expand_shape %[[VG]]#0 [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK-NEXT:    %[[GW1:.+]] = tensor.collapse_shape %[[VG]]#1 {{\[\[}}0, 1]] : tensor<4x3xf32> into tensor<12xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<16xf32>
// CHECK-NEXT:    %[[P0:.+]] = tensor.insert_slice %[[L1]] into %[[E]][0] [1] [1] : tensor<1xf32> into tensor<16xf32>
// CHECK-NEXT:    %[[P1:.+]] = tensor.insert_slice %[[GW1]] into %[[P0]][1] [12] [1] : tensor<12xf32> into tensor<16xf32>
// CHECK-NEXT:    %[[P2:.+]] = tensor.insert_slice %[[VG]]#2 into %[[P1]][13] [3] [1] : tensor<3xf32> into tensor<16xf32>
// CHECK-NEXT:    %[[SEND:.+]] = bufferization.to_buffer %[[P2]] read_only : tensor<16xf32> to memref<16xf32>
// CHECK-NEXT:    %[[RECV:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
// CHECK-NEXT:    mpi.allreduce(%[[SEND]], %[[RECV]], MPI_SUM, %[[COMM]]) : memref<16xf32>, memref<16xf32>
// CHECK-NEXT:    %[[SUM:.+]] = bufferization.to_tensor %[[RECV]] restrict : memref<16xf32> to tensor<16xf32>
// CHECK-NEXT:    %[[SL:.+]] = tensor.extract_slice %[[SUM]][0] [1] [1] : tensor<16xf32> to tensor<1xf32>
// CHECK-NEXT:    %[[SL0:.+]] = tensor.collapse_shape %[[SL]] [] : tensor<1xf32> into tensor<f32>
// CHECK-NEXT:    tensor.empty() : tensor<f32>
// CHECK-NEXT:    %[[LOSS:.+]] = linalg.generic {{.*}} ins(%[[SL0]], %[[INVT]] : tensor<f32>, tensor<f32>)
// CHECK:           arith.mulf
// CHECK:         %[[SW:.+]] = tensor.extract_slice %[[SUM]][1] [12] [1] : tensor<16xf32> to tensor<12xf32>
// CHECK-NEXT:    %[[SW2:.+]] = tensor.expand_shape %[[SW]] {{\[\[}}0, 1]] output_shape [4, 3] : tensor<12xf32> into tensor<4x3xf32>
// CHECK-NEXT:    tensor.empty() : tensor<4x3xf32>
// CHECK-NEXT:    %[[GW:.+]] = linalg.generic {{.*}} ins(%[[SW2]], %[[INVT]] : tensor<4x3xf32>, tensor<f32>)
// CHECK:         %[[SB:.+]] = tensor.extract_slice %[[SUM]][13] [3] [1] : tensor<16xf32> to tensor<3xf32>
// CHECK-NEXT:    tensor.empty() : tensor<3xf32>
// CHECK-NEXT:    %[[GB:.+]] = linalg.generic {{.*}} ins(%[[SB]], %[[INVT]] : tensor<3xf32>, tensor<f32>)
// CHECK:         %[[U:.+]]:2 = mp.unscale %[[GW]], %[[GB]] by %[[SCALE]]
// CHECK-NEXT:    mp.all_finite %[[U]]#0, %[[U]]#1
// CHECK:         return %{{.+}}#0, %{{.+}}#1, %[[LOSS]], %{{.+}} :
// CHECK-NOT:     mpi.allreduce

// bucket-bytes=48 (12 floats): the loss, the 4x3 gradient and the bias
// gradient do not fit together; each is reduced alone from its flat view.
// SMALL-LABEL: func.func @train_step(
// SMALL:         %[[COMM:.+]] = mpi.comm_world
// SMALL:         %[[L1:.+]] = tensor.expand_shape %{{.+}}#0 [] output_shape [1]
// SMALL-NEXT:    %[[GW1:.+]] = tensor.collapse_shape %{{.+}}#1
// SMALL-NEXT:    %[[S0:.+]] = bufferization.to_buffer %[[L1]] read_only : tensor<1xf32> to memref<1xf32>
// SMALL-NEXT:    %[[R0:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1xf32>
// SMALL-NEXT:    mpi.allreduce(%[[S0]], %[[R0]], MPI_SUM, %[[COMM]]) : memref<1xf32>, memref<1xf32>
// SMALL-NOT:     tensor.insert_slice
// SMALL:         %[[S1:.+]] = bufferization.to_buffer %[[GW1]] read_only : tensor<12xf32> to memref<12xf32>
// SMALL-NEXT:    %[[R1:.+]] = memref.alloc() {alignment = 64 : i64} : memref<12xf32>
// SMALL-NEXT:    mpi.allreduce(%[[S1]], %[[R1]], MPI_SUM, %[[COMM]]) : memref<12xf32>, memref<12xf32>
// SMALL:         %[[S2:.+]] = bufferization.to_buffer %{{.+}}#2 read_only : tensor<3xf32> to memref<3xf32>
// SMALL-NEXT:    %[[R2:.+]] = memref.alloc() {alignment = 64 : i64} : memref<3xf32>
// SMALL-NEXT:    mpi.allreduce(%[[S2]], %[[R2]], MPI_SUM, %[[COMM]]) : memref<3xf32>, memref<3xf32>
// SMALL:         mp.unscale
// SMALL-NOT:     mpi.allreduce

// In the pipeline the all-reduce sits between the backward pass and the
// unscale (the finite check reads the reduced gradients).
// PIPE-LABEL: func.func @train_step(
// PIPE:         linalg.matmul
// PIPE:         call @mp_rt_mpi_world_size()
// PIPE:         mpi.allreduce
// PIPE-SAME:      memref<16xf32>, memref<16xf32>
// PIPE-NOT:     linalg.matmul
// PIPE:         arith.divf
// PIPE:         arith.cmpf
// PIPE-NOT:     mpi.allreduce

// One MPI_Allreduce call per step after mp-to-cpu.
// LLVM-LABEL: llvm.func @train_step(
// LLVM:         llvm.call @mp_rt_mpi_world_size()
// LLVM:         llvm.call @MPI_Allreduce(
// LLVM-NOT:     llvm.call @MPI_Allreduce(
// LLVM-LABEL: llvm.func @_mlir_ciface_train_step(

// Without data-parallel=mpi nothing of it.
// OFF-NOT: mpi.
// OFF-NOT: mp_rt_mpi_world_size

func.func @loss(%w: tensor<4x3xf32>, %b: tensor<3xf32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%y : tensor<2x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  return %s : tensor<f32>
}

func.func @train_step(%w: tensor<4x3xf32>, %b: tensor<3xf32>, %x: tensor<2x4xf32>)
    -> (tensor<4x3xf32> {mp.updates = 0}, tensor<3xf32> {mp.updates = 1}, tensor<f32>) {
  %l, %gw, %gb = mp.value_and_grad @loss(%w, %b, %x) {wrt = array<i64: 0, 1>}
      : (tensor<4x3xf32>, tensor<3xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>)
  %w1 = arith.subf %w, %gw : tensor<4x3xf32>
  %b1 = arith.subf %b, %gb : tensor<3xf32>
  return %w1, %b1, %l : tensor<4x3xf32>, tensor<3xf32>, tensor<f32>
}

// -----

// bf16 master weights (policy=bfloat16): the gradients are reduced in f32
// and rounded back once.
// CHECK-LABEL: func.func @train_step_bf16(
// SMALL-LABEL: func.func @train_step_bf16(
// PIPE-LABEL: func.func @train_step_bf16(
// LLVM-LABEL: llvm.func @train_step_bf16(
// CHECK:         %[[VG:.+]]:2 = mp.value_and_grad @loss_bf16
// CHECK:         %[[W32:.+]] = arith.extf %[[VG]]#1 : tensor<8xbf16> to tensor<8xf32>
// CHECK:         mpi.allreduce({{.+}}) : memref<9xf32>, memref<9xf32>
// CHECK:         %[[MEAN:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<8xf32>, tensor<f32>)
// CHECK:         %[[BACK:.+]] = arith.truncf %[[MEAN]] : tensor<8xf32> to tensor<8xbf16>
// CHECK-NEXT:    mp.unscale %[[BACK]] by
func.func @loss_bf16(%w: tensor<8xbf16>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %w32 = arith.extf %w : tensor<8xbf16> to tensor<8xf32>
  %r = linalg.reduce ins(%w32 : tensor<8xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

func.func @train_step_bf16(%w: tensor<8xbf16>) -> (tensor<8xbf16> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss_bf16(%w) {wrt = array<i64: 0>}
      : (tensor<8xbf16>) -> (tensor<f32>, tensor<8xbf16>)
  %w1 = arith.subf %w, %g : tensor<8xbf16>
  return %w1, %l : tensor<8xbf16>, tensor<f32>
}
