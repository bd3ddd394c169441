// The AOT shared library and the JIT compute the same step: identical loss
// sequences, bit for bit (same LLVM IR, same optimisation level; -march=native
// on both sides).
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --steps 6 --print-every 0 --report %t.jit.json > /dev/null
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_bfloat16 --steps 6 --print-every 0 --aot --aot-output %t.so --report %t.aot.json | FileCheck %s
// RUN: %python -c "import json,sys; a=[s['loss'] for s in json.load(open(sys.argv[1]))['steps']]; b=[s['loss'] for s in json.load(open(sys.argv[2]))['steps']]; assert a==b, (a,b); print('identical', len(a))" %t.jit.json %t.aot.json | FileCheck %s --check-prefix=SAME
// The artifact depends on libc, libm and the mixprec runtime only.
// RUN: ldd %t.so | FileCheck %s --check-prefix=LDD

// CHECK: AOT
// SAME: identical 6
// LDD-NOT: libMLIR
// LDD-NOT: libLLVM
// LDD-NOT: libstdc++
// LDD: libmixprec_cpu_runtime.so
