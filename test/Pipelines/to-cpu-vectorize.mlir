// What mp-to-cpu gives LLVM for elementwise ops and reductions, and what
// LLVM's O3 makes of it on an AVX-512 CPU (the JIT and the AOT library use
// the host's CPU and features the same way).
//
// RUN: mp-opt %s --mp-to-cpu | FileCheck %s --check-prefix=MLIR
// RUN: mp-opt %s --mp-to-cpu | mlir-translate --mlir-to-llvmir | opt -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=icelake-server -S | FileCheck %s --check-prefix=VEC
// RUN: mp-opt %s --mp-to-cpu=fast-math=false | FileCheck %s --check-prefix=EXACT

// GELU: tanh is a polynomial (no libm call), the loop is vectorized.
// MLIR-LABEL: llvm.func @gelu_tanh(
// MLIR-NOT:     llvm.intr.tanh
// MLIR-NOT:     llvm.call @tanhf
// MLIR:         llvm.intr.fma
// MLIR:         llvm.return
// VEC-LABEL: define {{.*}} @gelu_tanh(
// VEC-NOT:     call float @llvm.tanh
// VEC:         load <8 x float>
// VEC:         call <8 x float> @llvm.fma.v8f32
// VEC:         fdiv <8 x float>
// VEC:         store <8 x float>
// VEC-NOT:     @llvm.tanh
// VEC:         ret
// EXACT-LABEL: llvm.func @gelu_tanh(
// EXACT:         llvm.intr.tanh
func.func @gelu_tanh(%u: tensor<512x1024xf32>) -> tensor<512x1024xf32> {
  %k = arith.constant dense<0.7978845608028654> : tensor<512x1024xf32>
  %h = arith.constant dense<0.5> : tensor<512x1024xf32>
  %one = arith.constant dense<1.0> : tensor<512x1024xf32>
  %ku = arith.mulf %u, %k : tensor<512x1024xf32>
  %t = math.tanh %ku : tensor<512x1024xf32>
  %t1 = arith.addf %t, %one : tensor<512x1024xf32>
  %hu = arith.mulf %u, %h : tensor<512x1024xf32>
  %g = arith.mulf %hu, %t1 : tensor<512x1024xf32>
  return %g : tensor<512x1024xf32>
}

// A row sum (layer norm): the accumulating addf is reassociable, so the
// loop-carried sum vectorizes (partial sums in vector lanes).
// MLIR-LABEL: llvm.func @row_sum(
// MLIR:         llvm.fadd {{.+}} {fastmathFlags = #llvm.fastmath<reassoc>} : f32
// VEC-LABEL: define {{.*}} @row_sum(
// VEC:         fadd reassoc <8 x float>
// VEC:         ret
// EXACT-LABEL: llvm.func @row_sum(
// EXACT-NOT:     fastmath
// EXACT:         llvm.return
func.func @row_sum(%x: tensor<512x256xf32>) -> tensor<512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<512xf32>) -> tensor<512xf32>
  %r = linalg.reduce ins(%x : tensor<512x256xf32>) outs(%z : tensor<512xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<512xf32>
}

// The all-finite check of dynamic loss scaling over an unscaled gradient:
// unscale and check are one loop (no unscaled buffer), vectorized: an
// `and` of <8 x i1> lanes (exact, no flag needed), reduced after the loop.
// MLIR-LABEL: llvm.func @all_finite_unscaled(
// MLIR:         llvm.fdiv
// MLIR:         llvm.fmul
// MLIR-NEXT:    llvm.intr.fabs
// MLIR-NEXT:    llvm.fcmp "one"
// MLIR-NEXT:    llvm.and
// VEC-LABEL: define {{.*}} @all_finite_unscaled(
// VEC:         fdiv float 1.000000e+00
// VEC:         phi <8 x i1>
// VEC:         fmul <8 x float>
// VEC:         fcmp one <8 x float>
// VEC:         and <8 x i1>
// VEC-NOT:     fdiv
// VEC:         ret
func.func @all_finite_unscaled(%g: tensor<1024x1024xf32>, %s: tensor<f32>) -> tensor<i1> {
  %one = arith.constant dense<1.0> : tensor<f32>
  %inv = arith.divf %one, %s : tensor<f32>
  %e = tensor.empty() : tensor<1024x1024xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g, %inv : tensor<1024x1024xf32>, tensor<f32>) outs(%e : tensor<1024x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    linalg.yield %0 : f32
  } -> tensor<1024x1024xf32>
  %true = arith.constant true
  %inf = arith.constant 0x7F800000 : f32
  %eb = tensor.empty() : tensor<i1>
  %t = linalg.fill ins(%true : i1) outs(%eb : tensor<i1>) -> tensor<i1>
  %ok = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%u : tensor<1024x1024xf32>) outs(%t : tensor<i1>) {
  ^bb0(%a: f32, %o: i1):
    %0 = math.absf %a : f32
    %1 = arith.cmpf one, %0, %inf : f32
    %2 = arith.andi %1, %o : i1
    linalg.yield %2 : i1
  } -> tensor<i1>
  return %ok : tensor<i1>
}

// f32 -> bf16 rounding (every policy cast of the mixed step): the NaN
// select and the store stay in i16 (mp-integer-half-selects), so the X86
// backend keeps the loop vectorized instead of scalarizing a <8 x bfloat>
// select into one 16-bit store per lane.
// MLIR-LABEL: llvm.func @round_bf16(
// MLIR:         llvm.select %{{.+}}, %{{.+}}, %{{.+}} : i1, i16
// MLIR-NOT:     llvm.bitcast %{{.+}} : i16 to bf16
// MLIR:         llvm.store %{{.+}}, %{{.+}} : i16, !llvm.ptr
// VEC-LABEL: define {{.*}} @round_bf16(
// VEC:         lshr <8 x i32>
// VEC:         select <8 x i1> %{{.+}}, <8 x i16>
// VEC:         store <8 x i16>
// VEC-NOT:     x bfloat>
// VEC:         ret
func.func @round_bf16(%x: tensor<1024x1024xf32>) -> tensor<1024x1024xbf16> {
  %y = arith.truncf %x : tensor<1024x1024xf32> to tensor<1024x1024xbf16>
  return %y : tensor<1024x1024xbf16>
}
