from django.urls import path

from sunlight.feedback import views_public

# Mounted at /feedback/ without a namespace (public pages, like /apply/ and /progress/).
urlpatterns = [
    path("", views_public.petition_home, name="petition_home"),
    path("new/<str:kind>/", views_public.petition_new, name="petition_new"),
    path("done/", views_public.petition_done, name="petition_done"),
    path("lookup/", views_public.petition_lookup, name="petition_lookup"),
    path("board/", views_public.petition_board, name="petition_board"),
]
