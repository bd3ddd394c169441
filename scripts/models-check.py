#!/usr/bin/env python3
"""Runs every model of a folder of third-party MLIR (default ../shared/models)
through mp-make-trainable -> mp-mixed-precision -> mp-to-cpu and prints a
table: model, entry function, ops, the first stage that failed (or pass),
compile seconds and the first error line.

    scripts/models-check.py [--models DIR] [--bin build/bin]
        [--policy mixed_bfloat16] [--mode dynamic] [--timeout 600]
        [--only NAME,...] [--steps N] [--json FILE]

Each model is made trainable with loss=sum optimizer=sgd: its float
arguments are the params, or, when it has none, its float tensor constants
(params=constants). The entry is the public function with a body that has
the most ops. With --steps N > 0, a model whose step arguments are all float
is also trained N steps with mp-run (synthetic data) and the final loss is
reported; a non-finite loss is re-run in fp32 and counts as a failure only
where the fp32 loss is finite. Under an f16 policy such a failure is then
diagnosed with mp-run --range-report (fp32) on a copy of the training graph
whose unnamed ops are named L<n> after their line n in the model: where
values exceed f16's 65504 the row says "fail in f16 range" and names the
first and the largest (JSON: "range"), unless training again with the
report's keep-fp32 regex (those values in f32, as a user would after
--range-report) gives a finite loss: then the row is "pass with the range
report's keep-fp32 (N values)" (JSON: "keep_fp32"). Exit status: 0 when the table was printed (failures of models are
rows, not errors), 2 when the folder is missing, 1 on bad usage.

The models are data, not part of the project: they are read where they are
and never copied into the tree.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

OP_LINE = re.compile(r'^\s*(?:%[^=]+=\s*)?"?[a-z_][a-z0-9_]*\.[a-z0-9_.]+"?[\s({<]')
FUNC = re.compile(r'^\s*func\.func\s+(public\s+|private\s+)?@([\w.$-]+)\s*\((.*)')


def functions(text):
    """[(name, visibility, n_ops, arg_text)] of the func.funcs with a body."""
    out, cur = [], None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = FUNC.match(line)
        if m:
            if cur:
                out.append(cur)
            cur = None
            # A signature over several lines: join until its '{' (a body)
            # or a line that does not continue it (a declaration).
            sig = line.rstrip()
            while (not sig.endswith("{") and i < len(lines) and
                   (sig.endswith(("(", ",", "->")) or
                    lines[i].lstrip().startswith(("%", ")", "->", "attributes")))):
                sig += " " + lines[i].strip()
                i += 1
            if sig.endswith("{"):
                m = FUNC.match(sig)
                cur = [m.group(2), (m.group(1) or "public").strip(), 0, m.group(3)]
            continue
        if cur and OP_LINE.match(line):
            cur[2] += 1
    if cur:
        out.append(cur)
    return [tuple(f) for f in out]


def has_float_args(arg_text):
    sig = arg_text.split("->")[0]
    return re.search(r"tensor<[0-9x?]*(f16|bf16|f32|f64)>", sig) is not None


def first_error(stderr):
    for line in stderr.splitlines():
        if "error:" in line:
            line = line.split("error:", 1)[1].strip()
            return line[:150]
    lines = [l for l in stderr.splitlines() if l.strip()]
    return (lines[-1][:150] if lines else "")


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", f"error: timed out after {timeout} s"
    except OSError as e:
        return 126, "", f"error: cannot run {cmd[0]}: {e.strerror}"


# A location alias of the printed IR: #locN = loc("FILE":LINE:COL).
LOC_ALIAS = re.compile(r'^(#loc\d*) = loc\(("(?:[^"\\]|\\.)*"):(\d+):(\d+)\)$', re.M)


def f16_range(trainable, args):
    """The values of `trainable` (IR printed with its locations) whose fp32
    max |x| on the initial params and first batch is finite and exceeds
    f16's 65504, in program order ([{"name", "max_abs"}]; one infinite in
    fp32 as well, such as a max pooling's -inf init, is no f16 overflow),
    and how many values were probed; None when the probe did not run. The probe
    (mp-run --range-report) reports ops with a NameLoc: ops without one are
    named L<line> after their line in the model on a copy."""
    text = open(trainable, encoding="utf-8").read()
    named = trainable + ".named.mlir"
    report = trainable + ".range.json"
    with open(named, "w", encoding="utf-8") as fh:
        fh.write(LOC_ALIAS.sub(
            lambda m: f'{m.group(1)} = loc("L{m.group(3)}"({m.group(2)}:'
                      f'{m.group(3)}:{m.group(4)}))', text))
    rc, _, _ = run([os.path.join(args.bin, "mp-run"), named, "--policy",
                    "float32", "--loss-scaling", "mode=none", "--steps", "0",
                    "--print-every", "0", "--task", "regress",
                    "--range-report", report], args.timeout)
    if rc != 0 or not os.path.exists(report):
        return None
    data = json.load(open(report, encoding="utf-8"))
    values = data["values"]
    return ([{"name": v["name"], "max_abs": v["max_abs"]} for v in values
             if v["overflows_f16"] and v["max_abs"] is not None], len(values),
            data["keep_fp32"])


def range_guided(trainable, args, regex):
    """Trains the named copy of `trainable` (made by f16_range) with the
    range report's keep-fp32 regex: the values that exceed f16's range run
    in f32, the rest in f16, as a user would do after --range-report. The
    final loss, or None when the run failed."""
    named = trainable + ".named.mlir"
    rc, out, _ = run([os.path.join(args.bin, "mp-run"), named, "--policy",
                      args.policy, "--loss-scaling",
                      f"mode={args.mode} keep-fp32={regex}", "--steps",
                      str(args.steps), "--task", "regress"], args.timeout)
    m = re.search(r"final loss\s+(\S+)", out)
    return m.group(1) if rc == 0 and m else None


def range_error(over, total):
    worst = max(over, key=lambda v: v["max_abs"])
    return (f"f16 range: {len(over)} of {total} values exceed 65504 in fp32, "
            f"first {over[0]['name']} (max abs {over[0]['max_abs']:.3g}), "
            f"largest {worst['name']} ({worst['max_abs']:.3g}); L<n>: line n "
            "of the model")


def check(path, args, tmp):
    name = os.path.splitext(os.path.basename(path))[0]
    text = open(path, encoding="utf-8").read()
    fns = [f for f in functions(text) if f[1] == "public"]
    row = {"model": name, "entry": "-", "ops": 0, "status": "fail",
           "stage": "-", "compile_s": None, "loss": None, "error": ""}
    if not fns:
        row.update(stage="input", error="no public function with a body")
        return row
    # A function with a dynamic shape cannot be trained: prefer static ones.
    static = [f for f in fns if "?" not in f[3]]
    entry = max(static or fns, key=lambda f: f[2])
    row["entry"], row["ops"] = entry[0], entry[2]
    params = "args" if has_float_args(entry[3]) else "constants"
    opt = os.path.join(args.bin, "mp-opt")
    trainable = os.path.join(tmp, name + ".trainable.mlir")
    mixed = os.path.join(tmp, name + ".mixed.mlir")
    stages = [
        ("mp-make-trainable",
         [opt, path, f"--mp-make-trainable=entry={entry[0]} params={params} "
          "loss=sum optimizer=sgd", "--mlir-print-debuginfo", "-o", trainable]),
        ("mp-mixed-precision",
         [opt, trainable, f"--mp-mixed-precision=policy={args.policy} "
          f"mode={args.mode}", "-o", mixed]),
        ("mp-to-cpu", [opt, mixed, "--mp-to-cpu", "-o", os.devnull]),
    ]
    compile_s = 0.0
    for stage, cmd in stages:
        start = time.monotonic()
        rc, _, err = run(cmd, args.timeout)
        if stage != "mp-make-trainable":
            compile_s += time.monotonic() - start
        if rc != 0:
            row.update(stage=stage, error=first_error(err),
                       compile_s=round(compile_s, 1))
            return row
    row.update(status="pass", compile_s=round(compile_s, 1))
    if args.steps > 0:
        step_text = open(trainable, encoding="utf-8").read()
        sig = re.search(r"func\.func @train_step\((.*?)\)\s*->", step_text, re.S)
        if sig and re.search(r"tensor<[0-9x]*(i1|i8|i32|i64)>", sig.group(1)):
            row["loss"] = "int inputs"
        else:
            # The policy's run and, when its loss is not finite, the fp32
            # reference from the same initialisation and data: a non-finite
            # loss is a failure only where the fp32 loss is finite.
            losses = []
            for policy, mode in ((args.policy, args.mode), ("float32", "none")):
                if losses and not re.search(r"nan|inf", losses[0]):
                    break
                rc, out, err = run([os.path.join(args.bin, "mp-run"), trainable,
                                    "--policy", policy, "--loss-scaling",
                                    f"mode={mode}", "--steps", str(args.steps),
                                    "--task", "regress"], args.timeout)
                m = re.search(r"final loss\s+(\S+)", out)
                if rc != 0 or not m:
                    row.update(status="fail", stage="mp-run",
                               error=first_error(err or out))
                    return row
                losses.append(m.group(1))
            row["loss"] = losses[0] + (f" (fp32 {losses[1]})" if len(losses) > 1 else "")
            finite = [not re.search(r"nan|inf", l) for l in losses]
            if len(losses) > 1 and finite[1] and not finite[0]:
                row.update(status="fail", stage="mp-run",
                           error=f"non-finite {args.policy} loss where fp32 is finite")
                # f16's range (65504) is the usual cause: a forward value
                # past it is inf, which no loss scale prevents.
                probed = (f16_range(trainable, args)
                          if re.search(r"(?<!b)float16", args.policy) else None)
                if probed and probed[0]:
                    row.update(stage="f16 range", range=probed[0],
                               error=range_error(*probed[:2]))
                    # The remedy the report proposes: those values in f32.
                    guided = range_guided(trainable, args, probed[2])
                    if guided and not re.search(r"nan|inf", guided):
                        row.update(status="pass", stage="keep-fp32",
                                   keep_fp32=probed[2],
                                   loss=f"{guided} (fp32 {losses[1]}; "
                                        f"{losses[0]} without keep-fp32)")
                elif probed:
                    row["error"] += " (no value exceeds f16's range in fp32)"
    return row


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=os.path.join(root, "..", "shared", "models"))
    ap.add_argument("--bin", default=os.path.join(root, "build", "bin"))
    ap.add_argument("--policy", default="mixed_bfloat16")
    ap.add_argument("--mode", default="dynamic")
    ap.add_argument("--timeout", type=int, default=600,
                    help="seconds per stage and model")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if not os.path.isdir(args.models):
        print(f"models-check: no models folder {args.models}", file=sys.stderr)
        return 2
    only = set(filter(None, args.only.split(",")))
    files = sorted(f for f in os.listdir(args.models) if f.endswith(".mlir"))
    if only:
        files = [f for f in files if os.path.splitext(f)[0] in only]
    rows = []
    with tempfile.TemporaryDirectory(prefix="models-check.") as tmp:
        for f in files:
            rows.append(check(os.path.join(args.models, f), args, tmp))
            r = rows[-1]
            print(f"{r['model']}: {r['status']} {r['stage']} {r['error']}",
                  file=sys.stderr, flush=True)
    print(f"policy={args.policy} mode={args.mode}")
    header = ["model", "entry", "ops", "result", "compile s", "loss", "first error"]
    table = [[r["model"], r["entry"], str(r["ops"]),
              ("pass" if r["stage"] != "keep-fp32" else
               "pass with the range report's keep-fp32 "
               f"({len(r['range'])} values)")
              if r["status"] == "pass" else "fail in " + r["stage"],
              "-" if r["compile_s"] is None else f"{r['compile_s']:.1f}",
              r["loss"] or "-", r["error"] or "-"] for r in rows]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for t in table:
        print("| " + " | ".join(c.replace("|", "\\|") for c in t) + " |")
    passed = sum(r["status"] == "pass" for r in rows)
    print(f"{passed} of {len(rows)} models pass")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
