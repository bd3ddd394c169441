"""Runs every ```python block of docs/python.md (from the repository root,
each in a fresh namespace) so that the documented examples stay runnable."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python.md"


def blocks():
    text = DOC.read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("index", range(len(blocks())))
def test_doc_example(index, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = blocks()[index]
    exec(compile(code, f"{DOC}:block{index}", "exec"), {"__name__": "__doc_example__"})
