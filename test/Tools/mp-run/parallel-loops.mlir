// The parallel loop nests through mp-run: a mixed-bf16 training step of
// the MLP example with its big loop nests split over the runtime's pool
// (mp-to-cpu parallel-loops, the default) gives bit-identical parameters
// and losses at 1 and 2 threads (MIXPREC_NUM_THREADS, which the GEMMs use
// too) and without the split (parallel-loops=0). Only parallel loops are
// split, never a reduction, so nothing may change in the last bit.
//
// RUN: env MIXPREC_NUM_THREADS=1 mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --steps 4 --print-every 1 --save %t.t1 > %t.t1.txt
// RUN: env MIXPREC_NUM_THREADS=2 mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --steps 4 --print-every 1 --save %t.t2 > %t.t2.txt
// RUN: env MIXPREC_NUM_THREADS=2 mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --steps 4 --print-every 1 --cpu "parallel-loops=0" --save %t.serial > %t.serial.txt
// RUN: %python -c "import os, sys; a = sys.argv[1]; fs = sorted(os.listdir(a)); assert fs; bad = [(b, f) for b in sys.argv[2:] for f in fs if open(os.path.join(a, f), 'rb').read() != open(os.path.join(b, f), 'rb').read()]; assert not bad, bad; print(len(fs), 'files bit-identical')" %t.t1 %t.t2 %t.serial | FileCheck %s
// RUN: grep '^step' %t.t1.txt | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}' > %t.t1.loss
// RUN: grep '^step' %t.t2.txt | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}' > %t.t2.loss
// RUN: grep '^step' %t.serial.txt | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}' > %t.serial.loss
// RUN: diff %t.t1.loss %t.t2.loss
// RUN: diff %t.t1.loss %t.serial.loss
// RUN: test -s %t.t1.loss
// And the lowered step does split loops: the step's calls of the pool.
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=cpu mode=dynamic" | mp-opt --mp-to-cpu > %t.ll.mlir
// RUN: FileCheck %s --check-prefix=IR < %t.ll.mlir
// CHECK: files bit-identical
// IR: llvm.call @mp_rt_parallel_for(
