// --fallback fp32[:M] and --stop-at-min-scale. The step scales x by 1e5
// before the matmul and the product by 1e-5 after: in f32 that is plain
// linear regression, in mixed_float16 the matmul's input exceeds f16's
// 65504 and every gradient is NaN, at any loss scale. From init-scale 4
// (min-scale 1) the scale collapses in two steps; after M = 3 more skips
// at scale 1 the run continues in fp32 from the same params and trains.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: mp-run %s --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=4" \
// RUN:   --task regress --steps 30 --print-every 5 --fallback fp32 --report %t/fb.json > %t/fb.log
// RUN: FileCheck %s --input-file %t/fb.log
// RUN: %python %S/check_fallback.py %t/fb.json 3 | FileCheck %s --check-prefix=TRAINS
// RUN: %python %S/check_stats.py %t/fb.json
//
// fp32:2, and static mode (every skip is at its only scale).
// RUN: mp-run %s --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=4" \
// RUN:   --task regress --steps 30 --print-every 0 --fallback fp32:2 --report %t/fb2.json > /dev/null
// RUN: %python %S/check_fallback.py %t/fb2.json 2 | FileCheck %s --check-prefix=FB2
// RUN: mp-run %s --policy mixed_float16 --loss-scaling "mode=static init-scale=1" \
// RUN:   --task regress --steps 30 --print-every 0 --fallback fp32:2 --report %t/static.json > /dev/null
// RUN: %python %S/check_fallback.py %t/static.json 2 | FileCheck %s --check-prefix=STATIC
//
// --stop-at-min-scale: a non-zero exit with the reason; the report and the
// checkpoint are still written.
// RUN: not mp-run %s --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=4" \
// RUN:   --task regress --steps 30 --print-every 0 --stop-at-min-scale --report %t/stop.json \
// RUN:   --save %t/stopped > %t/stop.log 2> %t/stop.err
// RUN: FileCheck %s --check-prefix=STOP --input-file %t/stop.err
// RUN: %python -c "import json; r = json.load(open('%t/stop.json')); print(len(r['steps']), r['summary']['stopped_at_step'], json.load(open('%t/stopped/checkpoint.json'))['step'])" | FileCheck %s --check-prefix=STOPJSON
// RUN: not mp-run %s --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=4" \
// RUN:   --task regress --steps 30 --print-every 0 --stop-at-min-scale=1 2>&1 | FileCheck %s --check-prefix=STOP1
//
// Resume across the switch: saved before it (step 4, two skips at the
// minimum counted) and after it (step 10, in fp32), the resumed runs give
// the uninterrupted run's steps bit for bit.
// RUN: mp-run %s --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=4" \
// RUN:   --task regress --steps 4 --print-every 0 --fallback fp32 --save %t/at4 > /dev/null
// RUN: mp-run %s --fallback fp32 --resume %t/at4 --steps 30 --print-every 0 --report %t/from4.json > /dev/null
// RUN: %python %S/compare_resume.py %t/fb.json %t/from4.json | FileCheck %s --check-prefix=RESUME4
// RUN: mp-run %s --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=4" \
// RUN:   --task regress --steps 10 --print-every 0 --fallback fp32 --save %t/at10 > /dev/null
// RUN: mp-run %s --fallback fp32 --resume %t/at10 --steps 30 --print-every 10 --report %t/from10.json > %t/from10.log
// RUN: FileCheck %s --check-prefix=FROM10 --input-file %t/from10.log
// RUN: %python %S/compare_resume.py %t/fb.json %t/from10.json | FileCheck %s --check-prefix=RESUME10

// CHECK: step     1  loss {{.*}} scale          4  skipped    1
// CHECK-NEXT: step 1 skipped: non-finite gradients of fc.weight, fc.bias
// CHECK: step 5 skipped: non-finite gradients of fc.weight, fc.bias
// CHECK-NEXT: mp-run: step 5: 3 consecutive steps skipped at the minimum loss scale 1: continuing with the fp32 step (policy float32, loss-scaling "mode=none", compiled in {{[0-9]+}} ms) from step 6
// CHECK-NEXT: step    10  loss {{.*}} scale          1  skipped    5 {{.*}} ms/step  fp32 fallback
// CHECK-NOT: skipped:
// CHECK: step    30  loss {{.*}}  fp32 fallback
// CHECK: fp32 fallback          from step 6
// TRAINS: fallback after 5 skipped steps, fp32 loss
// FB2: fallback after 4 skipped steps
// STATIC: fallback after 2 skipped steps
// STOP: mp-run: error: step 5: 3 consecutive steps skipped at the minimum loss scale 1; stopping (--stop-at-min-scale)
// STOPJSON: 5 5 5
// STOP1: mp-run: error: step 3: 1 consecutive steps skipped at the minimum loss scale 1; stopping (--stop-at-min-scale)
// RESUME4: resume identical: steps 5..30
// FROM10: resumed from {{.*}}at10 after step 10 (fp32 fallback since step 6)
// FROM10: arg 0: float32[16,4] param fc.weight
// FROM10-NOT: loss_scale
// FROM10: step    11  loss {{.*}}  fp32 fallback
// RESUME10: resume identical: steps 11..30

func.func @loss(%w: tensor<16x4xf32>, %b: tensor<4xf32>, %x: tensor<8x16xf32>,
                %y: tensor<8x4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %big = arith.constant dense<1.0e+05> : tensor<8x16xf32>
  %xs = arith.mulf %x, %big : tensor<8x16xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.matmul ins(%xs, %w : tensor<8x16xf32>, tensor<16x4xf32>)
                      outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32> loc("fc")
  %small = arith.constant dense<1.0e-05> : tensor<8x4xf32>
  %p = arith.mulf %mm, %small : tensor<8x4xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<8x4xf32>) dimensions = [0]
  %out = arith.addf %p, %bb : tensor<8x4xf32>
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
  %loss = arith.mulf %tot, %n : tensor<f32>
  return %loss : tensor<f32>
}

func.func @train_step(%w: tensor<16x4xf32> {mp.name = "fc.weight"},
                      %b: tensor<4xf32> {mp.name = "fc.bias"},
                      %x: tensor<8x16xf32>, %y: tensor<8x4xf32>)
    -> (tensor<16x4xf32> {mp.updates = 0}, tensor<4xf32> {mp.updates = 1},
        tensor<f32>) {
  %l, %gw, %gb = mp.value_and_grad @loss(%w, %b, %x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<16x4xf32>, tensor<4xf32>, tensor<8x16xf32>, tensor<8x4xf32>)
      -> (tensor<f32>, tensor<16x4xf32>, tensor<4xf32>)
  %lr = arith.constant 0.1 : f32
  %lrw = tensor.splat %lr : tensor<16x4xf32>
  %lrb = tensor.splat %lr : tensor<4xf32>
  %sw = arith.mulf %gw, %lrw : tensor<16x4xf32>
  %nw = arith.subf %w, %sw : tensor<16x4xf32>
  %sb = arith.mulf %gb, %lrb : tensor<4xf32>
  %nb = arith.subf %b, %sb : tensor<4xf32>
  return %nw, %nb, %l : tensor<16x4xf32>, tensor<4xf32>, tensor<f32>
}
