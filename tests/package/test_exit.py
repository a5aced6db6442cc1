"""How the ``ecosim`` command ends: its output flushed, its exit handlers run and its exit status kept,
without the interpreter's teardown; a thread still working is waited for."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=120)


def test_the_command_flushes_a_piped_output_and_runs_exit_handlers_before_it_ends():
    proc = python("""
        import atexit, sys
        atexit.register(print, "exit handler ran")
        sys.argv = ["ecosim", "params", "--format", "csv"]
        from ecosim.cli import main
        main()
    """)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    from ecosim.scenario import parameter_table

    assert len(lines) == 1 + len(parameter_table()) + 1  # header, one row per lever, the handler's line
    assert lines[-1] == "exit handler ran"


def test_the_command_keeps_its_exit_status_and_its_error_message():
    proc = subprocess.run([sys.executable, "-m", "ecosim", "run", "no_such_scenario", "--out", "unused"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "scenario 'no_such_scenario' not found" in proc.stderr


def test_an_exit_with_a_message_prints_it_and_exits_1():
    proc = python("from ecosim.cli import end_process; end_process('stopped: no data')")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "stopped: no data"


def test_a_thread_still_working_at_the_end_is_waited_for():
    proc = python("""
        import threading, time
        def work():
            time.sleep(0.3)
            print("thread finished", flush=True)
        threading.Thread(target=work).start()
        from ecosim.cli import end_process
        end_process(3)
    """)
    assert proc.returncode == 3
    assert proc.stdout.strip() == "thread finished"
