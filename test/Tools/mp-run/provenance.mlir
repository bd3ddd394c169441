// Overflow provenance: only the "big" layer's gradient overflows (its loss
// term is 1e35 * sum(wa): gradient 1e35 * scale per element, past f32's
// max while scale > 2^11), and each skipped step names exactly its param:
// by `mp.name` (big.weight); the param named by its argument's NameLoc
// (small.weight) and the unnamed bias (arg2) are never named. After four
// halvings the scale is 2048 and the step goes through.
//
// RUN: mp-run %s --policy float32 --loss-scaling "mode=dynamic init-scale=32768" \
// RUN:   --task regress --steps 6 --print-every 1 --report %t.json > %t.log
// RUN: FileCheck %s --input-file %t.log
// RUN: %python %S/check_stats.py %t.json | FileCheck %s --check-prefix=STATS
// RUN: %python -c "import json; r = json.load(open('%t.json')); print(' '.join(','.join(s.get('overflow_params', ['-'])) for s in r['steps']), sorted(r['summary']['overflow_param_counts'].items()))" | FileCheck %s --check-prefix=JSON

// CHECK: arg 0: float32[16,4] param big.weight
// CHECK-NEXT: arg 1: float32[16,4] param small.weight
// CHECK-NEXT: arg 2: float32[4] param arg2
// CHECK: step     1  loss {{.*}} scale      32768  skipped    1
// CHECK-NEXT: step 1 skipped: non-finite gradients of big.weight{{$}}
// CHECK: step 4 skipped: non-finite gradients of big.weight{{$}}
// CHECK-NEXT: step     5  loss {{.*}} scale       2048  skipped    4
// CHECK-NOT: skipped:
// CHECK: overflowed params      big.weight 4{{$}}
// STATS: stats ok: 4 skipped of 6
// JSON: big.weight big.weight big.weight big.weight - - [('arg2', 0), ('big.weight', 4), ('small.weight', 0)]

func.func @loss(%wa: tensor<16x4xf32>, %wb: tensor<16x4xf32>, %bb: tensor<4xf32>,
                %x: tensor<8x16xf32>, %y: tensor<8x4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.matmul ins(%x, %wb : tensor<8x16xf32>, tensor<16x4xf32>)
                      outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32> loc("small")
  %b2 = linalg.broadcast ins(%bb : tensor<4xf32>) outs(%e : tensor<8x4xf32>) dimensions = [0]
  %out = arith.addf %mm, %b2 : tensor<8x4xf32>
  %d = arith.subf %out, %y : tensor<8x4xf32>
  %d2 = arith.mulf %d, %d : tensor<8x4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %t0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %tot = linalg.reduce ins(%d2 : tensor<8x4xf32>) outs(%t0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %n = arith.constant dense<0.03125> : tensor<f32>
  %mse = arith.mulf %tot, %n : tensor<f32>
  // The "big" layer: a term whose gradient is 1e35 per element of %wa.
  %ta = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sa = linalg.reduce ins(%wa : tensor<16x4xf32>) outs(%ta : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %k = arith.constant dense<1.0e+35> : tensor<f32>
  %big = arith.mulf %sa, %k : tensor<f32> loc("big")
  %loss = arith.addf %mse, %big : tensor<f32>
  return %loss : tensor<f32>
}

func.func @train_step(%wa: tensor<16x4xf32> {mp.name = "big.weight"},
                      %wb: tensor<16x4xf32> loc("small.weight"),
                      %bb: tensor<4xf32>,
                      %x: tensor<8x16xf32>, %y: tensor<8x4xf32>)
    -> (tensor<16x4xf32> {mp.updates = 0}, tensor<16x4xf32> {mp.updates = 1},
        tensor<4xf32> {mp.updates = 2}, tensor<f32>) {
  %l, %ga, %gb, %gc = mp.value_and_grad @loss(%wa, %wb, %bb, %x, %y) {wrt = array<i64: 0, 1, 2>}
      : (tensor<16x4xf32>, tensor<16x4xf32>, tensor<4xf32>, tensor<8x16xf32>, tensor<8x4xf32>)
      -> (tensor<f32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<4xf32>)
  %lr = arith.constant 0.0 : f32
  %lra = tensor.splat %lr : tensor<16x4xf32>
  %lr2 = arith.constant 0.1 : f32
  %lrb = tensor.splat %lr2 : tensor<16x4xf32>
  %lrc = tensor.splat %lr2 : tensor<4xf32>
  %sa = arith.mulf %ga, %lra : tensor<16x4xf32>
  %na = arith.subf %wa, %sa : tensor<16x4xf32>
  %sb = arith.mulf %gb, %lrb : tensor<16x4xf32>
  %nb = arith.subf %wb, %sb : tensor<16x4xf32>
  %sc = arith.mulf %gc, %lrc : tensor<4xf32>
  %nc = arith.subf %bb, %sc : tensor<4xf32>
  return %na, %nb, %nc, %l : tensor<16x4xf32>, tensor<16x4xf32>, tensor<4xf32>, tensor<f32>
}
