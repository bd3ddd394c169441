// RUN: mp-opt %s --mp-lower --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @casts
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xbf16>, %[[Z:.*]]: tensor<4xf16>)
// CHECK-NEXT: %[[A:.*]] = arith.truncf %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT: %[[B:.*]] = arith.extf %[[Y]] : tensor<4xbf16> to tensor<4xf32>
// bf16 -> f16: exact widening to f32, then a single rounding.
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[Y]] : tensor<4xbf16> to tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = arith.truncf %[[W]] : tensor<4xf32> to tensor<4xf16>
// CHECK-NEXT: return %[[A]], %[[B]], %[[C]]
func.func @casts(%x: tensor<4xf32>, %y: tensor<4xbf16>, %z: tensor<4xf16>) -> (tensor<4xbf16>, tensor<4xf32>, tensor<4xf16>) {
  %a = mp.cast %x : tensor<4xf32> to tensor<4xbf16>
  %b = mp.cast %y : tensor<4xbf16> to tensor<4xf32>
  %c = mp.cast %y : tensor<4xbf16> to tensor<4xf16>
  return %a, %b, %c : tensor<4xbf16>, tensor<4xf32>, tensor<4xf16>
}

// -----

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SC:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @unscale
// CHECK-SAME: (%[[G:.*]]: tensor<2x3xf32>, %[[H:.*]]: tensor<2x3xf16>, %[[S:.*]]: tensor<f32>)
// CHECK-NEXT: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[INV:.*]] = arith.divf %[[ONE]], %[[S]] : tensor<f32>
// CHECK-NEXT: %[[E0:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[U0:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[SC]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[G]], %[[INV]] : tensor<2x3xf32>, tensor<f32>) outs(%[[E0]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
// f16 gradients are widened, multiplied in f32 and rounded once.
// CHECK: %[[U1:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[INV]] : tensor<2x3xf16>, tensor<f32>) outs(%{{.*}} : tensor<2x3xf16>)
// CHECK-NEXT: ^bb0(%[[A1:.*]]: f16, %[[B1:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A1]] : f16 to f32
// CHECK-NEXT: %[[P1:.*]] = arith.mulf %[[W]], %[[B1]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[P1]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[R]] : f16
// CHECK: return %[[U0]], %[[U1]]
func.func @unscale(%g: tensor<2x3xf32>, %h: tensor<2x3xf16>, %s: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xf16>) {
  %u0, %u1 = mp.unscale %g, %h by %s : tensor<2x3xf32>, tensor<2x3xf16>
  return %u0, %u1 : tensor<2x3xf32>, tensor<2x3xf16>
}

// -----

// One reduction per operand (each read once), and-ed together. The lowering
// folds nothing: each reduction has its own init and its +inf constant sits
// in its body.
// CHECK-DAG: #[[M1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[S1:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[M2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[S2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @all_finite
// CHECK-SAME: (%[[G:.*]]: tensor<8xf32>, %[[H:.*]]: tensor<2x2xbf16>)
// CHECK-NEXT: %[[E0:.*]] = tensor.empty() : tensor<i1>
// CHECK-NEXT: %[[T0:.*]] = arith.constant true
// CHECK-NEXT: %[[I0:.*]] = linalg.fill ins(%[[T0]] : i1) outs(%[[E0]] : tensor<i1>) -> tensor<i1>
// CHECK-NEXT: %[[R0:.*]] = linalg.generic {indexing_maps = [#[[M1]], #[[S1]]], iterator_types = ["reduction"]} ins(%[[G]] : tensor<8xf32>) outs(%[[I0]] : tensor<i1>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: i1):
// CHECK-NEXT: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[X]] : f32
// CHECK-NEXT: %[[FIN:.*]] = arith.cmpf one, %[[ABS]], %[[INF]] : f32
// CHECK-NEXT: %[[AND:.*]] = arith.andi %[[FIN]], %[[ACC]] : i1
// CHECK-NEXT: linalg.yield %[[AND]] : i1
// CHECK-NEXT: } -> tensor<i1>
// CHECK-NEXT: %[[E1:.*]] = tensor.empty() : tensor<i1>
// CHECK-NEXT: %[[T1:.*]] = arith.constant true
// CHECK-NEXT: %[[I1:.*]] = linalg.fill ins(%[[T1]] : i1) outs(%[[E1]] : tensor<i1>) -> tensor<i1>
// CHECK-NEXT: %[[R1:.*]] = linalg.generic {indexing_maps = [#[[M2]], #[[S2]]], iterator_types = ["reduction", "reduction"]} ins(%[[H]] : tensor<2x2xbf16>) outs(%[[I1]] : tensor<i1>)
// CHECK-NEXT: ^bb0(%[[X1:.*]]: bf16, %[[ACC1:.*]]: i1):
// CHECK-NEXT: %[[INF16:.*]] = arith.constant 0x7F80 : bf16
// CHECK-NEXT: %[[ABS1:.*]] = math.absf %[[X1]] : bf16
// CHECK-NEXT: %[[FIN1:.*]] = arith.cmpf one, %[[ABS1]], %[[INF16]] : bf16
// CHECK-NEXT: %[[AND1:.*]] = arith.andi %[[FIN1]], %[[ACC1]] : i1
// CHECK-NEXT: linalg.yield %[[AND1]] : i1
// CHECK-NEXT: } -> tensor<i1>
// CHECK-NEXT: %[[ALL:.*]] = arith.andi %[[R0]], %[[R1]] : tensor<i1>
// CHECK-NEXT: return %[[ALL]]
func.func @all_finite(%g: tensor<8xf32>, %h: tensor<2x2xbf16>) -> tensor<i1> {
  %ok = mp.all_finite %g, %h : tensor<8xf32>, tensor<2x2xbf16>
  return %ok : tensor<i1>
}

// -----

// The state machine is branch-free scalar code; without a hysteresis counter
// (hysteresis 1) every overflow backs off.
// CHECK-LABEL: func.func @update_scale
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[T:.*]]: tensor<i32>, %[[OK:.*]]: tensor<i1>)
// CHECK-NEXT: %[[SV:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK-NEXT: %[[TV:.*]] = tensor.extract %[[T]][] : tensor<i32>
// CHECK-NEXT: %[[FV:.*]] = tensor.extract %[[OK]][] : tensor<i1>
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[CNT:.*]] = arith.addi %[[TV]], %[[C1]] : i32
// CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : i32
// CHECK-NEXT: %[[AT:.*]] = arith.cmpi eq, %[[CNT]], %[[C3]] : i32
// CHECK-NEXT: %[[GF:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-NEXT: %[[GROWN:.*]] = arith.mulf %[[SV]], %[[GF]] : f32
// CHECK-NEXT: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[GROWN]] : f32
// CHECK-NEXT: %[[GFIN:.*]] = arith.cmpf one, %[[ABS]], %[[INF]] : f32
// CHECK-NEXT: %[[MAX:.*]] = arith.constant 1.000000e+03 : f32
// CHECK-NEXT: %[[CAP:.*]] = arith.minimumf %[[GROWN]], %[[MAX]] : f32
// CHECK-NEXT: %[[GROW:.*]] = arith.andi %[[AT]], %[[GFIN]] : i1
// CHECK-NEXT: %[[SFIN:.*]] = arith.select %[[GROW]], %[[CAP]], %[[SV]] : f32
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[TFIN:.*]] = arith.select %[[AT]], %[[C0]], %[[CNT]] : i32
// CHECK-NEXT: %[[BF:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[BACK:.*]] = arith.mulf %[[SV]], %[[BF]] : f32
// CHECK-NEXT: %[[MIN:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[FLOOR:.*]] = arith.maximumf %[[BACK]], %[[MIN]] : f32
// CHECK-NEXT: %[[NS:.*]] = arith.select %[[FV]], %[[SFIN]], %[[FLOOR]] : f32
// CHECK-NEXT: %[[NT:.*]] = arith.select %[[FV]], %[[TFIN]], %[[C0]] : i32
// CHECK-NEXT: %[[RS:.*]] = tensor.from_elements %[[NS]] : tensor<f32>
// CHECK-NEXT: %[[RT:.*]] = tensor.from_elements %[[NT]] : tensor<i32>
// CHECK-NEXT: return %[[RS]], %[[RT]] : tensor<f32>, tensor<i32>
func.func @update_scale(%s: tensor<f32>, %t: tensor<i32>, %ok: tensor<i1>) -> (tensor<f32>, tensor<i32>) {
  %s1, %t1 = mp.update_scale %s, %t finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 8.0, growth_factor = 3.0, backoff_factor = 0.25, growth_interval = 3, min = 0.5, max = 1000.0>}
  return %s1, %t1 : tensor<f32>, tensor<i32>
}

// -----

// With a hysteresis counter: an overflow counts it down and backs off when it
// reaches zero (then it restarts at the hysteresis); a finite step resets it.
// CHECK-LABEL: func.func @update_scale_hysteresis
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[T:.*]]: tensor<i32>, %[[HY:.*]]: tensor<i32>, %[[OK:.*]]: tensor<i1>)
// CHECK-NEXT: %[[SV:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK-NEXT: %[[TV:.*]] = tensor.extract %[[T]][] : tensor<i32>
// CHECK-NEXT: %[[FV:.*]] = tensor.extract %[[OK]][] : tensor<i1>
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[CNT:.*]] = arith.addi %[[TV]], %[[C1]] : i32
// CHECK-NEXT: %[[C4:.*]] = arith.constant 4 : i32
// CHECK-NEXT: %[[AT:.*]] = arith.cmpi eq, %[[CNT]], %[[C4]] : i32
// CHECK-NEXT: %[[GF:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[GROWN:.*]] = arith.mulf %[[SV]], %[[GF]] : f32
// CHECK-NEXT: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[GROWN]] : f32
// CHECK-NEXT: %[[GFIN:.*]] = arith.cmpf one, %[[ABS]], %[[INF]] : f32
// CHECK-NEXT: %[[MAX:.*]] = arith.constant 6.400000e+01 : f32
// CHECK-NEXT: %[[CAP:.*]] = arith.minimumf %[[GROWN]], %[[MAX]] : f32
// CHECK-NEXT: %[[GROW:.*]] = arith.andi %[[AT]], %[[GFIN]] : i1
// CHECK-NEXT: %[[SFIN:.*]] = arith.select %[[GROW]], %[[CAP]], %[[SV]] : f32
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[TFIN:.*]] = arith.select %[[AT]], %[[C0]], %[[CNT]] : i32
// CHECK-NEXT: %[[HV:.*]] = tensor.extract %[[HY]][] : tensor<i32>
// CHECK-NEXT: %[[LEFT:.*]] = arith.subi %[[HV]], %[[C1]] : i32
// CHECK-NEXT: %[[NOW:.*]] = arith.cmpi sle, %[[LEFT]], %[[C0]] : i32
// CHECK-NEXT: %[[BF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[BACK:.*]] = arith.mulf %[[SV]], %[[BF]] : f32
// CHECK-NEXT: %[[MIN:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[FLOOR:.*]] = arith.maximumf %[[BACK]], %[[MIN]] : f32
// CHECK-NEXT: %[[SOVF:.*]] = arith.select %[[NOW]], %[[FLOOR]], %[[SV]] : f32
// CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: %[[HOVF:.*]] = arith.select %[[NOW]], %[[C2]], %[[LEFT]] : i32
// CHECK-NEXT: %[[NS:.*]] = arith.select %[[FV]], %[[SFIN]], %[[SOVF]] : f32
// CHECK-NEXT: %[[NT:.*]] = arith.select %[[FV]], %[[TFIN]], %[[C0]] : i32
// CHECK-NEXT: %[[RS:.*]] = tensor.from_elements %[[NS]] : tensor<f32>
// CHECK-NEXT: %[[RT:.*]] = tensor.from_elements %[[NT]] : tensor<i32>
// CHECK-NEXT: %[[NH:.*]] = arith.select %[[FV]], %[[C2]], %[[HOVF]] : i32
// CHECK-NEXT: %[[RH:.*]] = tensor.from_elements %[[NH]] : tensor<i32>
// CHECK-NEXT: return %[[RS]], %[[RT]], %[[RH]] : tensor<f32>, tensor<i32>, tensor<i32>
func.func @update_scale_hysteresis(%s: tensor<f32>, %t: tensor<i32>, %h: tensor<i32>, %ok: tensor<i1>) -> (tensor<f32>, tensor<i32>, tensor<i32>) {
  %s1, %t1, %h1 = mp.update_scale %s, %t hysteresis(%h) finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 8.0, growth_factor = 2.0, backoff_factor = 0.5, growth_interval = 4, min = 1.0, max = 64.0, hysteresis = 2>}
  return %s1, %t1, %h1 : tensor<f32>, tensor<i32>, tensor<i32>
}

// -----

// Nothing is folded: an identity cast is its input, a cast of a constant is
// an arith.truncf of it, and a cast of an exact cast is lowered as written.
// CHECK-LABEL: func.func @casts_not_folded
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: bf16)
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<[1.100000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[B:.*]] = arith.truncf %[[C]] : tensor<2xf32> to tensor<2xbf16>
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[Y]] : bf16 to f32
// CHECK-NEXT: %[[N:.*]] = arith.truncf %[[W]] : f32 to f16
// CHECK-NEXT: return %[[X]], %[[B]], %[[N]] : tensor<4xf32>, tensor<2xbf16>, f16
func.func @casts_not_folded(%x: tensor<4xf32>, %y: bf16) -> (tensor<4xf32>, tensor<2xbf16>, f16) {
  %a = mp.cast %x : tensor<4xf32> to tensor<4xf32>
  %c = arith.constant dense<[1.1, 2.0]> : tensor<2xf32>
  %b = mp.cast %c : tensor<2xf32> to tensor<2xbf16>
  %w = mp.cast %y : bf16 to f32
  %n = mp.cast %w : f32 to f16
  return %a, %b, %n : tensor<4xf32>, tensor<2xbf16>, f16
}

// -----

// Negative case: IR without mp ops is left exactly as written (foldable and
// dead ops included).
// CHECK-LABEL: func.func @no_mp_ops
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[C1]], %[[C2]] : i32
// CHECK-NEXT: %{{.*}} = arith.addi %[[S]], %[[S]] : i32
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[X]], %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[A]] : tensor<4xf32>
func.func @no_mp_ops(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %s = arith.addi %c1, %c2 : i32
  %dead = arith.addi %s, %s : i32
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
