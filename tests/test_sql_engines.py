"""The same queries on a real PostgreSQL server (started here, on loopback,
in a temporary folder) and on Spark in local mode: every shipped ruleset on
the synthetic province, complete and with missing fields, gives the results
Python gives. A server, Java or a package that is absent is a visible skip
(a failure under ANTQ_REQUIRE_ALL=1)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("sqlglot", reason="the `sql` extra (sqlglot) is not installed")
pytest.importorskip("pyarrow", reason="the `sql` extra (pyarrow) is not installed")

from test_sql import ROOT, RULESETS, _docs, same

import antq_rules
from antq_rules.sql import evaluate_db
from antq_rules.sql.files import load
from antq_rules.sql.load import flatten

COMMUNES = 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    psycopg = pytest.importorskip("psycopg", reason="the `postgres` extra is not installed")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    bindir = Path(found[-1]).parent
    # (not under pytest's own temporary folders, which the server's user cannot enter)
    folder = Path(tempfile.mkdtemp(prefix="antq-pg-"))
    data = folder / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        # the server refuses to run as root: as the `postgres` user the package made
        if shutil.which("runuser") is None:
            pytest.skip("running as root without `runuser` to start PostgreSQL")
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "antq",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {folder} -F"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        for _ in range(50):
            try:
                con = psycopg.connect(host="127.0.0.1", port=port, user="antq", dbname="postgres")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        else:
            pytest.fail("PostgreSQL did not start")
        yield con
        con.close()
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="the `spark` extra is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (apt-get install default-jre-headless)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("antq-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # (adaptive execution re-plans the query at every shuffle: for a few
        # rows in local mode that costs more than it saves)
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


def _check(engine, con, path, missing, communes=COMMUNES):
    ruleset = antq_rules.load(path)
    docs = _docs(ruleset, communes, missing)
    python = list(ruleset.evaluate_many(docs, year=2021))
    flat, _ = flatten(ruleset.schema, ruleset.subject, docs)
    load(engine, con, flat)
    same(python, list(evaluate_db(ruleset, con, year=2021)))


@pytest.mark.parametrize("missing", [0.0, 0.05])
@pytest.mark.parametrize("path", RULESETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_rulesets_on_postgres(postgres, path, missing):
    _check("postgres", postgres, path, missing)


@pytest.mark.parametrize("missing", [0.0, 0.05])
@pytest.mark.parametrize("path", RULESETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_rulesets_on_spark(spark, path, missing):
    _check("spark", spark, path, missing, communes=4)


def test_spark_that_cannot_start_is_an_error_not_a_traceback(tmp_path):
    """`antq eval --engine spark` where Spark cannot start (here: no Java)
    says so in one line, exit 2 — not "internal error"."""
    pytest.importorskip("pyspark", reason="the `spark` extra is not installed")
    data = tmp_path / "one.json"
    data.write_text('[{"name": "X"}]', encoding="utf-8")
    antq = Path(sys.executable).parent / "antq"
    env = {"HOME": str(tmp_path), "PATH": f"{antq.parent}:/usr/bin:/bin"}
    env["JAVA_HOME"] = str(tmp_path / "no-java")
    done = subprocess.run(
        [
            str(antq),
            "eval",
            str(ROOT / "benchmarks" / "small.antq"),
            str(data),
            "--engine",
            "spark",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    said = done.stderr.strip().splitlines()[-1]
    assert "JAVA_GATEWAY_EXITED" in said or "Java" in said, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


_NAMED = (
    'ruleset r\n  title "R"\n  subject commune\n\nentity commune\n  ok: bool\n  share: decimal\n\n'
    'criterion C2 "ok"\n  ok\n\ncriterion c3 "ok"\n  not ok\n\ncriterion met "share"\n'
    '  share > 0.1\n\nlevel "A" when passes(met)\nlevel "B"\n'
)
_NAMED_DOCS = [
    {"ok": True, "share": Decimal("0.1000000000000000000001")},
    {"ok": False, "share": Decimal("12345678901.5")},
    {"ok": True, "share": Decimal("0.123456789012345678")},
    {"ok": False, "share": Decimal("0.1")},
]


_PLAIN_DOCS = [{"ok": i % 2 == 0, "share": Decimal(i) / 10} for i in range(5)]


@pytest.mark.parametrize("docs", [_PLAIN_DOCS, _NAMED_DOCS], ids=["names", "decimals"])
@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_names_that_fold_to_internal_ones_and_exact_decimals(request, engine, docs):
    # (Spark, as DuckDB, takes "C2" for the internal "c2"; PostgreSQL "c3")
    con = request.getfixturevalue(engine)
    ruleset = antq_rules.load(_NAMED)
    python = list(ruleset.evaluate_many(docs))
    flat, ids = flatten(ruleset.schema, ruleset.subject, docs)
    assert all(i is not None for i in ids)
    load(engine, con, flat)
    keys = sorted(i for i in ids if i is not None)
    judged = dict(zip(keys, evaluate_db(ruleset, con), strict=True))
    for doc_result, key in zip(python, ids, strict=True):
        if key is not None:
            got = judged[key]
            assert (got.verdict, got.statuses, got.level) == (
                doc_result.verdict,
                doc_result.statuses,
                doc_result.level,
            )


def test_a_text_postgresql_cannot_hold_leaves_the_batch_to_python(postgres, tmp_path):
    # (a NUL in a text cell: the load failed, the whole batch was an internal error)
    from antq_rules.sql import evaluate_files

    ruleset = antq_rules.load(
        'ruleset r\n  title "R"\n  subject commune\n\nentity commune\n  name: text\n'
        '  n: int\n\ncriterion C1 "a"\n  n > 1\n'
    )
    (tmp_path / "commune.csv").write_text("id,name,n\n1,A\0B,2\n2,C,1\n", encoding="utf-8")
    python = list(ruleset.evaluate_file(tmp_path))
    results = list(evaluate_files(ruleset, [tmp_path], "postgres", connection=postgres))
    assert [(r.verdict, r.statuses) for r in results] == [(r.verdict, r.statuses) for r in python]
    assert all(any(n.code == "sql-fell-back" for n in r.notices) for r in results)
    # (the connection is usable afterwards)
    with postgres.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_a_value_no_branch_of_gives_is_typed_on_postgresql(postgres):
    # (`CASE WHEN … THEN NULL ELSE NULL END` is text to PostgreSQL: compared
    # with a date, "operator does not exist: text <= date" — found by a
    # ruleset fuzzer; DuckDB types NULL as anything)
    import json

    folder = ROOT / "tests" / "data" / "sql_pg_types"
    ruleset = antq_rules.load(folder / "pg_types.antq")
    docs = json.loads((folder / "records.json").read_text(encoding="utf-8"))
    python = list(ruleset.evaluate_many(docs))
    flat, ids = flatten(ruleset.schema, ruleset.subject, docs)
    load("postgres", postgres, flat)
    held = [r for r, key in zip(python, ids, strict=True) if key is not None]
    same(held, list(evaluate_db(ruleset, postgres)))
