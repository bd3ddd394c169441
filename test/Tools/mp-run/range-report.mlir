// mp-run --range-report: the MLP in fp32 on its initial params and first
// batch, per named value (loc("fc1"), loc("fc2")): max |x| and the share of
// nonzero values below 2^-14. With the second layer's weights scaled up
// (make_range_inputs.py) only fc2 exceeds 65504 and is named, with the
// keep-fp32 regex that keeps it in f32; with the synthetic init nothing
// needs it. A layer of tiny values underflows (the scaled-down data below).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/make_range_inputs.py %t/big
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 --inputs %t/big --steps 1 \
// RUN:   --print-every 0 --range-report %t/big.json | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON --input-file %t/big.json
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 1 --print-every 0 --range-report %t/ok.json | FileCheck %s --check-prefix=OK
// RUN: %python -c "import numpy as np; np.save('%t/big/arg4.npy', (np.load('%t/big/arg4.npy') * 1e-7).astype(np.float32))"
// RUN: mp-run %mixprec_src/examples/mlp.mlir --inputs %t/big --steps 1 --print-every 0 --range-report %t/tiny.json | FileCheck %s --check-prefix=TINY
// An inf in the data makes fc1 inf in fp32 already: "not finite in fp32",
// no f16 overflow, and nothing that keep-fp32 could help.
// RUN: %python -c "import numpy as np; a = np.load('%t/big/arg4.npy'); a[0, 0] = np.inf; np.save('%t/big/arg4.npy', a)"
// RUN: mp-run %mixprec_src/examples/mlp.mlir --inputs %t/big --steps 1 --print-every 0 --range-report %t/inf.json | FileCheck %s --check-prefix=INF
// RUN: FileCheck %s --check-prefix=INFJSON --input-file %t/inf.json
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --range-report %t/nodir/r.json 2>&1 | FileCheck %s --check-prefix=PATH

// CHECK: range report: @train_step in fp32, initial params, first batch; loss
// CHECK-NEXT: value max |x| < 2^-14  in f16
// CHECK-NEXT: fc1 {{[0-9.]+}} 0.00%  ok
// CHECK-NEXT: fc2 {{[0-9.]+}}e+05 0.00%  overflows
// CHECK-NEXT: keep-fp32: ^(fc2)$
// JSON: "keep_fp32": "^(fc2)$"
// JSON: "name": "fc1",
// JSON-NEXT: "overflows_f16": false,
// JSON: "name": "fc2",
// JSON-NEXT: "overflows_f16": true,
// OK: fc1 {{.*}}  ok
// OK-NEXT: fc2 {{.*}}  ok
// OK-NEXT: keep-fp32: (none needed)
// TINY: fc1 {{.*}}e-0{{[5-7]}} {{[0-9.]+}}%  underflows
// TINY: keep-fp32: ^(fc1{{.*}})$
// INF: fc1 inf {{[0-9.]+}}%  not finite in fp32
// INFJSON: "finite": false,
// INFJSON-NEXT: "max_abs": null,
// INFJSON-NEXT: "name": "fc1",
// INFJSON-NEXT: "overflows_f16": false,
// PATH: mp-run: error: cannot write {{.*}}nodir/r.json: directory {{.*}}nodir does not exist
