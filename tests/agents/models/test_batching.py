"""MicroBatcher: concurrent submits become batches, keys never mix, errors reach every caller of a batch."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from mmgym.agents.models.base import ModelError
from mmgym.agents.models.batching import MicroBatcher
from mmgym.errors import ConfigError


class Recorder:
    """A run_batch that doubles numbers and remembers every batch it saw (and in which thread)."""

    def __init__(self, delay_s: float = 0.0, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.threads: set[int] = set()
        self.delay_s = delay_s
        self.fail_on = fail_on

    def __call__(self, requests: list[int]) -> list[int]:
        self.batches.append(list(requests))
        self.threads.add(threading.get_ident())
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail_on is not None and self.fail_on in requests:
            raise RuntimeError(f"boom on {self.fail_on}")
        return [2 * r for r in requests]


def test_concurrent_submits_form_one_batch_with_responses_in_order() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=8, wait_ms=50)

    async def main() -> list[int]:
        results = await asyncio.gather(*(batcher.submit(i) for i in range(6)))
        await batcher.close()
        return results

    assert asyncio.run(main()) == [0, 2, 4, 6, 8, 10]
    assert run.batches == [[0, 1, 2, 3, 4, 5]]
    assert batcher.batch_sizes == [6]
    assert (batcher.batches, batcher.requests) == (1, 6)


def test_max_batch_size_splits_and_full_batches_do_not_wait() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=4, wait_ms=10_000)

    async def main() -> tuple[list[int], float]:
        start = time.monotonic()
        results = await asyncio.gather(*(batcher.submit(i) for i in range(8)))
        elapsed = time.monotonic() - start
        return results, elapsed

    results, elapsed = asyncio.run(main())
    assert results == [2 * i for i in range(8)]
    assert run.batches == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert elapsed < 5  # two full batches ran at once, not after the 10 s wait


def test_remainder_runs_after_the_wait() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=4, wait_ms=100)

    async def main() -> float:
        start = time.monotonic()
        await asyncio.gather(*(batcher.submit(i) for i in range(5)))
        return time.monotonic() - start

    elapsed = asyncio.run(main())
    assert batcher.batch_sizes == [4, 1]
    assert elapsed >= 0.09  # the lone fifth request waited for company before running


def test_requests_with_different_keys_are_never_mixed() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=8, wait_ms=30, key_of=lambda r: r % 3)

    async def main() -> list[int]:
        return await asyncio.gather(*(batcher.submit(i) for i in range(12)))

    assert asyncio.run(main()) == [2 * i for i in range(12)]
    assert sorted(run.batches) == [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8, 11]]
    for batch in run.batches:
        assert len({r % 3 for r in batch}) == 1


def test_a_batch_exception_reaches_every_caller_of_that_batch_only() -> None:
    run = Recorder(fail_on=3)
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=8, wait_ms=30, key_of=lambda r: r % 2)

    async def main() -> list[int | BaseException]:
        return await asyncio.gather(*(batcher.submit(i) for i in range(6)), return_exceptions=True)

    results = asyncio.run(main())
    # The odd batch [1, 3, 5] failed; the even batch [0, 2, 4] did not.
    assert [results[i] for i in (0, 2, 4)] == [0, 4, 8]
    for i in (1, 3, 5):
        assert isinstance(results[i], RuntimeError)
        assert str(results[i]) == "boom on 3"


def test_wrong_number_of_responses_is_a_model_error() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda requests: [0], max_batch_size=4, wait_ms=20)

    async def main() -> list[int | BaseException]:
        return await asyncio.gather(*(batcher.submit(i) for i in range(3)), return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(r, ModelError) for r in results)
    assert "returned 1 responses for 3 requests" in str(results[0])


def test_batches_run_in_a_worker_thread_while_the_loop_keeps_going() -> None:
    run = Recorder(delay_s=0.3)
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=2, wait_ms=0)
    ticks = 0

    async def ticker(stop: asyncio.Event) -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(ticker(stop))
        await asyncio.gather(batcher.submit(1), batcher.submit(2))
        stop.set()
        await task

    asyncio.run(main())
    assert threading.get_ident() not in run.threads
    assert ticks >= 5  # the loop ran other coroutines during the 0.3 s batch


def test_requests_arriving_during_a_batch_form_the_next_batch() -> None:
    run = Recorder(delay_s=0.2)
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=8, wait_ms=0)

    async def main() -> None:
        first = asyncio.create_task(batcher.submit(0))
        await asyncio.sleep(0.05)  # the first batch is running now
        await asyncio.gather(first, *(batcher.submit(i) for i in range(1, 6)))

    asyncio.run(main())
    assert run.batches == [[0], [1, 2, 3, 4, 5]]


def test_a_cancelled_caller_is_dropped_and_the_others_are_served() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=8, wait_ms=10_000)

    async def main() -> list[int]:
        tasks = [asyncio.create_task(batcher.submit(i)) for i in range(4)]
        await asyncio.sleep(0.005)
        tasks[1].cancel()
        await batcher.close()  # runs what is queued now, without the long wait
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert isinstance(results[1], asyncio.CancelledError)
        return [r for i, r in enumerate(results) if i != 1]

    assert asyncio.run(main()) == [0, 4, 6]
    assert run.batches == [[0, 2, 3]]


def test_close_finishes_queued_requests_then_refuses_new_ones() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=8, wait_ms=5_000)

    async def main() -> list[int]:
        tasks = [asyncio.create_task(batcher.submit(i)) for i in range(3)]
        await asyncio.sleep(0.01)
        start = time.monotonic()
        await batcher.close()  # does not wait the 5 s: closing runs what is queued at once
        assert time.monotonic() - start < 2
        results = await asyncio.gather(*tasks)
        with pytest.raises(ModelError, match="closed"):
            await batcher.submit(9)
        return results

    assert asyncio.run(main()) == [0, 2, 4]
    assert run.batches == [[0, 1, 2]]


def test_one_batcher_serves_successive_event_loops() -> None:
    run = Recorder()
    batcher: MicroBatcher[int, int] = MicroBatcher(run, max_batch_size=4, wait_ms=10)
    assert asyncio.run(batcher.submit(1)) == 2
    assert asyncio.run(batcher.submit(2)) == 4
    assert batcher.batch_sizes == [1, 1]


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"max_batch_size": 0}, "max_batch_size"), ({"wait_ms": -1}, "wait_ms")]
)
def test_bad_settings_are_config_errors(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MicroBatcher(Recorder(), **kwargs)
