// mp-autocast: tensor.pad is a follow op. Padding a half activation runs in
// half: the padding value is rounded to the new element type (a constant
// folds; another value gets an arith.truncf in the body), which is bitwise
// the rounding of the f32 pad of the widened input, so the values are
// unchanged and no f32 copy (extf + f32 pad + truncf) is made. A pad of
// f32 data stays f32.
//
// RUN: mp-opt --mp-autocast %s | FileCheck %s
// RUN: mp-opt --mp-autocast="compute-output=f32" %s | FileCheck %s --check-prefix=F32OUT

// CHECK-LABEL: func.func @pad_half(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<2x4xf32>, %[[W:[^:]+]]: tensor<4x4xf32>, %[[P:[^:]+]]: f32)
// CHECK:         %[[Y:.+]] = linalg.matmul
// CHECK-NEXT:    %[[YH:.+]] = mp.cast %[[Y]] : tensor<2x4xf32> to tensor<2x4xbf16>
// CHECK-NEXT:    %[[C:.+]] = tensor.pad %[[YH]] low[0, 1] high[0, 1] {
// CHECK-NEXT:    ^bb0(%{{.+}}: index, %{{.+}}: index):
// CHECK-NEXT:      %[[Z:.+]] = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT:      tensor.yield %[[Z]] : bf16
// CHECK-NEXT:    } : tensor<2x4xbf16> to tensor<2x6xbf16>
// CHECK-NEXT:    %[[CW:.+]] = mp.cast %[[C]] : tensor<2x6xbf16> to tensor<2x6xf32>
// CHECK-NEXT:    %[[V:.+]] = tensor.pad %[[YH]] low[0, 1] high[0, 1] {
// CHECK-NEXT:    ^bb0(%{{.+}}: index, %{{.+}}: index):
// CHECK-NEXT:      %[[PH:.+]] = arith.truncf %[[P]] : f32 to bf16
// CHECK-NEXT:      tensor.yield %[[PH]] : bf16
// CHECK-NEXT:    } : tensor<2x4xbf16> to tensor<2x6xbf16>
// CHECK-NEXT:    %[[VW:.+]] = mp.cast %[[V]] : tensor<2x6xbf16> to tensor<2x6xf32>
// CHECK-NEXT:    %[[D:.+]] = tensor.pad %[[X]] low[0, 1] high[0, 1] {
// CHECK-NEXT:    ^bb0(%{{.+}}: index, %{{.+}}: index):
// CHECK-NEXT:      tensor.yield %{{.+}} : f32
// CHECK-NEXT:    } : tensor<2x4xf32> to tensor<2x6xf32>
// CHECK-NEXT:    return %[[CW]], %[[VW]], %[[D]]

// compute-output=f32: the matmul result is f32, so are the pads.
// F32OUT-LABEL: func.func @pad_half(
// F32OUT:         %[[Y:.+]] = linalg.matmul {{.+}} -> tensor<2x4xf32>
// F32OUT-NEXT:    tensor.pad %[[Y]]
// F32OUT-NOT:     bf16
// F32OUT:         return
func.func @pad_half(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>, %p: f32) -> (tensor<2x6xf32>, tensor<2x6xf32>, tensor<2x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32>
  %c = tensor.pad %y low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x4xf32> to tensor<2x6xf32>
  %v = tensor.pad %y low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %p : f32
  } : tensor<2x4xf32> to tensor<2x6xf32>
  %d = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x4xf32> to tensor<2x6xf32>
  return %c, %v, %d : tensor<2x6xf32>, tensor<2x6xf32>, tensor<2x6xf32>
}
