// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(convert-elementwise-to-linalg,mp-fuse-elementwise))' | FileCheck %s

// A matmul on a collapsed activation stays a linalg.matmul: upstream's
// reshape propagation would turn it into a 4-D contraction generic (two M
// dimensions) with the bias add fused in, which is no GEMM any more.
// CHECK-LABEL: func.func @matmul_reshape(
// CHECK:         tensor.collapse_shape
// CHECK:         %[[MM:.+]] = linalg.matmul ins({{.+}} : tensor<512x256xf32>, tensor<256x128xf32>)
// CHECK:         tensor.expand_shape %[[MM]]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:           arith.addf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @matmul_reshape(%x: tensor<8x64x256xf32>, %w: tensor<256x128xf32>, %b: tensor<512x128xf32>) -> tensor<8x64x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x128xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<512x128xf32>) -> tensor<512x128xf32>
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<8x64x256xf32> into tensor<512x256xf32>
  %m = linalg.matmul ins(%x2, %w : tensor<512x256xf32>, tensor<256x128xf32>) outs(%z : tensor<512x128xf32>) -> tensor<512x128xf32>
  %y = arith.addf %m, %b : tensor<512x128xf32>
  %y3 = tensor.expand_shape %y [[0, 1], [2]] output_shape [8, 64, 128] : tensor<512x128xf32> into tensor<8x64x128xf32>
  return %y3 : tensor<8x64x128xf32>
}

// Dynamic loss scaling: the unscaled gradient g * (1 / scale) feeds the
// all-finite reduction and the update. It is recomputed in both (no
// unscaled buffer), and the two, reading g with the same map, become one
// generic: one pass over g for unscale, check and update. 1 / scale stays
// a 0-d op computed once.
// CHECK-LABEL: func.func @unscale_check_update(
// CHECK-SAME:      %[[G:[a-z0-9]+]]: tensor<1024xf32>, %[[P:[a-z0-9]+]]: tensor<1024xf32>, %[[S:[a-z0-9]+]]: tensor<f32>)
// CHECK:         %[[INV:.+]] = linalg.generic {{.+}} iterator_types = []} ins(%[[S]] : tensor<f32>)
// CHECK:           arith.divf
// CHECK-NOT:     arith.divf
// CHECK:         %[[M:.+]]:2 = linalg.generic {{.+}} iterator_types = ["reduction"]} ins(%[[G]], %[[INV]], %[[P]] : tensor<1024xf32>, tensor<f32>, tensor<1024xf32>) outs(%{{.+}}, %{{.+}} : tensor<i1>, tensor<1024xf32>)
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[I:.+]]: f32, %[[PP:.+]]: f32, %[[O:.+]]: i1, %{{.+}}: f32):
// CHECK-NEXT:      %[[U:.+]] = arith.mulf %[[A]], %[[I]] : f32
// CHECK-NEXT:      %[[ABS:.+]] = math.absf %[[U]] : f32
// CHECK-NEXT:      %[[FIN:.+]] = arith.cmpf one, %[[ABS]]
// CHECK-NEXT:      %[[AND:.+]] = arith.andi %[[FIN]], %[[O]] : i1
// CHECK:           %[[NEW:.+]] = arith.subf %[[PP]], %{{.+}} : f32
// CHECK-NEXT:      linalg.yield %[[AND]], %[[NEW]] : i1, f32
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[M]]#1, %[[M]]#0
func.func @unscale_check_update(%g: tensor<1024xf32>, %p: tensor<1024xf32>, %s: tensor<f32>) -> (tensor<1024xf32>, tensor<i1>) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %inv = arith.divf %one, %s : tensor<f32>
  %e = tensor.empty() : tensor<1024xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%g, %inv : tensor<1024xf32>, tensor<f32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %true = arith.constant true
  %inf = arith.constant 0x7F800000 : f32
  %eb = tensor.empty() : tensor<i1>
  %t = linalg.fill ins(%true : i1) outs(%eb : tensor<i1>) -> tensor<i1>
  %ok = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%u : tensor<1024xf32>) outs(%t : tensor<i1>) {
  ^bb0(%a: f32, %o: i1):
    %0 = math.absf %a : f32
    %1 = arith.cmpf one, %0, %inf : f32
    %2 = arith.andi %1, %o : i1
    linalg.yield %2 : i1
  } -> tensor<i1>
  %lr = arith.constant dense<0.1> : tensor<1024xf32>
  %d = arith.mulf %u, %lr : tensor<1024xf32>
  %new = arith.subf %p, %d : tensor<1024xf32>
  return %new, %ok : tensor<1024xf32>, tensor<i1>
}

// linalg.reduce becomes a generic, so (x - m)^2 fuses into the sum: one
// pass, no squared-difference buffer.
// CHECK-LABEL: func.func @variance(
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     linalg.reduce
// CHECK:         return
func.func @variance(%x: tensor<512x256xf32>, %m: tensor<512x256xf32>) -> tensor<512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<512xf32>) -> tensor<512xf32>
  %d = arith.subf %x, %m : tensor<512x256xf32>
  %sq = arith.mulf %d, %d : tensor<512x256xf32>
  %r = linalg.reduce ins(%sq : tensor<512x256xf32>) outs(%z : tensor<512xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<512xf32>
}

// The guarded update of dynamic loss scaling (scf.if finite { update } else
// { old params }) is speculated: the update runs unconditionally and a
// select picks the result (a skipped step still returns its arguments).
// The update then shares one pass over the gradient with the all-finite
// check: unscale, check and update are one loop.
// CHECK-LABEL: func.func @guarded_update(
// CHECK-SAME:      %[[G:[a-z0-9]+]]: tensor<1024xf32>, %[[P:[a-z0-9]+]]: tensor<1024xf32>, %[[S:[a-z0-9]+]]: tensor<f32>)
// CHECK-NOT:     scf.if
// CHECK:         %[[INV:.+]] = linalg.generic {{.+}} iterator_types = []} ins(%[[S]] : tensor<f32>)
// CHECK:         %[[M:.+]]:2 = linalg.generic {{.+}} iterator_types = ["reduction"]} ins(%[[G]], %[[INV]], %[[P]] : tensor<1024xf32>, tensor<f32>, tensor<1024xf32>) outs(%{{.+}}, %{{.+}} : tensor<i1>, tensor<1024xf32>)
// CHECK:           math.absf
// CHECK:           arith.andi
// CHECK:           arith.subf
// CHECK:           linalg.yield %{{.+}}, %{{.+}} : i1, f32
// CHECK:         %[[C:.+]] = tensor.extract %[[M]]#0[]
// CHECK:         %[[NEW:.+]] = arith.select %[[C]], %[[M]]#1, %[[P]] : tensor<1024xf32>
// CHECK-NOT:     scf.if
// CHECK:         return %[[NEW]], %[[M]]#0
func.func @guarded_update(%g: tensor<1024xf32>, %p: tensor<1024xf32>, %s: tensor<f32>) -> (tensor<1024xf32>, tensor<i1>) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %inv = arith.divf %one, %s : tensor<f32>
  %e = tensor.empty() : tensor<1024xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%g, %inv : tensor<1024xf32>, tensor<f32>) outs(%e : tensor<1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    linalg.yield %0 : f32
  } -> tensor<1024xf32>
  %true = arith.constant true
  %inf = arith.constant 0x7F800000 : f32
  %eb = tensor.empty() : tensor<i1>
  %t = linalg.fill ins(%true : i1) outs(%eb : tensor<i1>) -> tensor<i1>
  %ok = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%u : tensor<1024xf32>) outs(%t : tensor<i1>) {
  ^bb0(%a: f32, %o: i1):
    %0 = math.absf %a : f32
    %1 = arith.cmpf one, %0, %inf : f32
    %2 = arith.andi %1, %o : i1
    linalg.yield %2 : i1
  } -> tensor<i1>
  %c = tensor.extract %ok[] : tensor<i1>
  %new = scf.if %c -> (tensor<1024xf32>) {
    %lr = arith.constant dense<0.1> : tensor<1024xf32>
    %d = arith.mulf %u, %lr : tensor<1024xf32>
    %n = arith.subf %p, %d : tensor<1024xf32>
    scf.yield %n : tensor<1024xf32>
  } else {
    scf.yield %p : tensor<1024xf32>
  }
  return %new, %ok : tensor<1024xf32>, tensor<i1>
}

// Left alone: a cheap producer whose other use is a return (not every use
// can fuse it), a 0-d producer, and an elementwise producer of a matmul
// operand (contractions are never fused into).
// CHECK-LABEL: func.func @left_alone(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<64xf32>, %[[S:[a-z0-9]+]]: tensor<f32>, %[[A:[a-z0-9]+]]: tensor<8x8xf32>, %[[B:[a-z0-9]+]]: tensor<8x8xf32>, %[[C:[a-z0-9]+]]: tensor<8x8xf32>)
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<64xf32>
// CHECK-NEXT:    %[[P:.+]] = linalg.generic {indexing_maps = [{{#[a-z0-9]+}}, {{#[a-z0-9]+}}], iterator_types = ["parallel"]} ins(%[[X]] : tensor<64xf32>) outs(%[[E]] : tensor<64xf32>) {
// CHECK:           arith.negf
// CHECK:         } -> tensor<64xf32>
// CHECK-NEXT:    %[[Q:.+]] = linalg.generic {indexing_maps = [{{#[a-z0-9]+}}, {{#[a-z0-9]+}}], iterator_types = ["parallel"]} ins(%[[P]] : tensor<64xf32>) outs(%[[E]] : tensor<64xf32>) {
// CHECK:           arith.mulf
// CHECK:         } -> tensor<64xf32>
// CHECK-NEXT:    %[[E0:.+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT:    %[[INV:.+]] = linalg.generic {indexing_maps = [{{#[a-z0-9]+}}, {{#[a-z0-9]+}}], iterator_types = []} ins(%[[S]] : tensor<f32>) outs(%[[E0]] : tensor<f32>) {
// CHECK:           arith.negf
// CHECK:         } -> tensor<f32>
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {indexing_maps = [{{#[a-z0-9]+}}, {{#[a-z0-9]+}}, {{#[a-z0-9]+}}], iterator_types = ["parallel"]} ins(%[[X]], %[[INV]] : tensor<64xf32>, tensor<f32>) outs(%[[E]] : tensor<64xf32>) {
// CHECK:           arith.mulf
// CHECK:         } -> tensor<64xf32>
// CHECK-NEXT:    %[[E2:.+]] = tensor.empty() : tensor<8x8xf32>
// CHECK-NEXT:    %[[NA:.+]] = linalg.generic {indexing_maps = [{{#[a-z0-9]+}}, {{#[a-z0-9]+}}], iterator_types = ["parallel", "parallel"]} ins(%[[A]] : tensor<8x8xf32>) outs(%[[E2]] : tensor<8x8xf32>) {
// CHECK:           arith.negf
// CHECK:         } -> tensor<8x8xf32>
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[NA]], %[[B]] : tensor<8x8xf32>, tensor<8x8xf32>) outs(%[[C]] : tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT:    return %[[P]], %[[Q]], %[[R]], %[[MM]] : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<8x8xf32>
func.func @left_alone(%x: tensor<64xf32>, %s: tensor<f32>, %a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %c: tensor<8x8xf32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<8x8xf32>) {
  %e = tensor.empty() : tensor<64xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.negf %in : f32
    linalg.yield %0 : f32
  } -> tensor<64xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%p : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.mulf %in, %in : f32
    linalg.yield %0 : f32
  } -> tensor<64xf32>
  %e0 = tensor.empty() : tensor<f32>
  %inv = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%s : tensor<f32>) outs(%e0 : tensor<f32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.negf %in : f32
    linalg.yield %0 : f32
  } -> tensor<f32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %inv : tensor<64xf32>, tensor<f32>) outs(%e : tensor<64xf32>) {
  ^bb0(%in: f32, %i: f32, %o: f32):
    %0 = arith.mulf %in, %i : f32
    linalg.yield %0 : f32
  } -> tensor<64xf32>
  %e2 = tensor.empty() : tensor<8x8xf32>
  %na = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x8xf32>) outs(%e2 : tensor<8x8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.negf %in : f32
    linalg.yield %0 : f32
  } -> tensor<8x8xf32>
  %m = linalg.matmul ins(%na, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %p, %q, %r, %m : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<8x8xf32>
}

// A producer that reads its init (the adjoint of an elementwise op,
// accumulating into a zero fill) does not fuse into a broadcasting
// consumer: the fused op would keep that result with its init indexed
// (d0) in a (d0, d1) parallel loop and add 2 once per column ([2, 4, 6]
// instead of [2, 2, 2], test/Tools/mp-run/fuse-accumulate.mlir).
// CHECK-LABEL: func.func @accumulating_producer_broadcast(
// CHECK-SAME: %[[INIT:.*]]: tensor<5xf32>)
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} outs(%[[INIT]] : tensor<5xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[ACC]] : tensor<5xf32>) outs(%{{.*}} : tensor<5x3xf32>)
// CHECK-NOT: outs(%[[INIT]]
func.func @accumulating_producer_broadcast(%init: tensor<5xf32>) -> tensor<5x3xf32> {
  %two = arith.constant 2.0 : f32
  %acc = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%init : tensor<5xf32>) {
  ^bb0(%o: f32):
    %s = arith.addf %o, %two : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  %e = tensor.empty() : tensor<5x3xf32>
  %b = linalg.broadcast ins(%acc : tensor<5xf32>) outs(%e : tensor<5x3xf32>) dimensions = [1]
  return %b : tensor<5x3xf32>
}
