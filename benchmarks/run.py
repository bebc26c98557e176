"""The benchmark: antq_rules against hand-written Python on the same criteria.

    python benchmarks/run.py            # the full run (make bench), writes benchmarks/results.md
    python benchmarks/run.py --quick    # a smoke run on tiny sizes

Every engine is first checked to agree with the hand-written baseline on
every commune (verdict and each criterion's outcome); only then is anything
timed. Times are medians of several runs over the same data, in one process,
so the ratios compare like with like on this machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402
from peers import PEERS  # noqa: E402

import antq_rules  # noqa: E402
from antq_rules.explain import _says_nothing_when_true  # noqa: E402
from antq_rules.model import Status  # noqa: E402
from antq_rules.synthetic import commune_with_areas, province  # noqa: E402

RULESET = HERE / "ngoc_dao.antq"


def interleaved(
    runs: list[tuple[str, Callable[[], Any], int]], repeats: int
) -> dict[str, list[float]]:
    """µs per item of each run, round by round: every round runs each once, in
    turn, so that a slow spell of a shared machine falls on all of them."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    for _ in range(repeats):
        for name, run, count in runs:
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) / count * 1e6)
    return times


def per_item(run: Callable[[], Any], count: int, repeats: int) -> float:
    """Median µs per item of `run`, which handles `count` items."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / count * 1e6


def outcomes_of(result: Any) -> tuple[bool, tuple[bool, ...]]:
    statuses = result.statuses
    return result.verdict is Status.PASS, tuple(statuses[i] is Status.PASS for i in baseline.IDS)


def check_agreement(name: str, results: Iterable[Any], records: list[Any]) -> None:
    for index, (result, record) in enumerate(zip(results, records, strict=True)):
        if outcomes_of(result) != baseline.judge(record):
            raise SystemExit(f"{name} disagrees with the baseline on commune {index}")


def cold_load(path: Path) -> tuple[float, float]:
    """(import + load, import alone) in ms, each in a fresh interpreter."""
    code = (
        "import time; t = time.perf_counter(); import antq_rules; i = time.perf_counter(); "
        f"antq_rules.load({str(path)!r}); e = time.perf_counter(); "
        "print((e - t) * 1000, (i - t) * 1000)"
    )
    # As after `pip install`: bytecode cached (a first run writes it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = []
    for _ in range(6):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        runs.append(tuple(float(x) for x in out.stdout.split()))
    runs = runs[1:]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def large_ruleset(criteria: int = 34) -> str:
    """The benchmark's criteria repeated (renamed, thresholds varied) to `criteria`."""
    text = RULESET.read_text(encoding="utf-8").replace('"../rulesets/', f'"{HERE.parent}/rulesets/')
    head, *blocks = text.split("\ncriterion ")
    out = [head.rstrip() + "\n"]
    for n in range(criteria):
        cid, rest = blocks[n % len(blocks)].split(" ", 1)
        out.append(f"criterion {cid}_{n} {rest.rstrip()}\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    n = 200 if args.quick else args.communes
    slow_n = 20 if args.quick else 300
    repeats = 1 if args.quick else args.repeats
    sizes = [10, 100] if args.quick else [10, 100, 1_000, 10_000]

    rs = antq_rules.load(RULESET)
    records = list(province(n, seed=2021, missing=0.0))
    partial = list(province(n, seed=2021, missing=0.01))
    few = records[:slow_n]
    some = records[: 10 * slow_n]  # for explanations

    # Agreement first: every engine, every commune.
    for record in records:
        if baseline.judge_fused(record) != baseline.judge(record):
            raise SystemExit("the two hand-written versions disagree")
    check_agreement("compiled", (rs.evaluate(r) for r in records), records)
    check_agreement("batch", rs.evaluate_many(records), records)
    check_agreement("reference", (rs.evaluate(r, evaluator="reference") for r in few), few)
    for record in partial[:slow_n]:
        fast, ref = rs.evaluate(record), rs.evaluate(record, evaluator="reference")
        if (fast.verdict, fast.statuses) != (ref.verdict, ref.statuses):
            raise SystemExit("compiled and reference disagree on partial data")
    for record in few + partial[:slow_n]:
        # Explanations by generated code and by the reference tracer.
        fast, ref = rs.evaluate(record), rs.evaluate(record, evaluator="reference")
        if fast.to_dict() != ref.to_dict() or any(
            c.explanation.trace != ref.criteria[cid].explanation.trace
            for cid, c in fast.criteria.items()
        ):
            raise SystemExit("explanations differ between the two tracers")

    def hand() -> None:
        for r in records:
            baseline.judge(r)

    def fused() -> None:
        for r in records:
            baseline.judge_fused(r)

    def compiled() -> None:
        for r in records:
            result = rs.evaluate(r)
            result.verdict, result.statuses  # noqa: B018 - what a caller reads

    def batch() -> None:
        for result in rs.evaluate_many(records):
            result.verdict, result.statuses  # noqa: B018

    def explained() -> None:
        # What a report shows of each criterion: facts with their values,
        # witnesses (with labels), the gap, missing data.
        for r in some:
            for criterion in rs.evaluate(r).criteria.values():
                x = criterion.explanation
                x.facts, x.witnesses, x.gap, x.missing  # noqa: B018

    def traced() -> None:
        # … and the step-by-step trace `antq why` prints.
        for r in some:
            for criterion in rs.evaluate(r).criteria.values():
                criterion.explanation.trace  # noqa: B018

    def reference() -> None:
        for r in few:
            rs.evaluate(r, evaluator="reference")

    def with_missing() -> None:
        for r in partial:
            rs.evaluate(r)

    peer_rows = []
    for name, make in PEERS.items():
        judge = make()
        if judge is None:
            print(f"{name} is not installed: left out", file=sys.stderr)
            continue
        for record in few:
            if judge(record) != baseline.judge(record):
                raise SystemExit(f"{name} disagrees with the baseline")

        def peer(judge: Any = judge) -> None:
            for r in few:
                judge(r)

        peer_rows.append((f"{name} (installed version, same criteria)", peer))

    runs = [
        ("hand-written Python, one expression per criterion", hand, n),
        ("hand-written Python, one fused loop per list", fused, n),
        ("antq_rules compiled: verdict and statuses", compiled, n),
        ("antq_rules compiled, `evaluate_many` (streamed)", batch, n),
        ("antq_rules with explanations (facts, witnesses, gaps)", explained, len(some)),
        ("… and the step-by-step trace (`antq why`)", traced, len(some)),
        ("antq_rules reference interpreter", reference, slow_n),
    ]
    runs += [(name, run, slow_n) for name, run in peer_rows]
    times = interleaved(runs, repeats)
    hand_times = times[runs[0][0]]
    # (µs: the median of the rounds; ratio: the median of each round's ratio)
    rows = [
        (
            name,
            statistics.median(times[name]),
            statistics.median(t / h for t, h in zip(times[name], hand_times, strict=True)),
        )
        for name, _, _ in runs
    ]
    # Where the time of explanations goes: each step adds to the one before.
    period = rs.evaluate(some[0]).period
    # The tracing functions an explanation runs: not for a test of all/none
    # that holds (it has nothing to say but its trace, made if read).
    traced_pairs = []
    for r in some:
        statuses = rs.evaluate(r).statuses
        for c in rs.criteria:
            if statuses[c.id] is not Status.PASS or not _says_nothing_when_true(c.test):
                traced_pairs.append((r, rs.trace_spec(c.test).function))

    def criteria_built() -> None:
        for r in some:
            for _ in rs.evaluate(r).criteria.values():
                pass

    def tracing_alone() -> None:
        for r, function in traced_pairs:
            function(r, period, None, None)

    def hand_some() -> None:
        for r in some:
            baseline.judge(r)

    def judged() -> None:
        for r in some:
            rs.evaluate(r)

    steps = interleaved(
        [
            ("hand", hand_some, len(some)),
            ("judging (`evaluate`)", judged, len(some)),
            ("… and a `CriterionResult` per criterion", criteria_built, len(some)),
            ("the generated tracing functions those explanations run", tracing_alone, len(some)),
            ("explanations read (as in the table above)", explained, len(some)),
        ],
        repeats,
    )
    breakdown = {
        name: statistics.median(t / h for t, h in zip(steps[name], steps["hand"], strict=True))
        for name in steps
        if name != "hand"
    }
    rest = (
        breakdown["explanations read (as in the table above)"]
        - breakdown["… and a `CriterionResult` per criterion"]
        - breakdown["the generated tracing functions those explanations run"]
    )

    rs.fast_stats.fast = rs.fast_stats.general = 0
    with_missing()
    fast_share = rs.fast_stats.fast / max(1, rs.fast_stats.fast + rs.fast_stats.general)
    pair = interleaved([("hand", hand, n), ("missing", with_missing, n)], repeats)
    missing_us = statistics.median(pair["missing"])
    missing_ratio = statistics.median(
        t / h for t, h in zip(pair["missing"], pair["hand"], strict=True)
    )

    # A batch of 10,000 (or n) communes, streamed from the generator: time and peak memory.
    start = time.perf_counter()
    for _ in rs.evaluate_many(records):
        pass
    batch_seconds = time.perf_counter() - start
    peaks = {}
    for count in (n // 10, n):
        tracemalloc.start()
        for _ in rs.evaluate_many(province(count, seed=7, missing=0.0)):
            pass
        peaks[count] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()

    # Loading.
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "large.antq"
        big.write_text(large_ruleset(), encoding="utf-8")
        cold_ms, import_ms = cold_load(big)
        from antq_rules.syntax.parser import parse_ruleset

        text = big.read_text(encoding="utf-8")
        parse_ms = per_item(lambda: parse_ruleset(text, str(big)), 1, 3) / 1000
        antq_rules.load(big)
        again_ms = per_item(lambda: antq_rules.load(big), 1, 5) / 1000
        criteria_count = len(antq_rules.load(big).criteria)

    # Cost against the size of a commune.
    scaling = []
    for areas in sizes:
        commune = commune_with_areas(areas)
        if outcomes_of(rs.evaluate(commune)) != baseline.judge(commune):
            raise SystemExit(f"compiled disagrees with the baseline on {areas} areas")
        pair = interleaved(
            [
                ("antq", lambda c=commune: rs.evaluate(c), 1),
                ("hand", lambda c=commune: baseline.judge(c), 1),
            ],
            max(5, repeats),
        )
        scaling.append((areas, statistics.median(pair["antq"]), statistics.median(pair["hand"])))

    lines = [
        "# Benchmark results",
        "",
        f"{datetime.date.today().isoformat()} · Python {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} cores · `{platform.platform()}`"
        + (" · **quick run (tiny sizes)**" if args.quick else ""),
        "",
        f"Ruleset: `benchmarks/ngoc_dao.antq` (the seven criteria of plan 2166/KH-CAT plus "
        f"“no serious incident”); {n:,} synthetic communes with every field present "
        f"(`antq_rules.synthetic.province(seed=2021, missing=0)`). Every engine agreed with the "
        f"hand-written baseline on every commune before anything was timed. Each of "
        f"{repeats} rounds ran every engine once, in turn; times are the medians of the "
        "rounds, ratios the medians of each round's ratio to the hand-written time.",
        "",
        "| engine | µs per commune | × hand-written |",
        "|---|--:|--:|",
    ]
    lines += [f"| {name} | {us:,.1f} | {ratio:.2f} |" for name, us, ratio in rows]
    lines += [
        "",
        "Where the time of full explanations goes (× hand-written, medians of rounds):",
        "",
        "| part | × hand-written |",
        "|---|--:|",
    ]
    lines += [f"| {name} | {ratio:.2f} |" for name, ratio in breakdown.items()]
    lines += [
        f"| so: facts, witnesses, gaps, `Explanation` objects and the calls between | {rest:.2f} |",
    ]
    lines += [
        "",
        f"With 1 % of fields missing (as real spreadsheets are): {missing_us:,.1f} µs per commune "
        f"({missing_ratio:.2f}×); the fast path decided {fast_share:.0%} of the communes, "
        "the general path (unknowns as ranges) the rest.",
        "",
        "| measure | value | target |",
        "|---|--:|--:|",
        f"| batch of {n:,} communes (`evaluate_many`) | {batch_seconds:.2f} s | ≤ 1 s for 10,000 |",
        f"| peak memory streaming {n // 10:,} / {n:,} communes | "
        f"{peaks[n // 10]:,.0f} / {peaks[n]:,.0f} KiB | flat |",
        f"| `import antq_rules` + load of a {criteria_count}-criterion ruleset, new process "
        "(bytecode cached) | "
        f"{cold_ms:.0f} ms | ≤ 250 ms |",
        f"| … of which `import antq_rules` | {import_ms:.0f} ms | |",
        f"| … of which parsing (Lark) the ruleset, in process | {parse_ms:.1f} ms | |",
        f"| second load of the same file (cache) | {again_ms:.3f} ms | ≤ 5 ms |",
        "",
        "| areas in the commune | µs per commune | µs per area | hand-written, µs per area |",
        "|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {areas:,} | {us:,.0f} | {us / areas:.2f} | {hand_us / areas:.2f} |"
        for areas, us, hand_us in scaling
    ]

    report = "\n".join(lines) + "\n"
    print(report)
    args.out.write_text(report, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
