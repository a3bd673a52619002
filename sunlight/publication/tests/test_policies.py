"""政策法规: the laws cited by in-use public powers, linked to them; drafts stay out."""

import pytest

from sunlight.catalog.drafts import LegalBasisDraft
from sunlight.catalog.tests import factories as catalog
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

LAW = "中华人民共和国建筑法"


@pytest.fixture
def housing():
    return org.department(code="012", name="清源市住房和城乡建设局")


def test_laws_list_the_powers_citing_them(client, housing):
    item = catalog.published_item(
        department=housing,
        name="建筑工程施工许可证核发",
        legal_bases=[LegalBasisDraft(LAW, "第七条", "建筑工程开工前……")],
    )
    catalog.item(
        department=housing,
        name="草稿事项",
        legal_bases=[LegalBasisDraft("草稿才引用的条例", "第一条", "……")],
    )

    html = client.get("/policies/").content.decode()

    assert LAW in html and f"/powers/{item.code}/" in html and "第七条" in html
    assert "草稿才引用的条例" not in html


def test_search_narrows_the_laws(client, housing):
    catalog.published_item(department=housing, legal_bases=[LegalBasisDraft(LAW, "第七条", "……")])
    catalog.published_item(
        department=housing,
        name="城市道路占用许可",
        legal_bases=[LegalBasisDraft("城市道路管理条例", "第三十一条", "……")],
    )

    response = client.get("/policies/", {"q": "道路"})

    assert [law.name for law in response.context["laws"]] == ["城市道路管理条例"]
