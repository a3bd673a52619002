from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.catalog.selectors import power_items_for_user


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    items = power_items_for_user(user=request.user)[:50]
    return render(request, "catalog/item_list.html", {"items": items})
