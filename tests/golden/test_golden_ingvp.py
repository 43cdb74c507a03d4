"""ING-VP comes through the core refactor unchanged: every record and every result equal the golden run.

The golden files were written by make_golden.py before the refactor; see golden.normalize for
what is ignored (timings, the spec hash in ids).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from golden import GOLDEN_DIR, digest, legacy, normalize, sample

from mmgym.agents.scripted import OracleAgent, RandomAgent
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp import IngvpSuite

pytestmark = pytest.mark.slow


def golden(name: str, kind: str) -> object:
    return json.loads((GOLDEN_DIR / f"ingvp-{name}-{kind}.json").read_text())


@pytest.mark.parametrize(("name", "agent"), [("oracle", OracleAgent), ("random", RandomAgent)])
def test_the_default_suite_reproduces_the_golden_run(tmp_path: Path, name: str, agent: type) -> None:
    results = evaluate(IngvpSuite(), agent, tmp_path, LocalRunner(concurrency=16), show_progress=False)
    records = {
        r["name"]: r
        for r in (normalize(legacy(json.loads(x.model_dump_json()))) for x in ResultsStore(tmp_path).records())
    }
    with gzip.open(GOLDEN_DIR / f"ingvp-{name}-sample.jsonl.gz", "rt") as f:
        for line in f:
            expected = json.loads(line)
            assert records[expected["name"]] == expected  # a readable diff on the first sampled difference
    expected_digests = golden(name, "digests")
    got = {episode: digest(record) for episode, record in records.items()}
    assert set(got) == set(expected_digests)
    differing = sorted(e for e in got if got[e] != expected_digests[e])
    assert differing == [], f"{len(differing)} records differ, e.g. {differing[:3]}"
    expected_results = golden(name, "results")
    got_results = results.model_dump(mode="json")
    assert [m["name"] for m in got_results.pop("metrics")] == expected_results.pop("metrics")
    assert got_results.pop("macro") == {}
    assert got_results.pop("notes") == {}  # a field added after the golden run: ING-VP has no notes
    assert got_results.pop("stopped") is None  # another: no budget, nothing left unplayed
    errors = {key: got_results.pop(key) for key in ("group_errors", "error_kinds", "aborted")}  # added later too
    assert errors == {"group_errors": {}, "error_kinds": {}, "aborted": None}
    assert got_results == expected_results
    assert sum(sample(e) for e in got) == 72
