from django.urls import path

from sunlight.cases import views_joint

app_name = "joint"
urlpatterns = [
    path("", views_joint.joint_list, name="list"),
    path("new/", views_joint.joint_create, name="create"),
    path("<int:pk>/register/", views_joint.joint_register, name="register"),
]
