// ptxas (CUDA toolkit) assembles the training-step kernels whose epilogue
// rounds the f32 accumulators to bf16 / f16 with CSE-shared inits unshared
// (to-nvptx-step-rounding-epilogue.mlir): the MLP step under
// mixed_bfloat16 and mixed_float16 for sm_80, with the tensor-core kernels
// and with the FMA kernels (tensor-cores=false).
// REQUIRES: cuda-toolkit

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.bf16.ptx
// RUN: %ptxas -arch=sm_80 %t.bf16.ptx -o %t.bf16.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.f16.ptx
// RUN: %ptxas -arch=sm_80 %t.f16.ptx -o %t.f16.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa tensor-cores=false" | %python %S/extract_ptx.py /dev/stdin - > %t.fma.ptx
// RUN: %ptxas -arch=sm_80 %t.fma.ptx -o %t.fma.cubin
// RUN: FileCheck %s < %t.bf16.ptx
// CHECK-LABEL: .visible .entry train_step_kernel_22(
// CHECK:       cvt.rn.bf16.f32
// CHECK:       st.global.b16
