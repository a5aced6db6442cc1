"""A progress bar for experiments: runs done, failed, skipped, and the time left."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class RunProgress:
    """Counts runs as they finish and shows them on a rich progress bar.

    Args:
        total: Runs to do (skipped ones excluded).
        description: Label on the left of the bar.
        enabled: Show the bar (counts are kept either way).
        skipped: Runs already in the store.
    """

    def __init__(self, total: int, description: str = "runs", *, enabled: bool = True, skipped: int = 0) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.skipped = skipped
        self._bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed[/] · {task.fields[skipped]} already stored"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(stderr=True), disable=not enabled, transient=False,
        )
        self._task = self._bar.add_task(description, total=total, failed=0, skipped=skipped)

    def update(self, ok: bool) -> None:
        """Record one finished run."""
        self.done += 1
        if not ok:
            self.failed += 1
        self._bar.update(self._task, advance=1, failed=self.failed)

    @contextmanager
    def shown(self):
        """Show the bar while the block runs."""
        with self._bar:
            yield self
