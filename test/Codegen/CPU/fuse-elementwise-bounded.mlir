// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(convert-elementwise-to-linalg,mp-fuse-elementwise{max-operands=4}))' | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(convert-elementwise-to-linalg,mp-fuse-elementwise))' | FileCheck %s --check-prefix=DEFAULT

// mp-to-cpu's elementwise fusion bounds the operands of a fused op, so that
// a long chain of adds (the gradient contributions of a weight used many
// times) is not fused one op at a time into one ever-growing generic: that
// is quadratic in the chain length. A regression test on the structure of
// the result, not on time.

// Six contributions summed in a chain: with at most 4 operands per fused op
// (3 inputs + 1 init) the chain becomes three generics; with the default
// bound (32) it is fused into one.
// CHECK-LABEL: func.func @sum(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<16xf32>, %[[B:[^:]+]]: tensor<16xf32>, %[[C:[^:]+]]: tensor<16xf32>, %[[D:[^:]+]]: tensor<16xf32>, %[[E:[^:]+]]: tensor<16xf32>, %[[F:[^:]+]]: tensor<16xf32>
// CHECK:         %[[S1:.+]] = linalg.generic {{.*}} ins(%[[A]], %[[B]], %[[C]] : {{.*}}) outs(
// CHECK:         %[[S2:.+]] = linalg.generic {{.*}} ins(%[[S1]], %[[D]], %[[E]] : {{.*}}) outs(
// CHECK:         %[[S3:.+]] = linalg.generic {{.*}} ins(%[[S2]], %[[F]] : {{.*}}) outs(
// CHECK-NOT:     linalg.generic
// CHECK:         return
// DEFAULT-LABEL: func.func @sum(
// DEFAULT:         linalg.generic {{.*}} ins(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}} : {{.*}}) outs(
// DEFAULT-NOT:     linalg.generic
// DEFAULT:         return
func.func @sum(%a: tensor<16xf32>, %b: tensor<16xf32>, %c: tensor<16xf32>,
               %d: tensor<16xf32>, %e: tensor<16xf32>, %f: tensor<16xf32>) -> tensor<16xf32> {
  %0 = arith.addf %a, %b : tensor<16xf32>
  %1 = arith.addf %0, %c : tensor<16xf32>
  %2 = arith.addf %1, %d : tensor<16xf32>
  %3 = arith.addf %2, %e : tensor<16xf32>
  %4 = arith.addf %3, %f : tensor<16xf32>
  return %4 : tensor<16xf32>
}

// The pass is the one mp-to-cpu runs.
// RUN: mp-opt %s --mp-to-cpu -mlir-print-ir-after=mp-fuse-elementwise -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPE
// PIPE: IR Dump After MPFuseElementwise (mp-fuse-elementwise)
