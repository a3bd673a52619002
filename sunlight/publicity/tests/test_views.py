"""The public pages (list with the map, notice with its objection form) and the staff pages
(publish from the case page, answer, set the requirement), with bad input refused."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases.tests.ui import client_of
from sunlight.core import clock
from sunlight.publicity.models import Objection, PublicityNotice, PublicityRequirement
from sunlight.publicity.services import objection_submit, publicity_windows_close
from sunlight.publicity.tests.world import MONDAY, SITE, published, world

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _detail(notice):
    return reverse("publicity:detail", args=[notice.pk])


def test_the_list_shows_the_notice_masked_with_a_marker_on_the_map():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + DAY):
        page = Client().get(reverse("publicity:list")).content.decode()
    assert "清源区滨江路12号商住楼建设工程规划许可" in page
    assert "张*" in page and "张三" not in page  # the applicant is a natural person
    assert "<svg" in page and f'href="{_detail(notice)}"' in page
    assert "临江区" in page  # every district of the city is drawn
    assert "<script" not in page


def test_the_list_filters_by_stage():
    w = world()
    published(w)
    with clock.frozen(MONDAY + DAY):
        before = Client().get(reverse("publicity:list"), {"stage": "before"}).content.decode()
        after = Client().get(reverse("publicity:list"), {"stage": "after"}).content.decode()
    assert "pb-entry" in before and "pb-entry" not in after


def test_an_objection_through_the_form_reaches_the_handler_and_the_answer_is_public():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + DAY):
        response = Client().post(
            _detail(notice),
            {"text": "请公开日照分析，电话13912345678", "name": "赵六", "contact": "13912345678"},
        )
    assert response.status_code == 302
    objection = Objection.objects.get()
    clerk = client_of(w.office.clerk)
    with clock.frozen(MONDAY + DAY):
        case_page = clerk.get(reverse("cases:detail", args=[w.case.number])).content.decode()
        home = clerk.get(reverse("staff:home")).content.decode()
    assert "请公开日照分析" in case_page and "赵六" in case_page  # staff see who objected
    assert reverse("publicity_staff:answer", args=[objection.pk]) in home
    with clock.frozen(MONDAY + 2 * DAY):
        answered = clerk.post(
            reverse("publicity_staff:answer", args=[objection.pk]), {"reply": "日照分析已附后。"}
        )
        public = Client().get(_detail(notice)).content.decode()
    assert answered.status_code == 302
    assert "日照分析已附后" in public
    assert "13912345678" not in public and "139****5678" in public
    assert "赵六" not in public


@pytest.mark.parametrize(
    "text", ["", "\u200b", "字" * 1001], ids=["empty", "invisible", "oversized"]
)
def test_bad_objections_through_the_form_are_refused(text):
    w = world()
    notice = published(w)
    before = AuditEntry.objects.count()
    with clock.frozen(MONDAY + DAY):
        response = Client().post(_detail(notice), {"text": text})
    assert response.status_code == 400
    assert "异议内容" in response.content.decode()
    assert Objection.objects.count() == 0 and AuditEntry.objects.count() == before


def test_after_the_window_the_form_is_gone_and_a_post_is_refused():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + 8 * DAY):
        page = Client().get(_detail(notice)).content.decode()
        response = Client().post(_detail(notice), {"text": "迟到的异议"})
    assert "提交异议" not in page and "公示期已结束" in page
    assert response.status_code == 409 and "公示期已结束" in response.content.decode()
    assert Objection.objects.count() == 0


def test_objections_are_rate_limited_per_client():
    w = world()
    notice = published(w)
    client = Client()
    with clock.frozen(MONDAY + DAY):
        codes = [client.post(_detail(notice), {"text": f"异议{i}"}).status_code for i in range(6)]
    assert codes == [302] * 5 + [429]
    assert Objection.objects.count() == 5


def test_the_handler_publishes_from_the_case_page():
    w = world()
    clerk = client_of(w.office.clerk)
    start = reverse("publicity_staff:start", args=[w.case.number])
    with clock.frozen(MONDAY):
        page = clerk.get(reverse("cases:detail", args=[w.case.number])).content.decode()
        assert start in page
        refused = clerk.post(start, {"title": "", "summary": "\u200b", "district_code": ""})
        assert refused.status_code == 400 and PublicityNotice.objects.count() == 0
        assert "请填写公示项目名称" in refused.content.decode()
        done = clerk.post(start, {"title": "某项目", "summary": "内容", **SITE})
    assert done.status_code == 302
    assert PublicityNotice.objects.count() == 1


def test_the_window_closing_shows_the_case_back_in_work_and_the_progress_public():
    w = world()
    notice = published(w)
    with clock.frozen(MONDAY + 8 * DAY):
        publicity_windows_close()
        page = Client().get(_detail(notice)).content.decode()
    assert "批中" in page and "审查" in page and reverse("progress") in page


def test_the_legal_office_sets_the_requirement_and_bad_days_are_refused():
    w = world()
    from sunlight.org.tests import factories as org_factories

    legal = client_of(org_factories.user("legal", in_region=org_factories.region()))
    url = reverse("publicity_staff:requirement", args=[w.office.item.current_version_id])
    assert legal.post(url, {"window_days": "0", "window_unit": "natural_day"}).status_code == 400
    ok = legal.post(url, {"window_days": "10", "window_unit": "working_day", "located": "on"})
    assert ok.status_code == 302
    requirement = PublicityRequirement.objects.get()
    assert (requirement.window_days, requirement.window_unit) == (10, "working_day")
    # A clerk may not.
    clerk = client_of(w.office.clerk)
    assert clerk.post(url, {"window_days": "3", "window_unit": "natural_day"}).status_code == 403


def test_the_powers_page_has_its_publicity_section_and_saves_it_there():
    from sunlight.org.tests import factories as org_factories

    w = world()
    item = w.office.item
    page_url = reverse("catalog:item_detail", args=[item.pk])
    legal = client_of(org_factories.user("legal", in_region=org_factories.region()))
    page = legal.get(page_url).content.decode()
    assert 'id="publicity-requirement"' in page and "公示期 <strong>7 个自然日</strong>" in page
    assert "保存批前公示要求" in page
    url = reverse("publicity_staff:requirement", args=[item.current_version_id])
    saved = legal.post(
        url,
        {"publicity-window_days": "15", "publicity-window_unit": "working_day",
         "next": page_url},
    )  # fmt: skip
    assert saved.status_code == 302 and saved["Location"] == page_url
    requirement = PublicityRequirement.objects.get(power_version_id=item.current_version_id)
    assert (requirement.window_days, requirement.window_unit, requirement.located) == (
        15, "working_day", False,
    )  # fmt: skip
    # Bad days are refused on the requirement page, which keeps the way back.
    refused = legal.post(url, {"publicity-window_days": "99", "next": page_url,
                               "publicity-window_unit": "natural_day"})  # fmt: skip
    assert refused.status_code == 400 and f'value="{page_url}"' in refused.content.decode()
    # Somewhere else is not a way back.
    elsewhere = legal.post(url, {"publicity-window_days": "5", "next": "https://evil.example/",
                                 "publicity-window_unit": "natural_day"})  # fmt: skip
    assert elsewhere["Location"] == url
    # The department's clerk sees the duty but cannot set it.
    clerk_page = client_of(w.office.clerk).get(page_url).content.decode()
    assert "公示期 <strong>5 个自然日</strong>" in clerk_page
    assert "由法制机构或平台管理员设置" in clerk_page and "保存批前公示要求" not in clerk_page


def test_a_drafts_editor_shows_the_publicity_section_outside_the_draft_form():
    from sunlight.catalog.tests import factories as catalog_factories

    w = world()
    draft = catalog_factories.item(department=w.office.department)
    page = client_of(w.office.clerk).get(reverse("catalog:item_edit", args=[draft.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="publicity-requirement"' in html and "该事项不需要批前公示" in html
    # After the draft form's buttons: the section's own form is not nested in the draft's.
    assert html.index('id="publicity-requirement"') > html.index("保存草稿")


def test_status_counts_the_notices():
    from sunlight.core.status import collect_status

    w = world()
    published(w)
    with clock.frozen(MONDAY + DAY):
        objection_submit(notice_id=PublicityNotice.objects.get().pk, text="异议")
    counts = collect_status()
    assert counts["publicity_notices"] == 1 and counts["publicity_notices_open"] == 1
