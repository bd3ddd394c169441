"""capi_compile.py LIBMIXPRECCAPI IN.mlir OUT.so PIPELINE: compiles a step to
a shared library through the C API (mixprecCompileToSharedLibrary), as a C
client would, with ctypes."""
import ctypes
import sys

lib = ctypes.CDLL(sys.argv[1])
compile_ = lib.mixprecCompileToSharedLibrary
compile_.restype = ctypes.c_bool
compile_.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                     ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.mixprecStringDestroy.argtypes = [ctypes.c_void_p]
diagnostics = ctypes.c_void_p()
ok = compile_(open(sys.argv[2]).read().encode(), sys.argv[4].encode(),
              b"train_step", sys.argv[3].encode(), ctypes.byref(diagnostics))
if diagnostics.value:
    sys.stderr.write(ctypes.string_at(diagnostics.value).decode())
    lib.mixprecStringDestroy(diagnostics)
print("capi:", "compiled" if ok else "failed")
sys.exit(0 if ok else 1)
