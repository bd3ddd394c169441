// mp-run --target cuda builds a self-contained artifact (the step, its
// kernels embedded, the signature text, needing only our CUDA runtime and
// libc) and, on a machine without an NVIDIA driver or GPU, stops with one
// clear error line and a non-zero exit.
// REQUIRES: cuda-runtime

// RUN: mp-run %mixprec_src/examples/mlp.mlir --target cuda --policy mixed_float16 --compile-only --aot-output %t.so | FileCheck %s --check-prefix=WROTE
// RUN: llvm-readelf --needed-libs %t.so | FileCheck %s --check-prefix=NEEDED
// RUN: llvm-nm -D --defined-only %t.so | FileCheck %s --check-prefix=SYMS --implicit-check-not=_mlir_ciface --implicit-check-not=mixprec_step_call
// RUN: llvm-nm -D --undefined-only %t.so | FileCheck %s --check-prefix=UNDEF

// WROTE: mp-run: wrote {{.*}}.so

// NEEDED: NeededLibraries [
// NEEDED-NEXT: libc.so.6
// NEEDED-NEXT: libmixprec_cuda_runtime.so
// NEEDED-NEXT: ]

// The artifact exports the packed step entry and the signature; the step
// and its C interface are internal (inlined into the entry).
// SYMS-DAG: T _mlir_train_step
// SYMS-DAG: R mixprec_step_signature

// Only the mgpu* runtime and libc: no LLVM, no MLIR runtime libraries.
// UNDEF-NOT: {{ U (_Z|mlir|memref)}}
// UNDEF: U mgpuLaunchKernel
// UNDEF-NOT: mgpuMemcpy
// UNDEF-NOT: {{ U (_Z|mlir|memref)}}

// RUN: not mp-run %mixprec_src/examples/mlp.mlir --target cuda --steps 1 2>&1 | FileCheck %s --check-prefix=NOGPU
// UNSUPPORTED: cuda-gpu
// NOGPU: mp-run: error: --target cuda: no {{(NVIDIA driver on this machine|usable CUDA device)}}
// NOGPU-NOT: error
