"""Judging an upload within bounds, and keeping its results for a while.

Judging runs in a small pool of worker threads, so the server keeps
answering while a province is judged. Each job has a deadline: the request
is answered when it passes (`web-timeout`, 422), and the job is stopped
where it is — one record can take long (a ruleset's nested aggregates
multiply), so waiting for the next record is not enough. The stop is an
exception (`Stopped`) raised in the worker's thread, sent only while that
job runs, and its temporary folder is removed whatever it was doing. Jobs
still running count against `max_pending`, so a stream of heavy uploads
gets "busy" (429) instead of piling up.

The results of an upload (`Run`) are kept in memory — never on disk — for
the report and dashboard pages and their downloads, the oldest dropped
first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs

from ..errors import AntqError, Diagnostic
from ..readers import iter_records
from ..result import Result, Summary
from ..ruleset import Ruleset
from . import uploads

T = TypeVar("T")


class Cancelled(Exception):
    """A job whose request has stopped waiting for it."""


class Stopped(BaseException):
    """Raised inside a worker thread whose job outlasted its time. A
    `BaseException`, so that the engine's `except Exception` (one record's
    trouble never stops a batch) does not swallow it."""


RESEND_AFTER = 1.0  # seconds: a stop not raised by then was lost (see `_stop`)


@attrs.define(eq=False)
class _Life:
    """One job's state, read and changed under `Workers._lock` only.

    A stop is sent to the job's thread only while it is inside a
    `stoppable()` window — judging a record, where the work has no bound
    but its time — never while it reads files, imports a module or draws a
    report (a stop there could leave an import lock held for good). `sent`
    and `seen` count the stops sent and raised: one still on its way when
    the window closes is waited for there, so none reaches the pool's own
    code."""

    workers: Any
    cancel: threading.Event = attrs.field(factory=threading.Event)
    thread: int = 0
    window: bool = False
    sent: int = 0
    seen: int = 0
    last_sent: float = 0.0
    ended: bool = False


_current = threading.local()  # the `_Life` of the job this worker thread runs


def _send(thread: int) -> None:
    """Raise `Stopped` in `thread` at its next bytecode. (Never "take back" a
    stop by sending NULL: CPython 3.11 then leaves its eval breaker set for
    good, and the next traced call in any thread spins for ever.)"""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(Stopped))


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """Code that a job over its time may be stopped in, where it is:
    judging (nested aggregates multiply, so one record can take hours).
    Outside a job (a test, a tool), nothing."""
    life: _Life | None = getattr(_current, "life", None)
    if life is None:
        yield
        return
    workers = life.workers
    workers._enter(life)
    try:
        yield
    except Stopped:
        workers._seen(life)
        raise Cancelled from None
    finally:
        workers._leave(life)


class Workers:
    def __init__(self, workers: int, max_pending: int) -> None:
        self.workers = workers
        self.pool: concurrent.futures.ThreadPoolExecutor | None = None  # (made when first used)
        self.max_pending = max_pending
        self.pending = 0
        self._lock = threading.Lock()
        self._running: set[_Life] = set()

    async def run(self, job: Callable[[threading.Event], T], timeout: float) -> T:
        """`job(cancel)` in a worker; `web-busy` when too many are running,
        `web-timeout` when it outlasts `timeout` (it is then stopped: where
        it is when it is judging, at the next record otherwise)."""
        with self._lock:
            if self.pending >= self.max_pending:
                raise AntqError(Diagnostic("web-busy", {}))
            self.pending += 1
        life = _Life(self)
        try:
            future = self._pool().submit(self._guarded, job, life)
        except RuntimeError:  # (the pool is shutting down)
            self._done(None)
            raise AntqError(Diagnostic("web-busy", {})) from None
        future.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            self._stop_until_ended(life)
            raise AntqError(Diagnostic("web-timeout", {"seconds": _seconds(timeout)})) from None
        except asyncio.CancelledError:  # (the request itself was given up)
            self._stop_until_ended(life)
            raise

    def _guarded(self, job: Callable[[threading.Event], T], life: _Life) -> T:
        """In the worker thread: the job, with its life known to `stoppable`."""
        with self._lock:
            if life.cancel.is_set():
                raise Cancelled  # (its request stopped waiting while it queued)
            life.thread = threading.get_ident()
            self._running.add(life)
        _current.life = life
        try:
            return job(life.cancel)
        finally:
            _current.life = None
            with self._lock:
                life.ended = True
                self._running.discard(life)
            uploads.sweep()  # (a stop may have cut a temporary folder's removal short)

    def _enter(self, life: _Life) -> None:
        with self._lock:
            if life.cancel.is_set():
                raise Cancelled
            life.window = True

    def _seen(self, life: _Life) -> None:
        with self._lock:
            life.seen += 1

    def _leave(self, life: _Life) -> None:
        """Close the window; a stop sent and not yet raised is raised here."""
        with self._lock:
            life.window = False
            waiting = life.sent > life.seen
        deadline = time.monotonic() + RESEND_AFTER
        while waiting and time.monotonic() < deadline:
            try:
                while time.monotonic() < deadline:
                    pass  # (raised at a backward jump of this loop)
            except Stopped:
                with self._lock:
                    life.seen += 1
                    waiting = life.sent > life.seen

    def _stop(self, life: _Life) -> None:
        """Tell a job to stop: its next record (`cancel`), and at once if it
        is judging. A stop raised inside a garbage collector's callback is
        lost there (Python prints it and goes on): one not raised after
        `RESEND_AFTER` is sent again."""
        with self._lock:
            life.cancel.set()
            now = time.monotonic()
            lost = life.sent > life.seen and now - life.last_sent > RESEND_AFTER
            if life.window and (life.sent == life.seen or lost):
                if lost:
                    life.seen = life.sent  # (that one will not come)
                life.sent += 1
                life.last_sent = now
                _send(life.thread)

    def _stop_until_ended(self, life: _Life) -> None:
        """`_stop`, and again while the job runs (it may enter a window later,
        or its stop may be lost)."""
        self._stop(life)

        def again() -> None:
            with self._lock:
                if life.ended:
                    return
            self._stop(life)
            timer = threading.Timer(RESEND_AFTER / 2, again)
            timer.daemon = True
            timer.start()

        again()

    def _done(self, _future: Any) -> None:
        with self._lock:
            self.pending -= 1

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self.pool is None:
                self.pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.workers, thread_name_prefix="antq-judge"
                )
            return self.pool

    def close(self) -> None:
        """At shutdown: running jobs are stopped, waiting ones dropped (so
        that the process can exit); an application started again gets a new pool."""
        with self._lock:
            pool, self.pool = self.pool, None
            running = list(self._running)
        for life in running:
            self._stop_until_ended(life)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _seconds(timeout: float) -> str:
    return str(int(timeout)) if timeout >= 1 else f"{timeout:g}"


# ------------------------------------------------------------------ judging


@attrs.frozen
class Judged:
    results: tuple[Result, ...]
    summary: Summary = attrs.field(eq=False)


def judge_file(
    ruleset: Ruleset,
    path: Path,
    *,
    year: int | None,
    period: Any,
    limits: Any,
    cancel: threading.Event,
    notices: tuple[Diagnostic, ...] = (),
    hide: str = "",
) -> Judged:
    """Every subject of a data file judged, in order. A file that cannot be
    read at all is its `AntqError`; a bad record is an error result and the
    others are still judged. `hide` (the temporary folder) is taken out of
    the names and messages that a user sees."""
    ruleset.check_when(year, period)
    results: list[Result] = []
    summary = Summary()
    for index, record in enumerate(
        iter_records([path], ruleset.schema, ruleset.subject, None, limits)
    ):
        if cancel.is_set():
            raise Cancelled
        if record.label == str(path) and record.data is None and record.error and not results:
            # (the file itself could not be read: the upload is wrong, not a record)
            error = record.error
            raise type(error)([scrub_diagnostic(d, hide) for d in error.diagnostics])
        with stoppable():
            judged = ruleset.judge_record(record, index, year, period, explain=True)
        result = _scrubbed(judged, hide, notices)
        summary.add(result)
        results.append(result)
    if not results:
        raise AntqError(Diagnostic("web-empty", {}))
    return Judged(tuple(results), summary)


def _scrubbed(result: Result, hide: str, notices: tuple[Diagnostic, ...]) -> Result:
    """A result as a user may see it: the upload's notes added, and the
    temporary folder taken out of its subject's label, error and notes."""
    error = result.error
    if error is not None and hide:
        error = type(error)([scrub_diagnostic(d, hide) for d in error.diagnostics])
    return attrs.evolve(
        result,
        subject=_cut(result.subject, hide) if result.subject else result.subject,
        error=error,
        notices=tuple(scrub_diagnostic(d, hide) for d in (*notices, *result.notices)),
    )


def scrub_diagnostic(d: Diagnostic, hide: str) -> Diagnostic:
    if not hide:
        return d
    params = {k: _cut(str(v), hide) if hide in str(v) else v for k, v in d.params.items()}
    return attrs.evolve(d, params=params)


def _cut(text: str, hide: str) -> str:
    return text.replace(hide.rstrip("/") + "/", "") if hide else text


# ------------------------------------------------------------------- runs


@attrs.frozen(eq=False)
class Run:
    """One upload's results, as the pages show them."""

    id: str
    ruleset: Ruleset
    ruleset_key: str  # the catalog name, or "" for pasted text
    results: tuple[Result, ...]
    summary: Summary
    data_name: str
    lang: str
    size: int = 0  # bytes uploaded: what the store counts against its budget
    created: float = attrs.field(factory=time.monotonic)

    @property
    def batch(self) -> bool:
        return len(self.results) > 1

    @property
    def criteria(self) -> list[str]:
        return [c.id for c in self.ruleset.criteria]


class RunStore:
    """The last `kept` runs, each for `ttl` seconds at most, and no more than
    `budget` bytes of uploads (a province's records take far more memory as
    objects than as a file: the oldest go first)."""

    def __init__(self, kept: int, ttl: float, budget: int) -> None:
        self.kept = kept
        self.ttl = ttl
        self.budget = budget
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(12)

    def add(self, run: Run) -> None:
        with self._lock:
            self._runs[run.id] = run
            self._expire()
            while len(self._runs) > self.kept or (
                len(self._runs) > 1 and sum(r.size for r in self._runs.values()) > self.budget
            ):
                self._runs.popitem(last=False)

    def get(self, run_id: str) -> Run:
        with self._lock:
            self._expire()
            run = self._runs.get(run_id)
        if run is None:
            raise AntqError(Diagnostic("web-no-run", {}))
        return run

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, r in self._runs.items() if now - r.created > self.ttl]:
            del self._runs[key]
