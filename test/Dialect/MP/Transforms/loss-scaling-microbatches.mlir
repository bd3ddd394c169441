// RUN: mp-opt %s --mp-loss-scaling="mode=static init-scale=8 grad-norm=true" | FileCheck %s --check-prefix=NORM
// RUN: mp-opt %s --mp-loss-scaling="mode=static init-scale=8 microbatches=3" | FileCheck %s --check-prefix=MB
// RUN: mp-opt %s --mp-loss-scaling="mode=none microbatches=2" | FileCheck %s --check-prefix=NONE
// RUN: mp-opt %s --mp-loss-scaling="mode=none" | FileCheck %s --check-prefix=OFF

// Overflow provenance (mp.grad_finite), the global gradient norm
// (mp.grad_norm) and gradient accumulation over micro-batches
// (docs/design.md §17).

func.func @loss(%w: tensor<4xf32>, %b: tensor<f32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> ()>],
                       iterator_types = ["reduction", "reduction"]}
      ins(%x, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%z : tensor<f32>) {
  ^bb0(%xv: f32, %wv: f32, %acc: f32):
    %p = arith.mulf %xv, %wv : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %l = arith.addf %r, %b : tensor<f32>
  return %l : tensor<f32>
}

// Two params: %w (argument #0) and %b2, computed from argument #1 (not an
// argument itself: -1 in mp.grad_finite).
func.func @train_step(%w: tensor<4xf32>, %b: tensor<f32>, %x: tensor<2x4xf32>)
    -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %b2 = arith.addf %b, %b : tensor<f32>
  %l, %gw, %gb = mp.value_and_grad @loss(%w, %b2, %x) {wrt = array<i64: 0, 1>}
      : (tensor<4xf32>, tensor<f32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4xf32>, tensor<f32>)
  %w1 = arith.subf %w, %gw : tensor<4xf32>
  return %w1, %l : tensor<4xf32>, tensor<f32>
}

// One flag per gradient, from the unscaled gradients, assembled with tensor
// ops (on a GPU they stay on the device) (after mp-lower the
// per-gradient reductions are the fused check's, by CSE); the array names the
// step argument of each param: #0, and -1 for %b2, which is computed. The
// norm is sqrt of the f32 sums of squares, before the guard (it is returned
// on skipped steps too: non-finite there).
// NORM-LABEL: func.func @train_step
// NORM-SAME: (%[[W:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<f32>, %[[X:[a-z0-9]+]]: tensor<2x4xf32>)
// NORM-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<f32>, tensor<i1> {mp.overflow}, tensor<2xi1> {mp.grad_finite = array<i64: 0, -1>}, tensor<f32> {mp.grad_norm})
// NORM-NEXT: %[[B2:.*]] = arith.addf %[[B]], %[[B]]
// NORM-NEXT: %[[S:.*]] = arith.constant dense<8.000000e+00> : tensor<f32>
// NORM-NEXT: %[[VG:.*]]:3 = mp.value_and_grad @loss(%[[W]], %[[B2]], %[[X]]) scale(%[[S]]) {wrt = array<i64: 0, 1>}
// NORM-NEXT: %[[U:.*]]:2 = mp.unscale %[[VG]]#1, %[[VG]]#2 by %[[S]] : tensor<4xf32>, tensor<f32>
// NORM-NEXT: %[[OK:.*]] = mp.all_finite %[[U]]#0, %[[U]]#1 : tensor<4xf32>, tensor<f32>
// NORM:      %[[SQ0:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[U]]#0 : tensor<4xf32>)
// NORM:      arith.mulf %in, %in : f32
// NORM:      %[[SQ1:.*]] = linalg.generic {{.*}} iterator_types = []} ins(%[[U]]#1 : tensor<f32>)
// NORM:      %[[SUM:.*]] = arith.addf %[[SQ0]], %[[SQ1]] : tensor<f32>
// NORM-NEXT: %[[NORM:.*]] = math.sqrt %[[SUM]] : tensor<f32>
// NORM-NEXT: %[[TRUE:.*]] = arith.constant dense<true> : tensor<i1>
// NORM-NEXT: %[[OVF:.*]] = arith.xori %[[OK]], %[[TRUE]] : tensor<i1>
// NORM-NEXT: %[[OK0:.*]] = mp.all_finite %[[U]]#0 : tensor<4xf32>
// NORM-NEXT: %[[OK1:.*]] = mp.all_finite %[[U]]#1 : tensor<f32>
// NORM-NEXT: %[[E0:.*]] = tensor.expand_shape %[[OK0]] [] output_shape [1] : tensor<i1> into tensor<1xi1>
// NORM-NEXT: %[[E1:.*]] = tensor.expand_shape %[[OK1]] [] output_shape [1] : tensor<i1> into tensor<1xi1>
// NORM-NEXT: %[[FLAGS:.*]] = tensor.concat dim(0) %[[E0]], %[[E1]] : (tensor<1xi1>, tensor<1xi1>) -> tensor<2xi1>
// NORM-NEXT: %[[C:.*]] = tensor.extract %[[OK]][] : tensor<i1>
// NORM-NEXT: %[[IF:.*]] = scf.if %[[C]] -> (tensor<4xf32>) {
// NORM-NEXT:   %[[W1:.*]] = arith.subf %[[W]], %[[U]]#0 : tensor<4xf32>
// NORM-NEXT:   scf.yield %[[W1]] : tensor<4xf32>
// NORM-NEXT: } else {
// NORM-NEXT:   scf.yield %[[W]] : tensor<4xf32>
// NORM-NEXT: }
// NORM-NEXT: return %[[IF]], %[[VG]]#0, %[[OVF]], %[[FLAGS]], %[[NORM]]

// Three micro-batches: the data argument becomes tensor<3x2x4xf32>; the loop
// slices micro-batch i, calls mp.value_and_grad with the scale seed, and sums
// the loss and the scaled gradients in f32; after it the loss is the mean
// (x 1/3) and the sums are unscaled once, by 3 * scale; then one check and
// one guarded update.
// MB-LABEL: func.func @train_step
// MB-SAME: (%[[W:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<f32>, %[[X:[a-z0-9]+]]: tensor<3x2x4xf32>)
// MB-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<f32>, tensor<i1> {mp.overflow}, tensor<2xi1> {mp.grad_finite = array<i64: 0, -1>})
// MB:      %[[S:.*]] = arith.constant dense<8.000000e+00> : tensor<f32>
// MB:      %[[Z0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<f32>) -> tensor<f32>
// MB:      %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4xf32>) -> tensor<4xf32>
// MB:      %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<f32>) -> tensor<f32>
// MB-NEXT: %[[LB:.*]] = arith.constant 0 : index
// MB-NEXT: %[[UB:.*]] = arith.constant 3 : index
// MB-NEXT: %[[ST:.*]] = arith.constant 1 : index
// MB-NEXT: %[[LOOP:.*]]:3 = scf.for %[[I:.*]] = %[[LB]] to %[[UB]] step %[[ST]] iter_args(%[[AL:.*]] = %[[Z0]], %[[AW:.*]] = %[[Z1]], %[[AB:.*]] = %[[Z2]]) -> (tensor<f32>, tensor<4xf32>, tensor<f32>) {
// MB-NEXT:   %[[XI:.*]] = tensor.extract_slice %[[X]][%[[I]], 0, 0] [1, 2, 4] [1, 1, 1] : tensor<3x2x4xf32> to tensor<2x4xf32>
// MB-NEXT:   %[[VG:.*]]:3 = mp.value_and_grad @loss(%[[W]], %{{.*}}, %[[XI]]) scale(%[[S]]) {wrt = array<i64: 0, 1>}
// MB:        linalg.generic {{.*}} ins(%[[AL]], %[[VG]]#0 : tensor<f32>, tensor<f32>)
// MB:        arith.addf
// MB:        linalg.generic {{.*}} ins(%[[AW]], %[[VG]]#1 : tensor<4xf32>, tensor<4xf32>)
// MB:        arith.addf
// MB:        linalg.generic {{.*}} ins(%[[AB]], %[[VG]]#2 : tensor<f32>, tensor<f32>)
// MB:        arith.addf
// MB:        scf.yield
// MB-NEXT: } {mp.microbatches = 3 : i64}
// MB-NEXT: %[[THIRD:.*]] = arith.constant dense<0.333333343> : tensor<f32>
// MB-NEXT: tensor.empty
// MB-NEXT: %[[LOSS:.*]] = linalg.generic {{.*}} ins(%[[LOOP]]#0, %[[THIRD]] : tensor<f32>, tensor<f32>)
// MB:      %[[THREE:.*]] = arith.constant dense<3.000000e+00> : tensor<f32>
// MB-NEXT: tensor.empty
// MB-NEXT: %[[DIV:.*]] = linalg.generic {{.*}} ins(%[[S]], %[[THREE]] : tensor<f32>, tensor<f32>)
// MB:      %[[U:.*]]:2 = mp.unscale %[[LOOP]]#1, %[[LOOP]]#2 by %[[DIV]] : tensor<4xf32>, tensor<f32>
// MB-NEXT: %[[OK:.*]] = mp.all_finite %[[U]]#0, %[[U]]#1
// MB-NOT:  mp.value_and_grad
// MB:      scf.if
// MB:      arith.subf %[[W]], %[[U]]#0
// MB:      return %{{.*}}, %[[LOSS]], %{{.*}}, %{{.*}} :

// mode=none with micro-batches: no seed, no check, no guard; loss and
// gradient sums times 1/2.
// NONE-LABEL: func.func @train_step
// NONE-SAME: (%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<2x2x4xf32>)
// NONE-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<f32>) {
// NONE:      %[[LOOP:.*]]:3 = scf.for
// NONE:      mp.value_and_grad @loss(%{{.*}}, %{{.*}}, %{{.*}}) {wrt = array<i64: 0, 1>}
// NONE:      %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// NONE:      %[[LOSS:.*]] = linalg.generic {{.*}} ins(%[[LOOP]]#0, %[[HALF]] : tensor<f32>, tensor<f32>)
// NONE:      %[[GW:.*]] = linalg.generic {{.*}} ins(%[[LOOP]]#1, %[[HALF]] : tensor<4xf32>, tensor<f32>)
// NONE:      linalg.generic {{.*}} ins(%[[LOOP]]#2, %[[HALF]] : tensor<f32>, tensor<f32>)
// NONE:      %[[W1:.*]] = arith.subf %{{.*}}, %[[GW]] : tensor<4xf32>
// NONE-NOT:  mp.unscale
// NONE-NOT:  mp.all_finite
// NONE-NOT:  scf.if
// NONE:      return %[[W1]], %[[LOSS]] : tensor<4xf32>, tensor<f32>

// mode=none alone changes nothing.
// OFF-LABEL: func.func @train_step
// OFF-SAME: %{{.*}}: tensor<2x4xf32>) -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<f32>) {
// OFF-NEXT: arith.addf
// OFF-NEXT: mp.value_and_grad
// OFF-NEXT: arith.subf
// OFF-NEXT: return
