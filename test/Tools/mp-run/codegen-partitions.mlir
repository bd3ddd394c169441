// LLVM's code generator on several threads (lib/Driver/Codegen.cpp): the
// 222-parameter step of packed-many-args.mlir is large enough to be split.
// On one compile thread it is one partition; on two, the optimized
// functions' two partitions and the glue's, code-generated at once. The
// step function (hundreds of calls with their memref descriptors in one
// long basic block, no loop: every loop nest is outlined) is glue: not
// vectorized, and code-generated at -O0 in its own partition (fast_glue 1,
// partitions 3); with MIXPREC_FAST_GLUE=0 it is optimized as before, gets
// the generic x86 tuning instead (generic_tuned 1) and there is no glue
// partition (partitions 2). The split
// happens after the whole-module optimizer, so the machine code of every
// function is the same and so are the losses, bit for bit, through the
// JIT and the AOT library (which links the same partitions' object files);
// the glue's own code computes no tensor values, so the losses are the
// same bit for bit without fast glue too.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/gen_packed.py 222 > %t/p.mlir
// RUN: env MIXPREC_COMPILE_THREADS=1 mp-run %t/p.mlir --task regress --steps 5 --print-every 0 --report %t/one.json > /dev/null
// RUN: env MIXPREC_COMPILE_THREADS=2 mp-run %t/p.mlir --task regress --steps 5 --print-every 0 --report %t/two.json > /dev/null
// RUN: env MIXPREC_COMPILE_THREADS=2 mp-run %t/p.mlir --task regress --steps 5 --print-every 0 --aot --report %t/aot.json > /dev/null
// RUN: env MIXPREC_COMPILE_THREADS=2 MIXPREC_FAST_GLUE=0 mp-run %t/p.mlir --task regress --steps 5 --print-every 0 --report %t/slow.json > /dev/null
// RUN: %python %S/print_compile_profile.py %t/one.json %t/two.json %t/aot.json %t/slow.json | FileCheck %s --check-prefix=PROFILE
// RUN: %python %S/compare_losses.py %t/one.json %t/two.json 0 | FileCheck %s --check-prefix=SAME
// RUN: %python %S/compare_losses.py %t/one.json %t/aot.json 0 | FileCheck %s --check-prefix=SAME
// RUN: %python %S/compare_losses.py %t/two.json %t/slow.json 0 | FileCheck %s --check-prefix=SAME
//
// A small step stays one partition whatever the thread count.
// RUN: env MIXPREC_COMPILE_THREADS=2 mp-run %mixprec_src/examples/mlp.mlir --steps 1 --print-every 0 --report %t/mlp.json > /dev/null
// RUN: %python %S/print_compile_profile.py %t/mlp.json | FileCheck %s --check-prefix=SMALL

// PROFILE: one.json: partitions 1 threads 1 generic_tuned 0 fast_glue 1
// PROFILE-NEXT: two.json: partitions 3 threads 2 generic_tuned 0 fast_glue 1
// PROFILE-NEXT: aot.json: partitions 3 threads 2 generic_tuned 0 fast_glue 1
// PROFILE-NEXT: slow.json: partitions 2 threads 2 generic_tuned 1 fast_glue 0
// SAME: identical 5
// SMALL: mlp.json: partitions 1 threads 1 generic_tuned 0 fast_glue 0
