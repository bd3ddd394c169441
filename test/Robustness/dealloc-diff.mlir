// Deallocation placement and buffer reuse on random training graphs
// (gen_random_graph.py): each graph is trained for 3 steps in fp32, mixed
// bf16 and mixed f16 twice, with every temporary freed at the end of the step
// (early-dealloc=0 reuse-buffers=0) and with mp-dealloc-at-last-use +
// mp-reuse-dead-buffers while the runtime poisons freed buffers with NaN
// (MIXPREC_POISON_FREED=1). Losses and saved parameters must be
// bit-identical (fast-math=0: sequential sums, so buffer aliasing cannot
// change LLVM's vectorization of a reduction). A fast subset; the
// documented run (docs/robustness.md) uses more graphs.
//
// RUN: %python %S/dealloc_diff.py mp-run %t 200000 6 | FileCheck %s
// CHECK: 6 graphs, 18 policy runs, 0 failures
