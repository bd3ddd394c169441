// Tensor cores in mp-to-nvptx (mp-gpu-mma-contractions): the f16/bf16
// matmuls of the MLP step whose shapes tile (fc1 64x784 * 784x256 and its
// weight gradient x^T * dh, 784x64 * 64x256) become mma.sync m16n8k16
// kernels (ldmatrix fragments, cp.async double buffering) on sm_80 and
// sm_90; fc2 and its gradients (N or K = 10) keep the FMA kernels, and so
// does an odd-shaped matmul. tensor-core-report=true says so per op.
// Format isa: no CUDA toolkit needed (to-nvptx-mma-ptxas.mlir assembles it).

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=PTX,F16,SM80
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=PTX,F16,SM90
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=PTX,BF16,SM80
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefixes=PTX,BF16,SM90
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa tensor-core-report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// sm_75, tensor-cores=false and the fp32 policy: no tensor-core kernel.
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_75 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=NOMMA
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa tensor-cores=false" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=NOMMA
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=float32 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - | FileCheck %s --check-prefix=NOMMA
// The odd-shaped f16 matmul below (70x33 * 33x50) keeps the FMA kernel.
// RUN: mp-opt %s --mp-to-nvptx="chip=sm_90 format=isa tile-min-size=0 tensor-core-report=true" -o %t.odd.mlir 2>&1 | FileCheck %s --check-prefix=ODDREPORT
// RUN: %python %S/extract_ptx.py %t.odd.mlir - | FileCheck %s --check-prefix=ODD

// SM80: .target sm_80
// SM90: .target sm_90
// Two stages of cp.async (16 bytes, L1 bypassed) per K tile.
// PTX: cp.async.cg.shared.global [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], 16;
// PTX: cp.async.commit_group;
// PTX: cp.async.wait_group 1;
// PTX: bar.sync 0;
// PTX: ldmatrix.sync.aligned.m8n8.x4{{(.trans)?}}.shared.b16
// PTX: ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16
// F16: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// BF16: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: cp.async.wait_group 0;

// REPORT-DAG: remark: {{.*}}tensor cores: mma.sync m16n8k16 f16, 64x64x16 block tile, 4 warps of 32x32, 2-stage cp.async
// REPORT-DAG: remark: {{.*}}FMA kernel: N = 10 is not a multiple of 8
// REPORT-DAG: remark: {{.*}}FMA kernel: K = 10 is not a multiple of 16
// REPORT-DAG: remark: {{.*}}tensor cores: mma.sync m16n8k16 f16, 16x64x32 block tile, 2 warps of 16x32, 2-stage cp.async

// NOMMA-NOT: mma.sync
// NOMMA-NOT: ldmatrix
// NOMMA-NOT: cp.async

// ODDREPORT: remark: {{.*}}FMA kernel: M = 70 is not a multiple of 16
// ODD-NOT: mma.sync
// ODD-NOT: ldmatrix
// ODD: fma.rn.f32
// ODD-NOT: mma.sync
// ODD-NOT: ldmatrix
func.func @odd(%a: memref<70x33xf16>, %b: memref<33x50xf16>, %c: memref<70x50xf32>) {
  linalg.matmul ins(%a, %b : memref<70x33xf16>, memref<33x50xf16>) outs(%c : memref<70x50xf32>)
  return
}
