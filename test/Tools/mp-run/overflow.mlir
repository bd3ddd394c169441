// mixed_float16 with an absurd initial scale (2^40): every step overflows f16
// and is skipped while the scale halves, until it fits; then training
// proceeds and the loss falls. A static scale of 2^40 never recovers: every
// step is skipped and the loss does not move (the failure dynamic scaling
// prevents).
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 --loss-scaling "mode=dynamic init-scale=1099511627776" --steps 50 --print-every 0 --report %t.dyn.json > /dev/null
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 --loss-scaling "mode=static init-scale=1099511627776" --steps 10 --print-every 0 --report %t.static.json > /dev/null
// RUN: %python %S/check_overflow.py %t.dyn.json %t.static.json | FileCheck %s
// CHECK: dynamic: skipped [[N:[0-9]+]] then trained
// CHECK: static: all 10 skipped
