// The MLP training step through mp-mixed-precision and mp-to-nvptx
// (format=isa: no CUDA toolkit needed). Checks the PTX of the kernels
// (casts to the compute type, the all-finite check, the guarded SGD update
// computed on the device) and the host code (kernels in one embedded
// module, no device-to-host copy in the step).

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" -o %t.f16.mlir
// RUN: %python %S/extract_ptx.py %t.f16.mlir - | FileCheck %s --check-prefixes=PTX,F16
// RUN: %python %S/extract_ptx.py %t.f16.mlir - | grep -B1 selp.f32 | FileCheck %s --check-prefix=GUARD
// RUN: FileCheck %s --check-prefix=HOST < %t.f16.mlir
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" -o %t.bf16.mlir
// RUN: %python %S/extract_ptx.py %t.bf16.mlir - | FileCheck %s --check-prefixes=PTX,BF16
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=SM80

// PTX: .version 8.0
// PTX: .target sm_90
// SM80: .target sm_80

// Casts to the compute type (activations, weights) and back (matmul
// operands are widened for the f32 accumulation).
// F16-DAG: cvt.rn.f16.f32
// F16-DAG: cvt.f32.f16
// BF16-DAG: cvt.rn.bf16.f32
// BF16-DAG: cvt.f32.bf16

// The all-finite check: |g| != inf, and-reduced.
// PTX: abs.f32 [[ABS:%r[0-9]+]], %r{{[0-9]+}};
// PTX-NEXT: setp.ne.f32 [[FIN:%p[0-9]+]], [[ABS]], %r{{[0-9]+}};
// PTX-NEXT: and.pred %p{{[0-9]+}}, %p{{[0-9]+}}, [[FIN]];

// The guarded update: the finite flag (an i1 in device memory) is loaded
// and tested in a kernel, which selects between the SGD update w - lr * g
// and the old parameter w.
// PTX: ld.global.b8 [[FLAG:%rs[0-9]+]], [%rd{{[0-9]+}}];
// PTX: setp.ne.b16 %p{{[0-9]+}}, %rs{{[0-9]+}}, 0;
// GUARD: sub.rn.f32 [[NEW:%r[0-9]+]], [[OLD:%r[0-9]+]], %r{{[0-9]+}};
// GUARD-NEXT: selp.f32 %r{{[0-9]+}}, [[NEW]], [[OLD]], %p{{[0-9]+}};

// HOST: gpu.binary @mp_kernels
// HOST-NOT: gpu.binary
// HOST: llvm.func @train_step(
// HOST: gpu.launch_func
// HOST-NOT: mgpuMemcpy
// Device temporaries are freed as soon as they die (mp-dealloc-at-last-use),
// between launches, not all after the last one.
// HOST: llvm.call @mgpuMemFree
// HOST-NOT: mgpuMemcpy
// HOST: gpu.launch_func
// HOST-NOT: mgpuMemcpy
// HOST: llvm.call @mgpuStreamSynchronize
// HOST-NOT: mgpuMemcpy
// HOST: llvm.func @_mlir_ciface_train_step(
