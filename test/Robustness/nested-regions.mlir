// 300 nested regions: mp-autocast and mp-cleanup recurse through them
// without a stack overflow; the exp deep inside still runs in f32 and the
// addf follows it.
// RUN: %python %S/gen_nested.py 300 > %t.mlir
// RUN: mp-opt %t.mlir --mp-autocast="policy=mixed_bfloat16" --mp-cleanup | FileCheck %s
// CHECK-LABEL: func.func @nested
// CHECK: math.exp %{{.*}} : tensor<8xf32>
// CHECK: arith.addf %{{.*}} : tensor<8xf32>
