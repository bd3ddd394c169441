// The half-output epilogue through the whole pipeline on examples/mlp.mlir:
// with mp-autocast's compute-output=compute (the default) each forward matmul
// accumulates in f32 inside the runtime GEMM and writes its bf16 result
// directly (C kind bf16) into a bf16 buffer (zero-filled in bf16). The
// backward's activation cotangent (dX of the second layer, read only as
// bf16) is written rounded too; the weight gradients stay f32 (C kind f32).
// The first layer's bias add + ReLU is fused into its GEMM call
// (mp_rt_matmul_ep_*, bias kind 3 = f32tobf16, act 1 = ReLU; see
// contractions-epilogue.mlir). With compute-output=f32 the forward results
// are f32 buffers.
//
// RUN: mp-opt --mp-mixed-precision --mp-to-cpu --mlir-print-ir-after=mp-contractions-to-runtime %mixprec_src/examples/mlp.mlir -o /dev/null 2>&1 | FileCheck %s
// RUN: mp-opt --mp-mixed-precision="compute-output=f32" --mp-to-cpu --mlir-print-ir-after=mp-contractions-to-runtime %mixprec_src/examples/mlp.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=F32OUT

// CHECK-LABEL: func.func @train_step(
// CHECK:         %[[VH:.+]] = memref.cast %{{[a-z0-9_]+}} : memref<64x256xbf16> to memref<?x?xbf16, strided<[?, ?], offset: ?>>
// CHECK:         call @mp_rt_matmul_ep_cached_f32tobf16_f32tobf16_bf16(%{{.+}}, %{{.+}}, %[[VH]], %{{.+}}, %c3_i64, %c1_i64)
// CHECK:         call @mp_rt_matmul_cached_bf16_f32tobf16_bf16(
// The backward: the second layer's weight gradient, then its input's
// cotangent (mp-sink-producers moved dX past dW: it is first read after
// dW), then the first layer's weight gradient.
// CHECK:         call @mp_rt_matmul_bf16_bf16_f32(
// CHECK:         call @mp_rt_matmul_cached_bf16_f32tobf16_bf16(
// CHECK:         call @mp_rt_matmul_f32tobf16_bf16_f32(

// F32OUT-LABEL: func.func @train_step(
// F32OUT:         %[[C:.+]] = memref.alloc() {{.*}} : memref<64x256xf32>
// F32OUT:         call @mp_rt_matmul_cached_f32tobf16_f32tobf16_f32(
// F32OUT:         call @mp_rt_matmul_cached_bf16_f32tobf16_f32(
