"""Which tables and columns hold a subject's data, and what the database has.

The layout is the CSV-folder one (`readers/tables.py`): one table per list of
entities, named by its path from the subject (`areas`, `areas.incidents`),
an `id` column, a `<parent entity>_id` column linking each row to its parent,
and a column per field path (`party_resolution.date`). In a database two more
things can be said that a CSV folder says by being there or not:

* a list of plain values (`tags: list[text]`) is a table of its own, named by
  its path, with the link column and a `value` column;
* a parent row may say that one of its lists is not given (not known, rather
  than empty) by a boolean column named after the list holding false or NULL
  (`commune.areas`); without that column a list is given where its table is;
* a list item given as `null` is a row whose boolean column `_null` is true.

A missing table is a list not given for every parent (unknown), an empty one a
list of no items. `tables=` maps layout names onto a database's own:
`{"areas": "khu_dan_cu"}` or `{"areas": {"table": "kdc", "columns": {"households": "so_ho"}}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .. import types as t
from ..data import LABEL_FIELDS  # noqa: F401  (the fields a subject's label comes from)
from ..errors import AntqError, Diagnostic
from ..messages import Phrase
from ..schema import Schema
from ..source import normalize_text

NULL_COLUMN = "_null"
VALUE_COLUMN = "value"


@attrs.frozen
class Field:
    """A column of a table: the field path within the row's entity, its type."""

    path: str
    type: t.Type


@attrs.frozen
class TableInfo:
    """One table of the layout, and what the database holds of it."""

    path: str  # layout name: `areas.incidents`
    entity: str | None  # None: a list of plain values
    item_type: t.Type  # the list's item type
    parent: str | None  # the parent's layout path (None for the subject)
    parent_entity: str | None
    field: str | None  # the list field on the parent
    name: str  # the database table's name
    present: bool
    columns: Mapping[str, str]  # layout column -> database column (present ones)
    types: Mapping[str, str]  # database column -> its type, lower case ("" unknown)
    fields: Mapping[str, Field]  # field path -> Field (all the entity's scalar fields)

    @property
    def link(self) -> str | None:
        return None if self.parent_entity is None else f"{self.parent_entity}_id"

    assume_all: bool = False  # no catalog: every column is assumed to be there
    renamed: Mapping[str, str] = attrs.field(factory=dict)
    lists: frozenset[str] = frozenset()

    def column(self, name: str) -> str | None:
        """The database column of a layout column, or None when it is absent."""
        found = self.columns.get(name)
        if found is None and self.assume_all and name != NULL_COLUMN:
            return None if name in self.lists else self.renamed.get(name, name)
        return found


class Layout:
    """The tables of a schema's subject, found (or assumed) in a database."""

    def __init__(
        self,
        schema: Schema,
        subject: str,
        catalog: Mapping[str, Mapping[str, str]] | None = None,
        tables: Mapping[str, Any] | None = None,
    ) -> None:
        self.schema = schema
        self.subject = subject
        # catalog: database table name -> {column name: type}; None: assume all.
        # Names are matched NFC, but the query says them as the database
        # spells them (an NFD name quoted NFC is another name): here
        # NFC name -> (its spelling, {NFC column -> (its spelling, type)}).
        self.catalog = (
            None
            if catalog is None
            else {
                normalize_text(k): (k, {normalize_text(c): (c, ty) for c, ty in v.items()})
                for k, v in catalog.items()
            }
        )
        self.mapping = dict(tables or {})
        self._tables: dict[str, TableInfo] = {}

    # --------------------------------------------------------------- names

    def _names(self, path: str) -> tuple[str, Mapping[str, str]]:
        spec = self.mapping.get(path)
        if spec is None:
            return path, {}
        if isinstance(spec, str):
            return spec, {}
        if isinstance(spec, Mapping) and isinstance(spec.get("table", path), str):
            columns = spec.get("columns", {})
            if isinstance(columns, Mapping) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
            ):
                # (field names NFC, as the schema's; database names as written)
                renamed = {normalize_text(k): v for k, v in columns.items()}
                return spec.get("table", path), renamed
        raise AntqError(Diagnostic("sql-bad-tables", {"table": path}))

    # -------------------------------------------------------------- tables

    def table(self, path: str) -> TableInfo:
        """The table at a layout path (`""` is the subject's own table)."""
        key = path or self.subject
        found = self._tables.get(key)
        if found is None:
            found = self._tables[key] = self._make(path)
        return found

    def _entity_at(self, path: str) -> tuple[t.Type, str | None, str | None, str | None]:
        """(item type, parent path, parent entity, field) of the list at `path`."""
        entity = self.schema.entities[self.subject]
        parent_path, parent_entity, field_name = None, None, None
        item: t.Type = t.Entity(self.subject)
        walked: list[str] = []
        for part in path.split(".") if path else []:
            if not isinstance(item, t.Entity):
                raise AntqError(Diagnostic("sql-no-table", {"path": path}))
            entity = self.schema.entities[item.name]
            field = entity.fields.get(part)
            if field is None or not isinstance(field.type, t.List):
                raise AntqError(Diagnostic("sql-no-table", {"path": path}))
            parent_path = ".".join(walked) if walked else ""
            parent_entity = item.name
            field_name = part
            item = field.type.item
            walked.append(part)
        return item, parent_path, parent_entity, field_name

    def _make(self, path: str) -> TableInfo:
        item, parent, parent_entity, field = self._entity_at(path)
        layout_name = path or self.subject
        name, renamed = self._names(layout_name)
        fields: dict[str, Field] = {}
        if isinstance(item, t.Entity):
            self._fields(item.name, "", fields, (item.name,))
            entity_name: str | None = item.name
        else:
            fields[VALUE_COLUMN] = Field(VALUE_COLUMN, item)
            entity_name = None
        wanted = ["id", *([f"{parent_entity}_id"] if parent_entity else []), *fields, NULL_COLUMN]
        if isinstance(item, t.Entity):
            wanted += self._list_fields(item.name)
        if self.catalog is None:
            present = True
            columns = {c: renamed.get(c, c) for c in wanted if c != NULL_COLUMN}
            columns = {c: v for c, v in columns.items() if c not in self._list_fields_of(item)}
            types: dict[str, str] = {}
        else:
            entry = self.catalog.get(normalize_text(name))
            present = entry is not None
            if entry is not None:
                name = entry[0]
            have = {} if entry is None else entry[1]
            columns = {}
            for c in wanted:
                found = have.get(normalize_text(renamed.get(c, c)))
                if found is not None:
                    columns[c] = found[0]
            types = {db: ty for db, ty in have.values()}
        return TableInfo(
            path=layout_name if path else self.subject,
            entity=entity_name,
            item_type=item,
            parent=None if not path else (parent or self.subject),
            parent_entity=parent_entity,
            field=field,
            name=name,
            present=present,
            columns=columns,
            types=types,
            fields=fields,
            assume_all=self.catalog is None,
            renamed=renamed,
            lists=frozenset(self._list_fields_of(item)),
        )

    def _list_fields_of(self, item: t.Type) -> list[str]:
        return self._list_fields(item.name) if isinstance(item, t.Entity) else []

    def _list_fields(self, entity: str) -> list[str]:
        """The entity's list fields: their `given` marker columns may exist."""
        return [
            f.name
            for f in self.schema.entities[entity].fields.values()
            if isinstance(f.type, t.List)
        ]

    def _fields(self, entity: str, prefix: str, out: dict[str, Field], trail: tuple) -> None:
        for field in self.schema.entities[entity].fields.values():
            ftype = field.type
            name = prefix + field.name
            if isinstance(ftype, t.Entity):
                if ftype.name not in trail:
                    self._fields(ftype.name, name + ".", out, (*trail, ftype.name))
            elif isinstance(ftype, (t.List, t.Nothing)):
                continue
            else:
                out[name] = Field(name, ftype)

    # ---------------------------------------------------------------- names

    def check_names(self, dialect: str) -> None:
        """Refuse a schema whose layout gives two things one name: a field
        named like a column the layout keeps (`id`, the link `site_id`,
        `_null`), two fields or lists whose names differ only in case where
        the engine folds case (DuckDB, Spark), a list whose table is named
        like another (`site: list[…]` inside subject `site`). Such a query
        would read one column for the other: a verdict no one wrote."""
        folds = dialect != "postgres"  # (PostgreSQL's quoted names keep case)

        def key(name: str) -> str:
            return name.casefold() if folds else name

        tables: dict[str, str] = {}
        for path, entity, parent_entity in self.paths():
            name, renamed = self._names(path or self.subject)
            earlier = tables.setdefault(key(name), path)
            if earlier != path:
                first = earlier or self.subject
                self._clash("table", name, first, path, dialect)
            if entity is None:
                continue
            kept = {key(c): c for c in ("id", NULL_COLUMN)}
            if parent_entity is not None:
                kept[key(f"{parent_entity}_id")] = f"{parent_entity}_id"
            fields: dict[str, Field] = {}
            self._fields(entity, "", fields, (entity,))
            seen: dict[str, str] = {}
            for field in [*fields, *self._list_fields(entity)]:
                column = key(renamed.get(field, field))
                if column in kept:
                    self._clash("column", name, kept[column], field, dialect)
                if column in seen:
                    self._clash("column", name, seen[column], field, dialect)
                seen[column] = field

    def paths(self) -> list[tuple[str, str | None, str | None]]:
        """Every table's layout path, its entity (None: plain values) and its
        parent's entity, from the subject down (each entity's lists once)."""
        out: list[tuple[str, str | None, str | None]] = [("", self.subject, None)]
        stack = [("", self.subject, (self.subject,))]
        while stack:
            path, entity, trail = stack.pop()
            for field in self.schema.entities[entity].fields.values():
                if not isinstance(field.type, t.List):
                    continue
                child = f"{path}.{field.name}" if path else field.name
                item = field.type.item
                if isinstance(item, t.Entity):
                    out.append((child, item.name, entity))
                    if item.name not in trail:
                        stack.append((child, item.name, (*trail, item.name)))
                else:
                    out.append((child, None, entity))
        return out

    @staticmethod
    def _clash(kind: str, table: str, first: str, second: str, dialect: str) -> None:
        raise AntqError(
            Diagnostic(
                "sql-layout-clash",
                {
                    "kind": Phrase(f"layout {kind}"),
                    "table": table,
                    "first": first,
                    "second": second,
                    "engine": dialect,
                },
            )
        )

    def child_path(self, parent: TableInfo, field: str) -> str:
        return field if parent.parent is None else f"{parent.path}.{field}"

    # ---------------------------------------------------------------- types

    def check_column(self, table: TableInfo, column: str, type_: t.Type) -> None:
        """Refuse a column whose database type cannot hold the field exactly."""
        db = table.columns.get(column)
        if db is None or not table.types:
            return
        kind = column_kind(table.types.get(db, ""))
        if kind is None or kind == "null":
            return
        ok = {
            "bool": ("bool",),
            "int": ("int",),
            "decimal": ("int", "decimal"),
            "date": ("date",),
            "text": ("text",),
        }
        name = "text" if isinstance(type_, t.Enum) else str(type_)
        if kind not in ok.get(name, ()):
            raise AntqError(
                Diagnostic(
                    "sql-column-type",
                    {
                        "table": table.name,
                        "column": db,
                        "type": table.types.get(db, "?"),
                        "expected": name,
                    },
                )
            )


def column_kind(db_type: str) -> str | None:
    """What a database column type holds: bool, int, decimal, float, date, text."""
    ty = db_type.lower().strip()
    if not ty:
        return None
    if ty in ("null", '"null"', "void"):
        return "null"
    if ty.startswith("bool"):
        return "bool"
    if ty.startswith(("decimal", "numeric")):
        if "," in ty:
            scale = ty.split(",", 1)[1].strip(" )")
            if scale.isdigit() and int(scale) == 0:
                return "int"
        return "decimal"
    if any(
        ty.startswith(p)
        for p in (
            "tinyint",
            "smallint",
            "integer",
            "bigint",
            "hugeint",
            "int",
            "long",
            "short",
            "byte",
            "ubigint",
            "uinteger",
            "usmallint",
            "utinyint",
            "uhugeint",
        )
    ):
        return "int"
    if ty in ("date",):
        return "date"
    if any(ty.startswith(p) for p in ("varchar", "text", "string", "char", "character")):
        return "text"
    if any(ty.startswith(p) for p in ("double", "float", "real")):
        return "float"
    return ty
