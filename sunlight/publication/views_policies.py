"""政策法规 column: the laws the catalog cites, each linked to the powers citing it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.publication.policies import MAX_QUERY_LENGTH, public_laws


def policies(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    return render(
        request, "publication/policies.html", {"laws": public_laws(query=query), "query": query}
    )
