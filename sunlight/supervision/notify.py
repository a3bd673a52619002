"""Tell the responsible people what a scan found: one message per department and level (not one
per alert), to the department's approvers, and red ones also to the region's supervisors.
Only rows are written (in-app and outbox); delivery happens later, so a broken mail server or SMS
gateway can never block a scan."""

from django.db.models import Count

from sunlight.notifications.selectors import recipients_for_department, supervisors_for_region
from sunlight.notifications.services import Notice, notify_many
from sunlight.org.models import Department
from sunlight.supervision.choices import Level
from sunlight.supervision.models import Alert

# Alert levels as notification urgency.
URGENCY = {Level.REMIND: "info", Level.YELLOW: "warning", Level.RED: "urgent"}


def notify_new_alerts(*, run_id: int) -> int:
    # Called in the scan's own transaction, where its alerts are all still raised: the scan's
    # index alone finds them (a state filter may lead SQLite to walk every raised alert).
    groups = (
        Alert.objects.filter(scan_id=run_id)
        .values("department_id", "level")
        .annotate(n=Count("id"))
        .order_by("department_id", "level")
    )
    departments = Department.objects.in_bulk({g["department_id"] for g in groups})
    notices: list[Notice] = []
    heads: dict[int, list] = {}
    supervisors: dict[str, list] = {}
    for group in groups:
        department = departments[group["department_id"]]
        label = Level(group["level"]).label
        subject = f"电子监察：{department.name}新增{label}{group['n']}件"
        link = f"/staff/supervision/alerts/?department={department.pk}&level={group['level']}"
        if department.pk not in heads:  # a department's levels share one lookup
            heads[department.pk] = list(recipients_for_department(department, roles=("approver",)))
        recipients = list(heads[department.pk])
        if group["level"] == Level.RED:
            if department.region_id not in supervisors:
                supervisors[department.region_id] = list(
                    supervisors_for_region(department.region_id)
                )
            recipients += supervisors[department.region_id]
        seen: set[int] = set()
        for user in recipients:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            notices.append(
                Notice(
                    recipient=user,
                    subject=subject,
                    body=f"{subject}，请及时查看处理。",
                    link=link,
                    category="alert",
                    level=URGENCY[group["level"]],
                    source_type="supervision.scan",
                    source_id=str(run_id),
                )
            )
    if not notices:
        return 0
    return notify_many(notices=notices)
