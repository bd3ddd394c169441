// RUN: mp-opt %s -canonicalize -split-input-file | FileCheck %s
// RUN: mp-opt %s -mp-cleanup -split-input-file | FileCheck %s --check-prefixes=CHECK,CLEANUP

// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An exact round trip (bf16 -> f32 -> bf16) is the original value.
// CHECK-LABEL: func.func @exact_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<4xbf16>)
// CHECK-NEXT: return %[[X]]
func.func @exact_round_trip(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = mp.cast %x : tensor<4xbf16> to tensor<4xf32>
  %1 = mp.cast %0 : tensor<4xf32> to tensor<4xbf16>
  return %1 : tensor<4xbf16>
}

// -----

// CHECK-LABEL: func.func @exact_round_trip_f16
// CHECK-SAME: (%[[X:.*]]: f16)
// CHECK-NEXT: return %[[X]]
func.func @exact_round_trip_f16(%x: f16) -> f16 {
  %0 = mp.cast %x : f16 to f32
  %1 = mp.cast %0 : f32 to f16
  return %1 : f16
}

// -----

// A lossy pair (f32 -> bf16 -> f32) rounds: it must not fold.
// CHECK-LABEL: func.func @lossy_pair
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT: %[[B:.*]] = mp.cast %[[A]] : tensor<4xbf16> to tensor<4xf32>
// CHECK-NEXT: return %[[B]]
func.func @lossy_pair(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = mp.cast %0 : tensor<4xbf16> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// f16 -> bf16 -> f16 is lossy both ways (bf16 has fewer mantissa bits, f16 a
// smaller range): no fold.
// CHECK-LABEL: func.func @lossy_f16_bf16
// CHECK-NEXT: mp.cast %{{.*}} : tensor<4xf16> to tensor<4xbf16>
// CHECK-NEXT: mp.cast %{{.*}} : tensor<4xbf16> to tensor<4xf16>
// CHECK-NEXT: return
func.func @lossy_f16_bf16(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = mp.cast %x : tensor<4xf16> to tensor<4xbf16>
  %1 = mp.cast %0 : tensor<4xbf16> to tensor<4xf16>
  return %1 : tensor<4xf16>
}

// -----

// An exact first step is skipped: bf16 -> f32 -> f16 is bf16 -> f16.
// CHECK-LABEL: func.func @exact_then_narrow
// CHECK-SAME: (%[[X:.*]]: tensor<4xbf16>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xbf16> to tensor<4xf16>
// CHECK-NEXT: return %[[A]]
func.func @exact_then_narrow(%x: tensor<4xbf16>) -> tensor<4xf16> {
  %0 = mp.cast %x : tensor<4xbf16> to tensor<4xf32>
  %1 = mp.cast %0 : tensor<4xf32> to tensor<4xf16>
  return %1 : tensor<4xf16>
}

// -----

// A narrowing first step is never skipped (double rounding is not the same
// as one rounding).
// CHECK-LABEL: func.func @narrow_then_narrow
// CHECK-NEXT: mp.cast %{{.*}} : tensor<4xf64> to tensor<4xf32>
// CHECK-NEXT: mp.cast %{{.*}} : tensor<4xf32> to tensor<4xbf16>
func.func @narrow_then_narrow(%x: tensor<4xf64>) -> tensor<4xbf16> {
  %0 = mp.cast %x : tensor<4xf64> to tensor<4xf32>
  %1 = mp.cast %0 : tensor<4xf32> to tensor<4xbf16>
  return %1 : tensor<4xbf16>
}

// -----

// Constants are converted at compile time, rounding to nearest even:
// 1.1 in bf16 is 1.1015625; 1.0e6 overflows f16 to +inf (0x7C00).
// CHECK-LABEL: func.func @constants
// CHECK-DAG: %[[A:.*]] = arith.constant dense<1.101560e+00> : tensor<4xbf16>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 0x7C00]> : tensor<2xf16>
// CHECK-DAG: %[[C:.*]] = arith.constant 2.500000e-01 : bf16
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @constants() -> (tensor<4xbf16>, tensor<2xf16>, bf16) {
  %c = arith.constant dense<1.1> : tensor<4xf32>
  %0 = mp.cast %c : tensor<4xf32> to tensor<4xbf16>
  %d = arith.constant dense<[1.0, 1.0e6]> : tensor<2xf32>
  %1 = mp.cast %d : tensor<2xf32> to tensor<2xf16>
  %e = arith.constant 0.25 : f32
  %2 = mp.cast %e : f32 to bf16
  return %0, %1, %2 : tensor<4xbf16>, tensor<2xf16>, bf16
}

// -----

// Two casts of one value to one type: CSE in mp-cleanup shares them.
// CHECK-LABEL: func.func @shared
// CLEANUP-NEXT: %[[A:.*]] = mp.cast %{{.*}} : tensor<4xf32> to tensor<4xbf16>
// CLEANUP-NEXT: return %[[A]], %[[A]]
func.func @shared(%x: tensor<4xf32>) -> (tensor<4xbf16>, tensor<4xbf16>) {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  return %0, %1 : tensor<4xbf16>, tensor<4xbf16>
}

// -----

// Unused casts are dead code.
// CHECK-LABEL: func.func @dead
// CHECK-NEXT: return
func.func @dead(%x: tensor<4xf32>) {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  return
}
