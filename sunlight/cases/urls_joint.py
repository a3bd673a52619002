from django.urls import path

from sunlight.cases import views_joint, views_joint_config

app_name = "joint"
urlpatterns = [
    path("", views_joint.joint_list, name="list"),
    path("new/", views_joint_config.joint_create, name="create"),
    path("<int:pk>/edit/", views_joint_config.joint_edit, name="edit"),
    path("<int:pk>/deactivate/", views_joint_config.joint_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views_joint_config.joint_reactivate, name="reactivate"),
    path("<int:pk>/register/", views_joint.joint_register, name="register"),
]
