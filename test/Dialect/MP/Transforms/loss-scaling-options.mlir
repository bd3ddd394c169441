// Invalid pass options give one clear diagnostic naming the option.
// RUN: not mp-opt %s --mp-loss-scaling="growth-factor=1.0" 2>&1 | FileCheck %s --check-prefix=GROWTH
// RUN: not mp-opt %s --mp-loss-scaling="backoff-factor=1.5" 2>&1 | FileCheck %s --check-prefix=BACKOFF
// RUN: not mp-opt %s --mp-loss-scaling="backoff-factor=0" 2>&1 | FileCheck %s --check-prefix=BACKOFF0
// RUN: not mp-opt %s --mp-loss-scaling="growth-interval=0" 2>&1 | FileCheck %s --check-prefix=INTERVAL
// RUN: not mp-opt %s --mp-loss-scaling="min-scale=8 max-scale=4" 2>&1 | FileCheck %s --check-prefix=MINMAX
// RUN: not mp-opt %s --mp-loss-scaling="clip-norm=-1" 2>&1 | FileCheck %s --check-prefix=CLIP
// RUN: not mp-opt %s --mp-loss-scaling="mode=dynamik" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not mp-opt %s --mp-loss-scaling="init-scale=0" 2>&1 | FileCheck %s --check-prefix=INIT
// RUN: not mp-opt %s --mp-loss-scaling="hysteresis=0" 2>&1 | FileCheck %s --check-prefix=HYST
// RUN: not mp-opt %s --mp-loss-scaling="microbatches=0" 2>&1 | FileCheck %s --check-prefix=MICRO

// GROWTH: error: mp-loss-scaling: growth-factor must be finite and > 1, got 1.0
// The message is the whole output: no module printed after it.
// GROWTH-NOT: builtin.module
// GROWTH-NOT: func.func
// BACKOFF: error: mp-loss-scaling: backoff-factor must be in (0, 1), got 1.5
// BACKOFF0: error: mp-loss-scaling: backoff-factor must be in (0, 1), got 0.0
// INTERVAL: error: mp-loss-scaling: growth-interval must be in [1, 2^31-1], got 0
// MINMAX: error: mp-loss-scaling: min-scale (8.0) must not exceed max-scale (4.0)
// MICRO: error: mp-loss-scaling: microbatches must be in [1, 2^31-1], got 0
// CLIP: error: mp-loss-scaling: clip-norm must be finite and >= 0 (0 disables clipping), got -1.0
// MODE: error: mp-loss-scaling: mode must be one of none, static, dynamic; got 'dynamik'
// INIT: error: mp-loss-scaling: init-scale must be finite and > 0, got 0.0
// HYST: error: mp-loss-scaling: hysteresis must be in [1, 2^31-1], got 0

func.func @f() {
  return
}
