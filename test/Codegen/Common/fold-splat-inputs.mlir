// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-fold-splat-inputs))' -split-input-file | FileCheck %s
// RUN: mp-opt %s --pass-pipeline='builtin.module(func.func(mp-fold-splat-inputs),one-shot-bufferize{bufferize-function-boundaries})' -split-input-file | FileCheck %s --check-prefix=BUF

// An Adam-style update: the bias corrections are runtime scalars splat to
// the parameter's shape. Both splat inputs go; the body reads the scalars
// from above in their places; the other inputs, the maps and the
// init keep their order; the splats, now unused, are erased.

#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @update(
// CHECK-SAME:    %[[M:[a-z0-9_]+]]: tensor<4x8xf32>, %[[V:[a-z0-9_]+]]: tensor<4x8xf32>, %[[C1:[a-z0-9_]+]]: f32, %[[C2:[a-z0-9_]+]]: f32)
// CHECK-NOT:     tensor.splat
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[M]], %[[V]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>) attrs = {mark} {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[MH:.+]] = arith.divf %[[A]], %[[C1]] : f32
// CHECK-NEXT:      %[[VH:.+]] = arith.divf %[[B]], %[[C2]] : f32
// CHECK-NEXT:      %[[S:.+]] = math.sqrt %[[VH]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.divf %[[MH]], %[[S]] : f32
// CHECK-NEXT:      linalg.yield %[[U]] : f32
// CHECK-NEXT:    } -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[R]]

// After bufferization no buffer holds a splat (without the pass each splat
// is a 4x8 alloc filled by a linalg.map).
// BUF-LABEL: func.func @update(
// BUF:         memref.alloc() {{.*}} : memref<4x8xf32>
// BUF-NOT:     memref.alloc
// BUF-NOT:     linalg.map
// BUF:         return
func.func @update(%m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %c1: f32, %c2: f32) -> tensor<4x8xf32> {
  %s1 = tensor.splat %c1 : tensor<4x8xf32>
  %s2 = tensor.splat %c2 : tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %s1, %v, %s2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
      outs(%e : tensor<4x8xf32>) attrs = {mark} {
  ^bb0(%a: f32, %x: f32, %b: f32, %y: f32, %o: f32):
    %mh = arith.divf %a, %x : f32
    %vh = arith.divf %b, %y : f32
    %s = math.sqrt %vh : f32
    %u = arith.divf %mh, %s : f32
    linalg.yield %u : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// A splat read twice by one op and once by another: every read is folded,
// the splat is erased once nothing reads it. A splat used as an init, and
// one with another user (a return), stay.

#id1 = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @shared(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<16xf32>, %[[C:[a-z0-9_]+]]: f32, %[[D:[a-z0-9_]+]]: f32)
// CHECK-NEXT:    %[[SD:.+]] = tensor.splat %[[D]] : tensor<16xf32>
// CHECK-NEXT:    %[[P:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<16xf32>) outs(%[[SD]] : tensor<16xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.+]]: f32, %[[O:.+]]: f32):
// CHECK-NEXT:      %[[T:.+]] = arith.mulf %[[C]], %[[C]] : f32
// CHECK-NEXT:      %[[U:.+]] = arith.addf %[[A]], %[[T]] : f32
// CHECK-NEXT:      %[[W:.+]] = arith.addf %[[U]], %[[O]] : f32
// CHECK-NEXT:      linalg.yield %[[W]] : f32
// CHECK:         %[[Q:.+]] = linalg.generic {{.+}} ins(%[[P]] : tensor<16xf32>) outs(%{{.+}} : tensor<16xf32>) {
// CHECK-NEXT:    ^bb0(%[[A2:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[V:.+]] = arith.subf %[[A2]], %[[C]] : f32
// CHECK:         %[[R:.+]] = linalg.generic {{.+}} ins(%[[Q]] : tensor<16xf32>) outs(%{{.+}} : tensor<16xf32>) {
// CHECK-NEXT:    ^bb0(%[[A3:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %{{.+}} = arith.mulf %[[A3]], %[[D]] : f32
// CHECK:         return %[[R]], %[[SD]]
func.func @shared(%x: tensor<16xf32>, %c: f32, %d: f32) -> (tensor<16xf32>, tensor<16xf32>) {
  %sc = tensor.splat %c : tensor<16xf32>
  %sd = tensor.splat %d : tensor<16xf32>
  %p = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%x, %sc, %sc : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) outs(%sd : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32, %b2: f32, %o: f32):
    %t = arith.mulf %b, %b2 : f32
    %u = arith.addf %a, %t : f32
    %w = arith.addf %u, %o : f32
    linalg.yield %w : f32
  } -> tensor<16xf32>
  %e = tensor.empty() : tensor<16xf32>
  %q = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%p, %sc : tensor<16xf32>, tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.subf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  %e2 = tensor.empty() : tensor<16xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%q, %sd : tensor<16xf32>, tensor<16xf32>) outs(%e2 : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.mulf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  return %r, %sd : tensor<16xf32>, tensor<16xf32>
}

// -----

// A dynamic-shape splat is left as it is.

#id2 = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @dynamic(
// CHECK:         %[[S:.+]] = tensor.splat %{{.+}}[%{{.+}}] : tensor<?xf32>
// CHECK:         linalg.generic {{.+}} ins(%{{.+}}, %[[S]] : tensor<?xf32>, tensor<?xf32>)
func.func @dynamic(%x: tensor<?xf32>, %c: f32, %n: index) -> tensor<?xf32> {
  %s = tensor.splat %c[%n] : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel"]}
      ins(%x, %s : tensor<?xf32>, tensor<?xf32>) outs(%x : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
