// mp-cleanup: canonicalize (mp.cast folders included), CSE, canonicalize;
// dead ops erased.
//
// RUN: mp-opt %s --mp-cleanup --split-input-file | FileCheck %s

// A cast to the same type is its input.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An exact round trip (bf16 -> f32 -> bf16) is the original value.
// CHECK-LABEL: func.func @exact_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<4xbf16>)
// CHECK-NEXT: return %[[X]] : tensor<4xbf16>
func.func @exact_round_trip(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = mp.cast %x : tensor<4xbf16> to tensor<4xf32>
  %1 = mp.cast %0 : tensor<4xf32> to tensor<4xbf16>
  return %1 : tensor<4xbf16>
}

// -----

// An exact first step is skipped: bf16 -> f32 -> f16 is one cast.
// CHECK-LABEL: func.func @exact_then_narrow
// CHECK-SAME: (%[[X:.*]]: tensor<4xbf16>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xbf16> to tensor<4xf16>
// CHECK-NEXT: return %[[A]] : tensor<4xf16>
func.func @exact_then_narrow(%x: tensor<4xbf16>) -> tensor<4xf16> {
  %0 = mp.cast %x : tensor<4xbf16> to tensor<4xf32>
  %1 = mp.cast %0 : tensor<4xf32> to tensor<4xf16>
  return %1 : tensor<4xf16>
}

// -----

// A lossy pair (f32 -> bf16 -> f32) rounds: it must not fold.
// CHECK-LABEL: func.func @lossy_pair
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT: %[[B:.*]] = mp.cast %[[A]] : tensor<4xbf16> to tensor<4xf32>
// CHECK-NEXT: return %[[B]] : tensor<4xf32>
func.func @lossy_pair(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = mp.cast %0 : tensor<4xbf16> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CSE: equal casts of one value are shared.
// CHECK-LABEL: func.func @shared_casts
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xbf16>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[Y]] : tensor<4xbf16>
// CHECK-NEXT: %[[T:.*]] = arith.addf %[[A]], %[[S]] : tensor<4xbf16>
// CHECK-NEXT: return %[[T]] : tensor<4xbf16>
func.func @shared_casts(%x: tensor<4xf32>, %y: tensor<4xbf16>) -> tensor<4xbf16> {
  %a = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %b = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %s = arith.addf %a, %y : tensor<4xbf16>
  %t = arith.addf %b, %s : tensor<4xbf16>
  return %t : tensor<4xbf16>
}

// -----

// The second canonicalization folds what CSE exposed: select(c, a, a) is a.
// CHECK-LABEL: func.func @cse_then_fold
// CHECK-SAME: (%{{.*}}: i1, %[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT: return %[[A]] : tensor<4xbf16>
func.func @cse_then_fold(%c: i1, %x: tensor<4xf32>) -> tensor<4xbf16> {
  %a = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %b = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %s = arith.select %c, %a, %b : tensor<4xbf16>
  return %s : tensor<4xbf16>
}

// -----

// DCE: unused casts are erased.
// CHECK-LABEL: func.func @dead_casts
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[S]] : tensor<4xf32>
func.func @dead_casts(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %b = mp.cast %a : tensor<4xbf16> to tensor<4xf16>
  %c = arith.addf %x, %x : tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

// A cast of a constant is a constant, rounded to nearest even (1.1 -> bf16
// 1.1015625).
// CHECK-LABEL: func.func @constant
// CHECK-SAME: (%[[X:.*]]: tensor<2xbf16>)
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<[1.101560e+00, 2.000000e+00]> : tensor<2xbf16>
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[X]], %[[C]] : tensor<2xbf16>
// CHECK-NEXT: return %[[M]] : tensor<2xbf16>
func.func @constant(%x: tensor<2xbf16>) -> tensor<2xbf16> {
  %c = arith.constant dense<[1.1, 2.0]> : tensor<2xf32>
  %0 = mp.cast %c : tensor<2xf32> to tensor<2xbf16>
  %1 = arith.mulf %x, %0 : tensor<2xbf16>
  return %1 : tensor<2xbf16>
}

// -----

// Negative case: nothing to fold, share or erase; left as written.
// CHECK-LABEL: func.func @unchanged
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[A:.*]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT: %[[B:.*]] = mp.cast %[[W]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<8xf32>
// CHECK-NEXT: %[[V:.*]] = linalg.vecmat ins(%[[A]], %[[B]] : tensor<4xbf16>, tensor<4x8xbf16>) outs(%[[E]] : tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: return %[[V]] : tensor<8xf32>
func.func @unchanged(%x: tensor<4xf32>, %w: tensor<4x8xf32>) -> tensor<8xf32> {
  %0 = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = mp.cast %w : tensor<4x8xf32> to tensor<4x8xbf16>
  %2 = tensor.empty() : tensor<8xf32>
  %3 = linalg.vecmat ins(%0, %1 : tensor<4xbf16>, tensor<4x8xbf16>) outs(%2 : tensor<8xf32>) -> tensor<8xf32>
  return %3 : tensor<8xf32>
}
