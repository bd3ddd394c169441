// The GPU epilogue rounding (to-nvptx-rounding-epilogue.mlir) in the
// training step, not only in the forward: in @train_step CSE merges the
// forward contractions' zero inits with equal fills of the backward, and
// bufferization then gave each contraction a copy of one shared filled f32
// buffer, which the kernels cannot round into a half buffer. mp-to-nvptx
// now runs mp-unshare-inits and mp-sink-inits (as mp-to-cpu does) before
// bufferization: the fc1 kernel of the step (64x784 * 784x256; tensor
// cores on sm_80, the FMA kernel with tensor-cores=false) and the fc2
// kernel (64x256 * 256x10, FMA) convert their f32 accumulators
// (cvt.rn.bf16.f32 / cvt.rn.f16.f32) and store 16-bit values, no 32-bit one; before,
// the fc1 kernel loaded the copied f32 init and stored f32.
// to-nvptx-step-rounding-epilogue-ptxas.mlir assembles the same PTX.
// Format isa: no CUDA toolkit needed.

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=CHECK,MMA-BF16
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=CHECK,MMA-F16
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa tensor-cores=false" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=CHECK,FMA

// The fc1 kernel of the step.
// CHECK-LABEL: .visible .entry train_step_kernel_22(
// MMA-BF16-COUNT-8:  mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// MMA-F16-COUNT-8:   mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// FMA-NOT:           mma.sync
// FMA:               fma.rn.f32
// CHECK-NOT:         st.global.{{b32|f32}}
// MMA-BF16-COUNT-32: cvt.rn.bf16.f32
// MMA-F16-COUNT-32:  cvt.rn.f16.f32
// FMA-COUNT-16:      cvt.rn.bf16.f32
// CHECK-NOT:         st.global.{{b32|f32}}
// CHECK:             st.global.b16
// CHECK-NOT:         st.global.{{b32|f32}}
// CHECK:             ret;

// The fc2 kernel of the step (64x10: the FMA kernel in all three).
// CHECK-LABEL: .visible .entry train_step_kernel_25(
// CHECK-NOT:         mma.sync
// CHECK:             fma.rn.f32
// CHECK-NOT:         st.global.{{b32|f32}}
// CHECK:             cvt.rn.{{bf16|f16}}.f32
// CHECK-NOT:         st.global.{{b32|f32}}
// CHECK:             st.global.b16
// CHECK-NOT:         st.global.{{b32|f32}}
// CHECK:             ret;
