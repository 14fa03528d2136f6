# Dutch writes dates as the English formats of coachlink already do (day first, two-digit day
# and month, as in Exact Online), so a column of dates lines up in both languages; only the
# separators in numbers differ: a dot between thousands, a decimal comma.
from coachlink.formats.en.formats import (  # noqa: F401
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
)

TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%H.%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
