// Max / min reductions and max pooling at exact ties: the cotangent goes to
// the first maximum (minimum), as PyTorch's max_pool2d and torch.max(dim).
// The inputs are integers 0..2 (generator t), so most windows tie; each
// gradient at the tied point must equal the finite differences at the point
// where every tie is broken in favour of the earlier element (gradcheck.py,
// key `ties`; tolerances as there). Giving the cotangent to every tied
// element, as mixprec did before, fails every one of these.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --samples 400 --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: PASS @maxpool_s2:
// CHECK: PASS @maxpool_overlap:
// CHECK: PASS @maxpool_dilated:
// CHECK: PASS @minpool:
// CHECK: PASS @maxpool_nchw:
// CHECK: PASS @maxpool_nchw_s2d2:
// CHECK: PASS @reduce_max:
// CHECK: PASS @reduce_max_all:
// CHECK: PASS @active_init:
// CHECK: PASS @max_argmax:
// CHECK: PASS @relu_pool:
// CHECK: ALL PASS

// NHWC 2x2 max pooling, stride 2 (mixprec.nn, tosa-to-linalg).
// GRADCHECK: @maxpool_s2 wrt=0 args=t,n ties
func.func @maxpool_s2(%x: tensor<2x6x6x2xf64>, %w: tensor<2x3x3x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<2x3x3x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<2x3x3x2xf64>) -> tensor<2x3x3x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<2x6x6x2xf64>, tensor<2x2xf64>) outs(%z : tensor<2x3x3x2xf64>) -> tensor<2x3x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Overlapping 3x3 windows, stride 1: an element can be the first maximum of one
// window and a later tie in the next.
// GRADCHECK: @maxpool_overlap wrt=0 args=t,n ties
func.func @maxpool_overlap(%x: tensor<1x6x5x2xf64>, %w: tensor<1x4x3x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x4x3x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x4x3x2xf64>) -> tensor<1x4x3x2xf64>
  %win = tensor.empty() : tensor<3x3xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x6x5x2xf64>, tensor<3x3xf64>) outs(%z : tensor<1x4x3x2xf64>) -> tensor<1x4x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x4x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x4x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Dilation 2, stride 1.
// GRADCHECK: @maxpool_dilated wrt=0 args=t,n ties
func.func @maxpool_dilated(%x: tensor<1x7x7x2xf64>, %w: tensor<1x5x5x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x5x5x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x5x5x2xf64>) -> tensor<1x5x5x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x7x7x2xf64>, tensor<2x2xf64>) outs(%z : tensor<1x5x5x2xf64>) -> tensor<1x5x5x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x5x5x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x5x5x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Min pooling: the first minimum.
// GRADCHECK: @minpool wrt=0 args=t,n ties=min
func.func @minpool(%x: tensor<1x6x6x2xf64>, %w: tensor<1x3x3x2xf64>) -> tensor<f64> {
  %ninf = arith.constant 0x7FF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x3x3x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x3x3x2xf64>) -> tensor<1x3x3x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_min {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x6x6x2xf64>, tensor<2x2xf64>) outs(%z : tensor<1x3x3x2xf64>) -> tensor<1x3x3x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x3x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// torch-mlir's NCHW max pooling, 3x3 stride 2 (ResNet's stem pool).
// GRADCHECK: @maxpool_nchw wrt=0 args=t,n ties
func.func @maxpool_nchw(%x: tensor<1x2x7x7xf64>, %w: tensor<1x2x3x3xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x2x3x3xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %win = tensor.empty() : tensor<3x3xf64>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x2x7x7xf64>, tensor<3x3xf64>) outs(%z : tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %wp = arith.mulf %y, %w : tensor<1x2x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// NCHW, stride 2, dilation 2.
// GRADCHECK: @maxpool_nchw_s2d2 wrt=0 args=t,n ties
func.func @maxpool_nchw_s2d2(%x: tensor<1x2x7x7xf64>, %w: tensor<1x2x3x3xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x2x3x3xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nchw_max {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x2x7x7xf64>, tensor<2x2xf64>) outs(%z : tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %wp = arith.mulf %y, %w : tensor<1x2x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// torch.max(x, dim=1) as a linalg.reduce: the lowest index of each row.
// GRADCHECK: @reduce_max wrt=0 args=t,n ties
func.func @reduce_max(%x: tensor<4x6xf64>, %w: tensor<4xf64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<4xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<4xf64>) -> tensor<4xf64>
  %y = linalg.reduce ins(%x : tensor<4x6xf64>) outs(%z : tensor<4xf64>) dimensions = [1]
    (%in: f64, %acc: f64) {
      %m = arith.maximumf %in, %acc : f64
      linalg.yield %m : f64
    }
  %wp = arith.mulf %y, %w : tensor<4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<4xf64>) outs(%wi : tensor<f64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// A max over two dims: the first in row-major order.
// GRADCHECK: @reduce_max_all wrt=0 args=t,n ties
func.func @reduce_max_all(%x: tensor<3x4xf64>, %w: tensor<f64>) -> tensor<f64> {
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<f64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<f64>) -> tensor<f64>
  %y = linalg.reduce ins(%x : tensor<3x4xf64>) outs(%z : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %m = arith.maxnumf %in, %acc : f64
      linalg.yield %m : f64
    }
  %p = arith.mulf %y, %w : tensor<f64>
  return %p : tensor<f64>
}

// An active init comes first: where it equals the row max it gets the
// cotangent, the row's elements get none.
// GRADCHECK: @active_init wrt=0,1 args=t,t,n ties
func.func @active_init(%m0: tensor<3xf64>, %x: tensor<3x4xf64>, %w: tensor<3xf64>) -> tensor<f64> {
  %y = linalg.reduce ins(%x : tensor<3x4xf64>) outs(%m0 : tensor<3xf64>) dimensions = [1]
    (%in: f64, %acc: f64) {
      %m = arith.maximumf %in, %acc : f64
      linalg.yield %m : f64
    }
  %wp = arith.mulf %y, %w : tensor<3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3xf64>) outs(%wi : tensor<f64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// torch-mlir's torch.max(x, dim=1, keepdim=True): a generic computing the
// max and its argmax (the first maximum, as the gradient).
// GRADCHECK: @max_argmax wrt=0 args=t,n ties
func.func @max_argmax(%x: tensor<3x5xf64>, %w: tensor<3x1xf64>) -> tensor<f64> {
  %m_z = arith.constant 0xFFF0000000000000 : f64
  %m_e = tensor.empty() : tensor<3x1xf64>
  %m = linalg.fill ins(%m_z : f64) outs(%m_e : tensor<3x1xf64>) -> tensor<3x1xf64>
  %c0 = arith.constant 0 : i64
  %ie = tensor.empty() : tensor<3x1xi64>
  %ii = linalg.fill ins(%c0 : i64) outs(%ie : tensor<3x1xi64>) -> tensor<3x1xi64>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<3x5xf64>) outs(%m, %ii : tensor<3x1xf64>, tensor<3x1xi64>) {
  ^bb0(%in: f64, %out: f64, %idx: i64):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %mx = arith.maximumf %in, %out : f64
    %gt = arith.cmpf ogt, %in, %out : f64
    %sel = arith.select %gt, %ji, %idx : i64
    linalg.yield %mx, %sel : f64, i64
  } -> (tensor<3x1xf64>, tensor<3x1xi64>)
  %wp = arith.mulf %r#0, %w : tensor<3x1xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x1xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// ReLU then max pooling (a CNN): a window of negative inputs is a tie of
// zeros; its first element gets the cotangent and the ReLU, whose gradient
// is 0 at 0 (as in PyTorch), passes none of it on.
// GRADCHECK: @relu_pool wrt=0 args=u,n ties
func.func @relu_pool(%x: tensor<1x4x4x2xf64>, %w: tensor<1x2x2x2xf64>) -> tensor<f64> {
  %zero = arith.constant dense<0.0> : tensor<1x4x4x2xf64>
  %r = arith.maximumf %x, %zero : tensor<1x4x4x2xf64>
  %ninf = arith.constant 0xFFF0000000000000 : f64
  %ze = tensor.empty() : tensor<1x2x2x2xf64>
  %z = linalg.fill ins(%ninf : f64) outs(%ze : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %win = tensor.empty() : tensor<2x2xf64>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%r, %win : tensor<1x4x4x2xf64>, tensor<2x2xf64>) outs(%z : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %wp = arith.mulf %y, %w : tensor<1x2x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}
