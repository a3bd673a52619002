from django.urls import path

from sunlight.feedback import views_staff

app_name = "feedback"

urlpatterns = [
    path("", views_staff.petition_list, name="petition_list"),
    path("petitions/<str:number>/", views_staff.petition_detail, name="petition_detail"),
    path("petitions/<str:number>/<str:action>/", views_staff.petition_act, name="petition_act"),
    path("follow-ups/", views_staff.followup_list, name="followup_list"),
    path("follow-ups/<int:pk>/", views_staff.followup_detail, name="followup_detail"),
    path("follow-ups/<int:pk>/<str:action>/", views_staff.followup_act, name="followup_act"),
    path("ratings/", views_staff.rating_list, name="rating_list"),
    path("hotline/", views_staff.hotline_desk, name="hotline"),
]
