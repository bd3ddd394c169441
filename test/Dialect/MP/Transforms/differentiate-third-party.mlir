// Adjoint rules for IR that other frontends write (issue #17): the exact IR
// of the constant-0 broadcast rule, the transposed-convolution rule of a
// strided NCHW convolution, math.fpowi, linalg.softmax and the scatter-add
// of a gather. Numerics: test/Integration/AD/third-party.mlir.
// RUN: mp-opt %s --mp-differentiate | FileCheck %s

// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[FMAP:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[GMAP:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 - d5 + 2, d3 - d6 + 2)>
// CHECK-DAG: #[[IMAP:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2, d3)>

func.func @bias(%x: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<2x3xf32>, tensor<1x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %bias: f32, %o: f32):
    %a = arith.addf %in, %bias : f32
    linalg.yield %a : f32
  } -> tensor<2x3xf32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%y : tensor<2x3xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
// torch-mlir's bias broadcast through (0, d1): the adjoint sums over d0 into
// a 3-element tensor, then re-inserts the unit dim.
// CHECK-LABEL: func.func @step_bias
// CHECK: %[[G:.+]] = linalg.broadcast
// CHECK: %[[Z:.+]] = linalg.fill {{.*}} -> tensor<3xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["reduction", "parallel"]} ins(%[[G]] : tensor<2x3xf32>) outs(%[[Z]] : tensor<3xf32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK-NEXT: return %[[E]]
func.func @step_bias(%x: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %l, %g = mp.value_and_grad @bias(%x, %b) {wrt = array<i64: 1>}
      : (tensor<2x3xf32>, tensor<1x3xf32>) -> (tensor<f32>, tensor<1x3xf32>)
  return %g : tensor<1x3xf32>
}

func.func @conv(%x: tensor<1x2x7x7xf32>, %k: tensor<3x2x3x3xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<1x3x3x3xf32>) outs(%i : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
// conv_2d_nchw_fchw, stride 2, 3x3 filter: the input adjoint reads the
// result adjoint dilated by 2 and padded by 2 (7 + 2 = 9) at h + 2 - kh.
// CHECK-LABEL: func.func @step_conv
// CHECK: %[[G:.+]] = linalg.broadcast
// CHECK: %[[Z:.+]] = linalg.fill {{.*}} -> tensor<1x3x9x9xf32>
// CHECK: %[[GD:.+]] = tensor.insert_slice %[[G]] into %[[Z]][0, 0, 2, 2] [1, 3, 3, 3] [1, 1, 2, 2] : tensor<1x3x3x3xf32> into tensor<1x3x9x9xf32>
// CHECK: %[[ACC:.+]] = linalg.fill {{.*}} -> tensor<1x2x7x7xf32>
// CHECK: %[[DX:.+]] = linalg.generic {indexing_maps = [#[[FMAP]], #[[GMAP]], #[[IMAP]]], iterator_types = ["parallel", "reduction", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%arg1, %[[GD]] : tensor<3x2x3x3xf32>, tensor<1x3x9x9xf32>) outs(%[[ACC]] : tensor<1x2x7x7xf32>)
// CHECK-NEXT: ^bb0(%[[K:.+]]: f32, %[[GV:.+]]: f32, %[[O:.+]]: f32):
// CHECK-NEXT: %[[M:.+]] = arith.mulf %[[GV]], %[[K]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[O]], %[[M]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: return %[[DX]]
func.func @step_conv(%x: tensor<1x2x7x7xf32>, %k: tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %l, %g = mp.value_and_grad @conv(%x, %k) {wrt = array<i64: 0>}
      : (tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>) -> (tensor<f32>, tensor<1x2x7x7xf32>)
  return %g : tensor<1x2x7x7xf32>
}

func.func @fpowi(%x: tensor<4xf32>) -> tensor<f32> {
  %n = arith.constant dense<3> : tensor<4xi32>
  %y = math.fpowi %x, %n : tensor<4xf32>, tensor<4xi32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%y : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
// d x^n = n * x^(n-1).
// CHECK-LABEL: func.func @step_fpowi
// CHECK: %[[N:.+]] = arith.constant dense<3> : tensor<4xi32>
// CHECK: %[[G:.+]] = linalg.broadcast
// CHECK: %[[ONE:.+]] = arith.constant dense<1> : tensor<4xi32>
// CHECK-NEXT: %[[NM1:.+]] = arith.subi %[[N]], %[[ONE]] : tensor<4xi32>
// CHECK-NEXT: %[[P:.+]] = math.fpowi %arg0, %[[NM1]] : tensor<4xf32>, tensor<4xi32>
// CHECK-NEXT: %[[NF:.+]] = arith.sitofp %[[N]] : tensor<4xi32> to tensor<4xf32>
// CHECK-NEXT: %[[D:.+]] = arith.mulf %[[NF]], %[[P]] : tensor<4xf32>
// CHECK-NEXT: %[[R:.+]] = arith.mulf %[[G]], %[[D]] : tensor<4xf32>
// CHECK-NEXT: return %[[R]]
func.func @step_fpowi(%x: tensor<4xf32>) -> tensor<4xf32> {
  %l, %g = mp.value_and_grad @fpowi(%x) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %g : tensor<4xf32>
}

func.func @softmax(%x: tensor<2x3xf32>, %w: tensor<2x3xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %m = arith.mulf %y, %w : tensor<2x3xf32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%m : tensor<2x3xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
// dx = y * (g - sum_d(g * y)).
// CHECK-LABEL: func.func @step_softmax
// CHECK: %[[Y:.+]] = linalg.softmax dimension(1)
// CHECK: %[[SEED:.+]] = linalg.broadcast
// CHECK-NEXT: %[[G:.+]] = arith.mulf %[[SEED]], %arg1 : tensor<2x3xf32>
// CHECK-NEXT: %[[GY:.+]] = arith.mulf %[[G]], %[[Y]] : tensor<2x3xf32>
// CHECK: %[[S:.+]] = linalg.reduce ins(%[[GY]] : tensor<2x3xf32>) outs(%{{.+}} : tensor<2xf32>) dimensions = [1]
// CHECK: %[[B:.+]] = linalg.broadcast ins(%[[S]] : tensor<2xf32>) outs(%{{.+}} : tensor<2x3xf32>) dimensions = [1]
// CHECK-NEXT: %[[D:.+]] = arith.subf %[[G]], %[[B]] : tensor<2x3xf32>
// CHECK-NEXT: %[[DX:.+]] = arith.mulf %[[Y]], %[[D]] : tensor<2x3xf32>
// CHECK-NEXT: return %[[DX]]
func.func @step_softmax(%x: tensor<2x3xf32>, %w: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %l, %g = mp.value_and_grad @softmax(%x, %w) {wrt = array<i64: 0>}
      : (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>)
  return %g : tensor<2x3xf32>
}

func.func @embed(%table: tensor<5x4xf32>, %ids: tensor<3xi64>) -> tensor<f32> {
  %e = tensor.empty() : tensor<3x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x4xf32>) {
  ^bb0(%in: i64, %o: f32):
    %i = arith.index_cast %in : i64 to index
    %j = linalg.index 1 : index
    %x = tensor.extract %table[%i, %j] : tensor<5x4xf32>
    linalg.yield %x : f32
  } -> tensor<3x4xf32>
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %i0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%y : tensor<3x4xf32>) outs(%i0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
// A gather: scatter-add into the table's adjoint over the loop nest.
// CHECK-LABEL: func.func @step_embed
// CHECK: %[[G:.+]] = linalg.broadcast
// CHECK: %[[Z:.+]] = linalg.fill {{.*}} -> tensor<5x4xf32>
// CHECK: %[[R:.+]] = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[A0:.+]] = %[[Z]]) -> (tensor<5x4xf32>) {
// CHECK-NEXT: %[[R1:.+]] = scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[A:.+]] = %[[A0]]) -> (tensor<5x4xf32>) {
// CHECK-NEXT: %[[ID:.+]] = tensor.extract %arg1[%[[I]]] : tensor<3xi64>
// CHECK-NEXT: %[[ROWI:.+]] = arith.index_cast %[[ID]] : i64 to index
// CHECK-NEXT: tensor.extract %arg0[%[[ROWI]], %[[J]]]
// CHECK-NEXT: %[[GV:.+]] = tensor.extract %[[G]][%[[I]], %[[J]]] : tensor<3x4xf32>
// CHECK-NEXT: %[[OLD:.+]] = tensor.extract %[[A]][%[[ROWI]], %[[J]]] : tensor<5x4xf32>
// CHECK-NEXT: %[[NEW:.+]] = arith.addf %[[OLD]], %[[GV]] : f32
// CHECK-NEXT: %[[INS:.+]] = tensor.insert %[[NEW]] into %[[A]][%[[ROWI]], %[[J]]] : tensor<5x4xf32>
// CHECK-NEXT: scf.yield %[[INS]]
// CHECK: return %[[R]]
func.func @step_embed(%table: tensor<5x4xf32>, %ids: tensor<3xi64>) -> tensor<5x4xf32> {
  %l, %g = mp.value_and_grad @embed(%table, %ids) {wrt = array<i64: 0>}
      : (tensor<5x4xf32>, tensor<3xi64>) -> (tensor<f32>, tensor<5x4xf32>)
  return %g : tensor<5x4xf32>
}
