// RUN: mp-opt %s --mp-emit-packed-interface='entries=step' -split-input-file -verify-diagnostics

// A named entry that the module does not define.

// expected-error @+1 {{mp-emit-packed-interface: no function @step with a body in the module}}
module {
  llvm.func @other() {
    llvm.return
  }
}

// -----

// A named entry without a C interface (mp-emit-c-interface did not run).

// expected-error @+1 {{@step has no C interface @_mlir_ciface_step (run mp-emit-c-interface before the lowering to LLVM)}}
llvm.func @step(%a: !llvm.ptr) {
  llvm.return
}

// -----

// A C interface that takes a scalar by value: not a step of tensors.

// expected-error @+1 {{the C interface of @step takes or returns values other than memref descriptors by pointer}}
llvm.func @step(%x: f32) {
  llvm.return
}
llvm.func @_mlir_ciface_step(%x: f32) {
  llvm.call @step(%x) : (f32) -> ()
  llvm.return
}

// -----

// A scalar result.

// expected-error @+1 {{@step returns something other than memrefs ('f32')}}
llvm.func @step(%a: !llvm.ptr) -> f32 {
  %c = llvm.mlir.constant(1.0 : f32) : f32
  llvm.return %c : f32
}
llvm.func @_mlir_ciface_step(%a: !llvm.ptr) -> f32 {
  %r = llvm.call @step(%a) : (!llvm.ptr) -> f32
  llvm.return %r : f32
}
