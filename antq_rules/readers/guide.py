"""What a template holds and says to the clerk who fills it.

It holds the tables and columns a ruleset reads (`template_tables`), plus the
id, parent-key and name columns that let the workbook be read back. It says
which tables there are, how they link, and for each column its meaning,
type and allowed values — in Vietnamese, the language of the offices that
fill them.

`template` writes it as the workbook's first sheet ("Hướng dẫn", which the
readers skip) or as the CSV folder's `HUONG_DAN.txt`; the cell readers
(`cells`) accept everything said here.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .. import labels
from .. import types as t
from ..data import LABEL_FIELDS
from ..schema import EntityDef, Schema
from .cells import column_letter
from .tables import Table, tables_for

# What a yes/no cell holds, as the bool reader of `cells` reads it.
YES, NO = "có", "không"


@attrs.frozen
class GuideColumn:
    letter: str  # where it is: `D`
    header: str  # as written in row 1 of the table: `Loại (kind)`
    kind: str  # the type, in words
    allowed: str  # the values a cell may hold, in words
    read: str  # whether the ruleset reads it: "có", "không", or what the column is for
    choices: tuple[str, ...] = ()  # the dropdown's values (enums and yes/no), if any
    choices_title: str = ""  # what the dropdown's values are: `Loại vụ việc`


@attrs.frozen
class GuideTable:
    name: str  # the sheet's name, or the CSV file's stem
    about: str
    columns: tuple[GuideColumn, ...]


INTRO = (
    "Mỗi trang tính (mỗi tệp CSV) là một danh sách; dòng 1 là tiêu đề cột, mỗi dòng sau "
    "là một mục. Không đổi tên trang tính và tiêu đề cột.",
    "Cột “Mã (id)” ghi mã riêng của mỗi dòng (ví dụ: X1, KDC01), không trùng nhau trong "
    "một trang. Dòng của danh sách con ghi mã của dòng cha ở cột “… (…_id)”; nếu chỉ nhập "
    "một đối tượng ở trang đầu thì có thể để trống cột này.",
    "Ô để trống là chưa rõ, không phải 0 hay “không”: tiêu chí đọc ô đó sẽ là CHƯA XÁC ĐỊNH. "
    "Danh sách không có mục nào (không có vụ việc nào…): giữ trang tính và để trống, "
    "đừng xóa trang — thiếu trang thì danh sách đó là chưa rõ.",
    "Cột có danh sách chọn: chọn một giá trị; gõ tay nhãn hoặc mã cũng được, có dấu hay "
    "không dấu, chữ hoa hay thường đều đọc được. Cột có/không: “có” hoặc “không” "
    "(cũng đọc được x, 1/0, đúng/sai, đạt/không đạt).",
    "Số: 12, 0,95 hoặc 95%, 13.013. Ngày: 15/11/2021 hoặc 2021-11-15. Cột nhiều giá trị: "
    "các giá trị cách nhau bởi dấu chấm phẩy (;).",
    "Trang “Hướng dẫn” này không được đọc khi đánh giá.",
)

_KINDS = {
    "bool": ("Có/không", f"{YES}, {NO}"),
    "int": ("Số nguyên", "ví dụ 12"),
    "decimal": ("Số", "ví dụ 0,95 hoặc 95%"),
    "text": ("Văn bản", ""),
    "date": ("Ngày", "ngày/tháng/năm, ví dụ 15/11/2021"),
}


def label_field(entity: EntityDef) -> str | None:
    """The field that names an item (`name`, `tên`…), shown in reports beside its path."""
    return next((f for f in LABEL_FIELDS if f in entity.fields and f not in ("id",)), None)


def template_tables(
    schema: Schema, subject: str, reads: Mapping[str, frozenset[str]] | None = None
) -> list[Table]:
    """The tables of a template: every list and field of the schema (`reads`
    None), or those read, with each entity's name column."""
    tables = tables_for(schema, subject)
    if reads is None:
        return tables
    kept: list[Table] = []
    for table in tables:
        if table.parent is not None and (
            table.parent not in {k.name for k in kept}
            or table.field not in reads.get(table.parent_entity or "", ())
        ):
            continue
        named = label_field(schema.entities[table.entity])
        columns = tuple(
            c for c in table.columns if c.name == named or _is_read(schema, table, c.name, reads)
        )
        kept.append(attrs.evolve(table, columns=columns))
    return kept


def _kind(type_: t.Type) -> tuple[str, str, tuple[str, ...], str]:
    """(type in words, allowed values in words, dropdown values, their title)
    of a column."""
    if isinstance(type_, t.List):
        kind, allowed, _, _ = _kind(type_.item)
        return f"Nhiều giá trị ({kind.lower()}), cách nhau bởi dấu ;", allowed, (), ""
    enum = labels.enum_of(type_)
    if enum is not None:
        shown = labels.choices(enum)
        return "Chọn trong danh sách", "; ".join(shown), tuple(shown), enum.title or ""
    if type_ == t.BOOL:
        kind, allowed = _KINDS["bool"]
        return kind, allowed, (YES, NO), kind
    kind, allowed = _KINDS.get(str(type_), ("", ""))
    return kind, allowed, (), ""


def guide(
    schema: Schema,
    tables: list[Table],
    headers: Mapping[str, list[str]],
    reads: Mapping[str, frozenset[str]] | None,
) -> tuple[GuideTable, ...]:
    """Each table of the template with its columns explained; `headers` are
    the table's headers as written, `reads` what the ruleset reads (None: not
    known, as for a schema alone)."""
    by_name = {table.name: table for table in tables}
    out = []
    for table in tables:
        entity = schema.entities[table.entity]
        what = table.label or entity.label or table.entity
        if table.parent is None:
            about = f"{what}: mỗi dòng một đối tượng được đánh giá."
        else:
            parent = by_name[table.parent]
            owner = parent.label or schema.entities[parent.entity].label or parent.entity
            about = (
                f"{what} của {owner}: mỗi dòng một mục; cột {table.link} ghi mã (id) "
                f"của dòng {owner} ở trang “{parent.name}”."
            )
        names = headers[table.name]
        columns = [
            GuideColumn("A", names[0], "Mã", "mã riêng của dòng, không trùng", "để liên kết")
        ]
        if table.link:
            where = f"mã (id) của một dòng ở trang “{table.parent}”"
            columns.append(GuideColumn("B", names[1], "Mã", where, "để liên kết"))
        for column, header in zip(table.columns, names[len(columns) :], strict=True):
            kind, allowed, choices, title = _kind(column.type)
            read = "—" if reads is None else _read_word(schema, table, column.name, reads)
            letter = column_letter(len(columns))
            title = title or column.label or column.name
            columns.append(GuideColumn(letter, header, kind, allowed, read, choices, title))
        out.append(GuideTable(table.name, about, tuple(columns)))
    return tuple(out)


def _read_word(schema: Schema, table: Table, path: str, reads: Mapping[str, frozenset[str]]) -> str:
    if _is_read(schema, table, path, reads):
        return YES
    return "để nhận biết" if path == label_field(schema.entities[table.entity]) else NO


def _is_read(schema: Schema, table: Table, path: str, reads: Mapping[str, frozenset[str]]) -> bool:
    """Whether the ruleset reads a column (`party_resolution.date`: both steps)."""
    entity: str | None = table.entity
    for part in path.split("."):
        if entity is None or part not in reads.get(entity, ()):
            return False
        field = schema.entities[entity].fields[part]
        entity = field.type.name if isinstance(field.type, t.Entity) else None
    return True


def as_text(title: str | None, tables: tuple[GuideTable, ...], suffix: str) -> str:
    """The guide as plain text (`HUONG_DAN.txt` of a CSV template)."""
    lines = [f"HƯỚNG DẪN NHẬP LIỆU{' — ' + title if title else ''}", ""]
    lines += [f"* {paragraph}" for paragraph in INTRO]
    for table in tables:
        lines += ["", f"{table.name}{suffix}", f"  {table.about}"]
        for column in table.columns:
            detail = "; ".join(
                part
                for part in (
                    column.kind,
                    column.allowed and f"giá trị: {column.allowed}",
                    column.read != "—" and f"bộ tiêu chí đọc: {column.read}",
                )
                if part
            )
            lines.append(f"  - {column.header}: {detail}")
    return "\n".join(lines) + "\n"
