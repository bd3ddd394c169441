"""Hostile input never kills the interpreter (docs/robustness.md): input
nested deeper than mixprec's limit (10,000 levels of brackets) raises
CompileError from mixprec.compile and run_pipeline, and parsing runs on a
thread with a large stack. Without the check, 3,000,000 levels overflowed
even a 1 GiB stack (SIGSEGV: pytest itself would die, not fail)."""
import pytest

import mixprec

DEEP = ("func.func @f() attributes {a = " + "[" * 3_000_000 + "]" * 3_000_000
        + "} { return }")
LEGAL = ("func.func @f() attributes {a = " + "[" * 9_999 + "]" * 9_999
         + "} { return }")


def test_compile_rejects_deep_nesting():
    with pytest.raises(mixprec.CompileError) as e:
        mixprec.compile(DEEP)
    assert "input nested deeper than 10000 levels" in str(e.value)
    assert "<input>:1:10031: error: input nested deeper" in str(e.value)


def test_run_pipeline_rejects_deep_nesting():
    with pytest.raises(mixprec.CompileError) as e:
        mixprec.run_pipeline(DEEP, "mp-cleanup")
    assert "<input>:1:10031: error: input nested deeper" in str(e.value)


def test_deep_but_legal_nesting_parses():
    # 9,999 levels: below the limit, parsed and printed back (on the large
    # stack; the default 8 MiB one overflowed at about 20,000).
    out = mixprec.run_pipeline(LEGAL, "")
    assert out.count("[") == 9_999


def test_interpreter_survives_and_still_compiles():
    for _ in range(2):
        with pytest.raises(mixprec.CompileError):
            mixprec.compile(DEEP)
    # The process is intact: a normal pipeline still runs.
    out = mixprec.run_pipeline("func.func @g() { return }", "mp-cleanup")
    assert "func.func @g()" in out
