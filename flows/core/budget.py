"""A hard budget of CPU time for the work done on one document.

The extractors are linear by design, but a converter is third-party code fed hostile bytes, and a
bug can always make one slow: a budget makes sure no single input can stall a run. When the budget
runs out, `BudgetExceeded` is raised inside the work, which unwinds it (the caller quarantines the
document as `extractor_timeout`).

The budget counts the CPU time of the working thread (its own clock, read by a watchdog thread),
not wall time: a machine busy with other work does not push a document over it, and the outcome
depends on the document, not on the load. When it runs out, the watchdog interrupts the work: in
the main thread with a signal (handled even while a regular expression runs in C: `re` checks for
signals as it matches), in any other thread (Prefect's thread pool, Dask workers) by raising the
exception asynchronously between two Python bytecodes.
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNAL = signal.SIGALRM
_MIN_WAIT_S = 0.05  # how often, at most, the watchdog reads the clock


class BudgetExceeded(BaseException):  # noqa: N818 - the name says what happened
    """The work on one document took longer than its budget. A BaseException, like
    KeyboardInterrupt: the `except Exception` that quarantines an extractor's error, or that
    guards a converter, must not take it for the document's fault and swallow it."""


# two function objects over one C function: one raises an exception, one clears it (NULL)
_raise_in = ctypes.pythonapi["PyThreadState_SetAsyncExc"]
_raise_in.argtypes = (ctypes.c_ulong, ctypes.py_object)
_clear_in = ctypes.pythonapi["PyThreadState_SetAsyncExc"]
_clear_in.argtypes = (ctypes.c_ulong, ctypes.c_void_p)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise BudgetExceeded inside the block when it uses more than `seconds` of CPU time in
    this thread (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    target = threading.get_ident()
    clock = time.pthread_getcpuclockid(target)
    start = time.clock_gettime(clock)
    main = threading.current_thread() is threading.main_thread()
    lock = threading.Lock()
    state = {"armed": True, "fired": False}
    done = threading.Event()

    def expired(signum, frame) -> None:  # noqa: ARG001 - the signal handler's signature
        if state["armed"]:
            raise BudgetExceeded(f"over the budget of {seconds:g} s")

    def watch() -> None:
        used = 0.0
        while used < seconds:
            # the thread's CPU clock cannot run faster than the wall clock: no reading is needed
            # before what is left of the budget has passed
            if done.wait(max(_MIN_WAIT_S, seconds - used)):
                return
            try:
                used = time.clock_gettime(clock) - start
            except OSError:  # the thread is gone
                return
        with lock:
            if state["armed"]:
                state["fired"] = True
                if main:
                    signal.pthread_kill(target, _SIGNAL)
                else:
                    _raise_in(target, BudgetExceeded)

    previous = signal.signal(_SIGNAL, expired) if main else None
    watcher = threading.Thread(target=watch, name="uncoop-budget", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            state["armed"] = False
            if state["fired"] and not main:  # fired as the block ended: take back an undelivered exception
                _clear_in(target, None)
        done.set()
        watcher.join()
        if main and previous is not None:
            signal.signal(_SIGNAL, previous)
