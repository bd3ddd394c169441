// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-bound-alias-sets{max-chain=2 max-readers=2}))' | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-bound-alias-sets))' | FileCheck %s --check-prefix=DEFAULT

// The compile-time guard of mp-to-cpu: one-shot bufferization's analysis is
// cubic in the length of an in-place accumulation chain and quadratic in the
// number of readers of one value, so mp-bound-alias-sets splits both with
// exact copies before it runs. A regression test on counts, not on time:
// the RUN lines at the end push a deep shared-weight chain (the shape of
// benchmarks/compile_time.py's graphs) through the whole pipeline and check
// that the pass is in it, before bufferization, and splits the chains.

// A 5-link accumulation chain: every 2 links the init is copied.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<8x16xf32>, %[[G:[^:]+]]: tensor<16xf32>
// CHECK:         %[[R0:.+]] = linalg.reduce ins(%[[X]] {{.*}} outs(%[[G]]
// CHECK:         %[[R1:.+]] = linalg.reduce ins({{.*}} outs(%[[R0]]
// CHECK:         %[[E2:.+]] = tensor.empty() : tensor<16xf32>
// CHECK:         %[[C2:.+]] = linalg.copy ins(%[[R1]] : tensor<16xf32>) outs(%[[E2]]
// CHECK:         %[[R2:.+]] = linalg.reduce ins({{.*}} outs(%[[C2]]
// CHECK:         %[[R3:.+]] = linalg.reduce ins({{.*}} outs(%[[R2]]
// CHECK:         %[[C4:.+]] = linalg.copy ins(%[[R3]]
// CHECK:         %[[R4:.+]] = linalg.reduce ins({{.*}} outs(%[[C4]]
// CHECK:         return %[[R4]]
// DEFAULT-LABEL: func.func @chain(
// DEFAULT-NOT:     linalg.copy
// DEFAULT:         return
func.func @chain(%x: tensor<8x16xf32>, %g: tensor<16xf32>) -> tensor<16xf32> {
  %r0 = linalg.reduce ins(%x : tensor<8x16xf32>) outs(%g : tensor<16xf32>) dimensions = [0]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %r1 = linalg.reduce ins(%x : tensor<8x16xf32>) outs(%r0 : tensor<16xf32>) dimensions = [0]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %r2 = linalg.reduce ins(%x : tensor<8x16xf32>) outs(%r1 : tensor<16xf32>) dimensions = [0]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %r3 = linalg.reduce ins(%x : tensor<8x16xf32>) outs(%r2 : tensor<16xf32>) dimensions = [0]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  %r4 = linalg.reduce ins(%x : tensor<8x16xf32>) outs(%r3 : tensor<16xf32>) dimensions = [0]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32 }
  return %r4 : tensor<16xf32>
}

// Five readers of %w: readers 3-4 read one copy, reader 5 another.
// CHECK-LABEL: func.func @fanout(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<16x16xf32>
// CHECK:         linalg.matmul ins(%{{.+}}, %[[W]] :
// CHECK:         linalg.matmul ins(%{{.+}}, %[[W]] :
// CHECK:         %[[W1:.+]] = linalg.copy ins(%[[W]] : tensor<16x16xf32>)
// CHECK:         linalg.matmul ins(%{{.+}}, %[[W1]] :
// CHECK:         linalg.matmul ins(%{{.+}}, %[[W1]] :
// CHECK:         %[[W2:.+]] = linalg.copy ins(%[[W]] : tensor<16x16xf32>)
// CHECK:         linalg.matmul ins(%{{.+}}, %[[W2]] :
// CHECK:         return
func.func @fanout(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>) -> tensor<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h1 = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h2 = linalg.matmul ins(%h1, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h3 = linalg.matmul ins(%h2, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h4 = linalg.matmul ins(%h3, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  %h5 = linalg.matmul ins(%h4, %w : tensor<8x16xf32>, tensor<16x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %h5 : tensor<8x16xf32>
}

// The whole pipeline on a 70-layer chain with one shared weight: a 70-link
// gradient accumulation chain and a few hundred readers of the weight.
// RUN: %python %mixprec_src/benchmarks/gen_graphs.py chain 70 4 2 1 > %t.chain.mlir
// RUN: mp-opt %t.chain.mlir --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic" --mp-to-cpu -mlir-print-ir-before=one-shot-bufferize -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPE
// PIPE:       IR Dump Before OneShotBufferizePass
// PIPE:       func.func @train_step
// PIPE-COUNT-2: linalg.copy
