"""`antq`: everything a rule author or a data officer needs, without Python.

    antq check FILE…                 parse and check rulesets
    antq eval RULESET DATA…          judge one subject or a batch
    antq test [PATH…]                run rulesets' test cases
    antq fmt FILE…                   rewrite rulesets in the canonical layout
    antq schema RULESET              the data a ruleset reads; spreadsheet templates
    antq explain RULESET DATA ID     every step of one criterion's evaluation
    antq sql RULESET                 the SQL query that judges where the data is
    antq lsp                         the language server for editors (stdio)
    antq serve                       the web application: upload, judge, reports, dashboard, editor

Exit codes: 0 — everything passed (or does not apply); 1 — a subject failed,
a check found a problem, a test failed, or `fmt --check` would change a file;
2 — the command could not do its work (bad arguments, an unreadable file or
ruleset, a record that could not be judged); 3 — no failure, but a subject's
verdict is UNKNOWN; 4 — the data held no subject, so nothing was judged;
141 — the output was closed early (a pipe to `head`).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import errno
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from . import __version__
from .console import closed_pipe, silence_stdout
from .errors import AntqError, Diagnostic
from .messages import word
from .model import Status

EXIT_OK, EXIT_FAIL, EXIT_ERROR, EXIT_UNKNOWN, EXIT_NOTHING = 0, 1, 2, 3, 4

EXAMPLES = {
    "check": """examples:
  antq check rulesets/tt124/xa.antq
  antq check rulesets/**/*.antq --format json     # for editors and CI""",
    "eval": """examples:
  antq eval rulesets/plans/ngoc_dao_2021.antq rulesets/examples/ngoc_dao_2021_pass.json
  antq eval rulesets/tt124/xa.antq commune.json --year 2021 --lang en --format html \\
            --out report.html
  antq eval rulesets/tt124/xa.antq province.xlsx --year 2021 --param safe_villages_min=80%
  antq eval rulesets/tt124/xa.antq csv-folder/ --year 2021 --format json
  antq eval rulesets/plans/ngoc_dao_2021.antq data.json --format docx --out bao-cao.docx""",
    "test": """examples:
  antq test                               # every *.cases.yaml under this folder
  antq test rulesets/tt124/xa.antq --coverage""",
    "fmt": """examples:
  antq fmt rulesets/plans/my_plan.antq    # rewrite in place
  antq fmt --check rulesets/              # exit 1 if a file would change
  antq fmt --diff my_plan.antq""",
    "schema": """examples:
  antq schema rulesets/tt124/xa.antq                       # JSON Schema of the data
  antq schema rulesets/tt124/xa.antq --template xlsx --out mau-nhap-lieu.xlsx
  antq schema rulesets/tt124/xa.antq --template csv --out mau-csv/""",
    "sql": """examples:
  antq sql rulesets/tt124/xa.antq --dialect postgres --year 2021 > xa.sql
  antq sql rulesets/plans/ngoc_dao_2021.antq --dialect spark --params
  antq eval rulesets/plans/ngoc_dao_2021.antq csv-folder/ --engine duckdb""",
    "lsp": """examples:
  antq lsp                  # an editor starts it; it speaks LSP on stdin/stdout
  (VS Code: editors/vscode; Neovim: vim.lsp.start({cmd = {"antq", "lsp"}}))""",
    "explain": """examples:
  antq explain rulesets/plans/ngoc_dao_2021.antq rulesets/examples/ngoc_dao_2021_fail_tc3.json TC3
  antq explain rulesets/tt124/xa.antq province.xlsx C3 --record 4 --year 2021""",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="antq",
        description="Judge communes, residential areas, agencies and schools against "
        "ANTQ/ANTT rulesets, and help rule authors write and test them.",
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"antq {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def lang(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lang", choices=("vi", "en"), default="vi", help="language of the output (default vi)"
        )

    def allow(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--allow",
            action="append",
            default=[],
            type=Path,
            metavar="DIR",
            help="a folder whose .antq files `use` and `extends` may read (repeatable), "
            "besides the ruleset's own folder and the shipped library",
        )

    def limit(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--limit",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="raise a limit on the data files (repeatable), e.g. cells=10000000 or "
            "file_bytes=1GB; see docs/security.md",
        )

    def when(p: argparse.ArgumentParser) -> None:
        p.add_argument("--year", type=int, help="the evaluation year (for annual periods)")
        p.add_argument("--period", help='the evaluation period, "YYYY-MM-DD..YYYY-MM-DD"')
        p.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="set a parameter (repeatable), e.g. safe_villages_min=80%%",
        )
        p.add_argument("--encoding", help="the encoding of CSV files, when it cannot be told")
        limit(p)

    p = command("check", "Parse and check rulesets (and what they use or extend).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    allow(p)
    lang(p)

    p = command("eval", "Judge one subject or a batch with a ruleset.")
    p.add_argument("ruleset", type=Path, metavar="RULESET")
    p.add_argument(
        "data",
        nargs="*",
        type=Path,
        metavar="DATA",
        help="JSON or YAML files, Excel workbooks, folders of CSV files, Parquet (with an "
        "--engine); none with --engine postgres: the tables already in the database",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "md", "html", "csv", "xlsx", "docx"),
        default="text",
        help="the report's format; csv and xlsx give a table, a row a subject",
    )
    p.add_argument("--out", type=Path, help="write the report to this file")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    from .sql.cli import add_engine_arguments, add_sql_arguments  # (argparse only)

    add_engine_arguments(p)
    when(p)
    allow(p)
    lang(p)

    p = command("sql", "Print the SQL query that judges every subject where the data is.")
    p.add_argument("ruleset", type=Path, metavar="RULESET")
    add_sql_arguments(p)
    when(p)
    allow(p)

    p = command("test", "Run rulesets' test cases (the *.cases.yaml next to each ruleset).")
    p.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    p.add_argument(
        "--coverage",
        action="store_true",
        help="report criteria and branches of and/or that no case exercised",
    )
    limit(p)
    allow(p)
    lang(p)

    p = command("fmt", "Rewrite ruleset files in the canonical layout (comments kept).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file would change"
    )
    p.add_argument("--diff", action="store_true", help="show the changes instead of writing them")

    p = command(
        "schema", "The data a ruleset reads: a JSON Schema, or an empty spreadsheet to fill."
    )
    p.add_argument("ruleset", type=Path, metavar="RULESET")
    p.add_argument("--template", choices=("xlsx", "csv"), help="write an empty template")
    p.add_argument(
        "--full",
        action="store_true",
        help="a template of the whole schema, not only the lists and fields the ruleset reads",
    )
    p.add_argument("--out", type=Path, help="where to write (a .xlsx file, or a folder for csv)")
    allow(p)

    p = command("lsp", "The language server for editors, over stdin and stdout (LSP).")
    allow(p)

    p = command("explain", "Every step of one criterion's evaluation, with its value.")
    p.add_argument("ruleset", type=Path, metavar="RULESET")
    p.add_argument("data", type=Path, metavar="DATA")
    p.add_argument("criterion", metavar="CRITERION")
    p.add_argument("--record", type=int, default=0, help="which record of a batch (from 0)")
    when(p)
    allow(p)
    lang(p)

    from .web.cli import add_parser as add_serve  # (argparse only; the web loads when it runs)

    add_serve(commands)
    return parser


# What an output refused (a full disk, a closed descriptor): the user's
# setting, not a bug.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # Vietnamese must print whatever the terminal's locale says.
            stream.reconfigure(encoding="utf-8", errors="replace")
    if sys.stdout is None:  # (started with stdout closed: `antq … >&-`)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
        _say(_cannot_write_stdout(os.strerror(errno.EBADF), "en"), "en")
        return EXIT_ERROR
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    handler = globals()["_" + args.command]
    try:
        return handler(args)
    except AntqError as error:
        print(error.render(getattr(args, "lang", "en")), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return closed_pipe()
    except OSError as error:
        if error.errno not in _OUTPUT_ERRNOS:
            return _internal_error(error)
        silence_stdout()
        detail = error.strerror or str(error)
        lang = getattr(args, "lang", "en")
        _say(_cannot_write_stdout(detail, lang), lang)
        return EXIT_ERROR
    except Exception as error:
        return _internal_error(error)


def _internal_error(error: Exception) -> int:
    """A bug: said plainly (ANTQ_DEBUG=1 shows the traceback)."""
    if os.environ.get("ANTQ_DEBUG"):
        raise error
    print(
        f"antq: internal error ({type(error).__name__}: {error}); please report it",
        file=sys.stderr,
    )
    return EXIT_ERROR


def _say(diagnostic: Any, lang: str) -> None:
    if sys.stderr is not None:
        print(AntqError(diagnostic).render(lang), file=sys.stderr)


def _cannot_write_stdout(detail: str, lang: str) -> Any:
    return Diagnostic("cannot-write", {"path": word("standard output", lang), "detail": detail})


# ------------------------------------------------------------------ check


def _check(args: argparse.Namespace) -> int:
    from .loader import check_file

    reports = []
    for path in args.files:
        files = sorted(path.rglob("*.antq")) if path.is_dir() else [path]
        # (a folder named on the command line is a folder its rulesets may read)
        allowed = [*args.allow, *([path] if path.is_dir() else [])]
        for file in files:
            if path.is_dir() and _leads_out(file, path):
                error = AntqError(Diagnostic("link-out", {"path": str(file), "folder": str(path)}))
                reports.append((file, error))
                continue
            try:
                check_file(file, allowed)
                reports.append((file, None))
            except AntqError as error:
                reports.append((file, error))
            except Exception as error:  # a bug: this file is reported, the others still checked
                reports.append((file, _internal(error)))
    if args.format == "json":
        out = []
        for file, error in reports:
            problems = (
                [] if error is None else [_diagnostic_json(d, args.lang) for d in error.diagnostics]
            )
            out.append({"file": str(file), "ok": error is None, "problems": problems})
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for file, error in reports:
            if error is None:
                print(f"ok    {file}")
            else:
                print(error.render(args.lang))
                print()
        bad = sum(1 for _, e in reports if e is not None)
        print(
            f"{len(reports) - bad} ok, {bad} with problems"
            if args.lang == "en"
            else f"{len(reports) - bad} tệp đúng, {bad} tệp có lỗi"
        )
    return EXIT_FAIL if any(e is not None for _, e in reports) else EXIT_OK


def _leads_out(file: Path, folder: Path) -> bool:
    """A file found in a folder that is a link to somewhere outside it."""
    try:
        return not file.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # (a loop of links: `check_file` names it)
        return False


def _diagnostic_json(d: Any, lang: str) -> dict[str, Any]:
    from .messages import message

    entry: dict[str, Any] = {"code": d.code, "message": d.message(lang), "path": d.path}
    if d.span is not None:
        line, col = d.span.source.line_col(d.span.start)
        end_line, end_col = d.span.source.line_col(d.span.end)
        entry.update(
            file=d.span.source.name, line=line, column=col, end_line=end_line, end_column=end_col
        )
    entry["help"] = [message(code, params, lang) for code, params in d.helps]
    return entry


# ------------------------------------------------------------------- eval


def _internal(error: BaseException) -> AntqError:
    if isinstance(error, RecursionError):
        return AntqError(Diagnostic("too-deep", {"limit": 100}))
    detail = f"`{type(error).__name__}: {str(error)[:200]}`"
    return AntqError(Diagnostic("record-raised", {"detail": detail}))


def _limits(args: argparse.Namespace) -> Any:
    from .limits import DEFAULT

    return DEFAULT.parse(args.limit) if args.limit else DEFAULT


def _when(args: argparse.Namespace) -> Any:
    """The period given on the command line (checked now, before any data is read)."""
    from .data import to_plain_period
    from .ruleset import check_year

    if args.year is not None:
        check_year(args.year)
    return None if args.period is None else to_plain_period(args.period)


def _load(args: argparse.Namespace) -> Any:
    from .loader import load

    params = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise AntqError(_usage(f"--param needs NAME=VALUE, not `{item}`"))
        params[name.strip()] = value.strip()
    return load(args.ruleset, params or None, allow=args.allow)


def _usage(detail: str) -> Any:
    return Diagnostic("bad-schema-mapping", {"detail": detail})


class Progress:
    """How far a batch has come, on a terminal's stderr: subjects judged and
    subjects per second (a batch is read as it is judged, so its size is not
    known ahead); nothing when piped or asked for quiet."""

    def __init__(self, enabled: bool, lang: str, stream: IO[str] = sys.stderr) -> None:
        self.enabled = enabled and stream.isatty()
        self.lang = lang
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self.shown = 0.0

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and self.done > 1 and now - self.shown >= 0.1:
            self.shown = now
            self._show(now)

    def _show(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        self.stream.write("\r" + word("progress", self.lang).format(count=self.done, rate=rate))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done > 1:
            self._show(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def _eval(args: argparse.Namespace) -> int:
    from .readers import iter_records
    from .report.batch import BatchWriter

    limits = _limits(args)
    period = _when(args)
    _check_out(args.out)
    if args.format in ("xlsx", "docx") and args.out is None and sys.stdout.isatty():
        raise AntqError(
            _usage(f"--format {args.format} writes a file: give --out FILE.{args.format}")
        )
    ruleset = _load(args)
    ruleset.check_when(args.year, period)  # (said once, not for every record)
    if getattr(args, "dsn", None) and args.engine != "postgres":
        raise AntqError(_usage("--dsn is for --engine postgres"))
    if not args.data and args.engine != "postgres":  # (PostgreSQL: the tables it holds)
        raise AntqError(_usage("give the data to judge: files or folders"))
    if args.engine != "python":
        return _eval_by_engine(args, ruleset, period, limits)
    records = iter_records(args.data, ruleset.schema, ruleset.subject, args.encoding, limits)
    progress = Progress(not args.no_progress, args.lang)
    shown: set[str] = set()
    explain = args.format not in ("csv", "xlsx")  # (the reports that show them)
    with _output(args.out) as out:
        writer = BatchWriter(args.format, args.lang, out, [c.id for c in ruleset.criteria])
        for index, record in enumerate(records):
            result = ruleset.judge_record(record, index, args.year, period, explain)
            _tell(result.notices, shown, args.lang)  # (the reader's, and sheets left out)
            writer.add(result)
            progress.step()
        progress.close()
        writer.close()
    if not writer.count:
        print(word("nothing judged", args.lang), file=sys.stderr)
        return EXIT_NOTHING
    return _exit_for(writer.summary)


@contextlib.contextmanager
def _output(out: Path | None) -> Iterator[IO[str]]:
    """Where a report goes, as it is written: the file of `--out`, or stdout."""
    if out is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # (a lone surrogate in the data, which UTF-8 cannot hold, becomes "?")
        handle = open(out, "w", encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
    except OSError as error:
        raise AntqError(_cannot_write(out, error.strerror or str(error))) from None
    try:
        yield handle
        handle.close()
    except OSError as error:
        raise AntqError(_cannot_write(out, error.strerror or str(error))) from None
    finally:
        with contextlib.suppress(OSError):
            handle.close()


def _tell(notices: Any, shown: set[str], lang: str) -> None:
    """A reader's notes and warnings, on stderr, each once."""
    for notice in notices:
        text = notice.render(lang)
        if text not in shown:
            shown.add(text)
            print(text, file=sys.stderr)


def _exit_for(summary: Any) -> int:
    if summary.errors:
        return EXIT_ERROR
    if summary.verdicts.get("FAIL"):
        return EXIT_FAIL
    if summary.verdicts.get("UNKNOWN"):
        return EXIT_UNKNOWN
    return EXIT_OK


def _check_out(out: Path | None) -> None:
    """Refuse an `--out` that cannot be written, before any work is done."""
    if out is not None and out.is_dir():
        raise AntqError(_cannot_write(out, word("a folder", "en")))


def _cannot_write(out: Path, detail: str) -> Any:
    return Diagnostic("cannot-write", {"path": str(out), "detail": detail})


def _write(text: str | bytes, out: Path | None) -> None:
    if out is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
        return
    _check_out(out)
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise AntqError(_cannot_write(out, error.strerror or str(error))) from None


# ------------------------------------------------------------------- test


def _test(args: argparse.Namespace) -> int:
    from .cases import CasesReport, run_cases

    outcomes = []
    for path in args.paths:
        found = run_cases(path, keep_data=args.coverage, allow=args.allow, limits=_limits(args))
        outcomes.extend(found.cases)
    report = CasesReport(tuple(outcomes))
    sys.stdout.write(report.render(args.lang))
    if args.coverage:
        from .coverage import coverage_of, render_coverage

        sys.stdout.write("\n" + render_coverage(coverage_of(report), args.lang))
    return EXIT_OK if report.ok and report.cases else EXIT_FAIL


# -------------------------------------------------------------------- fmt


def _fmt(args: argparse.Namespace) -> int:
    from .readers import read_text
    from .syntax.fmt import format_ruleset

    changed = []
    files = []
    for path in args.files:
        files += sorted(path.rglob("*.antq")) if path.is_dir() else [path]
    for file in files:
        original = read_text(file)
        formatted = format_ruleset(original, str(file))
        if formatted == original:
            continue
        changed.append(file)
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    original.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    fromfile=str(file),
                    tofile=f"{file} (formatted)",
                )
            )
        elif not args.check:
            _write(formatted, file)
    for file in changed:
        verb = "would reformat" if args.check or args.diff else "reformatted"
        print(f"{verb} {file}", file=sys.stderr)
    if args.check and changed:
        return EXIT_FAIL
    return EXIT_OK


# ----------------------------------------------------------------- schema


def _schema(args: argparse.Namespace) -> int:
    from .dataschema import json_schema
    from .loader import load
    from .readers import write_template
    from .reads import fields_read

    ruleset = load(args.ruleset, allow=args.allow)
    if args.template:
        default = Path("template.xlsx") if args.template == "xlsx" else Path("template-csv")
        target = args.out or default
        if args.template == "xlsx":
            _check_out(target)
        try:
            written = write_template(
                ruleset.schema,
                ruleset.subject,
                target,
                args.template,
                reads=fields_read(ruleset),
                full=args.full,
                title=ruleset.title,
            )
        except OSError as error:
            raise AntqError(_cannot_write(target, error.strerror or str(error))) from None
        for path in written:
            print(path)
        return EXIT_OK
    text = json.dumps(json_schema(ruleset), ensure_ascii=False, indent=2) + "\n"
    _write(text, args.out)
    return EXIT_OK


def _eval_by_engine(args: argparse.Namespace, ruleset: Any, period: Any, limits: Any) -> int:
    """`antq eval --engine duckdb|postgres|spark`: one query judges them all."""
    from .report.batch import BatchWriter
    from .sql.cli import engine_results

    shown: set[str] = set()
    with _output(args.out) as out:
        writer = BatchWriter(args.format, args.lang, out, [c.id for c in ruleset.criteria])
        for result in engine_results(args, ruleset, period, limits):
            _tell(result.notices, shown, args.lang)
            writer.add(result)
        writer.close()
    if not writer.count:
        print(word("nothing judged", args.lang), file=sys.stderr)
        return EXIT_NOTHING
    return _exit_for(writer.summary)


# -------------------------------------------------------------------- sql


def _sql(args: argparse.Namespace) -> int:
    from .sql.cli import sql_command

    period = _when(args)
    return int(sql_command(args, _load(args), period))


# ------------------------------------------------------------------ serve


def _serve(args: argparse.Namespace) -> int:
    from .web.cli import run

    return int(run(args))


# -------------------------------------------------------------------- lsp


def _lsp(args: argparse.Namespace) -> int:
    try:
        from .lsp import serve
    except ImportError as error:  # (pygls is the `lsp` extra)
        raise AntqError(Diagnostic("needs-lsp", {"detail": str(error)})) from None
    serve(allow=args.allow)
    return EXIT_OK


# ---------------------------------------------------------------- explain


def _explain(args: argparse.Namespace) -> int:
    from .readers import read_records
    from .report import format as fmt
    from .report.view import notes, status_word
    from .suggest import closest

    limits = _limits(args)
    period = _when(args)
    ruleset = _load(args)
    records = read_records(args.data, ruleset.schema, ruleset.subject, args.encoding, limits)
    if not 0 <= args.record < len(records):
        raise AntqError(_usage(f"--record {args.record}: the data holds {len(records)} record(s)"))
    record = records[args.record]
    if record.error is not None:
        raise record.error
    _tell(record.notices, set(), args.lang)
    result = ruleset.evaluate(record.data, year=args.year, period=period)
    criterion = result.criteria.get(args.criterion)
    if criterion is None:
        hint = closest(args.criterion, list(result.criteria))
        raise AntqError(
            _usage(
                f"there is no criterion `{args.criterion}`"
                + (f"; did you mean `{hint}`?" if hint else "")
            )
        )
    lang = args.lang
    title = criterion.title_en if lang == "en" and criterion.title_en else criterion.title
    lines = [f"{criterion.id} — {title}: {status_word(criterion.status, lang)}"]
    if criterion.source:
        lines.append(f"{word('source', lang)}: {criterion.source}")
    lines.append("")
    percent = ruleset.percent_params
    for step in criterion.explanation.trace:
        as_percent = (
            step.text.startswith("ratio(") or step.text in percent or step.text.endswith("%")
        )
        lines.append(
            f"{'  ' * step.depth}{step.text}  →  {fmt.value(step.value, lang, as_percent)}"
        )
    extra = notes(criterion.explanation, lang)
    if extra:
        lines.append("")
        lines += [f"• {note}" for note in extra]
    sys.stdout.write("\n".join(lines) + "\n")
    return {Status.PASS: EXIT_OK, Status.NA: EXIT_OK, Status.FAIL: EXIT_FAIL}.get(
        criterion.status, EXIT_UNKNOWN
    )


if __name__ == "__main__":
    raise SystemExit(main())
