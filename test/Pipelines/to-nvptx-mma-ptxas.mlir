// ptxas (CUDA toolkit) assembles the tensor-core kernels of mp-to-nvptx
// (mma.sync m16n8k16, ldmatrix, cp.async) for the chip they were generated
// for: the MLP step under mixed_float16 and mixed_bfloat16 for sm_80 and
// sm_90, and the contractions of gpu-mma-contractions.mlir (A^T * B,
// A * B^T, batched with an f16 output) with tile-min-size=0.
// REQUIRES: cuda-toolkit

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.f16.sm80.ptx
// RUN: FileCheck %s < %t.f16.sm80.ptx
// RUN: %ptxas -arch=sm_80 %t.f16.sm80.ptx -o %t.f16.sm80.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.f16.sm90.ptx
// RUN: FileCheck %s < %t.f16.sm90.ptx
// RUN: %ptxas -arch=sm_90 %t.f16.sm90.ptx -o %t.f16.sm90.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.bf16.sm80.ptx
// RUN: FileCheck %s < %t.bf16.sm80.ptx
// RUN: %ptxas -arch=sm_80 %t.bf16.sm80.ptx -o %t.bf16.sm80.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.bf16.sm90.ptx
// RUN: FileCheck %s < %t.bf16.sm90.ptx
// RUN: %ptxas -arch=sm_90 %t.bf16.sm90.ptx -o %t.bf16.sm90.cubin
// RUN: mp-opt %S/../Codegen/GPU/gpu-mma-contractions.mlir -split-input-file --mp-to-nvptx="chip=sm_80 format=isa tile-min-size=0" -o %t.small.mlir
// RUN: %python %S/extract_ptx.py %t.small.mlir %t.small
// RUN: for f in %t.small.*.ptx; do %ptxas -arch=sm_80 $f -o $f.cubin || exit 1; done
// format=bin: ptxas inside mp-to-nvptx.
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=bin" | FileCheck %s --check-prefix=BIN

// CHECK: ldmatrix.sync.aligned.m8n8
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.{{b?f16}}.{{b?f16}}.f32
// BIN: gpu.binary @mp_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}bin = "\7FELF
