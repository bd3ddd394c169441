// On a skipped step every mp.updates result equals its argument bit for
// bit. A batch containing +inf makes every gradient non-finite: after 3
// steps the parameters saved by --save are byte-identical to the ones read
// by --inputs, and every step reports an overflow; the scale halves per
// step. With a clean batch the parameters change.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/make_skip_inputs.py %t
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --loss-scaling "mode=dynamic init-scale=1024" --inputs %t/inf --steps 3 --print-every 1 --save %t/inf-out | FileCheck %s
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --loss-scaling "mode=dynamic init-scale=1024" --inputs %t/clean --steps 1 --print-every 0 --save %t/clean-out > /dev/null
// RUN: %python %S/compare_params.py %t | FileCheck %s --check-prefix=CMP

// CHECK: step     1  loss {{.*}} scale       1024  skipped    1
// CHECK: step     2  loss {{.*}} scale        512  skipped    2
// CHECK: step     3  loss {{.*}} scale        256  skipped    3
// CMP: skipped: params bit-identical
// CMP: clean: params updated
