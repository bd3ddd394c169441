#!/bin/bash
# profile_step.sh MP_RUN GRAPH TASK POLICY MODE TAG
# perf profile (cpu-clock) of 20 training steps of GRAPH run AOT by mp-run
# with OPENBLAS_NUM_THREADS=1, samples inside the step only, by category
# (compiled step code, OpenBLAS GEMM, runtime packing, libm, memset,
# malloc). Needs perf. Used for the breakdown in benchmarks/README.md.
R=$(realpath "$1"); G=$(realpath "$2"); T=$3; P=$4; M=$5; TAG=$6
W=${TMPDIR:-/tmp}; cd "$W"
OPENBLAS_NUM_THREADS=1 perf record -q -g -o prof_$TAG.data $R $G --task $T --steps 21 --batches 1 --print-every 0 --policy $P --loss-scaling mode=$M --aot --aot-output prof_$TAG.so >/dev/null 2>/dev/null
perf script -i prof_$TAG.data --comm mp-run -F ip,sym,dso 2>/dev/null > prof_$TAG.txt
/usr/bin/python3 - prof_$TAG.txt $TAG <<'PY'
import sys, re, collections
cat = collections.Counter()
def classify(stack):
    leaf_sym, leaf_dso = stack[0]
    in_step = any(d.startswith('(/tmp/vec/prof_') or 'prof_' in d for s, d in stack)
    if 'prof_' in leaf_dso: return 'compiled step (elementwise, reductions, copies)'
    if 'openblas' in leaf_dso: return 'GEMM (OpenBLAS kernel + packing)'
    if 'mixprec_cpu_runtime' in leaf_dso: return 'runtime (pack_f32 bf16->f32, copies)'
    if not in_step: return None
    if 'libm' in leaf_dso: return 'libm (tanhf/expf...)'
    if any(x in leaf_sym for x in ('memset', 'memmove', 'memcpy')): return 'memset/memcpy (fills, copies)'
    if 'libc' in leaf_dso or 'kernel' in leaf_dso: return 'malloc/free, page faults'
    return 'other in step'
stack = []
for l in open(sys.argv[1]) :
    l = l.strip()
    if not l:
        if stack:
            c = classify(stack)
            if c: cat[c] += 1
        stack = []
        continue
    parts = l.split(None, 1)
    rest = parts[1] if len(parts) > 1 else ''
    m = re.match(r'(.*)\s+\((.*)\)$', rest)
    stack.append((m.group(1), m.group(2)) if m else (rest, ''))
tot = sum(cat.values())
print(sys.argv[2], 'step samples', tot)
for k, v in cat.most_common(): print('  %5.1f%%  %s' % (100.0*v/tot, k))
PY
