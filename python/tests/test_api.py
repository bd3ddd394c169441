"""Policy parsing, pass pipelines and compile errors."""

import pytest

import mixprec

SIMPLE = """
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %a, %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""


@pytest.mark.parametrize("spec,target,expected", [
    ("mixed_bfloat16", "cpu", ("float32", "bfloat16", "float32")),
    ("mixed_float16", "cpu", ("float32", "float16", "float32")),
    ("float32", "cpu", ("float32", "float32", "float32")),
    ("default", "cpu", ("float32", "float32", "float32")),
    ("bf16", "cpu", ("bfloat16", "bfloat16", "bfloat16")),
    ("mixed", "cpu", ("float32", "bfloat16", "float32")),
    ("mixed", "nvptx", ("float32", "float16", "float32")),
    ("half", "cuda", ("float16", "float16", "float16")),
    ("c=bf16", "cpu", ("float32", "bfloat16", "bfloat16")),
    ("p=bf16", "cpu", ("bfloat16", "bfloat16", "bfloat16")),
    ("params=float32,compute=float16,output=float32", "cpu",
     ("float32", "float16", "float32")),
    ("c=f16,c=bf16", "cpu", ("float32", "bfloat16", "bfloat16")),
])
def test_policy_parse(spec, target, expected):
    p = mixprec.Policy.parse(spec, target=target)
    assert (p.param, p.compute, p.output) == expected
    # The names are numpy-style dtype names.
    assert all(isinstance(n, str) for n in (p.param, p.compute, p.output))


@pytest.mark.parametrize("spec,token", [
    ("mixed_bfloat17", "mixed_bfloat17"),
    ("", "empty"),
    ("p=f32, c=bf16", "whitespace"),
    ("p=a=b", "p=a=b"),
    ("q=f32", "q"),
    ("c=f8", "f8"),
])
def test_policy_parse_errors(spec, token):
    with pytest.raises(ValueError) as info:
        mixprec.Policy.parse(spec)
    msg = str(info.value)
    assert token in msg
    # The diagnostic lists what is accepted.
    assert "accepted" in msg or "expected" in msg


def test_policy_bad_target():
    with pytest.raises(ValueError, match="tpu"):
        mixprec.Policy.parse("mixed", target="tpu")
    with pytest.raises(ValueError):
        mixprec.Policy.parse(42)


def test_run_pipeline():
    out = mixprec.run_pipeline(SIMPLE, "builtin.module(mp-cleanup)")
    assert "func.func @f" in out and "arith.addf" in out
    # The short form (no builtin.module) works too, and nested pipelines.
    out2 = mixprec.run_pipeline(SIMPLE, "func.func(canonicalize),mp-cleanup")
    assert "func.func @f" in out2
    assert mixprec.run_pipeline(SIMPLE, "") .strip().startswith("module")


def test_run_pipeline_errors():
    assert issubclass(mixprec.CompileError, Exception)
    with pytest.raises(mixprec.CompileError) as info:
        mixprec.run_pipeline("func.func @f(%a: tensor<4xf32>) {", "mp-cleanup")
    assert "cannot parse" in str(info.value)
    assert info.value.diagnostics == str(info.value)
    assert "error:" in info.value.diagnostics
    with pytest.raises(mixprec.CompileError, match="no-such-pass"):
        mixprec.run_pipeline(SIMPLE, "builtin.module(no-such-pass)")
    with pytest.raises(mixprec.CompileError, match="policy"):
        mixprec.run_pipeline(SIMPLE, "mp-autocast{policy=bogus}")
    # A verifier error (type mismatch) is a diagnostic, not a crash.
    bad = SIMPLE.replace("return %0 : tensor<4xf32>", "return %a : tensor<4xf32>") \
                .replace("-> tensor<4xf32>", "-> tensor<5xf32>")
    with pytest.raises(mixprec.CompileError):
        mixprec.run_pipeline(bad, "mp-cleanup")
    with pytest.raises(TypeError):
        mixprec.run_pipeline(b"bytes", "mp-cleanup")


def test_compile_errors(mlp_graph):
    with pytest.raises(mixprec.CompileError, match="cannot parse"):
        mixprec.compile("func.func @train_step(", policy="float32")
    with pytest.raises(mixprec.CompileError, match="@nope"):
        mixprec.compile(mlp_graph.ir, entry="nope", policy="float32")
    # A step whose gradient-dependent result has no mp.updates tie: the
    # loss-scaling diagnostic comes back as CompileError.
    untied = mlp_graph.ir.replace(" {mp.updates = 0}", "")
    with pytest.raises(mixprec.CompileError, match="mp.updates"):
        mixprec.compile(untied, policy="float32")
    with pytest.raises(ValueError, match="mixed_bf16x"):
        mixprec.compile(mlp_graph.ir, policy="mixed_bf16x")
    with pytest.raises(ValueError, match="unknown option 'scale'"):
        mixprec.compile(mlp_graph.ir, loss_scaling="scale=3")
    with pytest.raises(ValueError, match="mode"):
        mixprec.compile(mlp_graph.ir, loss_scaling="mode=sometimes")
    with pytest.raises(ValueError, match="growth-interval"):
        mixprec.compile(mlp_graph.ir, loss_scaling={"growth_interval": "often"})
    with pytest.raises(ValueError, match="target"):
        mixprec.compile(mlp_graph.ir, target="tpu")
    with pytest.raises(NotImplementedError, match="CUDA"):
        mixprec.compile(mlp_graph.ir, target="cuda")
