// RUN: mp-opt %s --mp-loss-scaling | FileCheck %s --check-prefix=DYN
// RUN: mp-opt %s --mp-loss-scaling="hysteresis=3 init-scale=1024 growth-interval=100 min-scale=0 max-scale=inf" | FileCheck %s --check-prefix=HYST
// RUN: mp-opt %s --mp-loss-scaling="mode=static init-scale=128" | FileCheck %s --check-prefix=STATIC
// RUN: mp-opt %s --mp-loss-scaling="mode=none" | FileCheck %s --check-prefix=NONE
// RUN: mp-opt %s --mp-loss-scaling="clip-norm=0.5" | FileCheck %s --check-prefix=CLIP

func.func @loss(%w: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.mulf %w, %x : tensor<4xf32>
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%0 : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

// Momentum SGD: the momentum decay does not read the gradient but is part of
// the update: it is sunk into the guarded branch too, and a skipped step
// returns %w and %m unchanged. The step counter %n is tied as well and is
// frozen on a skipped step.
func.func @train_step(%w: tensor<4xf32>, %m: tensor<4xf32>, %n: tensor<i32>, %x: tensor<4xf32>)
    -> (tensor<4xf32> {mp.updates = 0}, tensor<4xf32> {mp.updates = 1}, tensor<i32> {mp.updates = 2}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %beta = arith.constant dense<0.9> : tensor<4xf32>
  %lr = arith.constant dense<0.1> : tensor<4xf32>
  %one = arith.constant dense<1> : tensor<i32>
  %md = arith.mulf %m, %beta : tensor<4xf32>
  %m1 = arith.addf %md, %g : tensor<4xf32>
  %s = arith.mulf %m1, %lr : tensor<4xf32>
  %w1 = arith.subf %w, %s : tensor<4xf32>
  %n1 = arith.addi %n, %one : tensor<i32>
  return %w1, %m1, %n1, %l : tensor<4xf32>, tensor<4xf32>, tensor<i32>, tensor<f32>
}

// A function without mp.value_and_grad is not a step function: unchanged.
func.func @no_grad(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}

// DYN-LABEL: func.func @train_step
// DYN-SAME: (%[[W:[a-z0-9]+]]: tensor<4xf32>, %[[M:[a-z0-9]+]]: tensor<4xf32>, %[[N:[a-z0-9]+]]: tensor<i32>, %[[X:[a-z0-9]+]]: tensor<4xf32>, %[[S:[a-z0-9]+]]: tensor<f32> {mp.loss_scale}, %[[T:[a-z0-9]+]]: tensor<i32> {mp.growth_tracker})
// DYN-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<4xf32> {mp.updates = 1 : i64}, tensor<i32> {mp.updates = 2 : i64}, tensor<f32>, tensor<f32> {mp.loss_scale}, tensor<i32> {mp.growth_tracker}, tensor<i1> {mp.overflow}, tensor<1xi1> {mp.grad_finite = array<i64: 0>})
// DYN-NEXT: %[[VG:.*]]:2 = mp.value_and_grad @loss(%[[W]], %[[X]]) scale(%[[S]]) {wrt = array<i64: 0>}
// DYN-NEXT: %[[U:.*]] = mp.unscale %[[VG]]#1 by %[[S]] : tensor<4xf32>
// DYN-NEXT: %[[OK:.*]] = mp.all_finite %[[U]] : tensor<4xf32>
// DYN-NEXT: %[[NS:.*]], %[[NT:.*]] = mp.update_scale %[[S]], %[[T]] finite(%[[OK]]) {config = #mp.loss_scale<dynamic, init = 32768.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 2000, min = 1.0, max = 16777216.0, hysteresis = 1>}
// DYN-NEXT: %[[TRUE:.*]] = arith.constant dense<true> : tensor<i1>
// DYN-NEXT: %[[OVF:.*]] = arith.xori %[[OK]], %[[TRUE]] : tensor<i1>
// One gradient: its flag is the fused check's.
// DYN-NEXT: %[[FLAGS:.*]] = tensor.expand_shape %[[OK]] [] output_shape [1] : tensor<i1> into tensor<1xi1>
// DYN-NEXT: %[[C:.*]] = tensor.extract %[[OK]][] : tensor<i1>
// DYN-NEXT: %[[IF:.*]]:3 = scf.if %[[C]] -> (tensor<4xf32>, tensor<4xf32>, tensor<i32>) {
// DYN-NEXT:   %[[BETA:.*]] = arith.constant dense<0.899999976> : tensor<4xf32>
// DYN-NEXT:   %[[MD:.*]] = arith.mulf %[[M]], %[[BETA]] : tensor<4xf32>
// DYN-NEXT:   %[[LR:.*]] = arith.constant dense<1.000000e-01> : tensor<4xf32>
// DYN-NEXT:   %[[ONE:.*]] = arith.constant dense<1> : tensor<i32>
// DYN-NEXT:   %[[N1:.*]] = arith.addi %[[N]], %[[ONE]] : tensor<i32>
// DYN-NEXT:   %[[M1:.*]] = arith.addf %[[MD]], %[[U]] : tensor<4xf32>
// DYN-NEXT:   %[[SL:.*]] = arith.mulf %[[M1]], %[[LR]] : tensor<4xf32>
// DYN-NEXT:   %[[W1:.*]] = arith.subf %[[W]], %[[SL]] : tensor<4xf32>
// DYN-NEXT:   scf.yield %[[W1]], %[[M1]], %[[N1]] : tensor<4xf32>, tensor<4xf32>, tensor<i32>
// DYN-NEXT: } else {
// DYN-NEXT:   scf.yield %[[W]], %[[M]], %[[N]] : tensor<4xf32>, tensor<4xf32>, tensor<i32>
// DYN-NEXT: }
// DYN-NEXT: return %[[IF]]#0, %[[IF]]#1, %[[IF]]#2, %[[VG]]#0, %[[NS]], %[[NT]], %[[OVF]], %[[FLAGS]]
// DYN-LABEL: func.func @no_grad
// DYN-SAME: (%[[A:.*]]: tensor<4xf32>) -> tensor<4xf32>
// DYN-NEXT: return %[[A]]

// HYST-LABEL: func.func @train_step
// HYST-SAME: %[[S:[a-z0-9]+]]: tensor<f32> {mp.loss_scale}, %[[T:[a-z0-9]+]]: tensor<i32> {mp.growth_tracker}, %[[H:[a-z0-9]+]]: tensor<i32> {mp.hysteresis})
// HYST-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<4xf32> {mp.updates = 1 : i64}, tensor<i32> {mp.updates = 2 : i64}, tensor<f32>, tensor<f32> {mp.loss_scale}, tensor<i32> {mp.growth_tracker}, tensor<i32> {mp.hysteresis}, tensor<i1> {mp.overflow}, tensor<1xi1> {mp.grad_finite = array<i64: 0>})
// HYST: %[[NS:.*]], %[[NT:.*]], %[[NH:.*]] = mp.update_scale %[[S]], %[[T]] hysteresis(%[[H]]) finite(%{{.*}}) {config = #mp.loss_scale<dynamic, init = 1024.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 100, min = 0.0, max = inf, hysteresis = 3>}
// HYST: return %{{.*}}#0, %{{.*}}#1, %{{.*}}#2, %{{.*}}#0, %[[NS]], %[[NT]], %[[NH]], %{{.*}}, %{{.*}} :

// STATIC-LABEL: func.func @train_step
// STATIC-SAME: (%[[W:[a-z0-9]+]]: tensor<4xf32>, %{{.*}}: tensor<4xf32>, %{{.*}}: tensor<i32>, %[[X:[a-z0-9]+]]: tensor<4xf32>)
// STATIC-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<4xf32> {mp.updates = 1 : i64}, tensor<i32> {mp.updates = 2 : i64}, tensor<f32>, tensor<i1> {mp.overflow}, tensor<1xi1> {mp.grad_finite = array<i64: 0>})
// STATIC-NEXT: %[[S:.*]] = arith.constant dense<1.280000e+02> : tensor<f32>
// STATIC-NEXT: %[[VG:.*]]:2 = mp.value_and_grad @loss(%[[W]], %[[X]]) scale(%[[S]])
// STATIC-NEXT: %[[U:.*]] = mp.unscale %[[VG]]#1 by %[[S]]
// STATIC-NEXT: %[[OK:.*]] = mp.all_finite %[[U]]
// STATIC-NOT: mp.update_scale
// STATIC: scf.if
// STATIC: return {{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<i32>, tensor<f32>, tensor<i1>, tensor<1xi1>

// NONE-LABEL: func.func @train_step
// NONE-SAME: -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<4xf32> {mp.updates = 1 : i64}, tensor<i32> {mp.updates = 2 : i64}, tensor<f32>) {
// NONE-NEXT: mp.value_and_grad @loss(%{{.*}}, %{{.*}}) {wrt = array<i64: 0>}
// NONE-NOT: mp.unscale
// NONE-NOT: mp.all_finite
// NONE-NOT: scf.if

// Clipping runs after unscale, inside the taken branch, before the update:
// coef = min(1, 0.5 / (sqrt(sum(g^2)) + 1e-6)).
// CLIP-LABEL: func.func @train_step
// CLIP: %[[U:.*]] = mp.unscale
// CLIP: scf.if
// CLIP: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[U]] : tensor<4xf32>)
// CLIP: arith.mulf %in, %in : f32
// CLIP: %[[NORM:.*]] = math.sqrt %[[SQ]] : tensor<f32>
// CLIP-NEXT: %[[EPS:.*]] = arith.constant dense<9.99999997E-7> : tensor<f32>
// CLIP-NEXT: %[[D:.*]] = arith.addf %[[NORM]], %[[EPS]]
// CLIP-NEXT: %[[MAXN:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CLIP-NEXT: %[[Q:.*]] = arith.divf %[[MAXN]], %[[D]]
// CLIP-NEXT: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CLIP-NEXT: %[[COEF:.*]] = arith.minimumf %[[Q]], %[[ONE]]
// CLIP-NEXT: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CLIP-NEXT: %[[G:.*]] = linalg.generic {{.*}} ins(%[[U]], %[[COEF]] : tensor<4xf32>, tensor<f32>)
// CLIP: arith.addf %{{.*}}, %[[G]] : tensor<4xf32>
// CLIP: } else {
