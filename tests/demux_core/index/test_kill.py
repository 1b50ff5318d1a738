"""kill -9 during a pool-index build never leaves a broken index, and the next build resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from demux_core.index import load_pool_index

BUILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from demux_core.data.examples import SequenceExample
    from demux_core.index import IndexSettings, PoolRows, build_pool_index

    folder, n, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    source = [SequenceExample(f"s{i}", "hau", f"sentence {i}") for i in range(n)]
    target = [SequenceExample(f"t{i}", "wol", f"target {i}") for i in range(40)]

    def embed(examples):
        time.sleep(delay)
        return np.stack([np.random.default_rng(int(e.id[1:]) + (7 if e.id[0] == "t" else 0))
                         .normal(size=16) for e in examples]).astype(np.float32)

    def rows(pool):
        return PoolRows(len(pool), lambda a, b: [(e.id, e) for e in pool[a:b]])

    build_pool_index(folder, "gen", {"source": rows(source), "target": rows(target)}, embed,
                     IndexSettings(chunk_rows=50))
    print("done")
    """
)


def _build(folder, n: int, delay: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BUILD, str(folder), str(n), str(delay)],
                            stdout=subprocess.PIPE, text=True, env={**os.environ})  # fmt: skip


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_last_complete_index(tmp_path):
    clean = tmp_path / "clean"
    assert _build(clean, 600, 0.0).wait(120) == 0
    expected = load_pool_index(clean, "gen").vectors
    folder = tmp_path / "killed"
    assert _build(folder, 400, 0.0).wait(120) == 0  # a complete index of the first 400 rows
    rng = np.random.default_rng(3)
    for attempt in range(5):  # grow to 600 rows, killed at seeded moments
        process = _build(folder, 600, 0.02)
        time.sleep(float(rng.uniform(0.3, 2.5)))
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        index = load_pool_index(folder, "gen")
        assert index is not None, f"attempt {attempt}: no usable index after the kill"
        rows = len(index.vectors["source"])
        assert rows in (400, 600)
        np.testing.assert_array_equal(index.vectors["source"], expected["source"][:rows])
    assert _build(folder, 600, 0.0).wait(120) == 0
    resumed = load_pool_index(folder, "gen")
    np.testing.assert_array_equal(resumed.vectors["source"], expected["source"])
    np.testing.assert_array_equal(resumed.vectors["target"], expected["target"])
    assert not list(folder.rglob("*.tmp*"))
