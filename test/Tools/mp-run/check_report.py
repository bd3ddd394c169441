"""Checks mp-run reports: schema, falling loss, bf16 close to fp32."""
import json
import math
import sys

reports = [json.load(open(p)) for p in sys.argv[1:]]
for r in reports:
    assert set(r) == {"config", "steps", "summary"}, r.keys()
    s = r["summary"]
    for key in ("initial_loss", "final_loss", "skipped_steps", "ms_per_step",
                "compile_ms", "peak_rss_bytes", "peak_tensor_bytes"):
        assert key in s, key
    for st in r["steps"]:
        assert set(st) == {"step", "loss", "scale", "overflow", "ms",
                           "thread_cpu_ms"}, st
    assert len(r["steps"]) == r["config"]["steps"]
    assert math.isfinite(s["final_loss"])
    # The synthetic task is learnable: loss falls substantially.
    assert s["final_loss"] < 0.5 * s["initial_loss"], s
fp32, bf16 = reports[0]["summary"], reports[1]["summary"]
# Same init and data: the first loss differs only by bf16 rounding of the
# forward (8-bit mantissa: ~0.4% per rounding, averaged over the batch).
assert abs(bf16["initial_loss"] - fp32["initial_loss"]) < 0.02 * fp32["initial_loss"]
# After 25 steps the curves stay within 10% of each other.
assert abs(bf16["final_loss"] - fp32["final_loss"]) < 0.10 * fp32["final_loss"], (fp32, bf16)
print("reports ok")
