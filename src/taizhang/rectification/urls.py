from django.urls import path

from taizhang.rectification import views

app_name = "rectification"
urlpatterns = [
    path("new/", views.source_edit, name="source_create"),
    path("<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("<int:source_pk>/findings/new/", views.finding_add, name="finding_add"),
]
