from django.urls import path

from taizhang.rectification import views, views_finding, views_lessons

app_name = "rectification"
urlpatterns = [
    path("new/", views.source_edit, name="source_create"),
    path("<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("<int:source_pk>/findings/new/", views.finding_add, name="finding_add"),
    path("findings/<int:pk>/", views_finding.finding_detail, name="finding"),
    path("findings/<int:pk>/edit/", views_finding.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/delete/", views_finding.finding_delete, name="finding_delete"),
    path("findings/<int:pk>/lesson/", views_lessons.lesson_push, name="lesson_push"),
    path("lessons/<int:pk>/", views_lessons.lesson_detail, name="lesson"),
    path("lessons/tasks/<int:task_pk>/reply/", views_lessons.lesson_reply, name="lesson_reply"),
]
