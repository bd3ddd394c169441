"""check_live_at_peak.py MODE ...: tests of benchmarks/memory.py's static
peak simulation (simulate_peak / live_at_peak).

  sim FILE.mlir         print simulate_peak of a bufferized module
  measured MP_OPT STEP.mlir POLICY LS REPORT.json
                        the simulated step peak plus the step's argument
                        bytes must equal mp-run's measured peak_tensor_bytes
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "benchmarks"))
import memory  # noqa: E402


def main():
    if sys.argv[1] == "sim":
        r = memory.simulate_peak(open(sys.argv[2]).read())
        print("step_peak_bytes", r["step_peak_bytes"])
        print("argument_bytes", r["argument_bytes"])
        for b in r["buffers"]:
            print("buffer", b["bytes"], b["type"], b["op"], b["loc"])
        print("smaller_buffer_bytes", r["smaller_buffer_bytes"])
        return
    mp_opt, step, policy, ls, report = sys.argv[2:7]
    r = memory.live_at_peak(mp_opt, step, policy, ls)
    measured = json.load(open(report))["summary"]["peak_tensor_bytes"]
    total = r["step_peak_bytes"] + r["argument_bytes"]
    print("simulated", total, "measured", measured)
    if total != measured:
        sys.exit("check_live_at_peak.py: simulated %d != measured %d"
                 % (total, measured))


main()
