"""Executors: where runs happen — in this process, in local processes, or on Dask.

Each executor takes tasks and yields :class:`~ecosim.experiments.worker.Outcome`
objects in the order runs finish. Only a bounded window of submissions is in
flight at once (two per worker), so memory stays flat however many runs an
experiment has. A run's numbers depend only on its task (scenario and seed),
never on the executor, the number of workers or the order of completion.

:func:`open_pool` starts an executor's workers once (a :class:`Pool`);
:meth:`Pool.imap_unordered` maps any picklable function over items on them,
which is how ``benchmarks/bench_sweep.py`` times the executors themselves
with empty and fixed-length tasks. Short runs travel in chunks
(:class:`Chunker`): a submission costs a few milliseconds, so runs are grouped
until a chunk holds about half a second of work; runs of a second or more go
one by one.

- ``serial``: one run after another in this process (debugging, tiny jobs).
- ``processes``: a :class:`concurrent.futures.ProcessPoolExecutor` with the
  ``spawn`` start method (safe with threads, same on Linux, macOS, Windows).
- ``dask``: a ``dask.distributed`` client — a new ``LocalCluster``, or a
  running cluster when a scheduler address is given (``tcp://host:8786``),
  which is how runs reach HPC queues through dask-jobqueue. A LocalCluster
  started here runs with :data:`LOCAL_CLUSTER_CONFIG`: no profiler and slower
  housekeeping timers, which take CPU from the runs on a small machine.

Process workers die with the process that started them: each worker asks the
kernel for a kill signal when its parent exits (Linux ``PR_SET_PDEATHSIG``)
and also watches its parent's pid from a thread, so a sweep killed with
``kill -9`` leaves no worker behind. A scheduler address is checked with a
short TCP connection before anything is submitted, so an address where no
scheduler listens fails within seconds with one line.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from ecosim.experiments.tasks import Task
from ecosim.experiments.worker import Outcome, run_task

EXECUTORS = ("serial", "processes", "dask")
#: Seconds allowed for a TCP connection to a Dask scheduler (and for the client to connect).
SCHEDULER_TIMEOUT = 5.0
#: How often a process worker checks that its parent is still alive, seconds.
PARENT_POLL_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1
#: Chunks in flight per worker (one running, one waiting), so memory stays flat.
WINDOW_PER_WORKER = 2
#: Seconds of work a chunk of short runs is grown to (per-chunk overhead is a few ms).
TARGET_TASK_SECONDS = 0.5
#: Chunks each worker should still get of what is left (bounds the tail).
CHUNKS_PER_WORKER = 4
#: Most items in one chunk.
MAX_CHUNK = 64


def die_with_parent(parent_pid: int) -> None:
    """Make this worker process exit when ``parent_pid`` goes away (worker initializer).

    On Linux the kernel sends SIGKILL when the parent exits; everywhere a
    daemon thread also polls the parent's pid and exits the process when the
    worker has been reparented.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="ecosim-parent-watch", daemon=True).start()


def check_scheduler(address: str, timeout: float = SCHEDULER_TIMEOUT) -> str:
    """Check that a Dask scheduler address is well formed and accepts TCP connections.

    Args:
        address: ``tcp://host:port`` (or ``host:port``).
        timeout: Seconds to wait for the connection.

    Raises:
        ValueError: One line naming ``--scheduler`` and the problem.
    """
    text = address.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    host, colon, port = rest.rstrip("/").rpartition(":")
    if scheme not in ("tcp", "tls") or not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--scheduler = '{address}': give a Dask scheduler address like tcp://host:8786")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ValueError(f"--scheduler = '{address}': no scheduler reachable there ({reason})") from None
    return f"{scheme}://{host}:{port}"


def default_workers() -> int:
    """Worker count when none is given: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def check_executor(name: str, scheduler: str | None = None) -> str:
    """Validate an executor name (one-line ``ValueError`` otherwise)."""
    if scheduler and name not in ("dask",):
        name = "dask"
    if name not in EXECUTORS:
        raise ValueError(f"executor = '{name}': must be one of {', '.join(EXECUTORS)}")
    if name == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError("executor = 'dask' needs dask[distributed]: pip install 'ecosim[dask]'") from None
    return name


def execute(
    tasks: Iterable[Task],
    executor: str = "serial",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Outcome]:
    """Run tasks and yield their outcomes as they finish.

    Args:
        tasks: Tasks to run.
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Number of worker processes (default: available cores).
        scheduler: Address of a running Dask scheduler (implies ``dask``).
    """
    with open_pool(executor, workers=workers, scheduler=scheduler) as pool:
        yield from pool.imap_unordered(run_task, tasks)


class Chunker:
    """How many items to send to a worker at once: enough for :data:`TARGET_TASK_SECONDS` of work.

    Every submission costs a few milliseconds (pickling, a round trip, a
    result transfer), which is nothing next to a 1 s run but a large share of
    a 20 ms one. The chunk size starts at 1 and follows the measured seconds
    per item, capped so that each worker still gets about
    :data:`CHUNKS_PER_WORKER` chunks of what is left (no long tail on one
    worker). Which items share a chunk never changes a run's numbers.

    Args:
        workers: Workers that share the items.
        total: Items to run.
        max_chunk: Most items in one chunk.
    """

    def __init__(self, workers: int, total: int, max_chunk: int = MAX_CHUNK) -> None:
        self.workers = max(1, workers)
        self.left = total
        self.max_chunk = max(1, max_chunk)
        self._seconds = 0.0
        self._items = 0

    def record(self, items: int, seconds: float) -> None:
        """Note that ``items`` items took ``seconds`` of worker time."""
        self._items += items
        self._seconds += seconds

    def size(self) -> int:
        """Items for the next chunk."""
        if self._items == 0:
            return 1
        per_item = self._seconds / self._items
        wanted = TARGET_TASK_SECONDS / per_item if per_item > 0 else float("inf")
        cap = max(1, self.left // (CHUNKS_PER_WORKER * self.workers))
        return int(max(1, min(wanted, cap, self.max_chunk)))

    def take(self, queue: deque) -> list:
        """Pop the next chunk off ``queue``."""
        n = min(self.size(), len(queue))
        self.left -= n
        return [queue.popleft() for _ in range(n)]


def run_chunk(fn: Callable[[Any], Any], items: list) -> tuple[list, float]:
    """Apply ``fn`` to each item in a worker; return the results and the seconds they took."""
    start = time.perf_counter()
    results = [fn(item) for item in items]
    return results, time.perf_counter() - start


class Pool:
    """Where items run: a context manager with :meth:`imap_unordered`.

    Opening a pool starts its workers (for Dask, the cluster); closing it stops
    them. One pool can run several maps, so start-up is paid once.

    Attributes:
        workers: Number of workers.
    """

    workers: int = 1

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers."""

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any], *,
                       max_chunk: int = MAX_CHUNK) -> Iterator[Any]:
        """Apply a picklable module-level ``fn`` to every item; yield results as they finish.

        Args:
            fn: The function.
            items: Its arguments, one per call.
            max_chunk: Most items per submission (1: one submission per item).
        """
        raise NotImplementedError

    def _windowed(self, submit: Callable[[list], Any], finished: Callable[[set], Iterator[tuple[Any, tuple]]],
                  items: Iterable[Any], max_chunk: int) -> Iterator[Any]:
        """Keep ``WINDOW_PER_WORKER × workers`` chunks in flight; yield results as chunks finish.

        ``submit(chunk)`` returns a future of :func:`run_chunk`; ``finished(pending)``
        yields ``(future, (results, seconds))`` for futures done since the last call.
        """
        queue = deque(items)
        chunker = Chunker(self.workers, len(queue), max_chunk)
        window = WINDOW_PER_WORKER * self.workers
        pending: set = set()
        while queue or pending:
            while queue and len(pending) < window:
                pending.add(submit(chunker.take(queue)))
            for fut, (results, seconds) in finished(pending):
                pending.discard(fut)
                chunker.record(len(results), seconds)
                yield from results


class SerialPool(Pool):
    """Items run one after another in this process."""

    def imap_unordered(self, fn, items, *, max_chunk=MAX_CHUNK):
        for item in items:
            yield fn(item)


class ProcessPool(Pool):
    """Local worker processes (``spawn``), each exiting when this process dies.

    Args:
        workers: Number of processes.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent,
                                         initargs=(os.getpid(),))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def imap_unordered(self, fn, items, *, max_chunk=MAX_CHUNK):
        def finished(pending):
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut, fut.result()

        try:
            yield from self._windowed(lambda chunk: self._pool.submit(run_chunk, fn, chunk), finished, items,
                                      max_chunk)
        except BaseException:
            self._pool.shutdown(wait=False, cancel_futures=True)
            raise


#: Dask settings for the LocalCluster this module starts: its dashboard is off, so the 100 Hz
#: profiler, the 20 ms event-loop tick, the 0.5 s system monitor and the 0.1 s memory monitor
#: only cost CPU (about 60 ms per second on an idle 2-worker cluster; 10 ms with these).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


class DaskPool(Pool):
    """A ``dask.distributed`` client: a new single-threaded-worker LocalCluster, or a running scheduler.

    Args:
        workers: Workers of a new LocalCluster (ignored with a scheduler).
        scheduler: Address of a running scheduler.
    """

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        import dask
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            address = check_scheduler(scheduler)
            try:
                self._client = Client(address, timeout=f"{SCHEDULER_TIMEOUT:.0f}s")
            except (OSError, TimeoutError) as exc:
                raise ValueError(f"--scheduler = '{scheduler}': could not connect ({exc})") from None
        else:
            # ``dashboard_address=None`` still starts the scheduler's HTTP server on 8787: give it a free
            # local port instead and switch the dashboard itself off
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address="127.0.0.1:0", scheduler_port=0, host="127.0.0.1",
                                             scheduler_kwargs={"dashboard": False})
                self._client = Client(self._cluster)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or workers)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def imap_unordered(self, fn, items, *, max_chunk=MAX_CHUNK):
        from distributed import as_completed

        done = as_completed(with_results=True)

        def submit(chunk):
            fut = self._client.submit(run_chunk, fn, chunk, pure=False)
            done.add(fut)
            return fut

        def finished(pending):
            yield next(done)
            for fut, result in done.next_batch(block=False):
                yield fut, result

        yield from self._windowed(submit, finished, items, max_chunk)


def open_pool(executor: str = "serial", *, workers: int | None = None, scheduler: str | None = None) -> Pool:
    """Start the workers of an executor (a context manager; see :class:`Pool`).

    Args:
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Number of workers (default: available cores).
        scheduler: Address of a running Dask scheduler (implies ``dask``).
    """
    executor = check_executor(executor, scheduler)
    workers = workers or default_workers()
    if executor == "serial":
        return SerialPool()
    if executor == "processes":
        return ProcessPool(workers)
    return DaskPool(workers, scheduler)
