// ptxas (CUDA toolkit) assembles the PTX of the MLP training step for the
// chip it was generated for; format=bin and format=fatbin embed what
// ptxas / fatbinary produce.
// REQUIRES: cuda-toolkit

// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.sm90.ptx
// RUN: %ptxas -arch=sm_90 %t.sm90.ptx -o %t.sm90.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_80 format=isa" | %python %S/extract_ptx.py /dev/stdin - > %t.sm80.ptx
// RUN: %ptxas -arch=sm_80 %t.sm80.ptx -o %t.sm80.cubin
// Shared-memory tiled contractions (edge tiles, batch_matmul) assemble too.
// RUN: mp-opt %S/to-nvptx-tiled-matmul.mlir --mp-to-nvptx="chip=sm_90 format=isa tile-min-size=0" | %python %S/extract_ptx.py /dev/stdin - > %t.tiled90.ptx
// RUN: %ptxas -arch=sm_90 %t.tiled90.ptx -o %t.tiled90.cubin
// RUN: mp-opt %S/to-nvptx-tiled-matmul.mlir --mp-to-nvptx="chip=sm_80 format=isa tile-min-size=0" | %python %S/extract_ptx.py /dev/stdin - > %t.tiled80.ptx
// RUN: %ptxas -arch=sm_80 %t.tiled80.ptx -o %t.tiled80.cubin
// RUN: mp-opt %mixprec_src/examples/mlp.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=bin" | FileCheck %s --check-prefix=BIN
// RUN: mp-opt %mixprec_src/examples/cnn.mlir --mp-mixed-precision="policy=mixed_bfloat16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=fatbin" | FileCheck %s --check-prefix=FATBIN
// RUN: mp-opt %mixprec_src/examples/transformer_block.mlir --mp-mixed-precision="policy=mixed_float16 target=nvptx" --mp-to-nvptx="chip=sm_90 format=fatbin" | FileCheck %s --check-prefix=FATBIN

// BIN: gpu.binary @mp_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}bin = "\7FELF
// FATBIN: gpu.binary @mp_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, properties = {{{.*}}}, "P\EDU\BA
