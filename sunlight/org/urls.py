from django.urls import path

from sunlight.org import calendar_views, views, views_two_factor

app_name = "staff"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("login/verify/", views_two_factor.verify, name="two_factor_verify"),
    path("account/two-factor/", views_two_factor.account, name="two_factor"),
    path(
        "org/users/<int:user_id>/two-factor-reset/",
        views_two_factor.reset_for_user,
        name="two_factor_reset",
    ),
    path("", views.home, name="home"),
    path("org/", views.org_home, name="org_home"),
    path("org/regions/", views.region_list, name="region_list"),
    path("org/regions/<str:code>/", views.region_edit, name="region_edit"),
    path("org/departments/", views.department_list, name="department_list"),
    path("org/departments/new/", views.department_create, name="department_create"),
    path("org/departments/<int:department_id>/", views.department_edit, name="department_edit"),
    path(
        "org/departments/<int:department_id>/sections/",
        views.section_create,
        name="section_create",
    ),
    path("org/sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path("org/users/", views.user_list, name="user_list"),
    path("org/users/new/", views.user_create, name="user_create"),
    path("org/users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("org/users/<int:user_id>/password/", views.user_password, name="user_password"),
    path("org/users/<int:user_id>/active/", views.user_active, name="user_active"),
    path("org/calendar/", calendar_views.calendar_page, name="calendar"),
    path("org/calendar/day/", calendar_views.calendar_day_save, name="calendar_day_save"),
    path("org/calendar/clear/", calendar_views.calendar_day_clear, name="calendar_day_clear"),
    path("org/calendar/year/", calendar_views.calendar_year_loaded, name="calendar_year_loaded"),
    path("org/calendar/load/", calendar_views.calendar_load, name="calendar_load"),
]
