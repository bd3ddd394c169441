// mp-run trains the MLP example: loss falls in fp32 and in mixed_bfloat16
// with dynamic loss scaling, and the JSON report has the documented shape.
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy float32 --loss-scaling "mode=none" --steps 25 --print-every 5 --report %t.fp32.json | FileCheck %s --check-prefix=FP32
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --loss-scaling "mode=dynamic" --steps 25 --print-every 5 --report %t.bf16.json | FileCheck %s --check-prefix=BF16
// RUN: %python %S/check_report.py %t.fp32.json %t.bf16.json
// A one-step run has no timed step: ms_per_step is NaN, written as null (JSON
// has no NaN; llvm::json would print `nan`).
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 1 --print-every 0 --report %t.one.json > /dev/null
// RUN: %python -c "import json, sys; r = json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit('not JSON: ' + c)); assert r['summary']['ms_per_step'] is None; print('one step: strict JSON')" %t.one.json | FileCheck %s --check-prefix=ONE
// ONE: one step: strict JSON

// FP32: mp-run: {{.*}}mlp.mlir @train_step  policy float32  loss-scaling "mode=none"  JIT
// FP32-NEXT: arg 0: float32[784,256] param
// FP32-NEXT: arg 1: float32[256] param
// FP32-NEXT: arg 2: float32[256,10] param
// FP32-NEXT: arg 3: float32[10] param
// FP32-NEXT: arg 4: float32[64,784] data
// FP32-NEXT: arg 5: float32[64,10] data
// FP32-NEXT: step     1  loss
// FP32: step    25  loss
// FP32: skipped steps          0

// The dynamic mode adds the scale and tracker arguments.
// BF16: arg 6: float32[] loss_scale
// BF16-NEXT: arg 7: int32[] growth_tracker
// BF16: step    25  loss {{.*}} scale      32768  skipped    0
