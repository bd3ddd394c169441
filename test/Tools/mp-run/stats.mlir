// Scaler statistics: mp-run's report summary (overflow rate, scale
// increases / decreases, min / max scale, mean global gradient norm with
// --grad-norm, skipped steps per param) agrees with its per-step records.
// mixed_float16 from a 2^40 scale with growth-interval 4: the scale halves
// while the f16 gradients overflow, then grows every 4 clean steps.
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 \
// RUN:   --loss-scaling "mode=dynamic init-scale=1099511627776 growth-interval=4" \
// RUN:   --steps 40 --print-every 0 --grad-norm --report %t.json | FileCheck %s --check-prefix=TABLE
// RUN: %python %S/check_stats.py %t.json | FileCheck %s
// Without --grad-norm there is no norm anywhere.
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 \
// RUN:   --loss-scaling "mode=dynamic init-scale=1099511627776 growth-interval=4" \
// RUN:   --steps 12 --print-every 0 --report %t.nonorm.json | FileCheck %s --check-prefix=NONORM
// RUN: %python %S/check_stats.py %t.nonorm.json | FileCheck %s

// TABLE: loss scaling           mode=dynamic init-scale=1099511627776 growth-interval=4 grad-norm=true
// TABLE: overflow rate          0.{{[0-9]+}}
// TABLE: scale changes          {{[1-9][0-9]*}} up, {{[1-9][0-9]*}} down
// TABLE: scale range            {{.*}} .. 1.09951e+12
// TABLE: mean grad norm         {{[0-9.]+}}
// TABLE: overflowed params      arg0 {{[0-9]+}}, arg1 {{[0-9]+}}, arg2 {{[0-9]+}}, arg3 {{[0-9]+}}
// NONORM-NOT: mean grad norm
// CHECK: stats ok: {{[1-9][0-9]*}} skipped of {{40|12}}
