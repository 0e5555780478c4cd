"""Types the models use where Pydantic's own would accept more than the contract allows."""

import datetime as _datetime
from typing import Annotated, Any

from pydantic import AwareDatetime as _AwareDatetime
from pydantic import BeforeValidator


def _not_a_number(value: Any) -> Any:
    # JSON carries dates and times as strings; Pydantic alone would read 12345 as a Unix time.
    if isinstance(value, int | float):
        raise ValueError("a date or time must be given as a string")
    return value


AwareDatetime = Annotated[_AwareDatetime, BeforeValidator(_not_a_number)]
date = Annotated[_datetime.date, BeforeValidator(_not_a_number)]
time = Annotated[_datetime.time, BeforeValidator(_not_a_number)]

__all__ = ["AwareDatetime", "date", "time"]
