// The rounding of a contraction's f32 result fused into the GPU kernels'
// epilogue (mp-gpu-mma-contractions, mp-gpu-tile-contractions; exact IR in
// test/Codegen/GPU/gpu-contraction-rounding.mlir), in the PTX of the MLP
// forward (@loss) under mixed_bfloat16 / mixed_float16: the fc1 kernel
// (64x784 * 784x256; the tensor-core kernel on sm_80, the FMA kernel with
// tensor-cores=false) converts its f32 accumulators (cvt.rn.bf16.f32 /
// cvt.rn.f16.f32) and stores 16-bit values (st.global.b16); it stores no
// 32-bit value (no f32 output buffer). The bias + ReLU kernel after it
// loads the 16-bit result. to-nvptx-rounding-epilogue-ptxas.mlir
// assembles these PTX files with ptxas.
// Format isa: no CUDA toolkit needed.

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=MMA,MMA-BF16
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=MMA,MMA-F16
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa tensor-cores=false" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=FMA

// MMA-LABEL: .visible .entry loss_kernel_1(
// MMA-BF16-COUNT-8: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// MMA-F16-COUNT-8:  mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// MMA-NOT:          st.global.{{b32|f32}}
// MMA-BF16-COUNT-32: cvt.rn.bf16.f32
// MMA-F16-COUNT-32:  cvt.rn.f16.f32
// MMA-NOT:          st.global.{{b32|f32}}
// MMA:              st.global.b16
// MMA-NOT:          st.global.{{b32|f32}}
// MMA:              ret;
// MMA-LABEL: .visible .entry loss_kernel_2(
// MMA:              ld.global.{{.*}}b16

// FMA-LABEL: .visible .entry loss_kernel_1(
// FMA-NOT:          mma.sync
// FMA:              fma.rn.f32
// FMA-NOT:          st.global.{{b32|f32}}
// FMA-COUNT-16:     st.global.b16
// FMA-NOT:          st.global.{{b32|f32}}
// FMA:              ret;
