"""Progress bars on the terminal for long stages (extraction, validation), with rich.

Off unless a command line turns them on (`uncoop build`, `uncoop validate` do when standard
error is a terminal): a deployment's run, a test or a pipe gets no bar and no control
characters in its logs. The stages call `advance`/`tracked`, which do nothing when off.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_progress: Any = None  # the active rich Progress, or None
_tasks: dict[str, Any] = {}


@contextlib.contextmanager
def terminal_progress(enabled: bool | None = None, console: Any = None) -> Iterator[bool]:
    """Show progress bars while the block runs; `enabled=None` means: when stderr is a terminal.
    Yields whether bars are shown."""
    global _progress
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or _progress is not None:
        yield False
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console or Console(stderr=True), transient=False)
    _progress = progress
    try:
        with progress:
            yield True
    finally:
        _progress = None
        _tasks.clear()


def advance(description: str, done: int, total: int) -> None:
    """Set the bar `description` to `done` of `total` (created on first use)."""
    if _progress is None:
        return
    if description not in _tasks:
        _tasks[description] = _progress.add_task(description, total=total)
    _progress.update(_tasks[description], completed=done, total=total)


def tracked(items: Iterable[T], description: str) -> Iterator[T]:
    """The items, advancing the bar `description` as each one is done."""
    items = list(items)
    advance(description, 0, len(items))
    for i, item in enumerate(items, 1):
        yield item
        advance(description, i, len(items))
