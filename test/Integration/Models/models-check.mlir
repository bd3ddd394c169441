// The third-party models of ../shared/models (torch-mlir, TOSA from TFLite,
// IREE, ByteIR, graph-compiler, tpp-mlir frontends; UNSUPPORTED when the
// folder is absent, see lit.local.cfg) each made trainable with
// mp-make-trainable (float arguments as params, or promoted constants where
// there are none; loss=sum, sgd), compiled with mp-mixed-precision (bf16,
// dynamic loss scaling) + mp-to-cpu, and trained 2 steps with mp-run where
// all step inputs are float: the bf16 loss is finite wherever the fp32 loss
// is (scripts/models-check.py; docs/make-trainable.md). Models whose IR
// still lacks an adjoint rule are listed with their first error (any
// result accepted for them here); the others must pass.
//
// RUN: %python %mixprec_src/scripts/models-check.py --models %models --bin %mixprec_obj/bin --steps 2 --json %t.json | FileCheck %s
// RUN: not %python %mixprec_src/scripts/models-check.py --models %t.missing 2>&1 | FileCheck %s --check-prefix=MISSING
//
// CHECK: policy=mixed_bfloat16 mode=dynamic
// CHECK-NEXT: | model | entry | ops | result | compile s | loss | first error |
// CHECK-NEXT: |---|---|---|---|---|---|---|
// CHECK-NEXT: | buddy_bert | forward | {{[0-9]+}} |
// CHECK-NEXT: | buddy_lenet_tosa | forward | {{[0-9]+}} | pass |
// CHECK-NEXT: | buddy_transformer_sub0 | subgraph0 | {{[0-9]+}} | pass |
// CHECK-NEXT: | byteir_resnet18_train_amp | Unknown63 | {{[0-9]+}} | pass |
// CHECK-NEXT: | gc_llama2_block_bf16 | entry | {{[0-9]+}} | pass |
// CHECK-NEXT: | iree_softmax_patterns | softmax_broadcast | {{[0-9]+}} | pass |
// CHECK-NEXT: | nelli_mobilenet_v3_small | forward | {{[0-9]+}} | pass |
// CHECK-NEXT: | nelli_resnet18 | forward | {{[0-9]+}} | pass |
// CHECK-NEXT: | tpp_mha_bert | multi_head_attention | {{[0-9]+}} | pass |
// CHECK-NEXT: | tpp_mlp3 | mlp_3layers | {{[0-9]+}} | pass |
// CHECK-NEXT: | tpp_resnet50v1 | resnet50v1 | {{[0-9]+}} | pass |
// CHECK-NEXT: | tpp_torchdynamo_mlp_bf16 | forward | {{[0-9]+}} | pass |
// CHECK-NEXT: {{1[12]}} of 12 models pass
//
// MISSING: models-check: no models folder
