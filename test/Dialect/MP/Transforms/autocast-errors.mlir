// Diagnostics of mp-autocast on its input: unknown ops get a remark and stay
// in their input precision; an op that cannot run in the dtype its class
// asks for gets a remark and stays as it was; a bad mp.precision is an error.
//
// RUN: mp-opt --mp-autocast="policy=mixed_float16" -allow-unregistered-dialect -verify-diagnostics -split-input-file %s | FileCheck %s

// CHECK-LABEL: func.func @unknown_op(
// CHECK-SAME:      %[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[Y:.+]] = "test.unknown"(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-remark @below {{mp-autocast: no precision class for 'test.unknown'; kept in its input precision}}
  %y = "test.unknown"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// f16 inputs with a bf16 accumulator: the named op has no f16 x f16 -> bf16
// body, so the contraction is left in its input precision.
// CHECK-LABEL: func.func @cannot_run(
// CHECK-NOT:     mp.cast
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%{{.+}} : tensor<4x4xbf16>)
func.func @cannot_run(%a: tensor<4x4xbf16>, %acc: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  // expected-remark @below {{mp-autocast: 'linalg.matmul' cannot run in f16; kept in its input precision}}
  %mm = linalg.matmul ins(%a, %a : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%acc : tensor<4x4xbf16>) -> tensor<4x4xbf16>
  return %mm : tensor<4x4xbf16>
}

// -----

func.func @bad_precision(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'mp.precision' must be one of f32, bf16, f16, got i32}}
  %y = arith.negf %x {mp.precision = i32} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// f64 code is never touched (and gets no remark).
// CHECK-LABEL: func.func @f64(
// CHECK-NOT:     mp.cast
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x2xf64>, tensor<2x2xf64>)
func.func @f64(%x: tensor<2x2xf64>) -> tensor<2x2xf64> {
  %mm = linalg.matmul ins(%x, %x : tensor<2x2xf64>, tensor<2x2xf64>) outs(%x : tensor<2x2xf64>) -> tensor<2x2xf64>
  return %mm : tensor<2x2xf64>
}
