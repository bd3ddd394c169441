#!/usr/bin/env python3
"""Extracts the PTX of every gpu.binary (format=isa) in MLIR text into one
file: extract_ptx.py IN.mlir OUT_PREFIX writes OUT_PREFIX.N.ptx per object
and prints the paths; with '-' as OUT_PREFIX, prints all PTX to stdout."""
import re
import sys


def unescape(s):
    return re.sub(r'\\([0-9A-Fa-f]{2})', lambda m: chr(int(m.group(1), 16)),
                  s.replace('\\\\', '\\5C'))


def main():
    text = open(sys.argv[1]).read()
    objs = re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', text)
    if not objs:
        sys.exit("extract_ptx.py: no gpu.object with PTX assembly in input")
    if sys.argv[2] == '-':
        for o in objs:
            sys.stdout.write(unescape(o))
        return
    for i, o in enumerate(objs):
        path = '%s.%d.ptx' % (sys.argv[2], i)
        with open(path, 'w') as f:
            f.write(unescape(o))
        print(path)


if __name__ == '__main__':
    main()
