// RUN: mp-opt %s --mp-loss-scaling="mode=static microbatches=2" --mp-data-parallel | FileCheck %s

// With micro-batches the all-reduce comes once per step, after the
// micro-batch loop (marked {mp.microbatches = K} by mp-loss-scaling), on
// the loop's f32 sums of the loss and the scaled gradients: not inside the
// loop once per micro-batch. The mean over ranks (x 1/N) of the sums is
// then divided by K x scale as without data parallelism.

// CHECK-LABEL: func.func @train_step(
// CHECK:         %[[LOOP:.+]]:3 = scf.for
// CHECK:           mp.value_and_grad @loss
// CHECK-NOT:       mpi.allreduce
// CHECK:           scf.yield
// CHECK-NEXT:    } {mp.microbatches = 2 : i64}
// CHECK-NEXT:    %[[N:.+]] = call @mp_rt_mpi_world_size() : () -> i32
// CHECK-NEXT:    %[[NF:.+]] = arith.sitofp %[[N]] : i32 to f32
// CHECK-NEXT:    %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:    %[[INV:.+]] = arith.divf %[[ONE]], %[[NF]] : f32
// CHECK-NEXT:    %[[INVT:.+]] = tensor.from_elements %[[INV]] : tensor<f32>
// CHECK-NEXT:    %[[COMM:.+]] = mpi.comm_world : !mpi.comm
// CHECK-NEXT:    %[[L1:.+]] = tensor.expand_shape %[[LOOP]]#0 [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK-NEXT:    %[[GW1:.+]] = tensor.collapse_shape %[[LOOP]]#1 {{\[\[}}0, 1]] : tensor<4x3xf32> into tensor<12xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<16xf32>
// CHECK-NEXT:    %[[P0:.+]] = tensor.insert_slice %[[L1]] into %[[E]][0] [1] [1] : tensor<1xf32> into tensor<16xf32>
// CHECK-NEXT:    %[[P1:.+]] = tensor.insert_slice %[[GW1]] into %[[P0]][1] [12] [1] : tensor<12xf32> into tensor<16xf32>
// CHECK-NEXT:    %[[P2:.+]] = tensor.insert_slice %[[LOOP]]#2 into %[[P1]][13] [3] [1] : tensor<3xf32> into tensor<16xf32>
// CHECK-NEXT:    %[[SEND:.+]] = bufferization.to_buffer %[[P2]] read_only : tensor<16xf32> to memref<16xf32>
// CHECK-NEXT:    %[[RECV:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
// CHECK-NEXT:    mpi.allreduce(%[[SEND]], %[[RECV]], MPI_SUM, %[[COMM]]) : memref<16xf32>, memref<16xf32>
// CHECK-NEXT:    %[[SUM:.+]] = bufferization.to_tensor %[[RECV]] restrict : memref<16xf32> to tensor<16xf32>
// The means over ranks (x 1/N), unscaled by K x scale = 2 x 2^15.
// CHECK:         %[[GWM:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[INVT]] : tensor<4x3xf32>, tensor<f32>)
// CHECK:         %[[GBM:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[INVT]] : tensor<3xf32>, tensor<f32>)
// CHECK:         arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         arith.constant dense<2.000000e+00> : tensor<f32>
// CHECK:         mp.unscale %[[GWM]], %[[GBM]] by
// CHECK-NOT:     mpi.allreduce
// CHECK:         return

func.func @loss(%w: tensor<4x3xf32>, %b: tensor<3xf32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %bb = linalg.broadcast ins(%b : tensor<3xf32>) outs(%e : tensor<2x3xf32>) dimensions = [0]
  %yb = arith.addf %y, %bb : tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%yb : tensor<2x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
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
