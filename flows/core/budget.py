"""A hard time budget for the work done on one document.

The extractors are linear by design, but a converter is third-party code fed hostile bytes, and a
bug can always make one slow: a budget makes sure no single input can stall a run. When the budget
runs out, `BudgetExceeded` is raised inside the work, which unwinds it (the caller quarantines the
document as `extractor_timeout`).

In the main thread of a process the budget is an interval timer (SIGALRM): the signal is handled
even while a regular expression runs in C (`re` checks for signals as it matches). In any other
thread (Prefect's thread pool, Dask workers) a watchdog thread raises the exception in the
working thread between two Python bytecodes.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class BudgetExceeded(BaseException):  # noqa: N818 - the name says what happened
    """The work on one document took longer than its budget. A BaseException, like
    KeyboardInterrupt: the `except Exception` that quarantines an extractor's error, or that
    guards a converter, must not take it for the document's fault and swallow it."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise BudgetExceeded inside the block when it runs longer than `seconds` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expired(signum, frame) -> None:  # noqa: ARG001 - the signal handler's signature
        raise BudgetExceeded(f"over the budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    remaining, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:  # an enclosing timer was running: give it back what is left of it (roughly)
            signal.setitimer(signal.ITIMER_REAL, remaining)


# two function objects over one C function: one raises an exception, one clears it (NULL)
_raise_in = ctypes.pythonapi["PyThreadState_SetAsyncExc"]
_raise_in.argtypes = (ctypes.c_ulong, ctypes.py_object)
_clear_in = ctypes.pythonapi["PyThreadState_SetAsyncExc"]
_clear_in.argtypes = (ctypes.c_ulong, ctypes.c_void_p)


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"finished": False, "fired": False}
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        with lock:
            if not state["finished"]:
                state["fired"] = True
                _raise_in(target, BudgetExceeded)

    watcher = threading.Thread(target=watch, name="uncoop-budget", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            state["finished"] = True
            if state["fired"]:  # fired as the block ended: take back an exception not yet delivered
                _clear_in(target, None)
        done.set()
        watcher.join()
