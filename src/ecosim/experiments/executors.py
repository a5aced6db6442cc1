"""Executors: where runs happen — in this process, in local processes, or on Dask.

Each executor takes tasks and yields :class:`~ecosim.experiments.worker.Outcome`
objects in the order runs finish. Only a bounded window of tasks is in flight
at once, so memory stays flat however many runs an experiment has. A run's
numbers depend only on its task (scenario and seed), never on the executor,
the number of workers or the order of completion.

- ``serial``: one run after another in this process (debugging, tiny jobs).
- ``processes``: a :class:`concurrent.futures.ProcessPoolExecutor` with the
  ``spawn`` start method (safe with threads, same on Linux, macOS, Windows).
- ``dask``: a ``dask.distributed`` client — a new ``LocalCluster``, or a
  running cluster when a scheduler address is given (``tcp://host:8786``),
  which is how runs reach HPC queues through dask-jobqueue.

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
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from ecosim.experiments.tasks import Task
from ecosim.experiments.worker import Outcome, run_task

EXECUTORS = ("serial", "processes", "dask")
#: Seconds allowed for a TCP connection to a Dask scheduler (and for the client to connect).
SCHEDULER_TIMEOUT = 5.0
#: How often a process worker checks that its parent is still alive, seconds.
PARENT_POLL_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


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
    executor = check_executor(executor, scheduler)
    workers = workers or default_workers()
    if executor == "serial":
        for task in tasks:
            yield run_task(task)
    elif executor == "processes":
        yield from _run_processes(tasks, workers)
    else:
        yield from _run_dask(tasks, workers, scheduler)


def _windowed(submit, wait_some, tasks: Iterable[Task], window: int) -> Iterator[Outcome]:
    """Keep at most ``window`` tasks in flight; yield outcomes as they finish."""
    pending = set()
    queue = deque(tasks)
    while queue or pending:
        while queue and len(pending) < window:
            pending.add(submit(queue.popleft()))
        done, pending = wait_some(pending)
        for fut in done:
            yield fut.result()


def _run_processes(tasks: Iterable[Task], workers: int) -> Iterator[Outcome]:
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        def wait_some(pending):
            done, rest = wait(pending, return_when=FIRST_COMPLETED)
            return done, set(rest)

        try:
            yield from _windowed(lambda t: pool.submit(run_task, t), wait_some, tasks, 2 * workers)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _run_dask(tasks: Iterable[Task], workers: int, scheduler: str | None) -> Iterator[Outcome]:
    from distributed import Client, LocalCluster
    from distributed import wait as dask_wait

    cluster = None
    if scheduler:
        address = check_scheduler(scheduler)
        try:
            client = Client(address, timeout=f"{SCHEDULER_TIMEOUT:.0f}s")
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"--scheduler = '{scheduler}': could not connect ({exc})") from None
    else:
        # ``dashboard_address=None`` still starts the scheduler's HTTP server on 8787: give it a free
        # local port instead and switch the dashboard itself off
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0", scheduler_port=0, host="127.0.0.1",
                               scheduler_kwargs={"dashboard": False})
        client = Client(cluster)
    try:
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers)

        def wait_some(pending):
            res = dask_wait(list(pending), return_when="FIRST_COMPLETED")
            return res.done, set(res.not_done)

        yield from _windowed(lambda t: client.submit(run_task, t, pure=False), wait_some, tasks, window)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
