"""部门统计数据表 → monthly statistics lines (rollup's `RolledUpStatistic`, through
`rollup.reported.statistics_record_reported`): a department's own system's figures of a month
go up with this instance's monthly statistics and appear on the public statistics for a
department none of whose cases of that month is on the platform; from a lower platform's source
system (roll-up push mode) they are that platform's lines, as if pulled. 按期办结 counts as on time
(the table does not tell early from on time); the rest of 办结 as late. Quarterly and yearly
reports are kept as exchange records only (the statistics are summed from months)."""

import datetime as dt
import re
from collections.abc import Sequence

from sunlight.exchange.bridges import BridgeContext, Written
from sunlight.exchange.models import SourceSystem


def statistics_sync(
    *, source: SourceSystem, records: Sequence[Written], context: BridgeContext
) -> None:
    from sunlight.rollup.reported import ReportedLine, statistics_record_reported

    lines = []
    for record in records:
        v = record.values
        found = re.fullmatch(r"(\d{4})-(\d{2})", v["period"])
        if not found:
            continue
        lines.append(
            ReportedLine(
                department=context.departments[record.department_id],
                month=dt.date(int(found.group(1)), int(found.group(2)), 1),
                received=v["received"], accepted=v["accepted"],
                not_accepted=v["not_accepted"], concluded=v["concluded"],
                on_time=v["concluded_on_time"], late=v["concluded"] - v["concluded_on_time"],
            )
        )  # fmt: skip
    if lines:
        statistics_record_reported(source=source, lines=lines)
