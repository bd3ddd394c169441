// The vectorized elementwise code and reductions of mp-to-cpu (polynomial
// tanh/exp, reassociated float sums: `fast-math`, the default) train the
// transformer block (layer norms, softmax, GELU) like the exact code
// (libm calls, sequential sums): losses agree to 1e-5 relative, fp32 and
// mixed bf16. And the JIT and the AOT library still compute the same
// losses bit for bit.
//
// RUN: mp-run %mixprec_src/examples/transformer_block.mlir --task regress --steps 5 --print-every 0 --policy float32 --report %t.fast.json > /dev/null
// RUN: mp-run %mixprec_src/examples/transformer_block.mlir --task regress --steps 5 --print-every 0 --policy float32 --cpu fast-math=false --report %t.exact.json > /dev/null
// RUN: %python %S/compare_losses.py %t.fast.json %t.exact.json 1e-5 | FileCheck %s --check-prefix=CLOSE
// RUN: mp-run %mixprec_src/examples/transformer_block.mlir --task regress --steps 5 --print-every 0 --policy mixed_bfloat16 --report %t.bf.fast.json > /dev/null
// RUN: mp-run %mixprec_src/examples/transformer_block.mlir --task regress --steps 5 --print-every 0 --policy mixed_bfloat16 --cpu fast-math=false --report %t.bf.exact.json > /dev/null
// RUN: %python %S/compare_losses.py %t.bf.fast.json %t.bf.exact.json 1e-3 | FileCheck %s --check-prefix=CLOSE
// RUN: mp-run %mixprec_src/examples/transformer_block.mlir --task regress --steps 5 --print-every 0 --policy float32 --aot --report %t.aot.json > /dev/null
// RUN: %python %S/compare_losses.py %t.fast.json %t.aot.json 0 | FileCheck %s --check-prefix=SAME

// CLOSE: close 5
// SAME: identical 5
