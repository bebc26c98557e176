"""Readers of data files as offices keep them: JSON, YAML, a folder of CSV
files, an Excel workbook — each within `Limits`, each problem an `AntqError`
with its place, and what was noticed on the way kept with the records.

Loaded on first use (`import antq_rules` does not import it).
"""

from .records import (
    JSON_SUFFIXES,
    XLSX_SUFFIXES,
    YAML_SUFFIXES,
    iter_records,
    read_csv_folder,
    read_data,
    read_json,
    read_records,
    read_xlsx,
    read_yaml,
)
from .tables import Record, Table, tables_for
from .template import write_template
from .text import decode, read_text

__all__ = [
    "JSON_SUFFIXES",
    "XLSX_SUFFIXES",
    "YAML_SUFFIXES",
    "Record",
    "Table",
    "decode",
    "iter_records",
    "read_csv_folder",
    "read_data",
    "read_json",
    "read_records",
    "read_text",
    "read_xlsx",
    "read_yaml",
    "tables_for",
    "write_template",
]
