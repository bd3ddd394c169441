"""mixprec: compile and run mixed-precision training steps from Python.

numpy in, numpy out:

    import mixprec
    step = mixprec.compile(ir, policy="mixed_bfloat16", loss_scaling="mode=dynamic")
    history = mixprec.train(step, params, batches, steps=100)
    mixprec.plot(history, "train.png")

See docs/python.md. Import from the build tree with
`PYTHONPATH=build/python /usr/bin/python3`.
"""

from .core import (ArgSpec, CompileError, DATA_PARALLEL_MODES,
                   LOSS_SCALING_KEYS, Policy, ResultSpec, Step, compile,
                   from_bfloat16, numpy_dtype, run_pipeline, to_bfloat16,
                   world)
from .training import History, MinScaleError, plot, range_report, train
from . import nn
from . import _mixprec

__all__ = [
    "ArgSpec", "CompileError", "DATA_PARALLEL_MODES", "History",
    "LOSS_SCALING_KEYS", "MinScaleError", "Policy", "ResultSpec", "Step", "compile",
    "from_bfloat16", "nn", "numpy_dtype", "plot", "range_report", "run_pipeline",
    "to_bfloat16", "train", "world",
]
