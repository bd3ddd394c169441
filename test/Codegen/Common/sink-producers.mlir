// RUN: mp-opt %s --allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(mp-sink-producers))' -split-input-file | FileCheck %s

// A matmul adjoint as mp-differentiate emits it: dX = dY W^T before
// dW = X^T dY, while dX is first read after dW. dX moves right before its
// first reader (its operands are arguments: moving keeps nothing alive
// longer), so bufferization does not allocate its 512 bytes across the dW
// GEMM. Inits and fills stay for mp-sink-inits; unregistered ops stay.

// CHECK-LABEL: func.func @adjoint(
// CHECK-SAME:    %[[WT:[a-z0-9_]+]]: tensor<4x8xf32>, %[[DY:[a-z0-9_]+]]: tensor<16x4xf32>
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[XT:.+]] = "test.activation"() : () -> tensor<8x16xf32>
// CHECK-NEXT:    %[[E0:.+]] = tensor.empty() : tensor<16x8xf32>
// CHECK-NEXT:    %[[F0:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E0]] : tensor<16x8xf32>)
// CHECK-NEXT:    %[[E1:.+]] = tensor.empty() : tensor<8x4xf32>
// CHECK-NEXT:    %[[F1:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E1]] : tensor<8x4xf32>)
// CHECK-NEXT:    %[[DW:.+]] = linalg.matmul ins(%[[XT]], %[[DY]] : tensor<8x16xf32>, tensor<16x4xf32>) outs(%[[F1]] : tensor<8x4xf32>)
// CHECK-NEXT:    "test.use"(%[[DW]])
// CHECK-NEXT:    %[[DX:.+]] = linalg.matmul ins(%[[DY]], %[[WT]] : tensor<16x4xf32>, tensor<4x8xf32>) outs(%[[F0]] : tensor<16x8xf32>)
// CHECK-NEXT:    "test.use"(%[[DX]])
// CHECK-NEXT:    return
func.func @adjoint(%wt: tensor<4x8xf32>, %dy: tensor<16x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %xt = "test.activation"() : () -> tensor<8x16xf32>
  %e0 = tensor.empty() : tensor<16x8xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %dx = linalg.matmul ins(%dy, %wt : tensor<16x4xf32>, tensor<4x8xf32>) outs(%f0 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %e1 = tensor.empty() : tensor<8x4xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<8x4xf32>) -> tensor<8x4xf32>
  %dw = linalg.matmul ins(%xt, %dy : tensor<8x16xf32>, tensor<16x4xf32>) outs(%f1 : tensor<8x4xf32>) -> tensor<8x4xf32>
  "test.use"(%dw) : (tensor<8x4xf32>) -> ()
  "test.use"(%dx) : (tensor<16x8xf32>) -> ()
  return
}

// -----

// A reduction of a 4 KiB in-block tensor into 4 bytes: moving it past
// "test.other" would keep the 4 KiB alive longer to delay 4 bytes, so it
// stays. The same reduction of a tensor that is read again later anyway
// moves: its operand lives past the new place already.

// CHECK-LABEL: func.func @bigger_operand(
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant
// CHECK-NEXT:    %[[BIG:.+]] = "test.activation"() : () -> tensor<1024xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT:    %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<f32>)
// CHECK-NEXT:    %[[S:.+]] = linalg.reduce ins(%[[BIG]] : tensor<1024xf32>) outs(%[[F]] : tensor<f32>)
// CHECK:         "test.other"() : () -> ()
// CHECK-NEXT:    "test.use"(%[[S]])
// CHECK-NEXT:    %[[KEPT:.+]] = "test.activation"() : () -> tensor<1024xf32>
// CHECK-NEXT:    "test.other"() : () -> ()
// CHECK-NEXT:    %[[T:.+]] = linalg.reduce ins(%[[KEPT]] : tensor<1024xf32>) outs(%[[F]] : tensor<f32>)
// CHECK:         "test.use"(%[[T]], %[[KEPT]])
// CHECK-NEXT:    return
func.func @bigger_operand() {
  %zero = arith.constant 0.0 : f32
  %big = "test.activation"() : () -> tensor<1024xf32>
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%big : tensor<1024xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  "test.other"() : () -> ()
  "test.use"(%s) : (tensor<f32>) -> ()
  %kept = "test.activation"() : () -> tensor<1024xf32>
  %t = linalg.reduce ins(%kept : tensor<1024xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  "test.other"() : () -> ()
  "test.use"(%t, %kept) : (tensor<f32>, tensor<1024xf32>) -> ()
  return
}

// -----

// A chain: an elementwise op whose fresh result is as big as the in-block
// operand it would keep alive (256 bytes each: no point gets worse) moves
// before its reader, then the view it reads moves before it. A producer
// with a dynamic shape stays: its bytes are not known.

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @chain_and_dynamic(
// CHECK-SAME:    %[[N:[a-z0-9_]+]]: index
// CHECK-NEXT:    %[[A:.+]] = "test.activation"() : () -> tensor<64xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<8x8xf32>
// CHECK-NEXT:    %[[D:.+]] = "test.activation"(%[[N]]) : (index) -> tensor<?x8xf32>
// CHECK-NEXT:    %[[ED:.+]] = tensor.empty(%[[N]]) : tensor<?x8xf32>
// CHECK-NEXT:    %[[GD:.+]] = linalg.generic {{.+}} ins(%[[D]] : tensor<?x8xf32>) outs(%[[ED]] : tensor<?x8xf32>)
// CHECK:         "test.other"() : () -> ()
// CHECK-NEXT:    %[[V:.+]] = tensor.expand_shape %[[A]] {{\[\[}}0, 1]] output_shape [8, 8] : tensor<64xf32> into tensor<8x8xf32>
// CHECK-NEXT:    %[[G:.+]] = linalg.generic {{.+}} ins(%[[V]] : tensor<8x8xf32>) outs(%[[E]] : tensor<8x8xf32>)
// CHECK:         "test.use"(%[[G]], %[[GD]])
// CHECK-NEXT:    return
func.func @chain_and_dynamic(%n: index) {
  %a = "test.activation"() : () -> tensor<64xf32>
  %v = tensor.expand_shape %a [[0, 1]] output_shape [8, 8] : tensor<64xf32> into tensor<8x8xf32>
  %e = tensor.empty() : tensor<8x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.negf %x : f32
    linalg.yield %m : f32
  } -> tensor<8x8xf32>
  %d = "test.activation"(%n) : (index) -> tensor<?x8xf32>
  %ed = tensor.empty(%n) : tensor<?x8xf32>
  %gd = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%d : tensor<?x8xf32>) outs(%ed : tensor<?x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.negf %x : f32
    linalg.yield %m : f32
  } -> tensor<?x8xf32>
  "test.other"() : () -> ()
  "test.use"(%g, %gd) : (tensor<8x8xf32>, tensor<?x8xf32>) -> ()
  return
}

// -----

// Two independent producers sunk before the same reader keep their order,
// and a producer sunk before a reader that was itself sunk lands right
// before it: %n1, %n2 both before "test.use"; %n3 (read by %n4 only) and
// %n4 (read by the last "test.use") after the first "test.use".

#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @same_reader(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<16xf32>
// CHECK:         "test.other"() : () -> ()
// CHECK-NEXT:    %[[N1:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16xf32>)
// CHECK:         %[[N2:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16xf32>)
// CHECK:         "test.use"(%[[N2]], %[[N1]])
// CHECK-NEXT:    %[[N3:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16xf32>)
// CHECK:         %[[N4:.+]] = linalg.generic {{.+}} ins(%[[N3]] : tensor<16xf32>)
// CHECK:         "test.use"(%[[N4]])
// CHECK-NEXT:    return
func.func @same_reader(%x: tensor<16xf32>) {
  %e = tensor.empty() : tensor<16xf32>
  %n1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  %n3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.exp %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  %n2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.absf %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  %n4 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%n3 : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  "test.other"() : () -> ()
  "test.use"(%n2, %n1) : (tensor<16xf32>, tensor<16xf32>) -> ()
  "test.use"(%n4) : (tensor<16xf32>) -> ()
  return
}
