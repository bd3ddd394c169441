// The JSON report: per function, ops per precision class and dtype, casts
// inserted, constants converted, bytes of params and activations per dtype.
//
// RUN: mp-opt --mp-autocast="report=%t.json" %s -o /dev/null
// RUN: FileCheck %s --input-file=%t.json
// RUN: mp-opt --mp-autocast="policy=bfloat16 report=%t.bf16.json" %s -o /dev/null
// RUN: FileCheck %s --input-file=%t.bf16.json --check-prefix=BF16
// RUN: mp-opt --mp-autocast="compute-output=f32 report=%t.f32out.json" %s -o /dev/null
// RUN: FileCheck %s --input-file=%t.f32out.json --check-prefix=F32OUT

func.func @layer(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32>
  %ex = math.exp %mm : tensor<8x4xf32>
  return %ex : tensor<8x4xf32>
}

func.func private @declaration(tensor<4xf32>) -> tensor<4xf32>

// CHECK:      "policy": {
// CHECK-NEXT:   "param": "f32",
// CHECK-NEXT:   "compute": "bf16",
// CHECK-NEXT:   "output": "f32"
// CHECK-NEXT: },
// CHECK-NEXT: "target": "cpu",
// CHECK-NEXT: "accumulate": "f32",
// CHECK-NEXT: "compute_output": "compute",
// CHECK-NEXT: "functions": [
// CHECK-NEXT:   {
// CHECK-NEXT:     "name": "layer",
// CHECK-NEXT:     "signature_changed": false,
// CHECK-NEXT:     "ops": {
// CHECK-NEXT:       "compute": {
// CHECK-NEXT:         "bf16": 1
// CHECK-NEXT:       },
// CHECK-NEXT:       "follow": {
// CHECK-NEXT:         "f32": 1
// CHECK-NEXT:       },
// CHECK-NEXT:       "fp32": {
// CHECK-NEXT:         "f32": 1
// CHECK-NEXT:       }
// CHECK-NEXT:     },
// The matmul's f32 result is rounded to bf16 (casts 3 and 4: x, w, the
// result, and its widening for the fp32-class exp). Activations: x and w
// in bf16 (256 + 128 bytes) and the rounded result (64); in f32 the fill,
// the matmul result, its widening and the exp (4 x 128).
// CHECK-NEXT:     "casts_inserted": 4,
// CHECK-NEXT:     "constants_converted": 0,
// CHECK-NEXT:     "param_bytes": {
// CHECK-NEXT:       "f32": 768
// CHECK-NEXT:     },
// CHECK-NEXT:     "activation_bytes": {
// CHECK-NEXT:       "bf16": 448,
// CHECK-NEXT:       "f32": 512
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: ],
// CHECK-NEXT: "total": {
// CHECK:        "casts_inserted": 4,

// compute-output=f32: the f32 result feeds exp directly (2 casts).
// F32OUT:       "compute_output": "f32",
// F32OUT:       "name": "layer",
// F32OUT:       "casts_inserted": 2,
// F32OUT:       "activation_bytes": {
// F32OUT-NEXT:    "bf16": 384,
// F32OUT-NEXT:    "f32": 384
// F32OUT-NEXT:  }

// Everything bf16: params are counted in bf16, the matmul result is
// rounded and widened for exp, exp's f32 result is cast to bf16 (5 casts),
// the signature changes.
// BF16:       "name": "layer",
// BF16-NEXT:  "signature_changed": true,
// BF16:       "casts_inserted": 5,
// BF16:       "param_bytes": {
// BF16-NEXT:    "bf16": 384
// BF16-NEXT:  },
// BF16-NEXT:  "activation_bytes": {
// BF16-NEXT:    "bf16": 512,
// BF16-NEXT:    "f32": 512
