// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-gpu-mma-contractions{report=true}))' -verify-diagnostics -o /dev/null

// With report=true, mp-gpu-mma-contractions says per contraction which
// kernel it gets: tensor cores with the tiles chosen, or the FMA kernel
// and why (see also gpu-mma-contractions-errors.mlir).

func.func @report(%a: memref<256x512xf16>, %b: memref<512x1024xf16>, %c: memref<256x1024xf32>,
                  %d: memref<70x32xf16>, %e: memref<32x50xf16>, %f: memref<70x50xf32>,
                  %g: memref<64x10xbf16>, %h: memref<10x64xbf16>, %i: memref<64x64xf32>,
                  %af: memref<16x16xf32>, %bf: memref<16x8xf32>, %cf: memref<16x8xf32>,
                  %ah: memref<16x16xf16>, %bh: memref<16x8xf16>, %ch: memref<16x8xf16>,
                  %as: memref<16x16xf16, strided<[20, 1]>>) {
  // 2 x 8 = 16 blocks of 128 x 128 are below 132: TM, then TN halve to 64
  // (64 blocks; tiles do not go below 64).
  // expected-remark @below {{tensor cores: mma.sync m16n8k16 f16, 64x64x32 block tile, 4 warps of 32x32, 2-stage cp.async}}
  linalg.matmul ins(%a, %b : memref<256x512xf16>, memref<512x1024xf16>) outs(%c : memref<256x1024xf32>)
  // expected-remark @below {{FMA kernel: M = 70 is not a multiple of 16}}
  linalg.matmul ins(%d, %e : memref<70x32xf16>, memref<32x50xf16>) outs(%f : memref<70x50xf32>)
  // expected-remark @below {{FMA kernel: K = 10 is not a multiple of 16}}
  linalg.matmul ins(%g, %h : memref<64x10xbf16>, memref<10x64xbf16>) outs(%i : memref<64x64xf32>)
  // expected-remark @below {{FMA kernel: operands are not both f16 or both bf16}}
  linalg.matmul ins(%af, %bf : memref<16x16xf32>, memref<16x8xf32>) outs(%cf : memref<16x8xf32>)
  // expected-remark @below {{FMA kernel: the payload is not an f32 multiply-add of the widened operands}}
  linalg.matmul ins(%ah, %bh : memref<16x16xf16>, memref<16x8xf16>) outs(%ch : memref<16x8xf16>)
  // expected-remark @below {{FMA kernel: input 0 has rows that are not 16-byte aligned}}
  linalg.matmul ins(%as, %bh : memref<16x16xf16, strided<[20, 1]>>, memref<16x8xf16>) outs(%cf : memref<16x8xf32>)
  return
}
