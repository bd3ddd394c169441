// RUN: mp-opt %s --mp-strip-contract-attrs -split-input-file | FileCheck %s

// mp-strip-contract-attrs drops every argument and result attribute whose
// name starts with "mp." (mp.updates, mp.loss_scale, mp.growth_tracker,
// mp.hysteresis, mp.overflow, mp.init) from the func.funcs of the module,
// declarations included. Other argument / result attributes
// (bufferization.writable, llvm.noalias, ...), function attributes and
// bodies stay as they are.

// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[W:[a-z0-9]+]]: tensor<4xf32> {bufferization.writable = true},
// CHECK-SAME:    %[[S:[a-z0-9]+]]: tensor<f32>,
// CHECK-SAME:    %[[T:[a-z0-9]+]]: tensor<i32>,
// CHECK-SAME:    %[[H:[a-z0-9]+]]: tensor<i32>,
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<4xf32> {llvm.noalias})
// CHECK-SAME:    -> (tensor<4xf32> {llvm.noundef}, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i1>, tensor<f32>)
// CHECK-SAME:    attributes {llvm.emit_c_interface} {
// CHECK-NEXT:    %[[O:.+]] = arith.constant dense<false> : tensor<i1>
// CHECK-NEXT:    return %[[W]], %[[S]], %[[T]], %[[H]], %[[O]], %[[S]] : tensor<4xf32>, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i1>, tensor<f32>
// CHECK-NEXT:  }
// CHECK-NEXT:  func.func private @decl(tensor<f32>) -> tensor<f32>{{$}}
// CHECK-NOT:   mp.
func.func @step(%w: tensor<4xf32> {mp.init = "glorot", bufferization.writable = true},
                %s: tensor<f32> {mp.loss_scale},
                %t: tensor<i32> {mp.growth_tracker},
                %h: tensor<i32> {mp.hysteresis},
                %x: memref<4xf32> {llvm.noalias})
    -> (tensor<4xf32> {mp.updates = 0, llvm.noundef}, tensor<f32> {mp.loss_scale},
        tensor<i32> {mp.growth_tracker}, tensor<i32> {mp.hysteresis},
        tensor<i1> {mp.overflow}, tensor<f32>)
    attributes {llvm.emit_c_interface} {
  %o = arith.constant dense<false> : tensor<i1>
  return %w, %s, %t, %h, %o, %s : tensor<4xf32>, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i1>, tensor<f32>
}
func.func private @decl(tensor<f32> {mp.loss_scale}) -> (tensor<f32> {mp.loss_scale})

// -----

// Bufferized signatures: the markers on 0-d memrefs go too.

// CHECK-LABEL: func.func @bufferized(
// CHECK-SAME:    %[[S:[a-z0-9]+]]: memref<f32>, %[[W:[a-z0-9]+]]: memref<4xf32> {bufferization.writable = true})
// CHECK-SAME:    -> (memref<f32>, memref<i1>) {
// CHECK-NEXT:    %[[O:.+]] = memref.alloc() : memref<i1>
// CHECK-NEXT:    return %[[S]], %[[O]] : memref<f32>, memref<i1>
func.func @bufferized(%s: memref<f32> {mp.loss_scale}, %w: memref<4xf32> {mp.init = "zeros", bufferization.writable = true})
    -> (memref<f32> {mp.loss_scale}, memref<i1> {mp.overflow}) {
  %o = memref.alloc() : memref<i1>
  return %s, %o : memref<f32>, memref<i1>
}

// -----

// Negative: a function without mp attributes is unchanged.

// CHECK-LABEL: func.func @plain(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<4xf32> {llvm.noalias}, %[[B:[a-z0-9]+]]: memref<4xf32> {bufferization.writable = false})
// CHECK-SAME:    -> (memref<4xf32> {llvm.noundef}) {
// CHECK-NEXT:    memref.copy %[[A]], %[[B]] : memref<4xf32> to memref<4xf32>
// CHECK-NEXT:    return %[[B]] : memref<4xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  func.func private @ext(memref<4xf32> {llvm.noalias}) -> (f32 {llvm.noundef})
func.func @plain(%a: memref<4xf32> {llvm.noalias}, %b: memref<4xf32> {bufferization.writable = false})
    -> (memref<4xf32> {llvm.noundef}) {
  memref.copy %a, %b : memref<4xf32> to memref<4xf32>
  return %b : memref<4xf32>
}
func.func private @ext(memref<4xf32> {llvm.noalias}) -> (f32 {llvm.noundef})

