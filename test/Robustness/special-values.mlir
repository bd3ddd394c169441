// NaN and infinity constants survive precision casts folded at compile
// time. 3.38e38 is inside bf16's range (f32's exponent) and rounds to the
// nearest bf16, 3.37624e38; it is far above f16's max (65504) and becomes
// +inf, as a runtime cast would.
// RUN: mp-opt %s --canonicalize | FileCheck %s
// CHECK-LABEL: func.func @special
// CHECK: arith.constant dense<[0x7FC0, 0x7F80, 0xFF80, 3.376240e+38]> : tensor<4xbf16>
// CHECK: arith.constant dense<[0x7E00, 0x7C00, 0xFC00, 0x7C00]> : tensor<4xf16>
func.func @special() -> (tensor<4xbf16>, tensor<4xf16>) {
  %c = arith.constant dense<[0x7FC00000, 0x7F800000, 0xFF800000, 3.38e38]> : tensor<4xf32>
  %0 = mp.cast %c : tensor<4xf32> to tensor<4xbf16>
  %1 = mp.cast %c : tensor<4xf32> to tensor<4xf16>
  return %0, %1 : tensor<4xbf16>, tensor<4xf16>
}
