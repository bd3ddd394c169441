// RUN: mp-opt %s --allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(mp-sink-inits))' -split-input-file | FileCheck %s

// The zero init of a backward accumulator that CSE merged with the
// forward's equal fill: the fill and its empty move right before the op
// writing them (bufferization allocates the empty where it stands), fills
// before the empty they fill; the other ops keep their order.

#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @accumulator(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<64xf32>, %[[G:[a-z0-9_]+]]: tensor<64xf32>
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[E1:.+]] = tensor.empty() : tensor<64xf32>
// CHECK-NEXT:    %[[Y:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<64xf32>) outs(%[[E1]] : tensor<64xf32>)
// CHECK:         %[[E0:.+]] = tensor.empty() : tensor<64xf32>
// CHECK-NEXT:    %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E0]] : tensor<64xf32>) -> tensor<64xf32>
// CHECK-NEXT:    %[[D:.+]] = linalg.generic {{.+}} ins(%[[G]], %[[Y]] : tensor<64xf32>, tensor<64xf32>) outs(%[[F]] : tensor<64xf32>)
// CHECK:         return %[[D]]
func.func @accumulator(%x: tensor<64xf32>, %g: tensor<64xf32>) -> tensor<64xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e0 : tensor<64xf32>) -> tensor<64xf32>
  %e1 = tensor.empty() : tensor<64xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e1 : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %d = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%g, %y : tensor<64xf32>, tensor<64xf32>) outs(%f : tensor<64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %d : tensor<64xf32>
}

// -----

// A use inside a loop: the init moves before the loop (not into its body,
// where it would be filled once per iteration); with two users, before the
// first. A dynamic size still dominates the new place.

// CHECK-LABEL: func.func @loop_and_two_users(
// CHECK-SAME:    %[[N:[a-z0-9_]+]]: index
// CHECK:         %[[A:.+]] = "test.other"() : () -> tensor<?xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK-NEXT:    %[[F:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT:    %[[L:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[A]]) -> (tensor<?xf32>) {
// CHECK:           linalg.copy ins(%[[F]] : tensor<?xf32>)
// CHECK:         "test.use"(%[[L]], %[[F]])
func.func @loop_and_two_users(%n: index) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty(%n) : tensor<?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %a = "test.other"() : () -> tensor<?xf32>
  %l = scf.for %i = %c0 to %c4 step %c1 iter_args(%t = %a) -> (tensor<?xf32>) {
    %c = linalg.copy ins(%f : tensor<?xf32>) outs(%t : tensor<?xf32>) -> tensor<?xf32>
    scf.yield %c : tensor<?xf32>
  }
  "test.use"(%l, %f) : (tensor<?xf32>, tensor<?xf32>) -> ()
  return
}

// -----

// Left where they are: a fill whose init is not a tensor.empty, a fill on
// buffers, an unused empty, and an init already right before its user.

// CHECK-LABEL: func.func @unchanged(
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant
// CHECK-NEXT:    %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%arg0 : tensor<8xf32>)
// CHECK-NEXT:    linalg.fill ins(%[[ZERO]] : f32) outs(%arg1 : memref<8xf32>)
// CHECK-NEXT:    %[[U:.+]] = tensor.empty() : tensor<8xf32>
// CHECK-NEXT:    "test.other"()
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<8xf32>
// CHECK-NEXT:    "test.use"(%[[F]], %[[E]])
func.func @unchanged(%t: tensor<8xf32>, %m: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%t : tensor<8xf32>) -> tensor<8xf32>
  linalg.fill ins(%zero : f32) outs(%m : memref<8xf32>)
  %unused = tensor.empty() : tensor<8xf32>
  "test.other"() : () -> ()
  %e = tensor.empty() : tensor<8xf32>
  "test.use"(%f, %e) : (tensor<8xf32>, tensor<8xf32>) -> ()
  return
}
