// Gradients of the adjoint rules for IR that other frontends write
// (torch-mlir, tosa-to-linalg, IREE-style imports; issue #17) vs central
// finite differences in f64: every 2-D convolution layout with strides,
// dilations, groups and a channel multiplier, NCHW / NHWC pooling,
// constant-0 broadcast maps (inputs and keepdim outputs), linalg.index
// masks, a max with its argmax, linalg.softmax, math.fpowi, pad + conv, a
// broadcast contraction, linalg.contract and gathers by tensor.extract
// (scatter-add, duplicate indices). Tolerances: gradcheck.py (|g - fd| <= 1e-6 max(|g|, |fd|) +
// 1e-8 max(1, |loss|), h = 1e-6). Each loss is sum(w * op(...)) with random
// weights w. linalg.softmax has no lowering in the test pipeline: it is
// decomposed after mp-differentiate by Inputs/decompose-softmax.mlir.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --samples 200 --extra-passes "transform-preload-library{transform-library-paths=%S/Inputs/decompose-softmax.mlir},transform-interpreter" --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: PASS @nchw_fchw_s2:
// CHECK: PASS @nchw_fchw_d2:
// CHECK: PASS @nchw_fchw_s2d2:
// CHECK: PASS @nhwc_fhwc:
// CHECK: PASS @dw_nhwc_hwc:
// CHECK: PASS @dw_nchw_chw:
// CHECK: PASS @dw_nhwc_hwcm:
// CHECK: PASS @grouped_ngchw:
// CHECK: PASS @grouped_nhwgc:
// CHECK: PASS @pool_nchw_sum:
// CHECK: PASS @pool_nchw_max:
// CHECK: PASS @pool_nchw_max_s2d2:
// CHECK: PASS @pool_nhwc_sum_s2:
// CHECK: PASS @bcast_bias:
// CHECK: PASS @bcast_row:
// CHECK: PASS @keepdim_sum:
// CHECK: PASS @mask_softmax:
// CHECK: PASS @softmax_dim1:
// CHECK: PASS @fpowi:
// CHECK: PASS @fpowi_body:
// CHECK: PASS @pad_conv_bias:
// CHECK: PASS @bcast_bmm:
// CHECK: PASS @contract:
// CHECK: PASS @max_argmax:
// CHECK: PASS @embedding:
// CHECK: PASS @gather_mix:
// CHECK: ALL PASS

// torch-mlir's convolution: NCHW / FCHW, stride 2.
// GRADCHECK: @nchw_fchw_s2 wrt=0,1
func.func @nchw_fchw_s2(%x: tensor<1x2x7x7xf64>, %k: tensor<3x2x3x3xf64>, %w: tensor<1x3x3x3xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x3x3x3xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x3x3x3xf64>) -> tensor<1x3x3x3xf64>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : tensor<1x2x7x7xf64>, tensor<3x2x3x3xf64>) outs(%init : tensor<1x3x3x3xf64>) -> tensor<1x3x3x3xf64>
  %wp = arith.mulf %c, %w : tensor<1x3x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// NCHW / FCHW, dilation 2, batch 2.
// GRADCHECK: @nchw_fchw_d2 wrt=0,1
func.func @nchw_fchw_d2(%x: tensor<2x2x6x6xf64>, %k: tensor<2x2x2x2xf64>, %w: tensor<2x2x4x4xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<2x2x4x4xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<2x2x4x4xf64>) -> tensor<2x2x4x4xf64>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<2x2x6x6xf64>, tensor<2x2x2x2xf64>) outs(%init : tensor<2x2x4x4xf64>) -> tensor<2x2x4x4xf64>
  %wp = arith.mulf %c, %w : tensor<2x2x4x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x2x4x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// NCHW / FCHW, strides 2x2, dilations 2x1.
// GRADCHECK: @nchw_fchw_s2d2 wrt=0,1
func.func @nchw_fchw_s2d2(%x: tensor<1x2x8x7xf64>, %k: tensor<2x2x2x3xf64>, %w: tensor<1x2x3x2xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x2x3x2xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x2x3x2xf64>) -> tensor<1x2x3x2xf64>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[2, 2]> : tensor<2xi64>} ins(%x, %k : tensor<1x2x8x7xf64>, tensor<2x2x2x3xf64>) outs(%init : tensor<1x2x3x2xf64>) -> tensor<1x2x3x2xf64>
  %wp = arith.mulf %c, %w : tensor<1x2x3x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x3x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// tosa-to-linalg's convolution: NHWC / FHWC, strides 2x1, dilations 1x2.
// GRADCHECK: @nhwc_fhwc wrt=0,1
func.func @nhwc_fhwc(%x: tensor<1x7x6x2xf64>, %k: tensor<3x3x2x2xf64>, %w: tensor<1x3x4x3xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x3x4x3xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x3x4x3xf64>) -> tensor<1x3x4x3xf64>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%x, %k : tensor<1x7x6x2xf64>, tensor<3x3x2x2xf64>) outs(%init : tensor<1x3x4x3xf64>) -> tensor<1x3x4x3xf64>
  %wp = arith.mulf %c, %w : tensor<1x3x4x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x4x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Depthwise NHWC / HWC, stride 2.
// GRADCHECK: @dw_nhwc_hwc wrt=0,1
func.func @dw_nhwc_hwc(%x: tensor<1x5x5x3xf64>, %k: tensor<2x2x3xf64>, %w: tensor<1x2x2x3xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x2x2x3xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x2x2x3xf64>) -> tensor<1x2x2x3xf64>
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : tensor<1x5x5x3xf64>, tensor<2x2x3xf64>) outs(%init : tensor<1x2x2x3xf64>) -> tensor<1x2x2x3xf64>
  %wp = arith.mulf %c, %w : tensor<1x2x2x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x2x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Depthwise NCHW / CHW (torch-mlir's depthwise), dilation 2.
// GRADCHECK: @dw_nchw_chw wrt=0,1
func.func @dw_nchw_chw(%x: tensor<1x3x6x6xf64>, %k: tensor<3x3x3xf64>, %w: tensor<1x3x2x2xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x3x2x2xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x3x2x2xf64>) -> tensor<1x3x2x2xf64>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<1x3x6x6xf64>, tensor<3x3x3xf64>) outs(%init : tensor<1x3x2x2xf64>) -> tensor<1x3x2x2xf64>
  %wp = arith.mulf %c, %w : tensor<1x3x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Depthwise with a channel multiplier, NHWC / HWCM.
// GRADCHECK: @dw_nhwc_hwcm wrt=0,1
func.func @dw_nhwc_hwcm(%x: tensor<1x5x5x2xf64>, %k: tensor<2x2x2x3xf64>, %w: tensor<1x4x4x2x3xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x4x4x2x3xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x4x4x2x3xf64>) -> tensor<1x4x4x2x3xf64>
  %c = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<1x5x5x2xf64>, tensor<2x2x2x3xf64>) outs(%init : tensor<1x4x4x2x3xf64>) -> tensor<1x4x4x2x3xf64>
  %wp = arith.mulf %c, %w : tensor<1x4x4x2x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x4x4x2x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3, 4]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Grouped NGCHW / FGCHW (2 groups), stride 2.
// GRADCHECK: @grouped_ngchw wrt=0,1
func.func @grouped_ngchw(%x: tensor<1x2x2x5x5xf64>, %k: tensor<3x2x2x2x2xf64>, %w: tensor<1x2x3x2x2xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x2x3x2x2xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x2x3x2x2xf64>) -> tensor<1x2x3x2x2xf64>
  %c = linalg.conv_2d_ngchw_fgchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : tensor<1x2x2x5x5xf64>, tensor<3x2x2x2x2xf64>) outs(%init : tensor<1x2x3x2x2xf64>) -> tensor<1x2x3x2x2xf64>
  %wp = arith.mulf %c, %w : tensor<1x2x3x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x3x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3, 4]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// Grouped NHWGC / GFHWC (2 groups).
// GRADCHECK: @grouped_nhwgc wrt=0,1
func.func @grouped_nhwgc(%x: tensor<1x5x5x2x2xf64>, %k: tensor<2x3x2x2x2xf64>, %w: tensor<1x4x4x2x3xf64>) -> tensor<f64> {
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x4x4x2x3xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x4x4x2x3xf64>) -> tensor<1x4x4x2x3xf64>
  %c = linalg.conv_2d_nhwgc_gfhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<1x5x5x2x2xf64>, tensor<2x3x2x2x2xf64>) outs(%init : tensor<1x4x4x2x3xf64>) -> tensor<1x4x4x2x3xf64>
  %wp = arith.mulf %c, %w : tensor<1x4x4x2x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x4x4x2x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3, 4]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// NCHW sum pooling (average pooling before the division), window 3, stride 2.
// GRADCHECK: @pool_nchw_sum wrt=0
func.func @pool_nchw_sum(%x: tensor<1x2x6x6xf64>, %w: tensor<1x2x2x2xf64>) -> tensor<f64> {
  %win = tensor.empty() : tensor<3x3xf64>
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x2x2x2xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %c = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x2x6x6xf64>, tensor<3x3xf64>) outs(%init : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
  %wp = arith.mulf %c, %w : tensor<1x2x2x2xf64>
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

// NCHW max pooling, overlapping windows.
// GRADCHECK: @pool_nchw_max wrt=0
func.func @pool_nchw_max(%x: tensor<1x2x5x5xf64>, %w: tensor<1x2x4x4xf64>) -> tensor<f64> {
  %win = tensor.empty() : tensor<2x2xf64>
  %init_z = arith.constant 0xFFF0000000000000 : f64
  %init_e = tensor.empty() : tensor<1x2x4x4xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x2x4x4xf64>) -> tensor<1x2x4x4xf64>
  %c = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x2x5x5xf64>, tensor<2x2xf64>) outs(%init : tensor<1x2x4x4xf64>) -> tensor<1x2x4x4xf64>
  %wp = arith.mulf %c, %w : tensor<1x2x4x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x2x4x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// NCHW max pooling, stride 2, dilation 2.
// GRADCHECK: @pool_nchw_max_s2d2 wrt=0
func.func @pool_nchw_max_s2d2(%x: tensor<2x1x7x7xf64>, %w: tensor<2x1x3x3xf64>) -> tensor<f64> {
  %win = tensor.empty() : tensor<2x2xf64>
  %init_z = arith.constant 0xFFF0000000000000 : f64
  %init_e = tensor.empty() : tensor<2x1x3x3xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<2x1x3x3xf64>) -> tensor<2x1x3x3xf64>
  %c = linalg.pooling_nchw_max {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<2x1x7x7xf64>, tensor<2x2xf64>) outs(%init : tensor<2x1x3x3xf64>) -> tensor<2x1x3x3xf64>
  %wp = arith.mulf %c, %w : tensor<2x1x3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x1x3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// NHWC sum pooling, stride 2 (the named NHWC rule).
// GRADCHECK: @pool_nhwc_sum_s2 wrt=0
func.func @pool_nhwc_sum_s2(%x: tensor<1x6x5x2xf64>, %w: tensor<1x3x2x2xf64>) -> tensor<f64> {
  %win = tensor.empty() : tensor<2x2xf64>
  %init_z = arith.constant 0.0 : f64
  %init_e = tensor.empty() : tensor<1x3x2x2xf64>
  %init = linalg.fill ins(%init_z : f64) outs(%init_e : tensor<1x3x2x2xf64>) -> tensor<1x3x2x2xf64>
  %c = linalg.pooling_nhwc_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x6x5x2xf64>, tensor<2x2xf64>) outs(%init : tensor<1x3x2x2xf64>) -> tensor<1x3x2x2xf64>
  %wp = arith.mulf %c, %w : tensor<1x3x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<1x3x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}


// torch-mlir's broadcast of size-1 dims: a bias of shape 1x3x1x1 read through
// (0, d1, 0, 0), and a 1x4 row read through (0, d1).
// GRADCHECK: @bcast_bias wrt=0,1
func.func @bcast_bias(%x: tensor<2x3x2x2xf64>, %b: tensor<1x3x1x1xf64>, %w: tensor<2x3x2x2xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<2x3x2x2xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : tensor<2x3x2x2xf64>, tensor<1x3x1x1xf64>) outs(%e : tensor<2x3x2x2xf64>) {
  ^bb0(%in: f64, %bias: f64, %o: f64):
    %m = arith.mulf %in, %bias : f64
    %a = arith.addf %m, %bias : f64
    linalg.yield %a : f64
  } -> tensor<2x3x2x2xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// GRADCHECK: @bcast_row wrt=0,1
func.func @bcast_row(%x: tensor<3x4xf64>, %r: tensor<1x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %r : tensor<3x4xf64>, tensor<1x4xf64>) outs(%e : tensor<3x4xf64>) {
  ^bb0(%in: f64, %row: f64, %o: f64):
    %d = arith.subf %in, %row : f64
    %m = arith.mulf %d, %d : f64
    linalg.yield %m : f64
  } -> tensor<3x4xf64>
  %wp = arith.mulf %y, %w : tensor<3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// A keepdim reduction (torch-mlir's sum over H, W into 2x3x1x1): the output
// map has constant-0 results; then a broadcast back through (d0, d1, 0, 0).
// GRADCHECK: @keepdim_sum wrt=0
func.func @keepdim_sum(%x: tensor<2x3x2x2xf64>, %w: tensor<2x3x2x2xf64>) -> tensor<f64> {
  %i_z = arith.constant 0.0 : f64
  %i_e = tensor.empty() : tensor<2x3x1x1xf64>
  %i = linalg.fill ins(%i_z : f64) outs(%i_e : tensor<2x3x1x1xf64>) -> tensor<2x3x1x1xf64>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x : tensor<2x3x2x2xf64>) outs(%i : tensor<2x3x1x1xf64>) {
  ^bb0(%in: f64, %acc: f64):
    %sq = arith.mulf %in, %in : f64
    %a = arith.addf %sq, %acc : f64
    linalg.yield %a : f64
  } -> tensor<2x3x1x1xf64>
  %e = tensor.empty() : tensor<2x3x2x2xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<2x3x2x2xf64>, tensor<2x3x1x1xf64>) outs(%e : tensor<2x3x2x2xf64>) {
  ^bb0(%in: f64, %n: f64, %o: f64):
    %d = arith.divf %in, %n : f64
    linalg.yield %d : f64
  } -> tensor<2x3x2x2xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x2x2xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x2x2xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2, 3]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// A causal mask read from linalg.index (no gradient through the indices),
// then linalg.softmax along the last dim.
// GRADCHECK: @mask_softmax wrt=0
func.func @mask_softmax(%x: tensor<2x4x4xf64>, %w: tensor<2x4x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<2x4x4xf64>
  %m = linalg.generic {indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>, affine_map<(b, i, j) -> (b, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x4x4xf64>) outs(%e : tensor<2x4x4xf64>) {
  ^bb0(%in: f64, %o: f64):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %future = arith.cmpi ugt, %j, %i : index
    %ninf = arith.constant -1.0e9 : f64
    %s = arith.select %future, %ninf, %in : f64
    linalg.yield %s : f64
  } -> tensor<2x4x4xf64>
  %e2 = tensor.empty() : tensor<2x4x4xf64>
  %y = linalg.softmax dimension(2) ins(%m : tensor<2x4x4xf64>) outs(%e2 : tensor<2x4x4xf64>) -> tensor<2x4x4xf64>
  %wp = arith.mulf %y, %w : tensor<2x4x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x4x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// linalg.softmax along a middle dim.
// GRADCHECK: @softmax_dim1 wrt=0
func.func @softmax_dim1(%x: tensor<2x5x3xf64>, %w: tensor<2x5x3xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<2x5x3xf64>
  %y = linalg.softmax dimension(1) ins(%x : tensor<2x5x3xf64>) outs(%e : tensor<2x5x3xf64>) -> tensor<2x5x3xf64>
  %wp = arith.mulf %y, %w : tensor<2x5x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x5x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// math.fpowi on tensors (exponents 3, -2, 0, 1) and in a generic body.
// GRADCHECK: @fpowi wrt=0 args=i,n
func.func @fpowi(%x: tensor<4xf64>, %w: tensor<4xf64>) -> tensor<f64> {
  %n = arith.constant dense<[3, -2, 0, 1]> : tensor<4xi32>
  %y = math.fpowi %x, %n : tensor<4xf64>, tensor<4xi32>
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

// GRADCHECK: @fpowi_body wrt=0 args=i,n
func.func @fpowi_body(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %e = tensor.empty() : tensor<3x4xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x4xf64>) outs(%e : tensor<3x4xf64>) {
  ^bb0(%in: f64, %o: f64):
    %c3 = arith.constant 3 : i64
    %p = math.fpowi %in, %c3 : f64, i64
    linalg.yield %p : f64
  } -> tensor<3x4xf64>
  %wp = arith.mulf %y, %w : tensor<3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// torch-mlir's padded convolution: tensor.pad, conv_2d_nchw_fchw (stride 2),
// then a bias read through (d1).
// GRADCHECK: @pad_conv_bias wrt=0,1,2
func.func @pad_conv_bias(%x: tensor<1x2x5x5xf64>, %k: tensor<2x2x3x3xf64>, %b: tensor<2xf64>, %w: tensor<1x2x3x3xf64>) -> tensor<f64> {
  %z = arith.constant 0.0 : f64
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %z : f64
  } : tensor<1x2x5x5xf64> to tensor<1x2x7x7xf64>
  %e = tensor.empty() : tensor<1x2x3x3xf64>
  %bb = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<2xf64>) outs(%e : tensor<1x2x3x3xf64>) {
  ^bb0(%in: f64, %o: f64):
    linalg.yield %in : f64
  } -> tensor<1x2x3x3xf64>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%p, %k : tensor<1x2x7x7xf64>, tensor<2x2x3x3xf64>) outs(%bb : tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %wp = arith.mulf %c, %w : tensor<1x2x3x3xf64>
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

// A contraction whose RHS is broadcast over the batch through (0, d3, d2)
// (torch-mlir's matmul of a 3-D by a 1xKxN weight).
// GRADCHECK: @bcast_bmm wrt=0,1
func.func @bcast_bmm(%a: tensor<2x3x4xf64>, %b: tensor<1x4x5xf64>, %w: tensor<2x3x5xf64>) -> tensor<f64> {
  %i_z = arith.constant 0.0 : f64
  %i_e = tensor.empty() : tensor<2x3x5xf64>
  %i = linalg.fill ins(%i_z : f64) outs(%i_e : tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x3x4xf64>, tensor<1x4x5xf64>) outs(%i : tensor<2x3x5xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %m = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %m : f64
    linalg.yield %s : f64
  } -> tensor<2x3x5xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// linalg.contract with a transposed RHS.
// GRADCHECK: @contract wrt=0,1
func.func @contract(%a: tensor<3x4xf64>, %b: tensor<5x4xf64>, %w: tensor<3x5xf64>) -> tensor<f64> {
  %i_z = arith.constant 0.0 : f64
  %i_e = tensor.empty() : tensor<3x5xf64>
  %i = linalg.fill ins(%i_z : f64) outs(%i_e : tensor<3x5xf64>) -> tensor<3x5xf64>
  %y = linalg.contract indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<3x4xf64>, tensor<5x4xf64>) outs(%i : tensor<3x5xf64>) -> tensor<3x5xf64>
  %wp = arith.mulf %y, %w : tensor<3x5xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x5xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// torch-mlir's max with indices (the max of a softmax): the argmax output
// reads the accumulator through arith.cmpf; only the max is differentiated.
// GRADCHECK: @max_argmax wrt=0
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


// An embedding lookup as torch-mlir writes it: tensor.extract of the table
// at an index computed from the ids operand and linalg.index, inside a
// parallel generic. The adjoint is a scatter-add; ids 1 and 3 repeat, so
// their rows accumulate.
// GRADCHECK: @embedding wrt=0
func.func @embedding(%table: tensor<5x4xf64>, %w: tensor<2x3x4xf64>) -> tensor<f64> {
  %ids = arith.constant dense<[[1, 3, 1], [0, 3, 3]]> : tensor<2x3xi64>
  %e = tensor.empty() : tensor<2x3x4xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ids : tensor<2x3xi64>) outs(%e : tensor<2x3x4xf64>) {
  ^bb0(%in: i64, %o: f64):
    %i = arith.index_cast %in : i64 to index
    %j = linalg.index 2 : index
    %x = tensor.extract %table[%i, %j] : tensor<5x4xf64>
    linalg.yield %x : f64
  } -> tensor<2x3x4xf64>
  %wp = arith.mulf %y, %w : tensor<2x3x4xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<2x3x4xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1, 2]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

// A gather combined with an operand in the same body: both get gradients
// (the operand through the structural rule, the table by scatter-add), and
// the gathered value is used twice.
// GRADCHECK: @gather_mix wrt=0,1
func.func @gather_mix(%table: tensor<4x3xf64>, %x: tensor<3x3xf64>, %w: tensor<3x3xf64>) -> tensor<f64> {
  %ids = arith.constant dense<[2, 0, 2]> : tensor<3xi32>
  %e = tensor.empty() : tensor<3x3xf64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%ids, %x : tensor<3xi32>, tensor<3x3xf64>) outs(%e : tensor<3x3xf64>) {
  ^bb0(%in: i32, %xv: f64, %o: f64):
    %i = arith.index_cast %in : i32 to index
    %j = linalg.index 1 : index
    %t = tensor.extract %table[%i, %j] : tensor<4x3xf64>
    %m = arith.mulf %t, %xv : f64
    %s = arith.mulf %m, %t : f64
    linalg.yield %s : f64
  } -> tensor<3x3xf64>
  %y2 = arith.addf %y, %x : tensor<3x3xf64>
  %wp = arith.mulf %y2, %w : tensor<3x3xf64>
  %wz = arith.constant 0.0 : f64
  %we = tensor.empty() : tensor<f64>
  %wi = linalg.fill ins(%wz : f64) outs(%we : tensor<f64>) -> tensor<f64>
  %ws = linalg.reduce ins(%wp : tensor<3x3xf64>) outs(%wi : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %wt = arith.addf %in, %acc : f64
      linalg.yield %wt : f64
    }
  return %ws : tensor<f64>
}

