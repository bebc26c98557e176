"""Runs fuzz inputs through antq_rules in a process of its own, within bounded memory.

Invoked by tests/test_fuzz.py, never collected by pytest itself:

    python fuzz_worker.py records INPUT [--limit NAME=VALUE]... [--no-judge] [--alarm SECONDS]
    python fuzz_worker.py load INPUT

INPUT is a folder whose entries are the inputs (in name order), or one input file.
* `records`: each entry is a data file or a folder of CSV files, read with
  `antq_rules.readers.read_records` against the schema and subject of the
  shipped plan `plans/ngoc_dao_2021.antq`; each record read is then judged by
  that ruleset and its result written as JSON (unless `--no-judge`), so that
  whatever a hostile file gets past the reader meets the rest of the library.
* `load`: each entry is a JSON object `{"source": str, "allow": [str]?, "as_path": bool?}`
  (JSON, so that NUL bytes and lone surrogates survive the trip);
  `antq_rules.load(source, allow=allow)` is called with it.

Before anything is imported, the address space is limited (RLIMIT_AS), so a
runaway allocation becomes a MemoryError instead of taking the machine down.
Each input also gets a wall-clock alarm. One JSON line is printed per input:
`{"name", "outcome": "ok"|"antq-error"|"other-exception"|"timeout", "type",
"code", "message", "seconds", "peak_rss_mb", "stage", "frames"}` (and for
`records`, once read, "records": how many and "record_errors": the codes of
those that came with an error), preceded by a
`{"name", "outcome": "started"}` line, so that a caller who has to kill a hung
worker still learns which input hung.
"""

from __future__ import annotations

import resource
import sys

# The interpreter with antq_rules, lark, yaml and the readers imported needs far
# less than this (about 40 MB of address space, measured); 1 GB leaves room for
# every legitimate read while stopping a runaway one.
ADDRESS_SPACE = 1024 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

import json  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import antq_rules  # noqa: E402
from antq_rules import AntqError  # noqa: E402
from antq_rules.limits import Limits  # noqa: E402
from antq_rules.readers import read_records  # noqa: E402

ALARM_SECONDS = 20  # one input, unless --alarm says otherwise; the caller's bound is tighter
MESSAGE_CHARS = 4000


class InputTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` swallows it."""


def _alarm(signum: int, frame: Any) -> None:
    raise InputTimeout(f"still running after {ALARM_SECONDS} s")


def set_alarm(seconds: int) -> None:
    global ALARM_SECONDS
    ALARM_SECONDS = seconds


def peak_rss_mb() -> float:
    # Linux's VmHWM is this program's own peak: ru_maxrss also counts the
    # process it was forked from (pytest, with whatever earlier tests loaded),
    # since it survives exec.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return round(peak / scale, 1)


def library_frames(error: BaseException) -> list[str]:
    """The last frames of the traceback inside antq_rules, then the innermost frame
    (which may be in a library antq_rules called)."""
    frames = list(traceback.extract_tb(error.__traceback__))
    chosen = [f for f in frames if "antq_rules" in f.filename.replace("\\", "/")][-5:]
    if frames and (not chosen or chosen[-1] is not frames[-1]):
        chosen.append(frames[-1])
    return [f"{f.filename}:{f.lineno} in {f.name}: {f.line}" for f in chosen]


def emit(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def inputs_of(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.iterdir())
    return [path]


def run_one(name: str, stage_work: list[tuple[str, Any]], state: dict[str, Any]) -> None:
    """Run the stages of one input in turn; report the first failure, or success."""
    emit({"name": name, "outcome": "started"})
    start = time.perf_counter()
    outcome, kind, code, message, frames, stage = "ok", "", "", "", [], ""
    signal.alarm(ALARM_SECONDS)
    try:
        for step, work in stage_work:
            stage = step
            work()
    except AntqError as error:
        outcome, kind, code = "antq-error", type(error).__name__, error.code
        message = _text_of(error)
    except InputTimeout as error:
        outcome, kind, message = "timeout", "InputTimeout", str(error)
        frames = library_frames(error)
    except (Exception, RecursionError, MemoryError) as error:
        outcome, kind, message = "other-exception", type(error).__name__, _text_of(error)
        frames = library_frames(error)
    finally:
        signal.alarm(0)
    emit(
        {
            "name": name,
            "outcome": outcome,
            "type": kind,
            "code": code,
            "message": message[:MESSAGE_CHARS],
            "seconds": round(time.perf_counter() - start, 3),
            "peak_rss_mb": peak_rss_mb(),
            "stage": stage,
            "frames": frames,
            **state.get("detail", {}),
        }
    )


def _text_of(error: BaseException) -> str:
    try:
        return str(error)
    except Exception as inner:  # (the error's own str() failed: say so)
        return f"<str() raised {type(inner).__name__}: {inner}>"


def run_records(target: Path, limits: Limits, judge: bool, explain: bool = True) -> None:
    ruleset = antq_rules.load(antq_rules.shipped("plans/ngoc_dao_2021.antq"))
    for path in inputs_of(target):
        state: dict[str, Any] = {}

        def read(path: Path = path, state: dict[str, Any] = state) -> None:
            records = read_records(path, ruleset.schema, ruleset.subject, limits=limits)
            state["records"] = records
            state["detail"] = {
                "records": len(records),
                "record_errors": [
                    getattr(r.error, "code", type(r.error).__name__)
                    for r in records
                    if r.error is not None
                ],
            }

        def evaluate(state: dict[str, Any] = state) -> None:
            for record in state["records"]:
                if record.error is not None:
                    if not isinstance(record.error, AntqError):
                        raise TypeError(f"a record's error is a {type(record.error).__name__}")
                    record.error.render()
                    continue
                result = ruleset.evaluate(record.data, explain=explain)
                result.with_notices(record.notices).to_json(explain=explain)

        stages: list[tuple[str, Any]] = [("read", read)]
        if judge:
            stages.append(("judge", evaluate))
        run_one(path.name, stages, state)


def run_load(target: Path) -> None:
    for path in inputs_of(target):
        spec = json.loads(path.read_text(encoding="ascii"))
        source = spec["source"]
        allow = spec.get("allow", [])

        def load(source: Any = source, allow: list[str] = allow, spec: Any = spec) -> None:
            given = Path(source) if spec.get("as_path") else source
            antq_rules.load(given, allow=allow)

        run_one(path.name, [("load", load)], {})


def main(argv: list[str]) -> int:
    kind, target = argv[0], Path(argv[1])
    options = argv[2:]
    signal.signal(signal.SIGALRM, _alarm)
    if kind == "records":
        changes: list[str] = []
        judge = explain = True
        i = 0
        while i < len(options):
            if options[i] == "--limit":
                changes.append(options[i + 1])
                i += 2
            elif options[i] == "--no-judge":
                judge = False
                i += 1
            elif options[i] == "--no-explain":
                explain = False
                i += 1
            elif options[i] == "--alarm":
                set_alarm(int(options[i + 1]))
                i += 2
            else:
                raise SystemExit(f"unknown option {options[i]!r}")
        run_records(target, Limits().parse(changes), judge, explain)
    elif kind == "load":
        run_load(target)
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
