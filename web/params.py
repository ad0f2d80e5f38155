"""Bounds on every value a URL, query string or form brings in, shared by pages and the API.

Whatever a client sends ends up in SQL (ids, LIMIT/OFFSET, date ranges) or in date arithmetic:
an id past 64 bits overflows SQLite's INTEGER, a huge page makes MariaDB refuse the OFFSET
(error 1064), a day near year 9999 overflows when the next midnight is computed. Each value is
checked here, so such a request is a 422 that names the field, never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import AfterValidator

# The largest integer a JSON client can hold exactly (2**53 - 1); ids never get near it.
MAX_ID = 9_007_199_254_740_991
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
MAX_POSITION = 1_000  # positions of asked questions: far more than any interview has
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)
SHORT_TEXT = 64  # a role, difficulty, platform or day as typed in a filter
WORKSPACE_TEXT = 200  # "platform:tenant"
CLIENT_ID_TEXT = 128  # request and delivery ids (the valid ones are 8-64 characters)
CODE_TEXT = 64  # a link code as typed ("ABCD-EFGH" and some slack)
EMAIL_TEXT = 320
PASSWORD_TEXT = 1_024  # longer than any password we accept, so the form can say why
CONFIRM_TEXT = 64
# An answer is checked against Rules.max_answer_chars by the core (with its own message);
# this only keeps absurd bodies out before they are parsed.
ANSWER_TEXT = 200_000


def _within_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return day


Day = Annotated[date, AfterValidator(_within_range)]

SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="A session id")]
IdentityId = Annotated[int, Path(ge=1, le=MAX_ID, description="A linked identity's id")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
ShortQuery = Annotated[str, Query(max_length=SHORT_TEXT)]

FormPosition = Annotated[int, Form(ge=1, le=MAX_POSITION)]
OptionalFormPosition = Annotated[int, Form(ge=0, le=MAX_POSITION)]
ClientIdForm = Annotated[str, Form(max_length=CLIENT_ID_TEXT)]
AnswerForm = Annotated[str, Form(max_length=ANSWER_TEXT)]
EmailForm = Annotated[str, Form(max_length=EMAIL_TEXT)]
PasswordForm = Annotated[str, Form(max_length=PASSWORD_TEXT)]
