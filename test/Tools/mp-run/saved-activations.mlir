// mp-run --report: saved_activation_bytes, the bytes the forward keeps for
// the backward, counted statically on the differentiated step (see
// docs/autocast.md, "Saved activations"). One layer: h = x w (8x4 . 4x4),
// t = tanh h, d = t - y, loss = sum d^2; only w is differentiated.
//
// The backward recomputes cheap elementwise values instead of keeping them
// (mp-differentiate's rematerialization, docs/differentiate.md): d = t - y
// is recomputed from t and the argument y, and the bf16 copy of x (for
// dW = x^T dh) is recast from the argument x. What stays saved is t, for
// tanh's adjoint and for d: fp32 8x4 f32 = 128 B; mixed_bfloat16
// (compute-output=compute) t in bf16: 64 B; with compute-output=f32 (passed
// through to mp-mixed-precision) the matmul result stays f32, so t is f32:
// 128 B.
// x, y and w themselves are arguments and not counted.
//
// RUN: mp-run %s --task regress --steps 1 --print-every 0 --policy float32 --loss-scaling mode=none --report %t.f32.json | FileCheck %s --check-prefix=TEXT
// RUN: %python -c "import json; print('saved', json.load(open('%t.f32.json'))['summary']['saved_activation_bytes'])" | FileCheck %s --check-prefix=F32
// RUN: mp-run %s --task regress --steps 1 --print-every 0 --policy mixed_bfloat16 --report %t.bf16.json > /dev/null
// RUN: %python -c "import json; print('saved', json.load(open('%t.bf16.json'))['summary']['saved_activation_bytes'])" | FileCheck %s --check-prefix=BF16
// RUN: mp-run %s --task regress --steps 1 --print-every 0 --policy mixed_bfloat16 --loss-scaling "mode=dynamic compute-output=f32" --report %t.f32out.json > /dev/null
// RUN: %python -c "import json; print('saved', json.load(open('%t.f32out.json'))['summary']['saved_activation_bytes'])" | FileCheck %s --check-prefix=F32OUT

// TEXT: peak tensor memory
// TEXT-NEXT: saved activations      0.0 MiB
// F32: saved 128{{$}}
// BF16: saved 64{{$}}
// F32OUT: saved 128{{$}}

func.func @loss(%w: tensor<4x4xf32>, %x: tensor<8x4xf32>, %y: tensor<8x4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %h = linalg.matmul ins(%x, %w : tensor<8x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32>
  %t = math.tanh %h : tensor<8x4xf32>
  %d = arith.subf %t, %y : tensor<8x4xf32>
  %sq = arith.mulf %d, %d : tensor<8x4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%sq : tensor<8x4xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %a: f32) {
      %r = arith.addf %in, %a : f32
      linalg.yield %r : f32
    }
  return %s : tensor<f32>
}

func.func @train_step(%w: tensor<4x4xf32>, %x: tensor<8x4xf32>, %y: tensor<8x4xf32>)
    -> (tensor<4x4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w, %x, %y) {wrt = array<i64: 0>}
      : (tensor<4x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) -> (tensor<f32>, tensor<4x4xf32>)
  %lr = arith.constant dense<0.1> : tensor<4x4xf32>
  %st = arith.mulf %g, %lr : tensor<4x4xf32>
  %w1 = arith.subf %w, %st : tensor<4x4xf32>
  return %w1, %l : tensor<4x4xf32>, tensor<f32>
}
