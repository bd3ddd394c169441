// tosa ops are classified too: matmul is compute class (its float
// zero-point constant is converted at compile time; tosa.matmul accumulates
// bf16 inputs in f32 and, by default (compute-output=compute), its f32
// result is rounded to bf16 by one mp.cast), exp is fp32 (it widens the
// rounded result), add follows (the widest input: f32). With
// compute-output=f32 the f32 result is used as is.
//
// RUN: mp-opt --mp-autocast %s | FileCheck %s
// RUN: mp-opt --mp-autocast="compute-output=f32" %s | FileCheck %s --check-prefix=F32OUT

// CHECK-LABEL: func.func @tosa(
// CHECK-SAME:      %[[A:.+]]: tensor<1x4x8xf32>, %[[B:.+]]: tensor<1x8x4xf32>)
// CHECK-NEXT:    %[[AH:.+]] = mp.cast %[[A]] : tensor<1x4x8xf32> to tensor<1x4x8xbf16>
// CHECK-NEXT:    %[[BH:.+]] = mp.cast %[[B]] : tensor<1x8x4xf32> to tensor<1x8x4xbf16>
// CHECK-NEXT:    %[[ZP:.+]] = arith.constant dense<0.000000e+00> : tensor<1xbf16>
// CHECK-NEXT:    %[[M:.+]] = tosa.matmul %[[AH]], %[[BH]], %[[ZP]], %[[ZP]] : (tensor<1x4x8xbf16>, tensor<1x8x4xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<1x4x4xf32>
// CHECK-NEXT:    %[[R:.+]] = mp.cast %[[M]] : tensor<1x4x4xf32> to tensor<1x4x4xbf16>
// CHECK-NEXT:    %[[W:.+]] = mp.cast %[[R]] : tensor<1x4x4xbf16> to tensor<1x4x4xf32>
// CHECK-NEXT:    %[[E:.+]] = tosa.exp %[[W]] : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
// CHECK-NEXT:    %[[S:.+]] = tosa.add %[[E]], %[[W]] : (tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
// CHECK-NEXT:    return %[[S]]

// F32OUT-LABEL: func.func @tosa(
// F32OUT:         %[[M:.+]] = tosa.matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<1x4x8xbf16>, tensor<1x8x4xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<1x4x4xf32>
// F32OUT-NEXT:    %[[E:.+]] = tosa.exp %[[M]] : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
// F32OUT-NEXT:    %[[S:.+]] = tosa.add %[[E]], %[[M]] : (tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
// F32OUT-NEXT:    return %[[S]]
func.func @tosa(%a: tensor<1x4x8xf32>, %b: tensor<1x8x4xf32>) -> tensor<1x4x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4xf32>
  %e = tosa.exp %m : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %s = tosa.add %e, %m : (tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  return %s : tensor<1x4x4xf32>
}
