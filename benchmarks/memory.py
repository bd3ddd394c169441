"""Training-step memory: fp32 vs mixed bf16 vs mixed f16 (issue 20).

For three models it compiles and runs one training step with `mp-run` per
policy and reads, from `mp-run --report`,

  peak_tensor_bytes       the peak of the bytes the step holds through the
                          runtime allocator (saved activations, temporaries,
                          gradients, results)
  saved_activation_bytes  the bytes the forward keeps for the backward,
                          counted statically on the differentiated IR
                          (docs/autocast.md, "Saved activations")

and, for the same model written with torch.nn, the bytes PyTorch saves for
the backward, fp32 and under torch.autocast('cpu', dtype=torch.bfloat16),
counted with torch.autograd.graph.saved_tensors_hooks (each distinct
tensor once; the parameters and the batch excluded, as in ours).

Models:
  cnn          batch 64, 32x32x3 NHWC, conv3x3 32-64-128 (padding 1, bias),
               ReLU and 2x2 max pooling after each, linear head to 10
               classes, softmax cross-entropy, SGD
  transformer  the benchmark transformer (benchmarks/gen_graphs.py, the
               pre-norm block of examples/transformer_block.mlir) at
               batch 8, T=256, width 256, MLP width 1024, MSE, SGD
  gpt2         a 2-layer GPT-style stack (pre-norm residual attention +
               GELU MLP blocks, one head), d=256, B=8, T=64, MSE, Adam

Columns: fp32 (`--policy float32 --loss-scaling mode=none`), bf16 and f16
(`mixed_bfloat16` / `mixed_float16`, dynamic loss scaling,
compute-output=compute, the default), and bf16 with compute-output=f32 (the
behaviour before DESIGN.md §15: compute-class results stay f32; passed to
mp-mixed-precision through mp-run's --loss-scaling option string, which
mp-run appends to the pipeline's options).

  /usr/bin/python3 benchmarks/memory.py                 # all models
  /usr/bin/python3 benchmarks/memory.py --models cnn --out /tmp/mem
  /usr/bin/python3 benchmarks/memory.py --no-torch      # without PyTorch

mp-run holds --batches synthetic batches (default 1, as
benchmarks/cpu_train_step.py: the step reads one; each is f32 data,
counted alike in every configuration's peak; mp-run's own default is 8).

For fp32 and bf16 it also prints, and writes to the JSON (live_at_peak),
what is live at the peak: the step compiled by mp-opt as mp-run compiles it
(mp-mixed-precision, mp-to-cpu), its buffers simulated in program order on
the IR after mp-contractions-to-runtime (simulate_peak below), each buffer
at the peak with its type, the op that first writes it and the source
location of the op it was allocated for; plus the step's argument bytes
(what mp-run holds). Their sum is checked against the measured peak in the
printout. --no-live-at-peak skips it.

Writes memory.json and memory.png into --out (default: a fresh temporary
directory, printed at the end). Memory only: no timing is measured.
The committed benchmarks/memory.json and memory.png are such a run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_graphs  # noqa: E402

CONFIGS = [
    ("fp32", "float32", "mode=none"),
    ("bf16", "mixed_bfloat16", "mode=dynamic"),
    ("f16", "mixed_float16", "mode=dynamic"),
    ("bf16_f32out", "mixed_bfloat16", "mode=dynamic compute-output=f32"),
]


def _nn(build_dir):
    sys.path.insert(0, os.path.join(build_dir, "python"))
    from mixprec import nn
    return nn


def cnn_graph(nn):
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 4 * 128, 10))
    return nn.build(model, (64, 32, 32, 3), (64, 10),
                    loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(0.01)).ir


def gpt2_graph(nn, d=256, B=8, T=64):
    blocks = []
    for _ in range(2):
        blocks.append(nn.Residual(nn.Sequential(nn.LayerNorm(d), nn.Attention(d))))
        blocks.append(nn.Residual(nn.Sequential(
            nn.LayerNorm(d), nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))))
    return nn.build(nn.Sequential(*blocks), (B, T, d), (B, T, d),
                    loss=nn.MSE(), optimizer=nn.Adam(1e-3)).ir


MODELS = {
    "cnn": ("classify", cnn_graph),
    "transformer": ("regress",
                    lambda nn: gen_graphs.transformer(b=8, s=256, d=256, f=1024)),
    "gpt2": ("regress", gpt2_graph),
}


def run_ours(mp_run, path, task, policy, ls, report, batches):
    cmd = [mp_run, path, "--task", task, "--steps", "1", "--print-every", "0",
           "--batches", str(batches),
           "--policy", policy, "--loss-scaling", ls, "--report", report]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    s = json.load(open(report))["summary"]
    return {"peak_tensor_bytes": s["peak_tensor_bytes"],
            "saved_activation_bytes": s.get("saved_activation_bytes"),
            "final_loss": s.get("final_loss")}


# --- What is live at the peak (static, from the bufferized step) -----------
#
# The step's buffers in program order, from the IR after
# mp-contractions-to-runtime (what LLVM then compiles): every static-shape
# memref.alloc adds its bytes, every memref.dealloc removes them; calls of
# functions of the module are followed (their allocations count, a result
# stays live under the caller's name); of an scf.if only the then region is
# followed (the step taken: the else region of the skip-step guard copies the
# arguments); an alloc that nothing but deallocs uses is dead (LLVM deletes
# the malloc) and does not count; an aligned alloc of a scalar element type
# counts its size rounded up to the alignment (mp-convert-to-llvm's
# aligned_alloc), of another type its alignment too (upstream's
# malloc(size + alignment)). The measured peak (peak_tensor_bytes) is
# this plus what mp-run holds: the step's arguments (parameters, optimizer
# state, the batch).

_ESIZE = {"f32": 4, "bf16": 2, "f16": 2, "f64": 8, "i1": 1, "i8": 1,
          "i16": 2, "i32": 4, "i64": 8, "index": 8}
_NAME = r"%[\w.$-]+"
_FUNC = re.compile(r"^\s*func\.func (?:private )?@([\w.$-]+)\((.*?)\)(?: ->|\s*(?:attributes|\{))")
_ALLOC = re.compile(r"^\s*(" + _NAME + r") = memref\.alloc\(\).*?: memref<([^>]*)>(.*)$")
_DEALLOC = re.compile(r"memref\.dealloc (" + _NAME + ")")
_VIEW = re.compile(r"^\s*(" + _NAME + r")(?:, [^=]*)? = memref\.(?:cast|collapse_shape|expand_shape|subview|reinterpret_cast|transpose|extract_strided_metadata|view) (" + _NAME + ")")
_CALL = re.compile(r"^\s*(?:(" + _NAME + r")(?::\d+)? = )?(?:func\.)?call @([\w.$-]+)\(")
_RET = re.compile(r"^\s*(?:func\.)?return (.*?) :")
_LOC = re.compile(r'loc\((?:fused\[|callsite\()?"([^"]+)"(:\d+)?')


def memref_bytes(t):
    """Bytes of a static memref<AxBxT> type body; None when dynamic."""
    dims = t.split(",")[0].split("x")
    n = 1
    for d in dims[:-1]:
        if not d.strip().isdigit():
            return None
        n *= int(d)
    return n * _ESIZE.get(dims[-1].strip(), 4)


def _functions(text):
    funcs, cur = {}, None
    for line in text.split("\n"):
        m = _FUNC.match(line)
        if m:
            cur = m.group(1)
            funcs[cur] = {"args": m.group(2), "body": []}
            if not line.rstrip().endswith("{"):
                cur = None
            continue
        if cur is not None:
            if line.startswith("  }"):
                cur = None
            else:
                funcs[cur]["body"].append(line)
    return funcs


def simulate_peak(text, entry="train_step"):
    """The peak of the step's own buffers and what is live there."""
    funcs = _functions(text)
    st = {"live": {}, "cur": 0, "peak": 0, "at_peak": {}, "n": 0}

    def run(name):
        body = funcs[name]["body"]
        names = [set(re.findall(_NAME, line)) for line in body]
        alias, ret, skip = {}, [], 0
        for i, line in enumerate(body):
            if skip:
                skip = max(0, skip + line.count("{") - line.count("}"))
                continue
            if line.strip() == "} else {":
                skip = 1
                continue
            m = _ALLOC.match(line)
            if m:
                nbytes = memref_bytes(m.group(2))
                align = re.search(r"alignment = (\d+)", line)
                if nbytes is not None and align:
                    a = int(align.group(1))
                    if m.group(2).split(",")[0].split("x")[-1].strip() in _ESIZE:
                        nbytes = -(-nbytes // a) * a  # aligned_alloc
                    else:
                        nbytes += a  # malloc(size + alignment)
                users = [j for j in range(len(body)) if j != i and
                         m.group(1) in names[j] and "memref.dealloc" not in body[j]]
                if nbytes is None or not users:
                    continue
                writer = body[users[0]].strip()
                op = re.sub(r"^" + _NAME + r"(?::\d+)? = ", "", writer).split(" ")[0]
                if op in ("call", "func.call"):
                    op += " " + writer.split("call ")[1].split("(")[0]
                loc = _LOC.search(m.group(3))
                st["n"] += 1
                key = "%s:%s#%d" % (name, m.group(1), st["n"])
                alias[m.group(1)] = key
                st["live"][key] = {"bytes": nbytes, "type": m.group(2), "op": op,
                                   "loc": (os.path.basename(loc.group(1)) + (loc.group(2) or "")
                                           if loc else "")}
                st["cur"] += nbytes
                if st["cur"] > st["peak"]:
                    st["peak"], st["at_peak"] = st["cur"], dict(st["live"])
                continue
            m = _DEALLOC.search(line)
            if m:
                key = alias.get(m.group(1))
                if key in st["live"]:
                    st["cur"] -= st["live"].pop(key)["bytes"]
                continue
            m = _VIEW.match(line)
            if m:
                alias[m.group(1)] = alias.get(m.group(2), m.group(2))
                continue
            m = _CALL.match(line)
            if m and funcs.get(m.group(2), {}).get("body"):
                r = run(m.group(2))
                if m.group(1) and r:
                    alias[m.group(1)] = r[0]
                continue
            m = _RET.match(line)
            if m:
                ret = [alias.get(v.strip(), v.strip()) for v in m.group(1).split(",")]
        return ret

    if entry not in funcs:
        raise SystemExit("memory.py: no function @%s in the bufferized IR" % entry)
    run(entry)
    args = sum(memref_bytes(t) or 0 for t in
               re.findall(r"memref<([^>]*)>", funcs[entry]["args"]))
    buffers = sorted(st["at_peak"].values(), key=lambda b: -b["bytes"])
    # Buffers of 64 KiB or more one by one, the others as one sum.
    return {"step_peak_bytes": st["peak"], "argument_bytes": args,
            "buffers": [b for b in buffers if b["bytes"] >= 65536],
            "smaller_buffer_bytes": sum(b["bytes"] for b in buffers
                                        if b["bytes"] < 65536)}


def live_at_peak(mp_opt, path, policy, ls):
    """simulate_peak on `path` compiled as mp-run compiles it for the CPU."""
    pipeline = ("builtin.module(mp-mixed-precision{policy=%s target=cpu %s},"
                "mp-to-cpu)" % (policy, ls))
    r = subprocess.run([mp_opt, path, "--pass-pipeline=" + pipeline,
                        "-mlir-print-ir-after=mp-contractions-to-runtime",
                        "-mlir-print-debuginfo", "-mlir-print-local-scope",
                        "-o", os.devnull], check=True, capture_output=True,
                       text=True)
    return simulate_peak(r.stderr)


def print_live_at_peak(name, col, lp, measured, limit=12):
    mib = 2 ** 20
    groups = {}
    for b in lp["buffers"]:
        k = (b["type"], b["op"], b["loc"])
        groups.setdefault(k, []).append(b["bytes"])
    print("%s %s: step buffers at the peak %.2f MiB + arguments %.2f MiB = "
          "%.2f MiB (measured %.2f MiB)" % (
              name, col, lp["step_peak_bytes"] / mib,
              lp["argument_bytes"] / mib,
              (lp["step_peak_bytes"] + lp["argument_bytes"]) / mib,
              measured / mib))
    rows = sorted(groups.items(), key=lambda kv: -sum(kv[1]))
    for (t, op, loc), sizes in rows[:limit]:
        print("  %7.2f MiB  %2d x memref<%s>  %s  %s" % (
            sum(sizes) / mib, len(sizes), t, op, loc))
    rest = sum(sum(v) for _, v in rows[limit:]) + lp["smaller_buffer_bytes"]
    if rest:
        print("  %7.2f MiB  in smaller buffers" % (rest / mib))


# --- PyTorch: the same models, standard modules ------------------------------

def torch_models(torch):
    nnt = torch.nn
    F = torch.nn.functional

    class CNN(nnt.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nnt.Conv2d(3, 32, 3, padding=1)
            self.c2 = nnt.Conv2d(32, 64, 3, padding=1)
            self.c3 = nnt.Conv2d(64, 128, 3, padding=1)
            self.fc = nnt.Linear(4 * 4 * 128, 10)

        def forward(self, x, y):
            for c in (self.c1, self.c2, self.c3):
                x = F.max_pool2d(F.relu(c(x)), 2)
            logits = self.fc(x.flatten(1))
            return -(y * F.log_softmax(logits.float(), dim=1)).sum() / x.shape[0]

    class Attn(nnt.Module):
        def __init__(self, d):
            super().__init__()
            self.q, self.k, self.v, self.o = (nnt.Linear(d, d, bias=False)
                                              for _ in range(4))
            self.d = d

        def forward(self, x):
            q, k, v = self.q(x), self.k(x), self.v(x)
            p = torch.softmax(q @ k.transpose(1, 2) / self.d ** 0.5, dim=-1)
            return self.o(p @ v)

    class MLP(nnt.Module):
        def __init__(self, d, f):
            super().__init__()
            self.fc1, self.fc2 = nnt.Linear(d, f), nnt.Linear(f, d)

        def forward(self, x):
            return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))

    class Block(nnt.Module):
        def __init__(self, d, f):
            super().__init__()
            self.ln1, self.ln2 = nnt.LayerNorm(d), nnt.LayerNorm(d)
            self.attn, self.mlp = Attn(d), MLP(d, f)

        def forward(self, x):
            h = x + self.attn(self.ln1(x))
            return h + self.mlp(self.ln2(h))

    class Stack(nnt.Module):
        def __init__(self, d, f, n):
            super().__init__()
            self.blocks = nnt.ModuleList(Block(d, f) for _ in range(n))

        def forward(self, x, y):
            for b in self.blocks:
                x = b(x)
            return ((x.float() - y) ** 2).mean()

    return {
        "cnn": (CNN, (64, 3, 32, 32), (64, 10)),
        "transformer": (lambda: Stack(256, 1024, 1), (8, 256, 256), (8, 256, 256)),
        "gpt2": (lambda: Stack(256, 1024, 2), (8, 64, 256), (8, 64, 256)),
    }


def torch_saved_bytes(torch, make, xs, ys, autocast):
    torch.manual_seed(0)
    model = make()
    x = torch.randn(*xs)
    y = torch.zeros(*ys)
    if len(ys) == 2:
        y[torch.arange(ys[0]), torch.randint(0, ys[1], (ys[0],))] = 1.0
    else:
        y = torch.randn(*ys)
    excluded = {p.data_ptr() for p in model.parameters()} | {x.data_ptr(), y.data_ptr()}
    seen = {}

    def pack(t):
        if t.data_ptr() not in excluded:
            key = (t.data_ptr(), t.dtype, tuple(t.shape), tuple(t.stride()))
            seen[key] = t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        if autocast:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = model(x, y)
        else:
            loss = model(x, y)
    loss.backward()
    # A tensor saved under two views (same storage, different shapes)
    # counts once: the largest view of each storage.
    per_storage = {}
    for (ptr, _, _, _), nbytes in seen.items():
        per_storage[ptr] = max(per_storage.get(ptr, 0), nbytes)
    return sum(per_storage.values())


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    models = list(results)
    cols = [c for c, _, _ in CONFIGS]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    w = 0.8 / (len(cols) + 1)
    for ax, key, title in ((axes[0], "peak_tensor_bytes", "peak tensor memory"),
                           (axes[1], "saved_activation_bytes", "saved activations")):
        for i, c in enumerate(cols):
            vals = [results[m]["ours"][c][key] / 2 ** 20 for m in models]
            ax.bar([j + i * w for j in range(len(models))], vals, w, label="ours " + c)
        if key == "saved_activation_bytes" and all("torch" in results[m] for m in models):
            vals = [results[m]["torch"]["bf16_autocast"] / 2 ** 20 for m in models]
            ax.bar([j + len(cols) * w for j in range(len(models))], vals, w,
                   label="torch bf16 autocast")
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(models))])
        ax.set_xticklabels(models)
        ax.set_ylabel("MiB")
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--mp-run", default=None,
                    help="the mp-run binary (default: BUILD/bin/mp-run)")
    ap.add_argument("--models", default="cnn,transformer,gpt2")
    ap.add_argument("--out", default=None,
                    help="output directory (default: a new temporary one)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--batches", type=int, default=1,
                    help="synthetic batches mp-run holds (default 1: the step "
                         "reads one; each is f32 data counted in every "
                         "configuration's peak)")
    ap.add_argument("--no-live-at-peak", dest="live_at_peak",
                    action="store_false",
                    help="skip the static breakdown of the buffers live at "
                         "the peak (fp32 and bf16, printed and in the JSON)")
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="mixprec-memory-")
    os.makedirs(out, exist_ok=True)
    mp_run = a.mp_run or os.path.join(a.build, "bin", "mp-run")
    mp_opt = os.path.join(a.build, "bin", "mp-opt")
    nn = _nn(a.build)
    torch = None
    if not a.no_torch:
        try:
            import torch
            torch.set_num_threads(1)
        except ImportError:
            print("PyTorch not found: its column is left out", file=sys.stderr)
    results = {}
    for name in a.models.split(","):
        task, gen = MODELS[name]
        path = os.path.join(out, name + ".mlir")
        with open(path, "w") as f:
            f.write(gen(nn))
        r = {"ours": {}}
        for col, policy, ls in CONFIGS:
            r["ours"][col] = run_ours(mp_run, path, task, policy, ls,
                                      os.path.join(out, f"{name}.{col}.json"),
                                      a.batches)
            if a.live_at_peak:
                r["ours"][col]["live_at_peak"] = live_at_peak(
                    mp_opt, path, policy, ls)
        fp32 = r["ours"]["fp32"]
        for col in ("bf16", "f16", "bf16_f32out"):
            o = r["ours"][col]
            o["peak_vs_fp32"] = o["peak_tensor_bytes"] / fp32["peak_tensor_bytes"]
            o["saved_vs_fp32"] = (o["saved_activation_bytes"] /
                                  fp32["saved_activation_bytes"])
        if torch is not None:
            make, xs, ys = torch_models(torch)[name]
            t = {"fp32": torch_saved_bytes(torch, make, xs, ys, False),
                 "bf16_autocast": torch_saved_bytes(torch, make, xs, ys, True)}
            r["torch"] = t
            r["ours"]["bf16"]["saved_vs_torch_bf16_autocast"] = (
                r["ours"]["bf16"]["saved_activation_bytes"] / t["bf16_autocast"])
        results[name] = r

    mib = lambda b: "%.2f" % (b / 2 ** 20)
    print("| model | fp32 peak | bf16 peak | f16 peak | bf16 (f32 out) peak "
          "| bf16/fp32 peak | fp32 saved | bf16 saved | f16 saved "
          "| bf16 (f32 out) saved | torch fp32 saved | torch bf16 saved "
          "| bf16 saved / torch |")
    print("|" + "---|" * 13)
    for name, r in results.items():
        o, t = r["ours"], r.get("torch", {})
        row = [name] + [mib(o[c]["peak_tensor_bytes"]) for c in
                        ("fp32", "bf16", "f16", "bf16_f32out")]
        row.append("%.2fx" % o["bf16"]["peak_vs_fp32"])
        row += [mib(o[c]["saved_activation_bytes"]) for c in
                ("fp32", "bf16", "f16", "bf16_f32out")]
        row += [mib(t["fp32"]) if t else "-", mib(t["bf16_autocast"]) if t else "-"]
        row.append("%.2fx" % o["bf16"]["saved_vs_torch_bf16_autocast"] if t else "-")
        print("| " + " | ".join(row) + " |")
    print("(MiB)")
    for name, r in results.items():
        for col in ("fp32", "bf16"):
            lp = r["ours"][col].get("live_at_peak")
            if lp:
                print()
                print_live_at_peak(name, col, lp,
                                   r["ours"][col]["peak_tensor_bytes"])
    with open(os.path.join(out, "memory.json"), "w") as f:
        json.dump({"unit": "bytes", "batches": a.batches,
                   "command": " ".join(["/usr/bin/python3"] + sys.argv),
                   "results": results}, f, indent=1)
    plotted = plot(results, os.path.join(out, "memory.png"))
    print("wrote", os.path.join(out, "memory.json"),
          "and memory.png" if plotted else "(no matplotlib: no plot)")


if __name__ == "__main__":
    main()
