// Test-only: decomposes linalg.softmax into linalg ops (the gradcheck
// lowering has no other way to run it). Used by third-party.mlir through
// transform-preload-library + transform-interpreter. Not a test (lit.cfg
// excludes Inputs/).
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %s = transform.structured.match ops{["linalg.softmax"]} in %root : (!transform.any_op) -> !transform.any_op
    %d = transform.structured.decompose_interface %s : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
