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

// Left alone: a fill with one use, and a shared init that is a function
// argument (not a tensor.empty or a fill of one).
// CHECK-LABEL: func.func @left_alone(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: tensor<8x8xf32>, %[[B:[a-z0-9]+]]: tensor<8x8xf32>, %[[C:[a-z0-9]+]]: tensor<8x8xf32>)
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<8x8xf32>
// CHECK-NEXT:    %[[Z:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT:    %[[M0:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<8x8xf32>, tensor<8x8xf32>) outs(%[[Z]] : tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT:    %[[M1:.+]] = linalg.matmul ins(%[[B]], %[[A]] : tensor<8x8xf32>, tensor<8x8xf32>) outs(%[[C]] : tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT:    %[[M2:.+]] = linalg.matmul ins(%[[A]], %[[A]] : tensor<8x8xf32>, tensor<8x8xf32>) outs(%[[C]] : tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT:    return %[[M0]], %[[M1]], %[[M2]] : tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>
// (This label ends the @two block of the LLVM run: bufferization copies the
// shared argument %c here, with a memcpy.)
// LLVM-LABEL: llvm.func @left_alone(
func.func @left_alone(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %c: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%z : tensor<8x8xf32>) -> tensor<8x8xf32>
  %1 = linalg.matmul ins(%b, %a : tensor<8x8xf32>, tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  %2 = linalg.matmul ins(%a, %a : tensor<8x8xf32>, tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0, %1, %2 : tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>
}
