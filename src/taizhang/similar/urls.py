from django.urls import path

from taizhang.similar import views

app_name = "similar"
urlpatterns = [
    path("repeats/", views.repeat_list, name="repeats"),
    path("repeats/<int:pk>/decide/", views.repeat_decide, name="decide"),
]
