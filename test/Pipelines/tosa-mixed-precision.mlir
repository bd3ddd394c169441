// TOSA input through mp-mixed-precision: the upstream TOSA lowering runs
// first (tosa-to-linalg-named, tosa-to-linalg, tosa-to-arith,
// tosa-to-tensor, ... when tosa ops are present), then autocast classifies
// what it emitted (linalg.batch_matmul: compute, bf16 operands and f32
// accumulator; the tanh generic follows its bf16 input; the reductions run
// in f32: no op is left unclassified), and the gradient of the TOSA loss is
// differentiated as linalg. Exact IR of the whole step.
//
// RUN: mp-opt %s --mp-mixed-precision="policy=mixed_bfloat16 mode=none report=%t.json" | FileCheck %s
// RUN: %python -c "import json, sys; r = json.load(open(sys.argv[1])); print(sorted(r['total']['ops'].items()))" %t.json | FileCheck %s --check-prefix=REPORT
// REPORT: [('compute', {'bf16': 1}), ('follow', {'bf16': 1, 'f32': 4}), ('fp32', {'f32': 2})]
//
// The lowering is the first pass (mp-if-present, which runs it only when
// a tosa op is present): no tosa op reaches mp-autocast.
// RUN: mp-opt %s --pass-pipeline="builtin.module(mp-mixed-precision{policy=float32 mode=none})" --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PASSES
// PASSES: IR Dump After MPIfPresent
// PASSES-NOT: tosa.
// PASSES: IR Dump After MPAutocast

func.func @loss(%w: tensor<1x4x3xf32>, %x: tensor<1x2x4xf32>) -> tensor<f32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %mm = tosa.matmul %x, %w, %zp, %zp : (tensor<1x2x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  %t = tosa.tanh %mm : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  %s = tosa.reduce_sum %t {axis = 2 : i32} : (tensor<1x2x3xf32>) -> tensor<1x2x1xf32>
  %shape = tosa.const_shape {values = dense<2> : tensor<1xindex>} : () -> !tosa.shape<1>
  %r = tosa.reshape %s, %shape : (tensor<1x2x1xf32>, !tosa.shape<1>) -> tensor<2xf32>
  %s2 = tosa.reduce_sum %r {axis = 0 : i32} : (tensor<2xf32>) -> tensor<1xf32>
  %shape0 = tosa.const_shape {values = dense<> : tensor<0xindex>} : () -> !tosa.shape<0>
  %l = tosa.reshape %s2, %shape0 : (tensor<1xf32>, !tosa.shape<0>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @train_step(%w: tensor<1x4x3xf32>, %x: tensor<1x2x4xf32>) -> (tensor<1x4x3xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<1x4x3xf32>, tensor<1x2x4xf32>) -> (tensor<f32>, tensor<1x4x3xf32>)
  %lr = "tosa.const"() <{values = dense<0.5> : tensor<1x4x3xf32>}> : () -> tensor<1x4x3xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %d = tosa.mul %g, %lr, %shift : (tensor<1x4x3xf32>, tensor<1x4x3xf32>, tensor<1xi8>) -> tensor<1x4x3xf32>
  %w1 = tosa.sub %w, %d : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<1x4x3xf32>
  return %w1, %l : tensor<1x4x3xf32>, tensor<f32>
}

// CHECK-NOT: tosa.
// CHECK: #map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-NEXT: #map1 = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-NEXT: #map2 = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-NEXT: #map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @loss(
// CHECK-SAME: [[ARG0:%[^ ,:)]+]]: tensor<1x4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<1x2x4xf32>) -> tensor<f32> {
// CHECK-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: [[V0:%[^ ,:)]+]] = arith.truncf [[ARG1]] : tensor<1x2x4xf32> to tensor<1x2x4xbf16>
// CHECK-NEXT: [[V1:%[^ ,:)]+]] = arith.truncf [[ARG0]] : tensor<1x4x3xf32> to tensor<1x4x3xbf16>
// CHECK-NEXT: [[V2:%[^ ,:)]+]] = tensor.empty() : tensor<1x2x3xf32>
// CHECK-NEXT: [[V3:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V2]] : tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
// CHECK-NEXT: [[V4:%[^ ,:)]+]] = linalg.batch_matmul ins([[V0]], [[V1]] : tensor<1x2x4xbf16>, tensor<1x4x3xbf16>) outs([[V3]] : tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
// CHECK-NEXT: [[V5:%[^ ,:)]+]] = arith.truncf [[V4]] : tensor<1x2x3xf32> to tensor<1x2x3xbf16>
// CHECK-NEXT: [[V6:%[^ ,:)]+]] = tensor.empty() : tensor<1x2x3xbf16>
// CHECK-NEXT: [[V7:%[^ ,:)]+]] = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins([[V5]] : tensor<1x2x3xbf16>) outs([[V6]] : tensor<1x2x3xbf16>) {
// CHECK-NEXT: ^bb0([[IN:%[^ ,:)]+]]: bf16, [[OUT:%[^ ,:)]+]]: bf16):
// CHECK-NEXT: [[V13:%[^ ,:)]+]] = math.tanh [[IN]] : bf16
// CHECK-NEXT: linalg.yield [[V13]] : bf16
// CHECK-NEXT: } -> tensor<1x2x3xbf16>
// CHECK-NEXT: [[V8:%[^ ,:)]+]] = arith.extf [[V7]] : tensor<1x2x3xbf16> to tensor<1x2x3xf32>
// CHECK-NEXT: [[V9:%[^ ,:)]+]] = tensor.empty() : tensor<1x2xf32>
// CHECK-NEXT: [[V10:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V9]] : tensor<1x2xf32>) -> tensor<1x2xf32>
// CHECK-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V8]] : tensor<1x2x3xf32>) outs([[V10]] : tensor<1x2xf32>) dimensions = [2]
// CHECK-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CHECK-NEXT: [[V13:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CHECK-NEXT: linalg.yield [[V13]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: [[COLLAPSED:%[^ ,:)]+]] = tensor.collapse_shape [[REDUCED]] {{\[\[}}0, 1{{\]\]}} : tensor<1x2xf32> into tensor<2xf32>
// CHECK-NEXT: [[V11:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: [[V12:%[^ ,:)]+]] = linalg.fill ins([[CST]] : f32) outs([[V11]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: [[REDUCED_0:%[^ ,:)]+]] = linalg.reduce ins([[COLLAPSED]] : tensor<2xf32>) outs([[V12]] : tensor<f32>) dimensions = [0]
// CHECK-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CHECK-NEXT: [[V13:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CHECK-NEXT: linalg.yield [[V13]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return [[REDUCED_0]] : tensor<f32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: [[ARG0:%[^ ,:)]+]]: tensor<1x4x3xf32>, [[ARG1:%[^ ,:)]+]]: tensor<1x2x4xf32>) -> (tensor<1x4x3xf32> {mp.updates = 0 : i64}, tensor<f32>) {
// CHECK-NEXT: [[CST:%[^ ,:)]+]] = arith.constant 1.000000e+00 : bf16
// CHECK-NEXT: [[CST_0:%[^ ,:)]+]] = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT: [[CST_1:%[^ ,:)]+]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: [[CST_2:%[^ ,:)]+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: [[CST_3:%[^ ,:)]+]] = arith.constant dense<5.000000e-01> : tensor<1x4x3xf32>
// CHECK-NEXT: [[V0:%[^ ,:)]+]] = arith.truncf [[ARG1]] : tensor<1x2x4xf32> to tensor<1x2x4xbf16>
// CHECK-NEXT: [[V1:%[^ ,:)]+]] = arith.truncf [[ARG0]] : tensor<1x4x3xf32> to tensor<1x4x3xbf16>
// CHECK-NEXT: [[V2:%[^ ,:)]+]] = tensor.empty() : tensor<1x2x3xf32>
// CHECK-NEXT: [[V3:%[^ ,:)]+]] = linalg.fill ins([[CST_2]] : f32) outs([[V2]] : tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
// CHECK-NEXT: [[V4:%[^ ,:)]+]] = linalg.batch_matmul ins([[V0]], [[V1]] : tensor<1x2x4xbf16>, tensor<1x4x3xbf16>) outs([[V3]] : tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
// CHECK-NEXT: [[V5:%[^ ,:)]+]] = arith.truncf [[V4]] : tensor<1x2x3xf32> to tensor<1x2x3xbf16>
// CHECK-NEXT: [[V6:%[^ ,:)]+]] = tensor.empty() : tensor<1x2x3xbf16>
// CHECK-NEXT: [[V7:%[^ ,:)]+]] = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins([[V5]] : tensor<1x2x3xbf16>) outs([[V6]] : tensor<1x2x3xbf16>) {
// CHECK-NEXT: ^bb0([[IN:%[^ ,:)]+]]: bf16, [[OUT:%[^ ,:)]+]]: bf16):
// CHECK-NEXT: [[V24:%[^ ,:)]+]] = math.tanh [[IN]] : bf16
// CHECK-NEXT: linalg.yield [[V24]] : bf16
// CHECK-NEXT: } -> tensor<1x2x3xbf16>
// CHECK-NEXT: [[V8:%[^ ,:)]+]] = arith.extf [[V7]] : tensor<1x2x3xbf16> to tensor<1x2x3xf32>
// CHECK-NEXT: [[V9:%[^ ,:)]+]] = tensor.empty() : tensor<1x2xf32>
// CHECK-NEXT: [[V10:%[^ ,:)]+]] = linalg.fill ins([[CST_2]] : f32) outs([[V9]] : tensor<1x2xf32>) -> tensor<1x2xf32>
// CHECK-NEXT: [[REDUCED:%[^ ,:)]+]] = linalg.reduce ins([[V8]] : tensor<1x2x3xf32>) outs([[V10]] : tensor<1x2xf32>) dimensions = [2]
// CHECK-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CHECK-NEXT: [[V24:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CHECK-NEXT: linalg.yield [[V24]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: [[COLLAPSED:%[^ ,:)]+]] = tensor.collapse_shape [[REDUCED]] {{\[\[}}0, 1{{\]\]}} : tensor<1x2xf32> into tensor<2xf32>
// CHECK-NEXT: [[V11:%[^ ,:)]+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: [[V12:%[^ ,:)]+]] = linalg.fill ins([[CST_2]] : f32) outs([[V11]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: [[REDUCED_4:%[^ ,:)]+]] = linalg.reduce ins([[COLLAPSED]] : tensor<2xf32>) outs([[V12]] : tensor<f32>) dimensions = [0]
// CHECK-NEXT: ([[IN:%[^ ,:)]+]]: f32, [[INIT:%[^ ,:)]+]]: f32) {
// CHECK-NEXT: [[V24:%[^ ,:)]+]] = arith.addf [[IN]], [[INIT]] : f32
// CHECK-NEXT: linalg.yield [[V24]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: [[V13:%[^ ,:)]+]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: [[BROADCASTED:%[^ ,:)]+]] = linalg.broadcast ins([[CST_1]] : tensor<f32>) outs([[V13]] : tensor<2xf32>) dimensions = [0]
// CHECK-NEXT: [[EXPANDED:%[^ ,:)]+]] = tensor.expand_shape [[BROADCASTED]] {{\[\[}}0, 1{{\]\]}} output_shape [1, 2] : tensor<2xf32> into tensor<1x2xf32>
// CHECK-NEXT: [[BROADCASTED_5:%[^ ,:)]+]] = linalg.broadcast ins([[EXPANDED]] : tensor<1x2xf32>) outs([[V2]] : tensor<1x2x3xf32>) dimensions = [2]
// CHECK-NEXT: [[V14:%[^ ,:)]+]] = arith.truncf [[BROADCASTED_5]] : tensor<1x2x3xf32> to tensor<1x2x3xbf16>
// CHECK-NEXT: [[V15:%[^ ,:)]+]] = linalg.fill ins([[CST_0]] : bf16) outs([[V6]] : tensor<1x2x3xbf16>) -> tensor<1x2x3xbf16>
// CHECK-NEXT: [[V16:%[^ ,:)]+]] = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins([[V5]], [[V14]] : tensor<1x2x3xbf16>, tensor<1x2x3xbf16>) outs([[V15]] : tensor<1x2x3xbf16>) {
// CHECK-NEXT: ^bb0([[IN:%[^ ,:)]+]]: bf16, [[IN_6:%[^ ,:)]+]]: bf16, [[OUT:%[^ ,:)]+]]: bf16):
// CHECK-NEXT: [[V24:%[^ ,:)]+]] = math.tanh [[IN]] : bf16
// CHECK-NEXT: [[V25:%[^ ,:)]+]] = arith.mulf [[V24]], [[V24]] : bf16
// CHECK-NEXT: [[V26:%[^ ,:)]+]] = arith.subf [[CST]], [[V25]] : bf16
// CHECK-NEXT: [[V27:%[^ ,:)]+]] = arith.mulf [[IN_6]], [[V26]] : bf16
// CHECK-NEXT: [[V28:%[^ ,:)]+]] = arith.addf [[OUT]], [[V27]] : bf16
// CHECK-NEXT: linalg.yield [[V28]] : bf16
// CHECK-NEXT: } -> tensor<1x2x3xbf16>
// CHECK-NEXT: [[V17:%[^ ,:)]+]] = tensor.empty() : tensor<1x4x3xf32>
// CHECK-NEXT: [[V18:%[^ ,:)]+]] = linalg.fill ins([[CST_2]] : f32) outs([[V17]] : tensor<1x4x3xf32>) -> tensor<1x4x3xf32>
// The bf16 copy of the input is recast here (recomputed: cheaper than
// keeping it alive through the backward).
// CHECK-NEXT: [[XR:%[^ ,:)]+]] = arith.truncf %arg1 {recomputed} : tensor<1x2x4xf32> to tensor<1x2x4xbf16>
// CHECK-NEXT: [[V19:%[^ ,:)]+]] = linalg.batch_matmul indexing_maps = [#map1, #map2, #map3] ins([[XR]], [[V16]] : tensor<1x2x4xbf16>, tensor<1x2x3xbf16>) outs([[V18]] : tensor<1x4x3xf32>) -> tensor<1x4x3xf32>
// CHECK-NEXT: [[V20:%[^ ,:)]+]] = arith.truncf [[V19]] : tensor<1x4x3xf32> to tensor<1x4x3xbf16>
// CHECK-NEXT: [[V21:%[^ ,:)]+]] = arith.extf [[V20]] : tensor<1x4x3xbf16> to tensor<1x4x3xf32>
// CHECK-NEXT: [[V22:%[^ ,:)]+]] = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins([[V21]], [[CST_3]] : tensor<1x4x3xf32>, tensor<1x4x3xf32>) outs([[V17]] : tensor<1x4x3xf32>) {
// CHECK-NEXT: ^bb0([[IN:%[^ ,:)]+]]: f32, [[IN_6:%[^ ,:)]+]]: f32, [[OUT:%[^ ,:)]+]]: f32):
// CHECK-NEXT: [[V24:%[^ ,:)]+]] = arith.mulf [[IN]], [[IN_6]] : f32
// CHECK-NEXT: linalg.yield [[V24]] : f32
// CHECK-NEXT: } -> tensor<1x4x3xf32>
// CHECK-NEXT: [[V23:%[^ ,:)]+]] = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins([[ARG0]], [[V22]] : tensor<1x4x3xf32>, tensor<1x4x3xf32>) outs([[V17]] : tensor<1x4x3xf32>) {
// CHECK-NEXT: ^bb0([[IN:%[^ ,:)]+]]: f32, [[IN_6:%[^ ,:)]+]]: f32, [[OUT:%[^ ,:)]+]]: f32):
// CHECK-NEXT: [[V24:%[^ ,:)]+]] = arith.subf [[IN]], [[IN_6]] : f32
// CHECK-NEXT: linalg.yield [[V24]] : f32
// CHECK-NEXT: } -> tensor<1x4x3xf32>
// CHECK-NEXT: return [[V23]], [[REDUCED_4]] : tensor<1x4x3xf32>, tensor<f32>
// CHECK-NEXT: }
// CHECK-NOT: tosa.
