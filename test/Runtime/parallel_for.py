"""Checks mp_rt_parallel_for (runtime/cpu/mp_rt_gemm.c) through ctypes:
for each range, the calls of fn partition [begin, end) into contiguous,
non-overlapping ranges covering it exactly once; with more than one thread
some range is not the whole; a call from inside a task runs there, as
one range; an empty range calls nothing. Prints one line per case."""
import ctypes
import sys
import threading

lib = ctypes.CDLL(sys.argv[1])
RangeFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
lib.mp_rt_parallel_for.argtypes = [RangeFn, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64]
lib.mp_rt_parallel_for.restype = None
lib.mp_rt_gemm_backend.restype = ctypes.c_char_p
threads = int(lib.mp_rt_gemm_backend().decode().rsplit("threads=", 1)[1])
print("threads", threads)

lock = threading.Lock()


def run(begin, end, nested=False):
    calls, inner = [], []

    def body(ctx, b, e):
        with lock:
            calls.append((b, e))
        if nested:
            def leaf(ctx2, b2, e2):
                with lock:
                    inner.append((b2, e2))
            fn2 = RangeFn(leaf)
            lib.mp_rt_parallel_for(fn2, None, 10 * b, 10 * b + 5)
    fn = RangeFn(body)
    lib.mp_rt_parallel_for(fn, None, begin, end)
    calls.sort()
    pos = begin
    for b, e in calls:
        assert b == pos and e > b, (begin, end, calls)
        pos = e
    assert pos == max(begin, end) or (end <= begin and not calls), (begin, end, calls)
    if threads > 1 and end - begin > 1:
        assert len(calls) > 1, calls
    if nested:
        # Each inner call ran on its task's thread, as one range.
        assert sorted(inner) == sorted((10 * b, 10 * b + 5) for b, _ in calls), inner
    return calls


for begin, end in [(0, 0), (5, 3), (0, 1), (0, 2), (3, 10), (0, 7), (0, 1000), (-4, 37)]:
    calls = run(begin, end)
    print(f"[{begin}, {end}): {len(calls)} ranges ok")
run(0, 64, nested=True)
print("nested ok")
