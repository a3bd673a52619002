"""The workbench is assembled from the panels the apps register, in their order."""

import pytest

from sunlight.org import workbench
from sunlight.org.tests import factories

pytestmark = pytest.mark.django_db


def test_panels_come_in_registration_order_and_a_panel_may_stay_away(monkeypatch):
    monkeypatch.setattr(workbench, "_builders", [])

    def late(user):
        return workbench.Panel("late.html", {})

    def early(user):
        return workbench.Panel("early.html", {"who": user.username})

    def absent(user):
        return None

    workbench.register_panel(90, late)
    workbench.register_panel(5, early)
    workbench.register_panel(50, absent)
    workbench.register_panel(5, early)  # a second ready() adds nothing
    user = factories.user("clerk")
    panels = workbench.panels_for(user)
    assert [p.template for p in panels] == ["early.html", "late.html"]
    assert panels[0].context == {"who": user.username}


def test_the_installed_apps_contribute_the_queue_cards_and_the_order_box():
    approver = factories.user("approver")
    templates = [panel.template for panel in workbench.panels_for(approver)]
    assert templates == [
        "cases/workbench_queue.html",
        "supervision/order_todo_box.html",
        "catalog/workbench_cards.html",
        "feedback/workbench_box.html",
    ]
    clerk = factories.user("clerk")
    assert [p.template for p in workbench.panels_for(clerk)] == [
        "cases/workbench_queue.html",
        "catalog/workbench_cards.html",
        "feedback/workbench_box.html",
    ]
