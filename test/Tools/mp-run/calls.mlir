// A model whose three identical layers are calls of one private function
// (Inputs/call-stack.mlir, `no_inline` calls: mp-differentiate builds
// @layer_fwd / @layer_bwd once) through every policy and loss-scaling mode
// of mp-mixed-precision and mp-to-cpu: the layer functions survive to the
// LLVM dialect, once each. mp-run trains it (JIT and --aot) with the same
// losses as the same model with the calls inlined, to rounding: fp32 within
// 1e-6 relative (a few f32 roundings of 2^-24 where a kernel sums in
// another order: 1.5e-7 measured), mixed bf16 within 1e-3 (a quarter of
// one bf16 rounding, 2^-8; identical as measured); the AOT library
// computes the JIT's losses bit for bit; the loss falls.
//
// RUN: sed 's/ {no_inline}//' %S/Inputs/call-stack.mlir > %t.inlined.mlir
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=float32 mode=none' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=mixed_bfloat16 mode=static' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=mixed_bfloat16 mode=dynamic' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=mixed_float16 mode=dynamic hysteresis=2' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=mixed_float16 mode=static' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=bfloat16 mode=none' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=float16 mode=dynamic' | FileCheck %s --check-prefix=MP
// RUN: mp-opt %S/Inputs/call-stack.mlir '--mp-mixed-precision=policy=mixed_bfloat16 mode=dynamic' --mp-to-cpu | FileCheck %s --check-prefix=LLVM
//
// RUN: mp-run %S/Inputs/call-stack.mlir --task regress --steps 20 --print-every 0 --policy float32 --report %t.calls.json > /dev/null
// RUN: mp-run %t.inlined.mlir --task regress --steps 20 --print-every 0 --policy float32 --report %t.inlined.json > /dev/null
// RUN: %python %S/compare_losses.py %t.calls.json %t.inlined.json 1e-6 | FileCheck %s --check-prefix=CLOSE
// RUN: %python %S/losses_fall.py %t.calls.json 0.9
// RUN: mp-run %S/Inputs/call-stack.mlir --task regress --steps 20 --print-every 0 --policy mixed_bfloat16 --report %t.bf.calls.json > /dev/null
// RUN: mp-run %t.inlined.mlir --task regress --steps 20 --print-every 0 --policy mixed_bfloat16 --report %t.bf.inlined.json > /dev/null
// RUN: %python %S/compare_losses.py %t.bf.calls.json %t.bf.inlined.json 1e-3 | FileCheck %s --check-prefix=CLOSE
// RUN: mp-run %S/Inputs/call-stack.mlir --task regress --steps 20 --print-every 0 --policy mixed_bfloat16 --aot --aot-output %t.so --report %t.bf.aot.json > /dev/null
// RUN: %python %S/compare_losses.py %t.bf.aot.json %t.bf.calls.json 0 | FileCheck %s --check-prefix=SAME

// MP-DAG: func.func private @layer_fwd(
// MP-DAG: func.func private @layer_bwd(
// MP-DAG: func.func private @layer_fwd_1(
// MP-DAG: func.func private @layer_bwd_1(
// MP-LABEL: func.func @train_step(
// MP-COUNT-3: call @layer_fwd
// MP-COUNT-3: call @layer_bwd
// MP: return

// LLVM-COUNT-4: llvm.func @layer_{{fwd|bwd}}
// LLVM-NOT: llvm.func @layer_{{fwd|bwd}}
// LLVM: llvm.func @train_step(

// CLOSE: close 20
// SAME: identical 20
