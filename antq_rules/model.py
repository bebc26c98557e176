"""Outcomes: what evaluating an expression gives back.

`Status` is shared with rulesets (a criterion is PASS, FAIL, UNKNOWN or NA).
An `Outcome` is frozen: the status (for a true/false expression), the exact
value or the set of values it could take, and the type.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from .values import UNDEFINED, Range, may_be_undefined


class Status(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    NA = "NA"

    def __str__(self) -> str:
        return self.value


def status_of(value: Any) -> Status:
    """PASS for true, FAIL for false, UNKNOWN when the data does not decide."""
    if value is True:
        return Status.PASS
    if value is False:
        return Status.FAIL
    return Status.UNKNOWN


@attrs.frozen
class Outcome:
    """The result of one expression on one subject.

    `value` is a plain value when the data decides it (True, 3, Fraction(12, 13),
    a date…), a `Range` when it does not, or `UNDEFINED` (e.g. the ratio of an
    empty list). `status` is set for true/false expressions and None otherwise.
    """

    value: Any
    type: str
    status: Status | None = None

    @property
    def known(self) -> bool:
        return self.value is not UNDEFINED and type(self.value) is not Range

    @property
    def undefined(self) -> bool:
        """Whether the value is, or may be, undefined."""
        return may_be_undefined(self.value)

    def __str__(self) -> str:
        from .values import _show

        if self.status is not None:
            return self.status.name
        if self.value is UNDEFINED:
            return "undefined"
        return str(self.value) if type(self.value) is Range else _show(self.value)
