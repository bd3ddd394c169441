"""Runs every ```python block of docs/python.md and docs/torch.md (from the
repository root, each in a fresh namespace) so that the documented examples
stay runnable."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "python.md", ROOT / "docs" / "torch.md"]


def blocks():
    return [(doc, i, code) for doc in DOCS
            for i, code in enumerate(re.findall(r"```python\n(.*?)```",
                                                doc.read_text(), flags=re.S))]


@pytest.mark.parametrize("doc,index,code", blocks(),
                         ids=[f"{d.name}:{i}" for d, i, _ in blocks()])
def test_doc_example(doc, index, code, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(code, f"{doc}:block{index}", "exec"), {"__name__": "__doc_example__"})
