// Executable check: an MLP forward (16x64 -> 32 relu -> 8, log-sum-exp)
// under mixed_bfloat16 against the same forward in f32 (kept f32 by
// keep-fp32 on its `ref` locations), lowered with mp-lower + mp-to-cpu and
// run with mlir-runner. bf16 has an 8-bit significand (unit roundoff 2^-9):
// with rounded inputs and f32 accumulation the logits must agree within a
// relative error of 1e-2 of max|logits| (the run prints the error; it is
// about 2e-3), and the loss within 1e-2 relative.
//
// RUN: mp-opt %s --mp-autocast="policy=mixed_bfloat16 keep-fp32=^ref$" \
// RUN: | FileCheck %s --check-prefix=IR
// RUN: mp-opt %s --mp-autocast="policy=mixed_bfloat16 keep-fp32=^ref$" \
// RUN:   --mp-lower --mp-to-cpu \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime \
// RUN: | FileCheck %s
// The same with the contractions as plain loops (no runtime library), and
// with the runtime's built-in SGEMM instead of OpenBLAS.
// RUN: mp-opt %s --mp-autocast="policy=mixed_bfloat16 keep-fp32=^ref$" \
// RUN:   --mp-lower --mp-to-cpu=contractions=loops \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils \
// RUN: | FileCheck %s
// RUN: mp-opt %s --mp-autocast="policy=mixed_bfloat16 keep-fp32=^ref$" \
// RUN:   --mp-lower --mp-to-cpu \
// RUN: | env MIXPREC_BLAS=builtin mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime \
// RUN: | FileCheck %s
// Without folding the bf16 rounding of the arguments into the contractions
// (mp-fuse-casts-into-contractions), and with the packed bf16 engine.
// RUN: mp-opt %s --mp-autocast="policy=mixed_bfloat16 keep-fp32=^ref$" \
// RUN:   --mp-lower --mp-to-cpu=fuse-casts=0 \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime \
// RUN: | FileCheck %s
// RUN: mp-opt %s --mp-autocast="policy=mixed_bfloat16 keep-fp32=^ref$" \
// RUN:   --mp-lower --mp-to-cpu \
// RUN: | env MIXPREC_GEMM=bf16emu mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils -shared-libs=%mixprec_cpu_runtime \
// RUN: | FileCheck %s

// IR-LABEL: func.func @forward_mixed(
// IR:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x64xbf16>, tensor<64x32xbf16>)
// IR:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x32xbf16>, tensor<32x8xbf16>)
// IR-LABEL: func.func @forward_ref(
// IR-NOT:     bf16
// IR-LABEL: func.func @main(

// CHECK: logits-ok 1
// CHECK: loss-ok 1
// CHECK: differs 1

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#bias = affine_map<(d0, d1) -> (d1)>
#all = affine_map<(d0, d1) -> ()>

func.func private @printF32(f32)
func.func private @printNewline()

// Deterministic data: t[i, j] = scale * sin(a * i + b * j + c).
func.func @data(%a: f32, %b: f32, %c: f32, %scale: f32, %init: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%init : tensor<?x?xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i32
    %jj = arith.index_cast %j : index to i32
    %fi = arith.sitofp %ii : i32 to f32
    %fj = arith.sitofp %jj : i32 to f32
    %t0 = arith.mulf %a, %fi : f32
    %t1 = arith.mulf %b, %fj : f32
    %t2 = arith.addf %t0, %t1 : f32
    %t3 = arith.addf %t2, %c : f32
    %s = math.sin %t3 : f32
    %v = arith.mulf %s, %scale : f32
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @forward_mixed(%x: tensor<16x64xf32>, %w1: tensor<64x32xf32>, %b1: tensor<32xf32>,
                         %w2: tensor<32x8xf32>) -> (tensor<16x8xf32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<16x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %mm1 = linalg.matmul ins(%x, %w1 : tensor<16x64xf32>, tensor<64x32xf32>) outs(%z1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %bb = linalg.broadcast ins(%b1 : tensor<32xf32>) outs(%e1 : tensor<16x32xf32>) dimensions = [0]
  %a1 = arith.addf %mm1, %bb : tensor<16x32xf32>
  %h = arith.maximumf %a1, %z1 : tensor<16x32xf32>
  %e2 = tensor.empty() : tensor<16x8xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %logits = linalg.matmul ins(%h, %w2 : tensor<16x32xf32>, tensor<32x8xf32>) outs(%z2 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %ex = math.exp %logits : tensor<16x8xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%ex : tensor<16x8xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %loss = math.log %sum : tensor<f32>
  return %logits, %loss : tensor<16x8xf32>, tensor<f32>
}

// The same forward; its contractions carry loc("ref") so keep-fp32 keeps
// them in f32 (everything else follows f32 inputs or is fp32 class).
func.func @forward_ref(%x: tensor<16x64xf32>, %w1: tensor<64x32xf32>, %b1: tensor<32xf32>,
                       %w2: tensor<32x8xf32>) -> (tensor<16x8xf32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<16x32xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %mm1 = linalg.matmul ins(%x, %w1 : tensor<16x64xf32>, tensor<64x32xf32>) outs(%z1 : tensor<16x32xf32>) -> tensor<16x32xf32> loc("ref")
  %bb = linalg.broadcast ins(%b1 : tensor<32xf32>) outs(%e1 : tensor<16x32xf32>) dimensions = [0]
  %a1 = arith.addf %mm1, %bb : tensor<16x32xf32>
  %h = arith.maximumf %a1, %z1 : tensor<16x32xf32>
  %e2 = tensor.empty() : tensor<16x8xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %logits = linalg.matmul ins(%h, %w2 : tensor<16x32xf32>, tensor<32x8xf32>) outs(%z2 : tensor<16x8xf32>) -> tensor<16x8xf32> loc("ref")
  %ex = math.exp %logits : tensor<16x8xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%ex : tensor<16x8xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %loss = math.log %sum : tensor<f32>
  return %logits, %loss : tensor<16x8xf32>, tensor<f32>
}

// max |a - b| / max |b| over all elements.
func.func @relerr(%a: tensor<16x8xf32>, %b: tensor<16x8xf32>) -> f32 {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %r:2 = linalg.generic {indexing_maps = [#id, #id, #all, #all], iterator_types = ["reduction", "reduction"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<16x8xf32>) outs(%z0, %z0 : tensor<f32>, tensor<f32>) {
  ^bb0(%x: f32, %y: f32, %md: f32, %my: f32):
    %d = arith.subf %x, %y : f32
    %ad = math.absf %d : f32
    %ay = math.absf %y : f32
    %m1 = arith.maximumf %md, %ad : f32
    %m2 = arith.maximumf %my, %ay : f32
    linalg.yield %m1, %m2 : f32, f32
  } -> (tensor<f32>, tensor<f32>)
  %md = tensor.extract %r#0[] : tensor<f32>
  %my = tensor.extract %r#1[] : tensor<f32>
  %q = arith.divf %md, %my : f32
  return %q : f32
}

func.func @main() {
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c32 = arith.constant 32 : index
  %c8 = arith.constant 8 : index
  %c1 = arith.constant 1 : index
  %f0 = arith.constant 0.0 : f32
  %a = arith.constant 0.37 : f32
  %b = arith.constant 0.11 : f32
  %b2 = arith.constant 0.23 : f32
  %c = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %ws = arith.constant 0.2 : f32
  %ex = tensor.empty(%c16, %c64) : tensor<?x?xf32>
  %xd = call @data(%a, %b, %f0, %one, %ex) : (f32, f32, f32, f32, tensor<?x?xf32>) -> tensor<?x?xf32>
  %ew1 = tensor.empty(%c64, %c32) : tensor<?x?xf32>
  %w1d = call @data(%b, %a, %c, %ws, %ew1) : (f32, f32, f32, f32, tensor<?x?xf32>) -> tensor<?x?xf32>
  %eb1 = tensor.empty(%c1, %c32) : tensor<?x?xf32>
  %b1d = call @data(%a, %b2, %one, %ws, %eb1) : (f32, f32, f32, f32, tensor<?x?xf32>) -> tensor<?x?xf32>
  %ew2 = tensor.empty(%c32, %c8) : tensor<?x?xf32>
  %w2d = call @data(%b2, %b, %c, %ws, %ew2) : (f32, f32, f32, f32, tensor<?x?xf32>) -> tensor<?x?xf32>
  %x = tensor.cast %xd : tensor<?x?xf32> to tensor<16x64xf32>
  %w1 = tensor.cast %w1d : tensor<?x?xf32> to tensor<64x32xf32>
  %b1s = tensor.cast %b1d : tensor<?x?xf32> to tensor<1x32xf32>
  %b1 = tensor.collapse_shape %b1s [[0, 1]] : tensor<1x32xf32> into tensor<32xf32>
  %w2 = tensor.cast %w2d : tensor<?x?xf32> to tensor<32x8xf32>

  %lm, %sm = call @forward_mixed(%x, %w1, %b1, %w2) : (tensor<16x64xf32>, tensor<64x32xf32>, tensor<32xf32>, tensor<32x8xf32>) -> (tensor<16x8xf32>, tensor<f32>)
  %lr, %sr = call @forward_ref(%x, %w1, %b1, %w2) : (tensor<16x64xf32>, tensor<64x32xf32>, tensor<32xf32>, tensor<32x8xf32>) -> (tensor<16x8xf32>, tensor<f32>)

  %tol = arith.constant 1.0e-2 : f32
  %err = call @relerr(%lm, %lr) : (tensor<16x8xf32>, tensor<16x8xf32>) -> f32
  call @printF32(%err) : (f32) -> ()
  call @printNewline() : () -> ()
  %ok = arith.cmpf olt, %err, %tol : f32
  %oki = arith.extui %ok : i1 to i64
  vector.print str "logits-ok "
  vector.print %oki : i64

  %lmv = tensor.extract %sm[] : tensor<f32>
  %lrv = tensor.extract %sr[] : tensor<f32>
  %d = arith.subf %lmv, %lrv : f32
  %ad = math.absf %d : f32
  %alr = math.absf %lrv : f32
  %lerr = arith.divf %ad, %alr : f32
  call @printF32(%lerr) : (f32) -> ()
  call @printNewline() : () -> ()
  %lok = arith.cmpf olt, %lerr, %tol : f32
  %loki = arith.extui %lok : i1 to i64
  vector.print str "loss-ok "
  vector.print %loki : i64

  // The mixed forward really rounds: the error is not zero.
  %nz = arith.cmpf ogt, %err, %f0 : f32
  %nzi = arith.extui %nz : i1 to i64
  vector.print str "differs "
  vector.print %nzi : i64
  return
}
