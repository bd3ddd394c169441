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

// One reduction per operand (each read once), and-ed together.
// CHECK-LABEL: func.func @all_finite
// CHECK-SAME: (%[[G:.*]]: tensor<8xf32>, %[[H:.*]]: tensor<2x2xbf16>)
// CHECK-DAG: %[[INF16:.*]] = arith.constant 0x7F80 : bf16
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[T:.*]] = arith.constant true
// CHECK: %[[I0:.*]] = linalg.fill ins(%[[T]] : i1) outs(%{{.*}} : tensor<i1>)
// CHECK: %[[R0:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[G]] : tensor<8xf32>) outs(%[[I0]] : tensor<i1>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: i1):
// CHECK-NEXT: %[[ABS:.*]] = math.absf %[[X]] : f32
// CHECK-NEXT: %[[FIN:.*]] = arith.cmpf one, %[[ABS]], %[[INF]] : f32
// CHECK-NEXT: %[[AND:.*]] = arith.andi %[[FIN]], %[[ACC]] : i1
// CHECK-NEXT: linalg.yield %[[AND]] : i1
// CHECK: %[[R1:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[H]] : tensor<2x2xbf16>)
// CHECK: arith.cmpf one, %{{.*}}, %[[INF16]] : bf16
// CHECK: %[[ALL:.*]] = arith.andi %[[R0]], %[[R1]] : tensor<i1>
// CHECK-NEXT: return %[[ALL]]
func.func @all_finite(%g: tensor<8xf32>, %h: tensor<2x2xbf16>) -> tensor<i1> {
  %ok = mp.all_finite %g, %h : tensor<8xf32>, tensor<2x2xbf16>
  return %ok : tensor<i1>
}

// -----

// The state machine is branch-free scalar code.
// CHECK-LABEL: func.func @update_scale
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[T:.*]]: tensor<i32>, %[[OK:.*]]: tensor<i1>)
// CHECK-DAG: %[[SV:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK-DAG: %[[TV:.*]] = tensor.extract %[[T]][] : tensor<i32>
// CHECK-DAG: %[[FV:.*]] = tensor.extract %[[OK]][] : tensor<i1>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : i32
// CHECK-DAG: %[[GF:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: %[[MAX:.*]] = arith.constant 1.000000e+03 : f32
// CHECK-DAG: %[[BF:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG: %[[MIN:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[CNT:.*]] = arith.addi %[[TV]], %[[C1]] : i32
// CHECK: %[[AT:.*]] = arith.cmpi eq, %[[CNT]], %[[C3]] : i32
// CHECK: %[[GROWN:.*]] = arith.mulf %[[SV]], %[[GF]] : f32
// CHECK: math.absf %[[GROWN]]
// CHECK: arith.cmpf one
// CHECK: arith.minimumf %[[GROWN]], %[[MAX]] : f32
// CHECK: %[[BACK:.*]] = arith.mulf %[[SV]], %[[BF]] : f32
// CHECK: arith.maximumf %[[BACK]], %[[MIN]] : f32
// CHECK-NOT: scf.if
// CHECK: %[[NS:.*]] = arith.select %[[FV]]
// CHECK: %[[NT:.*]] = arith.select %[[FV]]
// CHECK: tensor.from_elements %[[NS]] : tensor<f32>
// CHECK: tensor.from_elements %[[NT]] : tensor<i32>
func.func @update_scale(%s: tensor<f32>, %t: tensor<i32>, %ok: tensor<i1>) -> (tensor<f32>, tensor<i32>) {
  %s1, %t1 = mp.update_scale %s, %t finite(%ok)
      {config = #mp.loss_scale<dynamic, init = 8.0, growth_factor = 3.0, backoff_factor = 0.25, growth_interval = 3, min = 0.5, max = 1000.0>}
  return %s1, %t1 : tensor<f32>, tensor<i32>
}
