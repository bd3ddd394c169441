"""Data-parallel steps (compile(data_parallel="mpi"), mixprec.world()).

The MPI parts run in subprocesses (mpiexec -n 2 with a timeout, or a
singleton), so this pytest process never initialises MPI. They are skipped
when mixprec was built without MPI or MPICH's mpiexec (Hydra) is missing."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import mixprec
from mixprec import _mixprec

import dp_worker

HERE = os.path.dirname(os.path.abspath(__file__))


def _mpich_mpiexec():
    mpiexec = shutil.which("mpiexec")
    if not mpiexec:
        return None
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return mpiexec if "HYDRA" in out.stdout + out.stderr else None


needs_mpi = pytest.mark.skipif(not _mixprec.have_mpi(),
                               reason="mixprec built without MPI")
MPIEXEC = _mpich_mpiexec()
needs_mpiexec = pytest.mark.skipif(
    not _mixprec.have_mpi() or MPIEXEC is None,
    reason="needs mixprec built with MPI and MPICH's mpiexec (Hydra)")


def _env():
    env = dict(os.environ)
    package = os.path.dirname(os.path.dirname(os.path.abspath(mixprec.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        [package, HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("MIXPREC_NUM_THREADS", "2")
    return env


def test_data_parallel_values(mlp_graph):
    with pytest.raises(ValueError, match="data_parallel must be 'none' or 'mpi'"):
        mixprec.compile(mlp_graph.ir, data_parallel="nccl")
    assert mixprec.DATA_PARALLEL_MODES == ("none", "mpi")


def test_default_is_not_data_parallel(mlp_step_dynamic):
    assert mlp_step_dynamic.data_parallel == "none"
    assert "data-parallel" not in mlp_step_dynamic.pipeline


@pytest.mark.skipif(_mixprec.have_mpi(), reason="mixprec built with MPI")
def test_without_mpi_build(mlp_graph):
    with pytest.raises(RuntimeError, match="built without MPI"):
        mixprec.world()
    with pytest.raises(RuntimeError, match="built without MPI"):
        mixprec.compile(mlp_graph.ir, data_parallel="mpi")


@needs_mpi
def test_world_singleton():
    """Outside mpiexec, world() initialises a singleton MPI: (0, 1)."""
    code = "import mixprec; print(mixprec.world())"
    out = subprocess.run([sys.executable, "-c", code], env=_env(),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(0, 1)"


@needs_mpiexec
@pytest.mark.parametrize("backend", ["jit", "aot"])
def test_two_ranks(tmp_path, backend):
    cmd = [MPIEXEC, "-n", "2", sys.executable,
           os.path.join(HERE, "dp_worker.py"), str(tmp_path), backend]
    out = subprocess.run(cmd, env=_env(), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in range(2)]
    for r, data in enumerate(ranks):
        assert list(data["world"]) == [r, 2]
    # Every rank ends with the same params, bit for bit, and sees the same
    # (all-reduced) loss.
    names = [k for k in ranks[0].files if k.startswith(("first", "final"))]
    assert names
    for k in names:
        assert ranks[0][k].tobytes() == ranks[1][k].tobytes(), k
    assert ranks[0]["loss"].tobytes() == ranks[1]["loss"].tobytes()
    # Step 1 is the mean of the two ranks' single-process steps (SGD is
    # linear in the gradient): compare with the non-data-parallel step.
    g = dp_worker.graph()
    ref = mixprec.compile(g.ir, policy="mixed_bfloat16",
                          loss_scaling=dp_worker.LOSS_SCALING)
    params = g.init(seed=0)
    per_rank = [mixprec.train(ref, params, dp_worker.rank_batches(r), steps=1)
                for r in range(2)]
    for i in range(len(params)):
        mean = (per_rank[0].params[i].astype(np.float64) +
                per_rank[1].params[i].astype(np.float64)) / 2
        np.testing.assert_allclose(ranks[0][f"first{i}"], mean, rtol=0,
                                   atol=1e-6)
    np.testing.assert_allclose(
        ranks[0]["loss"][0], (per_rank[0].loss[0] + per_rank[1].loss[0]) / 2,
        rtol=1e-6)
    # The ranks' own data differs: without the all-reduce they would diverge.
    assert per_rank[0].params[0].tobytes() != per_rank[1].params[0].tobytes()


@needs_mpiexec
def test_failing_rank_ends_the_job(tmp_path):
    """An uncaught exception on rank 1 aborts the job (world() installs the
    hook) instead of leaving rank 0 in its all-reduce and rank 1 in
    MPI_Finalize forever."""
    cmd = [MPIEXEC, "-n", "2", sys.executable,
           os.path.join(HERE, "dp_worker.py"), str(tmp_path), "fail"]
    out = subprocess.run(cmd, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode != 0
    assert "rank 1 fails alone" in out.stderr
    assert not (tmp_path / "rank0.npz").exists()
