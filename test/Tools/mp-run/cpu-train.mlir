// mp-cpu-train (plain C, no LLVM) runs a CPU AOT artifact of mp-run and,
// replaying the inputs mp-run dumped, reproduces its losses exactly (same
// code, same data, same runtime). Aliasing results (unchanged state
// returned as the argument's buffer) must be released exactly once: the
// f16 run with a 2^40 initial scale skips steps, so parameters come back
// unchanged.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --steps 12 \
// RUN:   --print-every 4 --aot --aot-output %t/mlp.so --dump-inputs %t/in > %t/run.log
// RUN: mp-cpu-train %t/mlp.so --inputs %t/in --steps 12 --print-every 4 > %t/train.log
// RUN: FileCheck %s --input-file %t/train.log
// RUN: grep -E '^(step|final loss|initial loss|skipped)' %t/run.log | awk '{print $1,$2,$3,$4,$5,$6,$7,$8}' > %t/a
// RUN: grep -E '^(step|final loss|initial loss|skipped)' %t/train.log | awk '{print $1,$2,$3,$4,$5,$6,$7,$8}' > %t/b
// RUN: diff %t/a %t/b
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 \
// RUN:   --loss-scaling "mode=dynamic init-scale=1099511627776" --steps 6 \
// RUN:   --print-every 1 --aot --aot-output %t/f16.so --dump-inputs %t/in16 > %t/run16.log
// RUN: mp-cpu-train %t/f16.so --inputs %t/in16 --steps 6 --print-every 1 \
// RUN:   --init-scale 1099511627776 > %t/train16.log
// RUN: FileCheck %s --check-prefix=SKIP --input-file %t/train16.log
// RUN: grep -E '^(final loss|skipped)' %t/run16.log > %t/c
// RUN: grep -E '^(final loss|skipped)' %t/train16.log > %t/d
// RUN: diff %t/c %t/d

// CHECK: mp-cpu-train: {{.*}}mlp.so (contractions: {{.+}})
// CHECK: step    12  loss
// CHECK: final loss
// CHECK: peak memory
// SKIP: skipped steps          {{[1-9]}}
