// A CUDA artifact of a step with 448 arguments (222 parameters, 222
// momentum buffers, x, y, the loss-scale state): built without a GPU
// (--compile-only), it exports the packed entry `_mlir_train_step` and a
// version-2 signature whose `abi packed` line gives the argument and result
// counts mp-cuda-train checks. With a GPU, mp-cuda-train (plain C) trains it
// for 20 steps, loss falling to less than half. (PTX ISA 8.1: the fused
// kernel of the 222 weighted vectors takes 8.9 KB of kernel parameters,
// above the 4 KB that PTX 8.0, the sm_90 default, allows.)
// REQUIRES: cuda-runtime
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/gen_packed.py 222 > %t/p.mlir
// RUN: mp-run %t/p.mlir --target cuda --policy mixed_float16 --task regress --nvptx "chip=sm_90 format=fatbin features=+ptx81" --compile-only --aot-output %t/p.so | FileCheck %s --check-prefix=WROTE
// RUN: llvm-nm -D --defined-only %t/p.so > %t/syms
// RUN: FileCheck %s --check-prefix=SYMS --input-file %t/syms --implicit-check-not=_mlir_ciface
// RUN: %python %S/print_signature.py %t/p.so > %t/sig
// RUN: FileCheck %s --check-prefix=SIG --input-file %t/sig
// RUN: %if cuda-gpu %{ mp-cuda-train %t/p.so --steps 20 --print-every 10 > %t/train.log %}
// RUN: %if cuda-gpu %{ %python %S/losses_fall.py %t/train.log 0.5 | FileCheck %s --check-prefix=FALL %}

// WROTE: mp-run: wrote {{.*}}p.so

// SYMS-DAG: T _mlir_train_step
// SYMS-DAG: R mixprec_step_signature

// SIG:      mixprec-step 2
// SIG-NEXT: entry train_step
// SIG-NEXT: abi packed _mlir_train_step 448 {{4[4-9][0-9]}}
// SIG-NEXT: arg 0 param float32 2 4 4 -
// SIG:      arg 221 param float32 1 4 -
// SIG-NEXT: arg 222 state float32 2 4 4 -
// SIG:      arg 444 data float32 2 8 4 -
// SIG-NEXT: arg 445 data float32 2 8 4 -
// SIG-NEXT: arg 446 loss_scale float32 0 -
// SIG-NEXT: arg 447 growth_tracker int32 0 -
// SIG-NEXT: result 0 update 0 float32 2 4 4
// SIG:      result 443 update 443 float32 1 4
// SIG-NEXT: result 444 loss -1 float32 0

// FALL: falling 20 steps
