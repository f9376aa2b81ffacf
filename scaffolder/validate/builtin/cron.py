"""CronJob schedules as the API server parses them.

Upstream: k8s.io/kubernetes/pkg/apis/batch/validation/validation.go validateScheduleFormat
(cron.ParseStandard of github.com/robfig/cron/v3: five fields or a descriptor; TZ and CRON_TZ
are refused, the timeZone field is the way) and robfig/cron/v3 parser.go (field ranges,
names of months and weekdays, */step, a-b/step, lists).
"""

from __future__ import annotations

import re

_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (name, low, high, names, '?' allowed)
_FIELDS: tuple[tuple[str, int, int, dict[str, int], bool], ...] = (
    ("minute", 0, 59, {}, False),
    ("hour", 0, 23, {}, False),
    ("day of month", 1, 31, {}, True),
    ("month", 1, 12, _MONTHS, False),
    ("day of week", 0, 6, _DAYS, True),
)
_GO_DURATION = re.compile(r"([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+")


def schedule_problem(schedule: str) -> str | None:
    """None for a schedule Kubernetes accepts, else why not."""
    text = schedule.strip()
    if "TZ" in text:
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if text.startswith("@"):
        if text in _DESCRIPTORS:
            return None
        every = text.removeprefix("@every ")
        if every != text and _GO_DURATION.fullmatch(every.strip()):
            return None
        return f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {text}"
    for value, (name, low, high, names, question) in zip(fields, _FIELDS, strict=True):
        for part in value.split(","):
            problem = _part(part, low, high, names, question)
            if problem:
                return f"{name}: {problem}"
    return None


def _part(part: str, low: int, high: int, names: dict[str, int], question: bool) -> str | None:
    span, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"bad step {step!r}"
    if span in ("*", "?"):
        return None if span == "*" or question else "'?' is not allowed here"
    first, dash, last = span.partition("-")
    numbers = []
    for item in (first, last) if dash else (first,):
        number = names.get(item.lower()) if not item.isdigit() else int(item)
        if number is None:
            return f"failed to parse {item!r}"
        if not low <= number <= high:
            return f"{number} is out of range ({low}-{high})"
        numbers.append(number)
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return f"beginning of range ({numbers[0]}) beyond end of range ({numbers[1]})"
    return None
