// mp-differentiate on third-party models (../shared/models, README there;
// UNSUPPORTED without the folder, see lit.local.cfg): every public function
// of every model is made trainable (float arguments and float constants as
// params, loss = sum of the float results, SGD) and goes through
// mp-mixed-precision (bf16 and f16, dynamic loss scaling), which runs
// mp-differentiate. Every model must pass; a function mp-make-trainable
// refuses (dynamic shapes) is listed as SKIP.
//
// RUN: %python %S/differentiate_models.py --mp-opt mp-opt --policy mixed_bfloat16 --policy mixed_float16 %models > %t.txt
// RUN: FileCheck %s --input-file=%t.txt
// CHECK-NOT: FAIL
// CHECK: PASS buddy_bert mixed_bfloat16: 1/1 functions
// CHECK-NEXT: PASS buddy_bert mixed_float16: 1/1 functions
// CHECK-NEXT: PASS buddy_lenet_tosa mixed_bfloat16: 1/1 functions
// CHECK-NEXT: PASS buddy_lenet_tosa mixed_float16: 1/1 functions
// CHECK-NEXT: PASS buddy_transformer_sub0 mixed_bfloat16: 1/1 functions
// CHECK-NEXT: PASS buddy_transformer_sub0 mixed_float16: 1/1 functions
