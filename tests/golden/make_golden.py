"""Write the ING-VP golden run that the core refactor must reproduce (run once, before the refactor).

    python tests/golden/make_golden.py

For the oracle and the random agent over the whole default suite (1,800 episodes each, no videos):
`results.json` as written, a digest of every episode record, and the full records of the first two
levels of each game and setting (for readable diffs). Records are normalized by `golden.normalize`:
timings dropped, ids without their spec hash.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile

from golden import GOLDEN_DIR, digest, normalize, sample

from mmgym.agents.scripted import OracleAgent, RandomAgent
from mmgym.results.store import ResultsStore
from mmgym.runners.evaluate import evaluate
from mmgym.runners.local import LocalRunner
from mmgym.tasks.ingvp import IngvpSuite

AGENTS = {"oracle": OracleAgent, "random": RandomAgent}


def main() -> None:
    for name, agent in AGENTS.items():
        with tempfile.TemporaryDirectory() as run_dir:
            results = evaluate(IngvpSuite(), agent, run_dir, LocalRunner(concurrency=16), show_progress=False)
            records = [normalize(json.loads(r.model_dump_json())) for r in ResultsStore(run_dir).records()]
        (GOLDEN_DIR / f"ingvp-{name}-results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        digests = {r["name"]: digest(r) for r in records}
        (GOLDEN_DIR / f"ingvp-{name}-digests.json").write_text(json.dumps(digests, indent=0, sort_keys=True) + "\n")
        kept = sorted((r for r in records if sample(r["name"])), key=lambda r: r["name"])
        with gzip.open(GOLDEN_DIR / f"ingvp-{name}-sample.jsonl.gz", "wt", compresslevel=9) as f:
            f.writelines(json.dumps(r, sort_keys=True) + "\n" for r in kept)
        print(f"{name}: {len(records)} records, {len(kept)} kept in full", file=sys.stderr)


if __name__ == "__main__":
    main()
