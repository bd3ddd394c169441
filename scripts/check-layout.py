#!/usr/bin/env python3
"""Checks the layout rules of docs/design.md §11 for every pass mp-opt lists
(mp-*): one ODS `def` in an include/mixprec/**/Passes.td, one lib/**/*.cpp
named after the pass that defines it (GEN_PASS_DEF_...), one test file named
after the pass under test/; and no PassWrapper in lib/.

  check-layout.py SRC MP_OPT
Prints one line per problem and "layout: N passes checked" last; exits 1 on
any problem.
"""
import os
import re
import subprocess
import sys


def squash(name):
    return name.replace("-", "").replace("_", "").lower()


def main():
    src, mp_opt = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([mp_opt, "--help"], capture_output=True,
                               text=True, check=True).stdout
    # Passes are listed as "--mp-name" entries; pipelines too, but they have
    # no ODS def: they are registered in lib/Pipelines/Pipelines.cpp.
    listed = sorted(set(re.findall(r"^\s+--(mp-[a-z0-9-]+)\b", help_text,
                                   re.M)))
    pipelines = {"mp-mixed-precision", "mp-to-cpu", "mp-to-nvptx"}
    passes = [p for p in listed if p not in pipelines]

    defs = {}
    for root, _, files in os.walk(os.path.join(src, "include", "mixprec")):
        for f in files:
            if f.endswith(".td"):
                text = open(os.path.join(root, f)).read()
                for m in re.finditer(r'^def (\w+)\s*:\s*Pass<"([^"]+)"', text,
                                     re.M):
                    defs.setdefault(m.group(2), []).append(
                        (m.group(1), os.path.join(root, f)))

    cpp_defs, wrappers = {}, []
    for root, _, files in os.walk(os.path.join(src, "lib")):
        for f in files:
            if not f.endswith((".cpp", ".h")):
                continue
            path = os.path.join(root, f)
            text = open(path).read()
            if "PassWrapper" in text:
                wrappers.append(path)
            for m in re.finditer(r"#define GEN_PASS_DEF_(\w+)", text):
                cpp_defs.setdefault(m.group(1), []).append(path)

    tests = {}
    for root, _, files in os.walk(os.path.join(src, "test")):
        for f in files:
            if f.endswith(".mlir"):
                tests.setdefault(f[:-5], []).append(os.path.join(root, f))

    problems = []
    for p in passes:
        d = defs.get(p, [])
        if len(d) != 1:
            problems.append(f"{p}: {len(d)} ODS defs (want 1)")
            continue
        def_name = d[0][0]
        files = cpp_defs.get(def_name.upper(), [])
        if len(files) != 1:
            problems.append(f"{p}: {len(files)} .cpp files define {def_name}")
        elif squash(os.path.basename(files[0])[:-4]) != squash(p[3:]):
            problems.append(f"{p}: defined in {files[0]}, not in a file "
                            f"named after the pass")
        if p[3:] not in tests:
            problems.append(f"{p}: no test file {p[3:]}.mlir under test/")
    for w in wrappers:
        problems.append(f"{w}: PassWrapper")
    for line in problems:
        print(line)
    print(f"layout: {len(passes)} passes checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
