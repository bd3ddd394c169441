// Data-parallel training on MPI (docs/design.md §16): `mpiexec -n N mp-run
// FILE --data-parallel`. Every rank starts from the same parameters and
// trains on its own batches; the step averages the gradients (and the
// loss) over the ranks, so the ranks stay bit-identical. Rank 0 prints,
// reports and saves (--save-all-ranks: rank R also to DIR/rank<R>/).
//
// REQUIRES: mpi
// RUN: rm -rf %t && mkdir -p %t
//
// One process (an MPI singleton) and one rank under mpiexec train exactly
// like a run without --data-parallel: same parameters, bit for bit (the
// loss may differ in its last bit: it is all-reduced too).
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 6 --print-every 0 --save %t/ref --report %t/ref.json > /dev/null
// RUN: mp-run %mixprec_src/examples/mlp.mlir --data-parallel --steps 6 --print-every 0 --save %t/one --report %t/one.json | FileCheck %s --check-prefix=ONE
// RUN: %python %S/check_dp.py same-params %t/ref %t/one | FileCheck %s --check-prefix=SAME
// RUN: %python %S/check_dp.py same-losses %t/ref.json %t/one.json 1e-6
// RUN: %python %S/check_dp.py report %t/one.json 1 | FileCheck %s --check-prefix=WS1
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 1 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --steps 6 --print-every 0 --save %t/n1 > /dev/null
// RUN: %python %S/check_dp.py same-params %t/ref %t/n1 | FileCheck %s --check-prefix=SAME
// ONE: JIT  data-parallel 1 rank  compiled in
// ONE: world size             1
// SAME: same-params: 6 arrays bit-identical
// WS1: world_size 1
//
// Two ranks: one progress log and one table (rank 0's), the same
// parameters on both ranks, other losses than one rank (other data).
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 2 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --steps 10 --print-every 5 --save %t/two --save-all-ranks --report %t/two.json > %t/two.log
// RUN: FileCheck %s --check-prefix=TWO --input-file %t/two.log
// RUN: grep -cE '^step +[0-9]+ +loss' %t/two.log | FileCheck %s --check-prefix=COUNT
// RUN: %python %S/check_dp.py same-ranks %t/two | FileCheck %s --check-prefix=RANKS
// RUN: %python %S/check_dp.py report %t/two.json 2 | FileCheck %s --check-prefix=WS2
// RUN: %python %S/check_dp.py other-losses %t/ref.json %t/two.json
// Without --save-all-ranks only rank 0 writes.
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 2 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --steps 2 --print-every 0 --save %t/two0 > /dev/null
// RUN: test -f %t/two0/arg0.npy && not test -e %t/two0/rank1
// TWO: mp-run: {{.*}}mlp.mlir @train_step  policy mixed_bfloat16  loss-scaling "mode=dynamic"  JIT  data-parallel 2 ranks  compiled in
// TWO-NOT: mp-run:
// TWO: step    10  loss
// TWO: world size             2
// TWO-NOT: world size
// COUNT: {{^}}3{{$}}
// RANKS: same-ranks: 6 arrays bit-identical
// WS2: world_size 2
//
// Ahead of time: the artifact links the MPI runtime and libmpich (a step without MPI
// does not) and trains like the JIT; mp-cpu-train runs it under mpiexec
// (the runtime initialises MPI on the first step).
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 2 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --steps 10 --print-every 0 --aot --aot-output %t/dp.so --report %t/aot.json | FileCheck %s --check-prefix=AOT
// RUN: %python %S/check_dp.py same-losses %t/two.json %t/aot.json | FileCheck %s --check-prefix=AOTSAME
// RUN: ldd %t/dp.so | FileCheck %s --check-prefix=LDD
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 1 --print-every 0 --aot --aot-output %t/ref.so > /dev/null
// RUN: ldd %t/ref.so | FileCheck %s --check-prefix=NOMPI
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 2 mp-cpu-train %t/dp.so --steps 3 --print-every 0 | FileCheck %s --check-prefix=CTRAIN
// AOT: AOT  data-parallel 2 ranks
// AOTSAME: same losses 10
// LDD-DAG: libmixprec_cpu_runtime.so
// LDD-DAG: libmixprec_mpi_runtime.so
// LDD-DAG: libmpich.so
// NOMPI-NOT: mpi
// CTRAIN: final loss
// CTRAIN: final loss
//
// --inputs DIR: rank R reads DIR/rank<R>/. A +inf in rank 1's batch only
// makes both ranks skip every step (the scale halves on both), and the
// parameters stay the ones read.
// RUN: %python %S/make_dp_inputs.py %t/in
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 2 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --loss-scaling "mode=dynamic init-scale=1024" --inputs %t/in/inf --steps 3 --print-every 1 --save %t/inf --save-all-ranks | FileCheck %s --check-prefix=INF
// RUN: %python %S/check_dp.py same-ranks %t/inf | FileCheck %s --check-prefix=RANKS
// RUN: %python %S/check_dp.py params-as-inputs %t/inf %t/in/inf | FileCheck %s --check-prefix=KEPT
// RUN: env MIXPREC_NUM_THREADS=2 %mpiexec -n 2 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --loss-scaling "mode=dynamic init-scale=1024" --inputs %t/in/clean --steps 3 --print-every 1 --save %t/clean --save-all-ranks | FileCheck %s --check-prefix=CLEAN
// RUN: %python %S/check_dp.py same-ranks %t/clean | FileCheck %s --check-prefix=RANKS
// INF: step     1  loss {{.*}} scale       1024  skipped    1
// INF: step     2  loss {{.*}} scale        512  skipped    2
// INF: step     3  loss {{.*}} scale        256  skipped    3
// KEPT: params unchanged
// CLEAN: step     3  loss {{.*}} scale       1024  skipped    0
//
// A rank without its input directory ends the whole job with an error.
// RUN: env MIXPREC_NUM_THREADS=2 not %mpiexec -n 2 mp-run %mixprec_src/examples/mlp.mlir --data-parallel --inputs %t/in/norank1 --steps 1 2>&1 | FileCheck %s --check-prefix=NORANK
// NORANK: mp-run: error: rank 1: --data-parallel --inputs {{.*}}norank1: {{.*}}norank1/rank1/ does not exist (rank R reads DIR/rank<R>/)
