// benchmarks/memory.py's breakdown of what is live at the peak
// (simulate_peak): the step's memref.alloc / memref.dealloc in program
// order, calls followed, the then region of an scf.if only, allocations
// nothing uses left out (LLVM deletes them), each live buffer at the peak
// with its type, first writer and location.
//
// RUN: %python %S/check_live_at_peak.py sim %s | FileCheck %s
//
// On real steps the simulated step peak plus the argument bytes (what
// mp-run holds) is mp-run's measured peak_tensor_bytes, exactly.
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 1 --print-every 0 --batches 1 --policy float32 --loss-scaling mode=none --report %t.fp32.json > /dev/null
// RUN: %python %S/check_live_at_peak.py measured mp-opt %mixprec_src/examples/mlp.mlir float32 mode=none %t.fp32.json | FileCheck %s --check-prefix=MEASURED
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 1 --print-every 0 --batches 1 --policy mixed_bfloat16 --loss-scaling mode=dynamic --report %t.bf16.json > /dev/null
// RUN: %python %S/check_live_at_peak.py measured mp-opt %mixprec_src/examples/mlp.mlir mixed_bfloat16 mode=dynamic %t.bf16.json | FileCheck %s --check-prefix=MEASURED
// MEASURED: simulated [[N:[0-9]+]] measured [[N]]

// @train_step: %a (64 KiB) and %b (128 KiB) live, %b freed, the call
// allocates %t (256 KiB, aligned to 64: aligned_alloc of 256 KiB)
// inside @helper and returns it: peak 320 KiB with %a and %t live;
// the then region's %c (64 KiB) comes after %a is freed; the else
// region's copy (1 MiB) and the unused %dead (4 MiB) do not count.
// Arguments: 16 KiB + 4 bytes.
// CHECK:      step_peak_bytes 327680
// CHECK-NEXT: argument_bytes 16388
// CHECK-NEXT: buffer 262144 256x256xf32 linalg.fill helper.mlir:7
// CHECK-NEXT: buffer 65536 128x256xbf16 linalg.fill a
// CHECK-NEXT: smaller_buffer_bytes 0
func.func private @helper() -> memref<256x256xf32> {
  %z = arith.constant 0.0 : f32
  %t = memref.alloc() {alignment = 64 : i64} : memref<256x256xf32> loc("helper.mlir":7:3)
  linalg.fill ins(%z : f32) outs(%t : memref<256x256xf32>)
  return %t : memref<256x256xf32>
}

func.func @train_step(%arg0: memref<64x64xf32>, %arg1: memref<i32>, %flag: i1) -> memref<256x256xf32> {
  %z = arith.constant 0.0 : bf16
  %zf = arith.constant 0.0 : f32
  %dead = memref.alloc() : memref<1024x1024xf32>
  %a = memref.alloc() : memref<128x256xbf16> loc("a")
  linalg.fill ins(%z : bf16) outs(%a : memref<128x256xbf16>)
  %b = memref.alloc() : memref<256x256xbf16>
  linalg.fill ins(%z : bf16) outs(%b : memref<256x256xbf16>)
  memref.dealloc %b : memref<256x256xbf16>
  %t = call @helper() : () -> memref<256x256xf32>
  memref.dealloc %a : memref<128x256xbf16>
  %r = scf.if %flag -> memref<256x256xf32> {
    %c = memref.alloc() : memref<128x128xf32>
    linalg.fill ins(%zf : f32) outs(%c : memref<128x128xf32>)
    memref.dealloc %c : memref<128x128xf32>
    scf.yield %t : memref<256x256xf32>
  } else {
    %copy = memref.alloc() : memref<512x512xf32>
    memref.copy %t, %copy : memref<256x256xf32> to memref<512x512xf32>
    scf.yield %t : memref<256x256xf32>
  }
  memref.dealloc %dead : memref<1024x1024xf32>
  return %r : memref<256x256xf32>
}
