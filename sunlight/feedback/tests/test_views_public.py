"""The public pages through HTTP: rating by number + query code and by signed link, bad input
with clear messages and nothing written, guesses limited, petitions filed and looked up."""

import pytest

from sunlight.core import clock
from sunlight.feedback import links
from sunlight.feedback.models import Petition, Rating
from sunlight.feedback.petitions import petition_reply, petition_sign
from sunlight.feedback.tests.world import RATED, sent_code, world
from sunlight.feedback.views_public import PER_NUMBER
from sunlight.ratelimit.models import RateBucket

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _pair(case):
    return {"number": case.number, "code": case.query_code}


def test_the_rating_page_opens_with_the_pair_and_shows_only_masked_data(w, client):
    response = client.get("/rate/", _pair(w.done))
    text = response.content.decode()
    assert response.status_code == 200
    assert "评价受理环节的服务" in text and "评价办结环节的服务" in text
    assert "张*" in text and "13800000000" not in text and w.done.applicant_id_number not in text
    assert response["Cache-Control"] == "private, no-store"


def test_a_rating_posted_from_the_page_is_recorded_once(w, client):
    data = {**_pair(w.done), "stage": "concluded", "level": "1", "comment": "很快"}
    with clock.frozen(RATED):
        response = client.post("/rate/", data)
    assert response.status_code == 302
    assert Rating.objects.get().level == "1"
    with clock.frozen(RATED):
        again = client.post("/rate/", {**data, "level": "5"}, follow=True)
    assert "已经评价过" in again.content.decode() or "尚不能评价" in again.content.decode()
    assert Rating.objects.count() == 1


@pytest.mark.parametrize(
    ("comment", "message"),
    [("\u200b\u200b", "不能只有空格"), ("长" * 100_000, "不能超过500字")],
)
def test_bad_comments_are_refused_with_a_message(w, client, comment, message):
    data = {**_pair(w.done), "stage": "accepted", "level": "2", "comment": comment}
    response = client.post("/rate/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Rating.objects.exists()


def test_someone_elses_case_cannot_be_rated_with_a_wrong_query_code(w, client):
    data = {"number": w.done.number, "code": "ZZZZ9999", "stage": "accepted", "level": "5"}
    response = client.post("/rate/", data)
    assert response.status_code == 404
    assert "编号或查询码不正确" in response.content.decode()
    assert not Rating.objects.exists()


def test_guesses_on_one_number_are_limited(w, client):
    for _ in range(PER_NUMBER.attempts):
        client.get("/rate/", {"number": w.case.number, "code": "WRONG999"})
    response = client.get("/rate/", _pair(w.case))
    assert response.status_code == 429 and "过于频繁" in response.content.decode()


def test_a_citizen_coming_back_to_the_rating_page_is_never_refused(w, client):
    for _ in range(PER_NUMBER.attempts + 5):  # open, reload, come back another day
        assert client.get("/rate/", _pair(w.done)).status_code == 200
    data = {**_pair(w.done), "stage": "concluded", "level": "1", "comment": "很快"}
    with clock.frozen(RATED):
        assert client.post("/rate/", data).status_code == 302
    assert Rating.objects.count() == 1
    assert not RateBucket.objects.exists()


def test_wrong_pairs_past_the_limit_are_refused_with_a_message_and_write_nothing(w, client):
    wrong = {"number": w.done.number, "code": "WRONG999", "stage": "concluded", "level": "1"}
    with clock.frozen(RATED):  # all in one window of the limit
        for _ in range(PER_NUMBER.attempts):
            assert client.post("/rate/", wrong).status_code == 404
        counted = list(RateBucket.objects.values_list("count", flat=True))
        response = client.post("/rate/", {**wrong, "code": w.done.query_code})
    assert response.status_code == 429
    assert "查询过于频繁，请" in response.content.decode()
    assert not Rating.objects.exists()
    assert list(RateBucket.objects.values_list("count", flat=True)) == counted


def test_the_signed_link_rates_its_own_stage(w, client):
    link = links.rating_link(case=w.done, stage="concluded")
    page = client.get(link).content.decode()
    assert "评价办结环节的服务" in page and "评价受理环节的服务" not in page
    response = client.post(link, {"stage": "concluded", "level": "4", "comment": "等太久"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.stage) == ("sms", "concluded")
    assert rating.follow_up.state == "open"
    assert client.get(link[:-3] + "xx/").status_code == 404


def test_a_consultation_is_filed_and_its_reply_read_by_lookup(w, client):
    data = {"about": "department", "department": w.department.pk, "title": "营业执照",
            "content": "需要哪些材料？", "publish_consent": "on"}  # fmt: skip
    response = client.post("/feedback/new/consultation/", data, follow=True)
    petition = Petition.objects.get()
    text = response.content.decode()
    assert petition.number in text and petition.query_code in text
    petition_sign(actor=w.office.clerk, petition=petition, expected_revision=0)
    petition_reply(actor=w.office.clerk, petition=petition, reply="请带身份证和经营场所证明。",
                   upheld=None, expected_revision=1)  # fmt: skip
    lookup = client.get("/feedback/lookup/", {"number": petition.number,
                                              "code": petition.query_code})  # fmt: skip
    assert "请带身份证和经营场所证明。" in lookup.content.decode()
    board = client.get("/feedback/board/").content.decode()
    assert "请带身份证和经营场所证明。" in board


def test_a_complaint_needs_the_code_sent_to_the_phone(w, client):
    form = {"about": "case", "case_number": w.case.number, "case_query_code": w.case.query_code,
            "title": "态度差", "content": "窗口人员态度差", "name": "张三",
            "id_number": "330102199001011234", "phone": "13900001234"}  # fmt: skip
    sent = client.post("/feedback/new/complaint/", {**form, "send_code": "1"})
    assert "验证码已发送到 139****1234" in sent.content.decode()
    wrong = client.post("/feedback/new/complaint/", {**form, "phone_code": "000000"
                        if sent_code("13900001234") != "000000" else "111111"})  # fmt: skip
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not Petition.objects.exists()
    right = client.post("/feedback/new/complaint/",
                        {**form, "phone_code": sent_code("13900001234")})  # fmt: skip
    assert right.status_code == 302
    assert Petition.objects.get().department_id == w.case.department_id


def test_an_empty_petition_form_says_what_is_missing(w, client):
    response = client.post("/feedback/new/consultation/", {"about": "department"})
    text = response.content.decode()
    # Every missing field at once: the department too, not only on a second try.
    assert response.status_code == 400 and "请选择部门" in text
    assert text.count("该字段是必填项") >= 2  # 标题, 内容
    by_case = client.post("/feedback/new/consultation/", {"about": "case", "title": "问"})
    assert by_case.status_code == 400 and "请填写办件编号和查询码" in by_case.content.decode()
    by_power = client.post("/feedback/new/consultation/", {"about": "power", "title": "问"})
    assert "请从清单中选择在用的权力事项" in by_power.content.decode()
    assert not Petition.objects.exists()
