// Differential testing on random training graphs (gen_random_graph.py): a
// fast subset of the documented 500-graph run (docs/robustness.md). For each
// graph: mp-mixed-precision never crashes (mp-opt, verifier after every
// pass), the compiled bf16 and f16 mixed steps agree with the fp32 step
// within the dtype's tolerance, and the gradients agree with central finite
// differences in f64. difftest.py exits 1 on any failure.
//
// REQUIRES: python-package
// UNSUPPORTED: asan
// RUN: env PYTHONPATH=%mixprec_obj/python PYTHONDONTWRITEBYTECODE=1 \
// RUN:   %python %mixprec_src/scripts/difftest.py 10 --start 100000 \
// RUN:   --mp-opt mp-opt --keep %t.failures | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: graphs 10,
// CHECK: crashes 0, mismatches 0, compile errors 0
// CHECK: RESULT: PASS
//
// The checker itself must fail on a wrong gradient (it is not vacuous): with
// --inject-error the mixed-precision gradients are perturbed by 10 tol.
// RUN: env PYTHONPATH=%mixprec_obj/python PYTHONDONTWRITEBYTECODE=1 \
// RUN:   not %python %mixprec_src/scripts/difftest.py 1 --start 100000 \
// RUN:   --mp-opt mp-opt --inject-error --keep %t.injected \
// RUN:   | FileCheck %s --check-prefix=INJECT
// INJECT: FAIL seed 100000: mixed vs fp32
// INJECT: RESULT: FAIL
