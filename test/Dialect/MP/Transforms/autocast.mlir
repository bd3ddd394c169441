// mp-autocast: one RUN line per mode / option. The default policy is
// mixed_bfloat16 on cpu with f32 accumulation; every line here keeps the
// f32 result of compute ops (compute-output=f32, see autocast-compute-output.mlir).
//
// RUN: mp-opt --mp-autocast="compute-output=f32" %s | FileCheck %s
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed_float16 target=nvptx" %s 2>/dev/null | FileCheck %s --check-prefix=F16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed target=cpu" %s | FileCheck %s --check-prefix=HALF-CPU
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed target=nvptx" %s 2>/dev/null | FileCheck %s --check-prefix=HALF-GPU
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=float32" %s | FileCheck %s --check-prefix=IDENT
// RUN: mp-opt --mp-autocast="compute-output=f32 accumulate=compute" %s | FileCheck %s --check-prefix=ACC
// RUN: mp-opt --mp-autocast="compute-output=f32 allow=arith.addf deny=linalg.batch_matmul follow=linalg.conv_2d_nhwc_hwcf" %s | FileCheck %s --check-prefix=LISTS
// RUN: mp-opt --mp-autocast="compute-output=f32 keep-fp32=^fc" %s | FileCheck %s --check-prefix=KEEP
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=bfloat16" %s | FileCheck %s --check-prefix=BF16

#mk = affine_map<(d0, d1, d2) -> (d0, d2)>
#kn = affine_map<(d0, d1, d2) -> (d2, d1)>
#mn = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @layer(
// CHECK-SAME:      %[[X:.+]]: tensor<8x16xf32>, %[[W:.+]]: tensor<16x4xf32>, %[[B:.+]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<8x16xf32> to tensor<8x16xbf16>
// CHECK-NEXT:    %[[WH:.+]] = mp.cast %[[W]] : tensor<16x4xf32> to tensor<16x4xbf16>
// CHECK-NEXT:    %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<8x4xf32>
// CHECK-NEXT:    %[[AC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<8x4xf32>)
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[WH]] : tensor<8x16xbf16>, tensor<16x4xbf16>) outs(%[[AC]] : tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT:    %[[A:.+]] = arith.addf %[[MM]], %[[B]] : tensor<8x4xf32>
// CHECK-NEXT:    %[[H:.+]] = arith.maximumf %[[A]], %[[AC]] : tensor<8x4xf32>
// CHECK-NEXT:    return %[[H]] : tensor<8x4xf32>

// F16-LABEL: func.func @layer(
// F16-NEXT:    mp.cast %{{.+}} : tensor<8x16xf32> to tensor<8x16xf16>
// F16-NEXT:    mp.cast %{{.+}} : tensor<16x4xf32> to tensor<16x4xf16>
// F16:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf16>, tensor<16x4xf16>) outs(%{{.+}} : tensor<8x4xf32>) -> tensor<8x4xf32>

// `mixed` means bf16 compute on cpu and f16 on nvptx.
// HALF-CPU-LABEL: func.func @layer(
// HALF-CPU:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xbf16>, tensor<16x4xbf16>) outs(%{{.+}} : tensor<8x4xf32>)
// HALF-GPU-LABEL: func.func @layer(
// HALF-GPU:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf16>, tensor<16x4xf16>) outs(%{{.+}} : tensor<8x4xf32>)

// float32 is the identity.
// IDENT-LABEL: func.func @layer(
// IDENT-NOT:     mp.cast
// IDENT:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf32>, tensor<16x4xf32>)
// IDENT-NOT:     mp.cast
// IDENT:         return

// accumulate=compute: the accumulator (a fill of a constant into
// tensor.empty) is rematerialized in bf16, the result is bf16.
// ACC-LABEL: func.func @layer(
// ACC:         %[[Z:.+]] = arith.constant 0.000000e+00 : bf16
// ACC:         %[[E:.+]] = tensor.empty() : tensor<8x4xbf16>
// ACC:         %[[F:.+]] = linalg.fill ins(%[[Z]] : bf16) outs(%[[E]] : tensor<8x4xbf16>)
// ACC-NEXT:    %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xbf16>, tensor<16x4xbf16>) outs(%[[F]] : tensor<8x4xbf16>) -> tensor<8x4xbf16>
// ACC-NEXT:    %[[W:.+]] = mp.cast %[[MM]] : tensor<8x4xbf16> to tensor<8x4xf32>
// ACC-NEXT:    arith.addf %[[W]], %{{.+}} : tensor<8x4xf32>
// ACC-NOT:     linalg.fill ins(%{{.+}} : f32)
// ACC:         return

// allow=arith.addf: the bias add runs in bf16; relu follows its widest
// (f32) input.
// LISTS-LABEL: func.func @layer(
// LISTS:         %[[MM:.+]] = linalg.matmul
// LISTS-NEXT:    %[[MMH:.+]] = mp.cast %[[MM]] : tensor<8x4xf32> to tensor<8x4xbf16>
// LISTS-NEXT:    %[[A:.+]] = arith.addf %[[MMH]], %{{.+}} : tensor<8x4xbf16>
// LISTS-NEXT:    %[[AW:.+]] = mp.cast %[[A]] : tensor<8x4xbf16> to tensor<8x4xf32>
// LISTS-NEXT:    arith.maximumf %[[AW]], %{{.+}} : tensor<8x4xf32>

// keep-fp32 matches the NameLoc "fc1": the layer stays f32.
// KEEP-LABEL: func.func @layer(
// KEEP-NOT:     mp.cast
// KEEP:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf32>, tensor<16x4xf32>)
// KEEP-NOT:     mp.cast
// KEEP:         return

// bfloat16: f32 params are cast once to bf16; the function is referenced by
// nobody, so its f32 result becomes bf16.
// BF16-LABEL: func.func @layer(
// BF16-SAME:      %[[X:.+]]: tensor<8x16xf32>, %[[W:.+]]: tensor<16x4xf32>, %[[B:.+]]: tensor<8x4xf32>) -> tensor<8x4xbf16>
// BF16-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<8x16xf32> to tensor<8x16xbf16>
// BF16-NEXT:    %[[WH:.+]] = mp.cast %[[W]] : tensor<16x4xf32> to tensor<16x4xbf16>
// BF16-NEXT:    %[[BH:.+]] = mp.cast %[[B]] : tensor<8x4xf32> to tensor<8x4xbf16>
// BF16-NEXT:    %[[BW:.+]] = mp.cast %[[BH]] : tensor<8x4xbf16> to tensor<8x4xf32>
// BF16:         %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[WH]] : tensor<8x16xbf16>, tensor<16x4xbf16>)
// BF16-NEXT:    %[[A:.+]] = arith.addf %[[MM]], %[[BW]] : tensor<8x4xf32>
// BF16-NEXT:    %[[R:.+]] = arith.maximumf %[[A]], %{{.+}} : tensor<8x4xf32>
// BF16-NEXT:    %[[O:.+]] = mp.cast %[[R]] : tensor<8x4xf32> to tensor<8x4xbf16>
// BF16-NEXT:    return %[[O]] : tensor<8x4xbf16>

// A dense layer: compute-class matmul, follow-class bias add and relu.
func.func @layer(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32> loc("fc1")
  %a = arith.addf %mm, %b : tensor<8x4xf32>
  %h = arith.maximumf %a, %acc : tensor<8x4xf32>
  return %h : tensor<8x4xf32>
}

// CHECK-LABEL: func.func @shared(
// CHECK-SAME:      %[[X:.+]]: tensor<4x4xf32>, %[[AC:.+]]: tensor<4x4xf32>)
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<4x4xf32> to tensor<4x4xbf16>
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[XH]] : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%[[AC]] : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT:    return %[[MM]]

// One value read twice by a contraction gets one shared cast.
func.func @shared(%x: tensor<4x4xf32>, %acc: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %mm = linalg.matmul ins(%x, %x : tensor<4x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %mm : tensor<4x4xf32>
}

// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:      %[[A:.+]]: tensor<?x?xf32>, %[[B:.+]]: tensor<?x?xf32>, %[[C:.+]]: tensor<?x?xf32>)
// CHECK-NEXT:    %[[AH:.+]] = mp.cast %[[A]] : tensor<?x?xf32> to tensor<?x?xbf16>
// CHECK-NEXT:    %[[BH:.+]] = mp.cast %[[B]] : tensor<?x?xf32> to tensor<?x?xbf16>
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul ins(%[[AH]], %[[BH]] : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%[[C]] : tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT:    %[[E:.+]] = math.exp %[[MM]] : tensor<?x?xf32>
// CHECK-NEXT:    return %[[E]]

// ACC-LABEL: func.func @dynamic(
// ACC-SAME:      %{{.+}}: tensor<?x?xf32>, %{{.+}}: tensor<?x?xf32>, %[[C:.+]]: tensor<?x?xf32>)
// ACC:         %[[CH:.+]] = mp.cast %[[C]] : tensor<?x?xf32> to tensor<?x?xbf16>
// ACC-NEXT:    %[[MM:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%[[CH]] : tensor<?x?xbf16>) -> tensor<?x?xbf16>
// ACC-NEXT:    %[[W:.+]] = mp.cast %[[MM]] : tensor<?x?xbf16> to tensor<?x?xf32>
// ACC-NEXT:    math.exp %[[W]] : tensor<?x?xf32>

// Dynamic shapes; an fp32-class op (exp) fed from the contraction.
func.func @dynamic(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %mm = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  %e = math.exp %mm : tensor<?x?xf32>
  return %e : tensor<?x?xf32>
}

// CHECK-LABEL: func.func @batch_matmul(
// CHECK-NEXT:    %[[A:.+]] = mp.cast %{{.+}} : tensor<2x8x16xf32> to tensor<2x8x16xbf16>
// CHECK-NEXT:    %[[B:.+]] = mp.cast %{{.+}} : tensor<2x16x4xf32> to tensor<2x16x4xbf16>
// CHECK-NEXT:    linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<2x8x16xbf16>, tensor<2x16x4xbf16>) outs(%{{.+}} : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>

// deny=linalg.batch_matmul: fp32 class.
// LISTS-LABEL: func.func @batch_matmul(
// LISTS-NOT:     mp.cast
// LISTS:         linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<2x8x16xf32>, tensor<2x16x4xf32>)

// IDENT-LABEL: func.func @batch_matmul(
// IDENT-NOT:     mp.cast
// IDENT:         return

func.func @batch_matmul(%a: tensor<2x8x16xf32>, %b: tensor<2x16x4xf32>, %c: tensor<2x8x4xf32>) -> tensor<2x8x4xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x8x16xf32>, tensor<2x16x4xf32>) outs(%c : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  return %r : tensor<2x8x4xf32>
}

// CHECK-LABEL: func.func @conv(
// CHECK-NEXT:    %[[I:.+]] = mp.cast %{{.+}} : tensor<1x8x8x3xf32> to tensor<1x8x8x3xbf16>
// CHECK-NEXT:    %[[F:.+]] = mp.cast %{{.+}} : tensor<3x3x3x4xf32> to tensor<3x3x3x4xbf16>
// CHECK-NEXT:    linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[I]], %[[F]] : tensor<1x8x8x3xbf16>, tensor<3x3x3x4xbf16>) outs(%{{.+}} : tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32>

// follow=linalg.conv_2d_nhwc_hwcf: runs in its (f32) input precision.
// LISTS-LABEL: func.func @conv(
// LISTS-NOT:     mp.cast
// LISTS:         linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>)

func.func @conv(%i: tensor<1x8x8x3xf32>, %f: tensor<3x3x3x4xf32>, %o: tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%i, %f : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>) outs(%o : tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32>
  return %r : tensor<1x6x6x4xf32>
}

// CHECK-LABEL: func.func @fp32_class(
// CHECK-SAME:      %[[H:.+]]: tensor<4x8xbf16>)
// CHECK-NEXT:    %[[W:.+]] = mp.cast %[[H]] : tensor<4x8xbf16> to tensor<4x8xf32>
// CHECK-NEXT:    %[[E:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %[[EX:.+]] = math.exp %[[W]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[LG:.+]] = math.log %[[EX]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[TH:.+]] = math.tanh %[[LG]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[THH:.+]] = mp.cast %[[TH]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:    %[[SM:.+]] = linalg.softmax dimension(1) ins(%[[W]] : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[SMH:.+]] = mp.cast %[[SM]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:    %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[ER:.+]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT:    %[[I:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[ER]] : tensor<4xf32>)
// CHECK-NEXT:    %[[S:.+]] = linalg.reduce ins(%[[W]] : tensor<4x8xf32>) outs(%[[I]] : tensor<4xf32>) dimensions = [1]
// CHECK-NEXT:      (%[[IN:.+]]: f32, %[[INIT:.+]]: f32) {
// CHECK-NEXT:        %[[ADD:.+]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT:        linalg.yield %[[ADD]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:    %[[SH:.+]] = mp.cast %[[S]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT:    return %[[THH]], %[[SMH]], %[[SH]]

// fp32-class ops on half values are widened: exp, log, softmax, a sum
// reduction; tanh (follow) runs in the widest input precision.
func.func @fp32_class(%h: tensor<4x8xbf16>) -> (tensor<4x8xbf16>, tensor<4x8xbf16>, tensor<4xbf16>) {
  %e = tensor.empty() : tensor<4x8xbf16>
  %ex = math.exp %h : tensor<4x8xbf16>
  %lg = math.log %ex : tensor<4x8xbf16>
  %th = math.tanh %lg : tensor<4x8xbf16>
  %sm = linalg.softmax dimension(1) ins(%h : tensor<4x8xbf16>) outs(%e : tensor<4x8xbf16>) -> tensor<4x8xbf16>
  %zero = arith.constant 0.0 : bf16
  %er = tensor.empty() : tensor<4xbf16>
  %init = linalg.fill ins(%zero : bf16) outs(%er : tensor<4xbf16>) -> tensor<4xbf16>
  %sum = linalg.reduce ins(%h : tensor<4x8xbf16>) outs(%init : tensor<4xbf16>) dimensions = [1]
    (%in: bf16, %a: bf16) {
      %s = arith.addf %in, %a : bf16
      linalg.yield %s : bf16
    }
  return %th, %sm, %sum : tensor<4x8xbf16>, tensor<4x8xbf16>, tensor<4xbf16>
}

// CHECK-LABEL: func.func @already_half(
// CHECK-NOT:     mp.cast
// CHECK:         linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%{{.+}} : tensor<4x4xbf16>) -> tensor<4x4xbf16>
// CHECK-NOT:     mp.cast
// CHECK:         return

// An already-half graph gets no new casts.
func.func @already_half(%a: tensor<4x4xbf16>, %b: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  %zero = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<4x4xbf16>
  %acc = linalg.fill ins(%zero : bf16) outs(%e : tensor<4x4xbf16>) -> tensor<4x4xbf16>
  %mm = linalg.matmul ins(%a, %b : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%acc : tensor<4x4xbf16>) -> tensor<4x4xbf16>
  %r = arith.addf %mm, %a : tensor<4x4xbf16>
  return %r : tensor<4x4xbf16>
}

// CHECK-LABEL: func.func @constants(
// CHECK-SAME:      %[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT:    %[[C:.+]] = arith.constant dense<1.101560e+00> : tensor<4xbf16>
// CHECK-NEXT:    %[[M:.+]] = arith.mulf %[[XH]], %[[C]] {mp.precision = bf16} : tensor<4xbf16>
// CHECK-NEXT:    %[[R:.+]] = mp.cast %[[M]] : tensor<4xbf16> to tensor<4xf32>
// CHECK-NEXT:    return %[[R]] : tensor<4xf32>

// Constants are converted at compile time (1.1 -> bf16 1.1015625).
func.func @constants(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<1.1> : tensor<4xf32>
  %r = arith.mulf %x, %c {mp.precision = bf16} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @integers(
// CHECK-SAME:      %[[I:.+]]: tensor<4xi32>, %{{.+}}: index, %[[P:.+]]: tensor<4xi1>, %[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[XH:.+]] = mp.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
// CHECK-NEXT:    %[[S:.+]] = arith.addi %[[I]], %[[I]] : tensor<4xi32>
// CHECK-NEXT:    %[[Y:.+]] = arith.select %[[P]], %[[XH]], %[[XH]] {mp.precision = bf16} : tensor<4xi1>, tensor<4xbf16>
// CHECK-NEXT:    %[[YW:.+]] = mp.cast %[[Y]] : tensor<4xbf16> to tensor<4xf32>
// CHECK-NEXT:    return %[[S]], %[[YW]] : tensor<4xi32>, tensor<4xf32>

// Integer, index and boolean values are never cast.
func.func @integers(%i: tensor<4xi32>, %n: index, %p: tensor<4xi1>, %x: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xf32>) {
  %s = arith.addi %i, %i : tensor<4xi32>
  %y = arith.select %p, %x, %x {mp.precision = bf16} : tensor<4xi1>, tensor<4xf32>
  return %s, %y : tensor<4xi32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @generic_contraction(
// CHECK-SAME:      %[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x4xf32>, %[[C:.+]]: tensor<4x4xf32>)
// CHECK-NEXT:    %[[AH:.+]] = mp.cast %[[A]] : tensor<4x8xf32> to tensor<4x8xbf16>
// CHECK-NEXT:    %[[BH:.+]] = mp.cast %[[B]] : tensor<8x4xf32> to tensor<8x4xbf16>
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {{.*}} ins(%[[AH]], %[[BH]] : tensor<4x8xbf16>, tensor<8x4xbf16>) outs(%[[C]] : tensor<4x4xf32>) {
// CHECK-NEXT:    ^bb0(%[[X:.+]]: bf16, %[[Y:.+]]: bf16, %[[AC:.+]]: f32):
// CHECK-NEXT:      %[[XW:.+]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT:      %[[YW:.+]] = arith.extf %[[Y]] : bf16 to f32
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[XW]], %[[YW]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[AC]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NEXT:    } -> tensor<4x4xf32>
// CHECK-NEXT:    return %[[R]]

// ACC-LABEL: func.func @generic_contraction(
// ACC:         ^bb0(%[[X:.+]]: bf16, %[[Y:.+]]: bf16, %[[AC:.+]]: bf16):
// ACC-NEXT:      %[[XW:.+]] = arith.extf %[[X]] : bf16 to f32
// ACC-NEXT:      %[[YW:.+]] = arith.extf %[[Y]] : bf16 to f32
// ACC-NEXT:      %[[AW:.+]] = arith.extf %[[AC]] : bf16 to f32
// ACC-NEXT:      %[[P:.+]] = arith.mulf %[[XW]], %[[YW]] : f32
// ACC-NEXT:      %[[S:.+]] = arith.addf %[[AW]], %[[P]] : f32
// ACC-NEXT:      %[[T:.+]] = arith.truncf %[[S]] : f32 to bf16
// ACC-NEXT:      linalg.yield %[[T]] : bf16
// ACC-NEXT:    } -> tensor<4x4xbf16>

// IDENT-LABEL: func.func @generic_contraction(
// IDENT-NOT:     mp.cast
// IDENT:         return

// linalg.generic is classified by iterators and body: a contraction is
// compute class (its body keeps f32 arithmetic), an elementwise body is
// follow, an elementwise body with exp is fp32, a sum reduction is fp32.
func.func @generic_contraction(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c : tensor<4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// CHECK-LABEL: func.func @generic_elementwise(
// CHECK-NOT:     mp.cast
// CHECK:         ^bb0(%{{.+}}: bf16, %{{.+}}: bf16):
// CHECK-NOT:     mp.cast
// CHECK:         return

func.func @generic_elementwise(%h: tensor<4x4xbf16>, %o: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x4xbf16>) outs(%o : tensor<4x4xbf16>) {
  ^bb0(%x: bf16, %out: bf16):
    %two = arith.constant 2.0 : bf16
    %m = arith.mulf %x, %two : bf16
    linalg.yield %m : bf16
  } -> tensor<4x4xbf16>
  return %r : tensor<4x4xbf16>
}

// CHECK-LABEL: func.func @generic_exp(
// CHECK-SAME:      %[[H:.+]]: tensor<4x4xbf16>, %[[O:.+]]: tensor<4x4xbf16>)
// CHECK-NEXT:    %[[HW:.+]] = mp.cast %[[H]] : tensor<4x4xbf16> to tensor<4x4xf32>
// CHECK-NEXT:    %[[OW:.+]] = mp.cast %[[O]] : tensor<4x4xbf16> to tensor<4x4xf32>
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {{.*}} ins(%[[HW]] : tensor<4x4xf32>) outs(%[[OW]] : tensor<4x4xf32>) {
// CHECK-NEXT:    ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[E:.+]] = math.exp %[[X]] : f32
// CHECK-NEXT:      linalg.yield %[[E]] : f32
// CHECK-NEXT:    } -> tensor<4x4xf32>
// CHECK-NEXT:    %[[RH:.+]] = mp.cast %[[R]] : tensor<4x4xf32> to tensor<4x4xbf16>
// CHECK-NEXT:    return %[[RH]]

func.func @generic_exp(%h: tensor<4x4xbf16>, %o: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x4xbf16>) outs(%o : tensor<4x4xbf16>) {
  ^bb0(%x: bf16, %out: bf16):
    %e = math.exp %x : bf16
    linalg.yield %e : bf16
  } -> tensor<4x4xbf16>
  return %r : tensor<4x4xbf16>
}

// CHECK-LABEL: func.func @generic_sum(
// CHECK:         linalg.generic {{.*}} ins(%{{.+}} : tensor<4x4xf32>) outs(%{{.+}} : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[X:.+]]: f32, %[[A:.+]]: f32):
// CHECK-NEXT:      arith.addf %[[X]], %[[A]] : f32

func.func @generic_sum(%h: tensor<4x4xbf16>, %o: tensor<4xbf16>) -> tensor<4xbf16> {
  %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%h : tensor<4x4xbf16>) outs(%o : tensor<4xbf16>) {
  ^bb0(%x: bf16, %acc: bf16):
    %s = arith.addf %x, %acc : bf16
    linalg.yield %s : bf16
  } -> tensor<4xbf16>
  return %r : tensor<4xbf16>
}

// mp.precision wins over keep-fp32 (the loc matches ^fc) and the defaults.
// CHECK-LABEL: func.func @precision_attr(
// CHECK-SAME:      %[[A:.+]]: tensor<4x4xf32>, %[[B:.+]]: tensor<4x4xf32>, %[[C:.+]]: tensor<4x4xf32>)
// CHECK-NEXT:    %[[CH:.+]] = mp.cast %[[C]] : tensor<4x4xf32> to tensor<4x4xf16>
// CHECK-NEXT:    %[[MM:.+]] = linalg.matmul {mp.precision = f32} ins(%[[A]], %[[B]] : tensor<4x4xf32>, tensor<4x4xf32>) outs(%[[C]] : tensor<4x4xf32>)
// CHECK-NEXT:    %[[MMH:.+]] = mp.cast %[[MM]] : tensor<4x4xf32> to tensor<4x4xf16>
// CHECK-NEXT:    %[[S:.+]] = arith.addf %[[MMH]], %[[CH]] {mp.precision = f16} : tensor<4x4xf16>
// CHECK-NEXT:    %[[SW:.+]] = mp.cast %[[S]] : tensor<4x4xf16> to tensor<4x4xf32>
// CHECK-NEXT:    return %[[SW]]

// KEEP-LABEL: func.func @precision_attr(
// KEEP:         arith.addf %{{.+}}, %{{.+}} {mp.precision = f16} : tensor<4x4xf16>

// mp.precision wins over every list and over keep-fp32.
func.func @precision_attr(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %mm = linalg.matmul {mp.precision = f32} ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32> loc("fc_forced")
  %s = arith.addf %mm, %c {mp.precision = f16} : tensor<4x4xf32>
  return %s : tensor<4x4xf32>
}

// CHECK-LABEL: func.func @divide(
// CHECK:         %[[S:.+]] = linalg.reduce ins(%{{.+}} : tensor<4x8xf32>)
// CHECK:         %[[SB:.+]] = linalg.broadcast ins(%[[S]] : tensor<4xf32>) outs(%{{.+}} : tensor<4x8xf32>)
// CHECK-NEXT:    %[[N:.+]] = arith.divf %{{.+}}, %[[SB]] : tensor<4x8xf32>

// Division by a reduction (a mean) is fp32 class; by anything else, follow.
func.func @divide(%h: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %zero = arith.constant 0.0 : bf16
  %er = tensor.empty() : tensor<4xbf16>
  %init = linalg.fill ins(%zero : bf16) outs(%er : tensor<4xbf16>) -> tensor<4xbf16>
  %sum = linalg.reduce ins(%h : tensor<4x8xbf16>) outs(%init : tensor<4xbf16>) dimensions = [1]
    (%in: bf16, %a: bf16) {
      %s = arith.addf %in, %a : bf16
      linalg.yield %s : bf16
    }
  %e = tensor.empty() : tensor<4x8xbf16>
  %sb = linalg.broadcast ins(%sum : tensor<4xbf16>) outs(%e : tensor<4x8xbf16>) dimensions = [1]
  %n = arith.divf %h, %sb : tensor<4x8xbf16>
  %q = arith.divf %n, %h : tensor<4x8xbf16>
  return %q : tensor<4x8xbf16>
}
