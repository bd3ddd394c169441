// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-unshare-inits))' | FileCheck %s
// RUN: mp-opt %s --mp-to-cpu=contractions=loops | FileCheck %s --check-prefix=LLVM

// Two matmuls sharing one (CSE'd) zero fill each get their own fill, so
// bufferization writes both in place instead of copying the filled buffer.
// CHECK-LABEL: func.func @two(
// CHECK:         %[[E1:.+]] = tensor.empty
// CHECK:         %[[F1:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E1]]
// CHECK:         %[[E2:.+]] = tensor.empty
// CHECK:         %[[F2:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E2]]
// CHECK:         linalg.matmul ins({{.+}}) outs(%[[F2]]
// CHECK:         linalg.matmul ins({{.+}}) outs(%[[F1]]
// LLVM-LABEL: llvm.func @two(
// LLVM-NOT:     scf.
// LLVM-NOT:     "llvm.intr.memcpy"
func.func @two(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%z : tensor<8x8xf32>) -> tensor<8x8xf32>
  %1 = linalg.matmul ins(%b, %a : tensor<8x8xf32>, tensor<8x8xf32>) outs(%z : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0, %1 : tensor<8x8xf32>, tensor<8x8xf32>
}
