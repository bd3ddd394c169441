#!/usr/bin/env python3
"""Runs every shell command of README.md, docs/*.md and benchmarks/README.md
as written, from a fresh build, and reports the ones that fail.

  scripts/run-doc-commands.py [--fast] [--timeout S] [--list] [FILE.md...]

Each ```sh block runs as one bash script (commands in order, so `cd`,
`export` and files written by an earlier command are seen by the later
ones), in a scratch directory whose entries link to the project's top-level
files and folders: `build/bin/mp-opt examples/mlp.mlir` works as written,
and a relative output path lands in the scratch directory instead of the
working tree. A command fails when it exits non-zero (a line of a pipeline:
when its last command does). Commands that cannot run here are skipped, with
the reason printed:

- `make run` / `make check` / `make sanitize` / `make fuzz`, `.ci/run`,
  `apt-get`, `cmake --install` to a system prefix: they rebuild or install
  the project itself (the test suite runs them in other ways);
- commands that need a GPU (`--target cuda` without `--compile-only`,
  `mp-cuda-train`, `nvidia-smi`, `gpu_*.py`) when there is no
  /dev/nvidia0; `mpiexec` when MPICH is not installed;
- with --fast (what `make check` runs): the long ones too (benchmarks,
  fuzzing, the random-graph difftest, the Python test suite, which
  check-mixprec runs on its own).

A block can be marked by an HTML comment (invisible in the rendered page)
on the line right before its fence:

  <!-- doc-commands: skip: REASON -->     not run (e.g. "runs on the GPU
                                          machine", "G.mlir: a placeholder")
  <!-- doc-commands: expect-failure -->   shows an error: its commands must
                                          exit non-zero

Exit status: 0 when every command that ran succeeded, 1 otherwise.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ALWAYS_SKIP = [
    (r"^\s*make\b", "runs the build or the whole suite itself"),
    (r"(^|\s)\.ci/run\b", "runs the whole suite itself"),
    (r"\bapt-get\b|\bsudo\b", "installs system packages"),
    (r"cmake --install", "installs into a system prefix"),
    (r"^\s*git clone\b|^\s*rm -rf /tmp/cc\b", "clones the repository"),
]
GPU_SKIP = [
    (r"--target cuda(?!.*--compile-only)", "needs a GPU"),
    (r"\bmp-cuda-train\b(?!.*--help)", "needs a GPU"),
    (r"\bnvidia-smi\b", "needs a GPU"),
    (r"benchmarks/gpu_\w+\.py|device_\w+\.py|gpu_\w+\.py run\b|"
     r"gpu-run-\w+\.sh|^\s*cd build-gpu", "runs on the GPU/device machine"),
]
FAST_SKIP = [
    (r"benchmarks/\w+\.py", "benchmark (long; --fast)"),
    (r"scripts/fuzz\.sh|\bfuzz-\w+\b", "fuzzing (long; --fast)"),
    (r"scripts/difftest\.py", "random-graph difftest (long; --fast)"),
    (r"-m pytest", "the Python suite (check-mixprec runs it; --fast)"),
    (r"scripts/gpu-artifacts\.sh|scripts/cpu-artifacts\.sh",
     "builds every artifact (long; --fast)"),
    (r"scripts/models-check", "the model corpus (long; --fast)"),
]


def blocks(path):
    """(first line number, marker, [logical command lines]) per ```sh
    block; marker: None, ("skip", reason) or ("expect-failure", None)."""
    out, cur, start, inside, prev, marker = [], [], 0, False, "", None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if not inside and re.match(r"^\s*```(sh|bash|shell)\s*$", s):
                inside, cur, start = True, [], n + 1
                m = re.match(r"^\s*<!--\s*doc-commands:\s*(skip|expect-failure)"
                             r"(?::\s*(.*?))?\s*-->\s*$", prev)
                marker = (m.group(1), m.group(2)) if m else None
            elif inside and re.match(r"^\s*```\s*$", s):
                inside = False
                out.append((start, marker, cur))
            elif inside:
                cur.append((n, s))
            prev = s
    result = []
    for start, marker, lines in out:
        cmds, buf, first = [], "", None
        for n, s in lines:
            if first is None:
                first = n
            if s.rstrip().endswith("\\"):
                buf += s.rstrip()[:-1] + " "
                continue
            buf += s
            if buf.strip() and not buf.strip().startswith("#"):
                cmds.append((first, buf))
            buf, first = "", None
        result.append((start, marker, cmds))
    return result


def skip_reason(cmd, fast, have_gpu, have_mpi):
    rules = list(ALWAYS_SKIP)
    if not have_gpu:
        rules += GPU_SKIP
    if fast and not re.search(r"--help\b", cmd):
        rules += FAST_SKIP
    for pattern, why in rules:
        if re.search(pattern, cmd):
            return why
    if re.search(r"\bmpiexec\b", cmd) and not have_mpi:
        return "needs mpiexec (MPICH)"
    if re.search(r"\b/opt/mixprec\b", cmd) and not os.path.isdir("/opt/mixprec"):
        return "needs the installed package (cmake --install)"
    return None


def scratch_dir():
    d = tempfile.mkdtemp(prefix="mp-doc-commands-")
    for name in os.listdir(ROOT):
        if name == ".git":
            continue
        os.symlink(os.path.join(ROOT, name), os.path.join(d, name))
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--fast", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--list", action="store_true",
                    help="print the commands and what would be skipped")
    args = ap.parse_args()
    files = args.files or (
        [os.path.join(ROOT, "README.md")] +
        sorted(os.path.join(ROOT, "docs", f)
               for f in os.listdir(os.path.join(ROOT, "docs"))
               if f.endswith(".md")) +
        [os.path.join(ROOT, "benchmarks", "README.md")])
    have_gpu = os.path.exists("/dev/nvidia0")
    have_mpi = shutil.which("mpiexec") is not None
    ran = failed = skipped = 0
    failures = []
    for path in files:
        rel = os.path.relpath(path, ROOT)
        for start, marker, cmds in blocks(path):
            script, shown = [], []
            expect_failure = marker is not None and marker[0] == "expect-failure"
            for n, cmd in cmds:
                why = skip_reason(cmd, args.fast, have_gpu, have_mpi)
                if marker is not None and marker[0] == "skip":
                    why = marker[1] or "marked skip"
                if why:
                    print(f"SKIP {rel}:{n}: {cmd.strip()[:100]}  ({why})")
                    skipped += 1
                    continue
                shown.append((n, cmd))
            if not shown or args.list:
                for n, cmd in shown:
                    print(f"RUN  {rel}:{n}: {cmd.strip()[:100]}")
                continue
            work = scratch_dir()
            try:
                # One script per block; a marker before each command tells
                # which one failed.
                for n, cmd in shown:
                    script.append(f"echo '@@@ {n}' >&2")
                    script.append(cmd)
                    if expect_failure:
                        script.append(f"rc=$?; if [ $rc -eq 0 ]; then echo "
                                      f"'@@@ FAILED {n} 0 (an error was "
                                      f"expected)' >&2; exit 1; fi")
                    else:
                        script.append(f"rc=$?; if [ $rc -ne 0 ]; then echo "
                                      f"'@@@ FAILED {n} '$rc >&2; exit $rc; "
                                      f"fi")
                try:
                    proc = subprocess.run(
                        ["bash", "-c", "\n".join(script)], cwd=work,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        text=True, timeout=args.timeout,
                        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
                    err, rc = proc.stderr, proc.returncode
                except subprocess.TimeoutExpired as e:
                    err = (e.stderr or b"").decode(errors="replace") \
                        if isinstance(e.stderr, bytes) else (e.stderr or "")
                    rc = f"timeout after {args.timeout:.0f} s"
                    m = re.findall(r"@@@ (\d+)$", err, re.M)
                    err += f"\n@@@ FAILED {m[-1] if m else shown[0][0]} {rc}"
            finally:
                shutil.rmtree(work, ignore_errors=True)
            bad = re.search(r"@@@ FAILED (\d+) (.*)", err)
            done = re.findall(r"^@@@ (\d+)$", err, re.M)
            for n, cmd in shown:
                if bad and int(bad.group(1)) == n:
                    failed += 1
                    tail = [l for l in err.splitlines()
                            if not l.startswith("@@@")][-6:]
                    failures.append((rel, n, cmd.strip(), bad.group(2), tail))
                    print(f"FAIL {rel}:{n}: {cmd.strip()[:100]}  "
                          f"(exit {bad.group(2)})")
                    break
                if str(n) in done:
                    ran += 1
                    print(f"OK   {rel}:{n}: {cmd.strip()[:100]}")
            if bad:
                rest = [n for n, _ in shown if n > int(bad.group(1))]
                for n in rest:
                    print(f"NOT RUN {rel}:{n} (an earlier command of its "
                          f"block failed)")
    print(f"\n{ran} commands ran, {failed} failed, {skipped} skipped")
    for rel, n, cmd, rc, tail in failures:
        print(f"\n{rel}:{n}: {cmd}\n  exit {rc}")
        for l in tail:
            print("  | " + l)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
