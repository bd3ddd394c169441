// The packed step ABI has no limit on the number of arguments: a generated
// step with 222 parameters and 222 momentum buffers (448 arguments with x,
// y and the dynamic loss-scale state; 444 updated tensors, the loss and
// the loss-scale outputs as results) trains for 20 steps
// through the JIT, the AOT library (--aot), the C API
// (mixprecCompileToSharedLibrary) and mp-cpu-train, loss falling (to less
// than half). The JIT and the AOT library compute the same losses bit for
// bit, and mp-cpu-train replaying the AOT run's inputs reproduces them.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/gen_packed.py 222 > %t/p.mlir
// RUN: mp-run %t/p.mlir --task regress --steps 20 --print-every 10 --report %t/jit.json > %t/jit.log
// RUN: FileCheck %s --check-prefix=JIT --input-file %t/jit.log
// RUN: %python %S/losses_fall.py %t/jit.json 0.5 | FileCheck %s --check-prefix=FALL
// RUN: mp-run %t/p.mlir --task regress --steps 20 --print-every 10 --aot --aot-output %t/p.so --dump-inputs %t/in --report %t/aot.json > %t/aot.log
// RUN: %python %S/compare_losses.py %t/jit.json %t/aot.json 0 | FileCheck %s --check-prefix=SAME
// RUN: mp-cpu-train %t/p.so --inputs %t/in --steps 20 --print-every 10 > %t/train.log
// RUN: FileCheck %s --check-prefix=TRAIN --input-file %t/train.log
// RUN: grep -E '^(step|final loss|initial loss)' %t/aot.log | awk '{print $1,$2,$3,$4}' > %t/a
// RUN: grep -E '^(step|final loss|initial loss)' %t/train.log | awk '{print $1,$2,$3,$4}' > %t/b
// RUN: diff %t/a %t/b
// RUN: llvm-nm -D --defined-only %t/p.so > %t/syms
// RUN: FileCheck %s --check-prefix=SYMS --input-file %t/syms --implicit-check-not=_mlir_ciface
// RUN: %python %S/capi_compile.py %mixprec_obj/lib/libMixPrecCAPI.so %t/p.mlir %t/capi.so "builtin.module(mp-mixed-precision{policy=mixed_bfloat16 target=cpu mode=dynamic})" | FileCheck %s --check-prefix=CAPI
// RUN: mp-cpu-train %t/capi.so --steps 20 --print-every 10 > %t/capi.log
// RUN: %python %S/losses_fall.py %t/capi.log 0.5 | FileCheck %s --check-prefix=FALL

// JIT: arg 0: float32[4,4] param
// JIT: arg 444: float32[8,4] data
// JIT: arg 447: int32[] growth_tracker
// JIT: step    20  loss

// FALL: falling 20 steps
// SAME: identical 20

// TRAIN: mp-cpu-train: {{.*}}p.so
// TRAIN: step    20  loss
// TRAIN: final loss

// The library exports the packed entry and the signature; the step and its
// C interface are internal (inlined into the entry).
// SYMS-DAG: T _mlir_train_step
// SYMS-DAG: R mixprec_step_signature

// CAPI: capi: compiled
