"""print_signature.py STEP.so: prints the text signature an artifact embeds
(mixprec_step_signature, design.md §13) without loading it (a CUDA artifact
needs libcuda to load)."""
import sys

data = open(sys.argv[1], "rb").read()
start = data.index(b"mixprec-step ")
print(data[start:data.index(b"\0", start)].decode(), end="")
