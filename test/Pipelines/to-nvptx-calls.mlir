// The call-stacked model (three calls of one layer function, `no_inline`:
// @layer_fwd / @layer_bwd built once by mp-differentiate) through
// mp-mixed-precision and mp-to-nvptx (format=isa: no CUDA toolkit needed):
// the layer functions survive to the host LLVM dialect, once each, and the
// buffers they allocate and receive are device memory (mp-gpu-memory: a
// buffer passed to a host function with a body is not a host buffer), so
// their loops run as kernels. In @train_step every host `free` releases a
// host `malloc` (before, the buffers the layer functions return were taken
// for host buffers: the step freed 8 device buffers with `free` and ran 8
// fewer kernels). Compile-only; no GPU run here.
//
// RUN: mp-opt %S/../Tools/mp-run/Inputs/call-stack.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx mode=dynamic" --mp-to-nvptx="chip=sm_90 format=isa" -o %t.mlir
// RUN: FileCheck %s < %t.mlir
// RUN: %python -c "import re,sys; t=open(sys.argv[1]).read(); b=re.search(r'llvm.func @train_step\(.*?\n  }', t, re.S).group(0); m, f = b.count('llvm.call @malloc'), b.count('llvm.call @free'); print('host malloc', m, 'free', f); assert m == f, (m, f)" %t.mlir | FileCheck %s --check-prefix=HOST

// HOST: host malloc [[N:[0-9]+]] free [[N]]

// CHECK-LABEL: llvm.func @layer_fwd(
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.call @mgpuMemAlloc
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @layer_bwd(
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.call @mgpuMemAlloc
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @train_step(
// CHECK-COUNT-3: llvm.call @layer_fwd
// CHECK-COUNT-3: llvm.call @layer_bwd
