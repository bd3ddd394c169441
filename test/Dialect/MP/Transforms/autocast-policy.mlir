// The policy grammar (docs/design.md §5) through the `policy=` option: every named
// policy, the custom form with its defaulting rules, `half` per target, and
// every malformed form and bad option value.
//
// Named policies.
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=default" %s | FileCheck %s --check-prefix=F32
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=float32" %s | FileCheck %s --check-prefix=F32
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=full" %s | FileCheck %s --check-prefix=F32
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=f32" %s | FileCheck %s --check-prefix=F32
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed" %s | FileCheck %s --check-prefix=MIXBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed target=nvptx" %s | FileCheck %s --check-prefix=MIXF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed_float16" %s | FileCheck %s --check-prefix=MIXF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=mixed_bfloat16" %s | FileCheck %s --check-prefix=MIXBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=float16" %s | FileCheck %s --check-prefix=ALLF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=f16" %s | FileCheck %s --check-prefix=ALLF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=bfloat16" %s | FileCheck %s --check-prefix=ALLBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=bf16" %s | FileCheck %s --check-prefix=ALLBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=half" %s | FileCheck %s --check-prefix=ALLBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=half target=cpu" %s | FileCheck %s --check-prefix=ALLBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=half target=nvptx" %s | FileCheck %s --check-prefix=ALLF16
//
// Custom policies: keys p|params, c|compute, o|output; jmp defaults (param
// f32, compute = param, output = compute); a repeated key: the last wins.
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=params=float32,compute=float16,output=float32" %s | FileCheck %s --check-prefix=MIXF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=p=f32,c=bf16,o=f32" %s | FileCheck %s --check-prefix=MIXBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=c=bf16,o=full" %s | FileCheck %s --check-prefix=MIXBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=compute=half,output=f32 target=nvptx" %s | FileCheck %s --check-prefix=MIXF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=c=f16,c=bf16,o=f32" %s | FileCheck %s --check-prefix=MIXBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=params=bfloat16" %s | FileCheck %s --check-prefix=ALLBF
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=p=f16" %s | FileCheck %s --check-prefix=ALLF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=p=half target=nvptx" %s | FileCheck %s --check-prefix=ALLF16
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=c=bf16" %s | FileCheck %s --check-prefix=BFOUT
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=p=float32,c=bfloat16,o=bfloat16" %s | FileCheck %s --check-prefix=BFOUT
// RUN: mp-opt --mp-autocast="compute-output=f32 policy=p=full" %s | FileCheck %s --check-prefix=F32
//
// Malformed policies and bad option values: a clear error, no crash.
// RUN: not mp-opt --mp-autocast="policy=" %s 2>&1 | FileCheck %s --check-prefix=ERR-EMPTY
// RUN: not mp-opt --mp-autocast="policy=mixed_bf16" %s 2>&1 | FileCheck %s --check-prefix=ERR-NAME
// RUN: not mp-opt --mp-autocast="policy=p=f8" %s 2>&1 | FileCheck %s --check-prefix=ERR-DTYPE
// RUN: not mp-opt --mp-autocast="policy=p=" %s 2>&1 | FileCheck %s --check-prefix=ERR-NODTYPE
// RUN: not mp-opt --mp-autocast="policy=x=f32" %s 2>&1 | FileCheck %s --check-prefix=ERR-KEY
// RUN: not mp-opt --mp-autocast="policy=p=a=b" %s 2>&1 | FileCheck %s --check-prefix=ERR-AEQB
// RUN: not mp-opt --mp-autocast="policy='p=f32, c=bf16'" %s 2>&1 | FileCheck %s --check-prefix=ERR-SPACE
// RUN: not mp-opt --mp-autocast="policy=p=f32," %s 2>&1 | FileCheck %s --check-prefix=ERR-TRAILING
// RUN: not mp-opt --mp-autocast="policy=mixed,c=bf16" %s 2>&1 | FileCheck %s --check-prefix=ERR-MIXEDFORM
// RUN: not mp-opt --mp-autocast="target=x86" %s 2>&1 | FileCheck %s --check-prefix=ERR-TARGET
// RUN: not mp-opt --mp-autocast="accumulate=bf16" %s 2>&1 | FileCheck %s --check-prefix=ERR-ACC
// RUN: not mp-opt --mp-autocast="keep-fp32=(fc" %s 2>&1 | FileCheck %s --check-prefix=ERR-REGEX
// RUN: not mp-opt --mp-autocast="allow=matmul" %s 2>&1 | FileCheck %s --check-prefix=ERR-OPNAME
// RUN: not mp-opt --mp-autocast="allow=linalg.matmul deny=linalg.matmul" %s 2>&1 | FileCheck %s --check-prefix=ERR-TWOLISTS
// RUN: not mp-opt --mp-autocast="report=%t.missing-dir/r.json" %s 2>&1 | FileCheck %s --check-prefix=ERR-REPORT

// A contraction (compute dtype), a follow op on an argument (param dtype)
// and the result types (output dtype; nobody references @p).
func.func @p(%x: tensor<2x2xf32>, %acc: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %mm = linalg.matmul ins(%x, %x : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %n = arith.negf %x : tensor<2x2xf32>
  return %mm, %n : tensor<2x2xf32>, tensor<2x2xf32>
}

// F32-LABEL:  func.func @p(
// F32-SAME:       -> (tensor<2x2xf32>, tensor<2x2xf32>)
// F32-NOT:      mp.cast
// F32:          linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x2xf32>, tensor<2x2xf32>)
// F32-NEXT:     arith.negf %{{.+}} : tensor<2x2xf32>
// F32-NOT:      mp.cast

// MIXBF-LABEL:  func.func @p(
// MIXBF-SAME:       -> (tensor<2x2xf32>, tensor<2x2xf32>)
// MIXBF-NEXT:     %[[XH:.+]] = mp.cast %{{.+}} : tensor<2x2xf32> to tensor<2x2xbf16>
// MIXBF-NEXT:     linalg.matmul ins(%[[XH]], %[[XH]] : tensor<2x2xbf16>, tensor<2x2xbf16>) outs(%{{.+}} : tensor<2x2xf32>)
// MIXBF-NEXT:     arith.negf %{{.+}} : tensor<2x2xf32>
// MIXBF-NEXT:     return

// MIXF16-LABEL:  func.func @p(
// MIXF16-SAME:       -> (tensor<2x2xf32>, tensor<2x2xf32>)
// MIXF16-NEXT:     %[[XH:.+]] = mp.cast %{{.+}} : tensor<2x2xf32> to tensor<2x2xf16>
// MIXF16-NEXT:     linalg.matmul ins(%[[XH]], %[[XH]] : tensor<2x2xf16>, tensor<2x2xf16>) outs(%{{.+}} : tensor<2x2xf32>)
// MIXF16-NEXT:     arith.negf %{{.+}} : tensor<2x2xf32>
// MIXF16-NEXT:     return

// Everything half: params cast once (the accumulator widened back to f32),
// the follow op in half, results in half.
// ALLBF-LABEL:  func.func @p(
// ALLBF-SAME:       %[[X:.+]]: tensor<2x2xf32>, %[[A:.+]]: tensor<2x2xf32>) -> (tensor<2x2xbf16>, tensor<2x2xbf16>)
// ALLBF-NEXT:     %[[XH:.+]] = mp.cast %[[X]] : tensor<2x2xf32> to tensor<2x2xbf16>
// ALLBF-NEXT:     %[[AH:.+]] = mp.cast %[[A]] : tensor<2x2xf32> to tensor<2x2xbf16>
// ALLBF-NEXT:     %[[AW:.+]] = mp.cast %[[AH]] : tensor<2x2xbf16> to tensor<2x2xf32>
// ALLBF-NEXT:     %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[XH]] : tensor<2x2xbf16>, tensor<2x2xbf16>) outs(%[[AW]] : tensor<2x2xf32>)
// ALLBF-NEXT:     %[[MMH:.+]] = mp.cast %[[MM]] : tensor<2x2xf32> to tensor<2x2xbf16>
// ALLBF-NEXT:     %[[N:.+]] = arith.negf %[[XH]] : tensor<2x2xbf16>
// ALLBF-NEXT:     return %[[MMH]], %[[N]] : tensor<2x2xbf16>, tensor<2x2xbf16>

// ALLF16-LABEL:  func.func @p(
// ALLF16-SAME:       -> (tensor<2x2xf16>, tensor<2x2xf16>)
// ALLF16:          linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x2xf16>, tensor<2x2xf16>) outs(%{{.+}} : tensor<2x2xf32>)
// ALLF16-NEXT:     mp.cast %{{.+}} : tensor<2x2xf32> to tensor<2x2xf16>
// ALLF16-NEXT:     arith.negf %{{.+}} : tensor<2x2xf16>

// f32 params, bf16 compute and output.
// BFOUT-LABEL:  func.func @p(
// BFOUT-SAME:       -> (tensor<2x2xbf16>, tensor<2x2xbf16>)
// BFOUT-NEXT:     %[[XH:.+]] = mp.cast %{{.+}} : tensor<2x2xf32> to tensor<2x2xbf16>
// BFOUT-NEXT:     %[[MM:.+]] = linalg.matmul ins(%[[XH]], %[[XH]] : tensor<2x2xbf16>, tensor<2x2xbf16>) outs(%{{.+}} : tensor<2x2xf32>)
// BFOUT-NEXT:     %[[MMH:.+]] = mp.cast %[[MM]] : tensor<2x2xf32> to tensor<2x2xbf16>
// BFOUT-NEXT:     %[[N:.+]] = arith.negf %{{.+}} : tensor<2x2xf32>
// BFOUT-NEXT:     %[[NH:.+]] = mp.cast %[[N]] : tensor<2x2xf32> to tensor<2x2xbf16>
// BFOUT-NEXT:     return %[[MMH]], %[[NH]]

// ERR-EMPTY: error: mp-autocast: empty policy string; accepted: a named policy (default, float32, full, f32, mixed, mixed_float16, mixed_bfloat16, float16, f16, bfloat16, bf16, half) or 'params=<dtype>,compute=<dtype>,output=<dtype>'
// ERR-NAME: error: mp-autocast: unknown policy 'mixed_bf16'; accepted: a named policy (default, float32, full, f32, mixed, mixed_float16, mixed_bfloat16, float16, f16, bfloat16, bf16, half)
// ERR-DTYPE: error: mp-autocast: unknown dtype 'f8' for key 'p' in policy 'p=f8'; accepted dtypes: float32, f32, full, float16, f16, bfloat16, bf16, half
// ERR-NODTYPE: error: mp-autocast: unknown dtype '' for key 'p' in policy 'p='; accepted dtypes:
// ERR-KEY: error: mp-autocast: unknown key 'x' in policy entry 'x=f32'; accepted keys: p, params, c, compute, o, output
// ERR-AEQB: error: mp-autocast: malformed entry 'p=a=b' in policy 'p=a=b'; expected <key>=<dtype> with keys p, params, c, compute, o, output and dtypes float32, f32, full, float16, f16, bfloat16, bf16, half
// ERR-SPACE: error: mp-autocast: whitespace in policy 'p=f32, c=bf16'; policies contain no spaces
// ERR-TRAILING: error: mp-autocast: empty entry in policy 'p=f32,'; expected comma-separated <key>=<dtype>
// ERR-MIXEDFORM: error: mp-autocast: malformed entry 'mixed' in policy 'mixed,c=bf16'; expected <key>=<dtype>
// ERR-TARGET: error: mp-autocast: unknown target 'x86'; accepted: cpu, nvptx
// ERR-ACC: error: mp-autocast: unknown accumulate value 'bf16'; accepted: f32, compute
// ERR-REGEX: error: mp-autocast: invalid keep-fp32 regex '(fc': parentheses not balanced
// ERR-OPNAME: error: mp-autocast: invalid op name 'matmul' in allow; expected <dialect>.<op>, e.g. linalg.matmul
// ERR-TWOLISTS: error: mp-autocast: op 'linalg.matmul' is in both allow and deny; an op may be in one list only
// ERR-REPORT: error: mp-autocast: cannot write report '{{.*}}r.json'
