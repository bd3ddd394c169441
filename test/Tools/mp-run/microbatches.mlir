// mp-run --microbatches K (mp-loss-scaling microbatches=K): the data
// arguments get a leading K dimension. The MLP at batch 16 with K = 4
// trains like the MLP at batch 64 (see check_microbatches.py for the
// tolerances), and an inf in one micro-batch skips the whole step.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: sed -e 's/64x/16x/g; s/tensor<64xf32>/tensor<16xf32>/g; s/-0.015625/-0.0625/' %mixprec_src/examples/mlp.mlir > %t/mlp16.mlir
// RUN: mp-run %t/mlp16.mlir --policy float32 --microbatches 4 --steps 20 --print-every 0 --report %t/k4.json --save %t/k4 | FileCheck %s
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy float32 --steps 20 --print-every 0 --report %t/k1.json --save %t/k1 > /dev/null
// RUN: %python %S/make_microbatch_inputs.py %t/in
// RUN: mp-run %t/mlp16.mlir --policy float32 --microbatches 4 --steps 0 --print-every 0 --save %t/init > /dev/null
// RUN: mp-run %t/mlp16.mlir --policy float32 --microbatches 4 --inputs %t/in --steps 2 --print-every 0 --report %t/inf.json --save %t/inf-out > /dev/null
// RUN: %python %S/check_microbatches.py %t | FileCheck %s --check-prefix=SAME

// CHECK: loss-scaling "mode=dynamic microbatches=4"
// CHECK: arg 4: float32[4,16,784] data
// CHECK-NEXT: arg 5: float32[4,16,10] data
// SAME: microbatches ok
