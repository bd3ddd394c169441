// The installed CMake package, used by a separate project: `cmake --install`
// of this build into a prefix outside the build tree, then
// Inputs/consumer (find_package(MixPrec)) is configured and built against it:
// mini-opt registers only the mixprec passes and the dialects they need;
// capi-client uses the C API (libMixPrecCAPI.so).
//
// UNSUPPORTED: asan
// RUN: bash %S/Inputs/build-consumer.sh %mixprec_obj_root %S/Inputs/consumer %t > %t.log 2>&1 || (cat %t.log; false)
//
// RUN: %t/work/build/mini-opt %s --mp-autocast="policy=mixed_float16" | FileCheck %s --check-prefix=AUTOCAST
// RUN: %t/work/build/mini-opt %s --mp-loss-scaling="mode=static init-scale=128" | FileCheck %s --check-prefix=SCALING
// RUN: %t/work/build/mini-opt %s --consumer-amp | FileCheck %s --check-prefix=CXX
// RUN: %t/work/build/mini-opt --help > %t.help
// RUN: FileCheck %s --check-prefix=HELP --input-file=%t.help
// RUN: not grep -e "--convert-linalg-to-loops" %t.help
//
// The installed tools run (RUNPATH):
// RUN: %t/work/prefix/bin/mp-opt %s --mp-autocast="policy=mixed_float16" | FileCheck %s --check-prefix=AUTOCAST
// RUN: %t/work/prefix/bin/mp-run --help | FileCheck %s --check-prefix=USAGE
//
// libMixPrecCAPI.so links libMLIR.so and defines no upstream MLIR/LLVM
// symbol itself (one copy of MLIR per process):
// RUN: llvm-nm -C -D --defined-only %t/work/prefix/lib/libMixPrecCAPI.so | grep -E " [TDB] (mlir|llvm)::" | not grep -v -e "mlir::mp::"
// RUN: llvm-readelf -d %t/work/prefix/lib/libMixPrecCAPI.so | grep -F "libMLIR.so"
//
// A CPU-only embedder links MixPrecPipelineCPU and gets no GPU code
// generation (MixPrecCodegenGPU) with it:
// RUN: %t/work/build/cpu-pipeline | FileCheck %s --check-prefix=CPUONLY
// RUN: llvm-nm -C %t/work/build/cpu-pipeline > %t.cpu-syms
// RUN: grep -q "mlir::mp::createMPFuseElementwise" %t.cpu-syms
// RUN: not grep -e "MPGPU" -e "mlir::mp::createMPGPU" %t.cpu-syms
// RUN: llvm-nm -C %t/work/prefix/lib/libMixPrecCodegenGPU.a > %t.gpu-syms
// RUN: grep -q "mlir::mp::createMPGPUPredicate" %t.gpu-syms
//
// The C API: errors come back as strings and the program goes on.
// RUN: %t/work/build/capi-client %t/work | FileCheck %s --check-prefix=CAPI

func.func @layer(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %mm : tensor<8x4xf32>
}

func.func @loss(%w: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.mulf %w, %x : tensor<4xf32>
  %e = tensor.empty() : tensor<f32>
  %c0 = arith.constant 0.0 : f32
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%0 : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

func.func @train_step(%w: tensor<4xf32>, %x: tensor<4xf32>)
    -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %lr = arith.constant dense<0.1> : tensor<4xf32>
  %s = arith.mulf %g, %lr : tensor<4xf32>
  %w1 = arith.subf %w, %s : tensor<4xf32>
  return %w1, %l : tensor<4xf32>, tensor<f32>
}

// AUTOCAST-LABEL: func.func @layer(
// AUTOCAST:         mp.cast %{{.+}} : tensor<8x16xf32> to tensor<8x16xf16>
// AUTOCAST:         mp.cast %{{.+}} : tensor<16x4xf32> to tensor<16x4xf16>
// AUTOCAST:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf16>, tensor<16x4xf16>) outs(%{{.+}} : tensor<8x4xf32>)
// AUTOCAST-LABEL: func.func @train_step(
// AUTOCAST-NEXT:    mp.value_and_grad @loss

// SCALING-LABEL: func.func @train_step(
// SCALING-SAME:    -> (tensor<4xf32> {mp.updates = 0 : i64}, tensor<f32>, tensor<i1> {mp.overflow}, tensor<1xi1> {mp.grad_finite = array<i64: 0>})
// SCALING:         mp.value_and_grad @loss(%{{.+}}) scale(%{{.+}})
// SCALING:         mp.unscale
// SCALING:         mp.all_finite
// SCALING:         scf.if

// CXX-LABEL: func.func @layer(
// CXX:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf16>, tensor<16x4xf16>)
// CXX-LABEL: func.func @train_step(
// CXX-SAME:    tensor<i1> {mp.overflow}, tensor<1xi1> {mp.grad_finite = array<i64: 0>})
// CXX:         mp.value_and_grad @loss(%{{.+}}) scale(%{{.+}})
// CXX:         mp.unscale

// HELP: Available Dialects: arith, builtin, func, linalg, math, mp, scf, tensor
// HELP: --mp-autocast
// HELP: --mp-loss-scaling
// HELP: --mp-mixed-precision

// USAGE: USAGE: mp-run

// CPUONLY: llvm.func @scale(
// CPUONLY: llvm.fmul
// CPUONLY: llvm.func @_mlir_ciface_scale(


// CAPI:      == good: success
// CAPI:      linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf16>, tensor<16x4xf16>)
// CAPI:      == unanchored: success
// CAPI:      linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xbf16>, tensor<16x4xbf16>)
// CAPI:      == malformed: failure
// CAPI-NEXT: <input>:1:{{[0-9]+}}: error:
// CAPI:      == unknown-pass: failure
// CAPI-NEXT: error: invalid pass pipeline 'builtin.module(mp-no-such-pass)': {{.*}}'mp-no-such-pass' does not refer to a registered pass or pass pipeline
// CAPI:      == bad-option: failure
// CAPI-NEXT: {{.*}}growth-factor must be finite and > 1
// CAPI:      == bad-policy: failure
// CAPI-NEXT: {{.*}}error:{{.*}}float7
// CAPI:      == deep: failure
// CAPI-NEXT: <input>:1:10031: error: input nested deeper than 10000 levels
// CAPI:      == dialect: mp
// CAPI:      mp.cast %{{.+}} : tensor<2xf32> to tensor<2xbf16>
// CAPI:      == aot: success, library written
// CAPI:      == aot malformed: failure
// CAPI-NEXT: cannot parse the input
// CAPI:      == aot deep: failure
// CAPI-NEXT: cannot parse the input:
// CAPI-NEXT: <input>:1:10031: error: input nested deeper than 10000 levels
// CAPI:      == done
