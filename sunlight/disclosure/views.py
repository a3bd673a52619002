from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/home.html")


def power_list(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/power_list.html")
