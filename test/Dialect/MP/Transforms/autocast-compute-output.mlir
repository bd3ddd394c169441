// mp-autocast{compute-output=compute|f32}: what a compute-class op returns.
//
// compute (the default, DESIGN.md §15): the op still accumulates in f32 (its
// `outs` stay f32, the f32 accumulation is kept inside the op) and one
// mp.cast right after it rounds the result to the compute dtype; every user
// sees the rounded value: follow ops run in bf16 (a parameter such as the
// bias, and what follow ops compute from parameters and constants alone,
// is weakly typed and cast to bf16 for them), fp32-class ops widen it, an
// unknown op and the f32 function result get it widened back.
// f32: the op's result is its f32 accumulator, used as is (today's
// behaviour before DESIGN.md §15).
//
// RUN: mp-opt --allow-unregistered-dialect --mp-autocast %s 2>/dev/null | FileCheck %s
// RUN: mp-opt --allow-unregistered-dialect --mp-autocast="compute-output=compute" %s 2>/dev/null | FileCheck %s
// RUN: mp-opt --allow-unregistered-dialect --mp-autocast="compute-output=f32" %s 2>/dev/null | FileCheck %s --check-prefix=F32OUT
// RUN: mp-opt --allow-unregistered-dialect --mp-autocast="accumulate=compute" %s 2>/dev/null | FileCheck %s --check-prefix=ACCUM
// RUN: mp-opt --allow-unregistered-dialect --mp-autocast="policy=float32" %s 2>/dev/null | FileCheck %s --check-prefix=IDENT
// RUN: mp-opt --allow-unregistered-dialect --mp-mixed-precision="compute-output=f32 mode=none" %s 2>/dev/null | FileCheck %s --check-prefix=PIPE-F32
// RUN: mp-opt --allow-unregistered-dialect --mp-mixed-precision="mode=none" %s 2>/dev/null | FileCheck %s --check-prefix=PIPE
// RUN: not mp-opt --allow-unregistered-dialect --mp-autocast="compute-output=bf16" %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: not mp-opt --allow-unregistered-dialect --mp-mixed-precision="compute-output=half" %s 2>&1 | FileCheck %s --check-prefix=ERR-PIPE

// ERR: error: mp-autocast: unknown compute-output value 'bf16'; accepted: compute, f32
// ERR-NOT: func.func
// ERR-PIPE: error: mp-autocast: unknown compute-output value 'half'; accepted: compute, f32

// CHECK-LABEL: func.func @layer(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:    %[[WH:.+]] = mp.cast %[[W]] : tensor<8x16xf32> to tensor<8x16xbf16>
// CHECK-NEXT:    %[[C0:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[C0H:.+]] = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<4x16xf32>
// CHECK-NEXT:    %[[EH:.+]] = tensor.empty() : tensor<4x16xbf16>
// CHECK-NEXT:    %[[INIT:.+]] = linalg.fill ins(%[[C0]] : f32) outs(%[[E]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    %[[ZH:.+]] = linalg.fill ins(%[[C0H]] : bf16) outs(%[[EH]] : tensor<4x16xbf16>) -> tensor<4x16xbf16>
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[WH]] : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%[[INIT]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    %[[MMH:.+]] = mp.cast %[[MM]] : tensor<4x16xf32> to tensor<4x16xbf16>
// CHECK-NEXT:    %[[BB:.+]] = linalg.broadcast ins(%[[B]] : tensor<16xf32>) outs(%[[E]] : tensor<4x16xf32>) dimensions = [0]
// CHECK-NEXT:    %[[BBH:.+]] = mp.cast %[[BB]] : tensor<4x16xf32> to tensor<4x16xbf16>
// CHECK-NEXT:    %[[Y:.+]] = arith.addf %[[MMH]], %[[BBH]] : tensor<4x16xbf16>
// CHECK-NEXT:    %[[R:.+]] = arith.maximumf %[[Y]], %[[ZH]] : tensor<4x16xbf16>
// CHECK-NEXT:    %[[RW:.+]] = mp.cast %[[R]] : tensor<4x16xbf16> to tensor<4x16xf32>
// CHECK-NEXT:    %[[EX:.+]] = math.exp %[[RW]] : tensor<4x16xf32>
// CHECK-NEXT:    %[[S:.+]] = arith.addf %[[EX]], %[[RW]] : tensor<4x16xf32>
// CHECK-NEXT:    return %[[S]] : tensor<4x16xf32>

// F32OUT-LABEL: func.func @layer(
// F32OUT-SAME:      %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<16xf32>) -> tensor<4x16xf32>
// F32OUT-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<4x8xf32> to tensor<4x8xbf16>
// F32OUT-NEXT:    %[[WH:.+]] = mp.cast %[[W]] : tensor<8x16xf32> to tensor<8x16xbf16>
// F32OUT-NEXT:    %[[C0:.+]] = arith.constant 0.000000e+00 : f32
// F32OUT-NEXT:    %[[E:.+]] = tensor.empty() : tensor<4x16xf32>
// F32OUT-NEXT:    %[[INIT:.+]] = linalg.fill ins(%[[C0]] : f32) outs(%[[E]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// F32OUT-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[WH]] : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%[[INIT]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// F32OUT-NEXT:    %[[BB:.+]] = linalg.broadcast ins(%[[B]] : tensor<16xf32>) outs(%[[E]] : tensor<4x16xf32>) dimensions = [0]
// F32OUT-NEXT:    %[[Y:.+]] = arith.addf %[[MM]], %[[BB]] : tensor<4x16xf32>
// F32OUT-NEXT:    %[[R:.+]] = arith.maximumf %[[Y]], %[[INIT]] : tensor<4x16xf32>
// F32OUT-NEXT:    %[[EX:.+]] = math.exp %[[R]] : tensor<4x16xf32>
// F32OUT-NEXT:    %[[S:.+]] = arith.addf %[[EX]], %[[R]] : tensor<4x16xf32>
// F32OUT-NEXT:    return %[[S]] : tensor<4x16xf32>

// accumulate=compute: the accumulator is bf16 already, nothing to round.
// ACCUM-LABEL: func.func @layer(
// ACCUM:         %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%{{.+}} : tensor<4x16xbf16>) -> tensor<4x16xbf16>
// ACCUM-NOT:     mp.cast %[[MM]]
// ACCUM:         arith.addf %[[MM]], %{{.+}} : tensor<4x16xbf16>

// The option through the mp-mixed-precision pipeline (mp.cast lowered to
// arith.truncf / extf).
// PIPE-LABEL: func.func @layer(
// PIPE:         %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%{{.+}} : tensor<4x16xf32>) -> tensor<4x16xf32>
// PIPE-NEXT:    %[[MMH:.+]] = arith.truncf %[[MM]] : tensor<4x16xf32> to tensor<4x16xbf16>
// PIPE:         arith.addf %[[MMH]], %{{.+}} : tensor<4x16xbf16>
// PIPE-F32-LABEL: func.func @layer(
// PIPE-F32:         %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%{{.+}} : tensor<4x16xf32>) -> tensor<4x16xf32>
// PIPE-F32-NOT:     arith.truncf %[[MM]]
// PIPE-F32:         arith.addf %[[MM]], %{{.+}} : tensor<4x16xf32>

// policy=float32: no cast at all.
// IDENT-NOT: mp.cast

func.func @layer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  %bb = linalg.broadcast ins(%b : tensor<16xf32>) outs(%e : tensor<4x16xf32>) dimensions = [0]
  %y = arith.addf %mm, %bb : tensor<4x16xf32>
  %r = arith.maximumf %y, %acc : tensor<4x16xf32>
  %ex = math.exp %r : tensor<4x16xf32>
  %s = arith.addf %ex, %r : tensor<4x16xf32>
  return %s : tensor<4x16xf32>
}

// The rounded result widened back for an unknown op and for the f32
// function result (PyTorch: the bf16 output of a matmul, then .float()).
// CHECK-LABEL: func.func @direct(
// CHECK:         %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x8xbf16>, tensor<8x16xbf16>) outs(%{{.+}} : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    %[[MMH:.+]] = mp.cast %[[MM]] : tensor<4x16xf32> to tensor<4x16xbf16>
// CHECK-NEXT:    %[[MMW:.+]] = mp.cast %[[MMH]] : tensor<4x16xbf16> to tensor<4x16xf32>
// CHECK-NEXT:    "test.unknown"(%[[MMW]]) : (tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    return %[[MMW]] : tensor<4x16xf32>

// F32OUT-LABEL: func.func @direct(
// F32OUT:         %[[MM:.+]] = linalg.matmul
// F32OUT-NEXT:    "test.unknown"(%[[MM]]) : (tensor<4x16xf32>) -> tensor<4x16xf32>
// F32OUT-NEXT:    return %[[MM]] : tensor<4x16xf32>
func.func @direct(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  %u = "test.unknown"(%mm) : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %mm : tensor<4x16xf32>
}

// A convolution the same way: f32 accumulator inside, bf16 result, the
// ReLU in bf16 (its zero is re-created as a bf16 fill).
// CHECK-LABEL: func.func @conv(
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    %[[ZH:.+]] = linalg.fill ins(%{{.+}} : bf16) outs(%{{.+}} : tensor<1x4x4x4xbf16>) -> tensor<1x4x4x4xbf16>
// CHECK-NEXT:    %[[C:.+]] = linalg.conv_2d_nhwc_hwcf ins(%{{.+}}, %{{.+}} : tensor<1x6x6x3xbf16>, tensor<3x3x3x4xbf16>) outs(%[[INIT]] : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    %[[CH:.+]] = mp.cast %[[C]] : tensor<1x4x4x4xf32> to tensor<1x4x4x4xbf16>
// CHECK-NEXT:    %[[R:.+]] = arith.maximumf %[[CH]], %[[ZH]] : tensor<1x4x4x4xbf16>
// CHECK-NEXT:    %[[RW:.+]] = mp.cast %[[R]] : tensor<1x4x4x4xbf16> to tensor<1x4x4x4xf32>
// CHECK-NEXT:    return %[[RW]] : tensor<1x4x4x4xf32>

// F32OUT-LABEL: func.func @conv(
// F32OUT:         %[[C:.+]] = linalg.conv_2d_nhwc_hwcf ins(%{{.+}}, %{{.+}} : tensor<1x6x6x3xbf16>, tensor<3x3x3x4xbf16>) outs(%{{.+}} : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// F32OUT-NEXT:    %[[R:.+]] = arith.maximumf %[[C]], %{{.+}} : tensor<1x4x4x4xf32>
// F32OUT-NEXT:    return %[[R]] : tensor<1x4x4x4xf32>
func.func @conv(%x: tensor<1x6x6x3xf32>, %k: tensor<3x3x3x4xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %c = linalg.conv_2d_nhwc_hwcf ins(%x, %k : tensor<1x6x6x3xf32>, tensor<3x3x3x4xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %r = arith.maximumf %c, %acc : tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// A loss that mp.value_and_grad differentiates with respect to %w and %b
// only: those are the parameters (weak: the bias add runs in bf16); the
// target %y is data and keeps f32, so the difference runs in f32 on the
// widened bf16 activation. The step function is not rewritten.
// CHECK-LABEL: func.func @loss(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4x4xf32>, %[[B:[^:]+]]: tensor<4xf32>, %[[X:[^:]+]]: tensor<8x4xf32>, %[[Y:[^:]+]]: tensor<8x4xf32>) -> tensor<f32>
// CHECK:         %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x4xbf16>, tensor<4x4xbf16>) outs(%{{.+}} : tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT:    %[[MMH:.+]] = mp.cast %[[MM]] : tensor<8x4xf32> to tensor<8x4xbf16>
// CHECK-NEXT:    %[[BB:.+]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>)
// CHECK-NEXT:    %[[BBH:.+]] = mp.cast %[[BB]] : tensor<8x4xf32> to tensor<8x4xbf16>
// CHECK-NEXT:    %[[H:.+]] = arith.addf %[[MMH]], %[[BBH]] : tensor<8x4xbf16>
// CHECK-NEXT:    %[[HW:.+]] = mp.cast %[[H]] : tensor<8x4xbf16> to tensor<8x4xf32>
// CHECK-NEXT:    %[[D:.+]] = arith.subf %[[HW]], %[[Y]] : tensor<8x4xf32>
// CHECK:         linalg.reduce ins(%[[D]] : tensor<8x4xf32>)
// CHECK-LABEL: func.func @step(
// CHECK-NOT:     mp.cast
func.func @loss(%w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<8x4xf32>, %y: tensor<8x4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<8x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<8x4xf32>) dimensions = [0]
  %h = arith.addf %mm, %bb : tensor<8x4xf32>
  %d = arith.subf %h, %y : tensor<8x4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%d : tensor<8x4xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %a: f32) {
      %r = arith.addf %in, %a : f32
      linalg.yield %r : f32
    }
  return %s : tensor<f32>
}

func.func @step(%w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<8x4xf32>, %y: tensor<8x4xf32>)
    -> (tensor<f32>, tensor<4x4xf32>, tensor<4xf32>) {
  %l, %gw, %gb = mp.value_and_grad @loss(%w, %b, %x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<4x4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) -> (tensor<f32>, tensor<4x4xf32>, tensor<4xf32>)
  return %l, %gw, %gb : tensor<f32>, tensor<4x4xf32>, tensor<4xf32>
}
