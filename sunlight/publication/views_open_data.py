"""开放数据: the list of data sets with their data dictionary, and the downloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.core import clock
from sunlight.publication.downloads import FORMATS, download_response
from sunlight.publication.open_data import dataset_get, datasets


def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publication/open_data.html",
        {"datasets": datasets(), "formats": FORMATS},
    )


def open_data_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    dataset = dataset_get(slug)
    if dataset is None or fmt not in FORMATS:
        raise Http404("没有这个数据集或格式")
    stamp = clock.today_local().strftime("%Y%m%d")
    return download_response(
        fmt=fmt,
        columns=dataset.pairs,
        rows=dataset.rows(),
        filename=f"{slug}-{stamp}",
        title=dataset.title,
    )
