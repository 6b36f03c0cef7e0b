from django.urls import path

from taizhang.tasks import views, views_edit, views_task

app_name = "tasks"
urlpatterns = [
    path("", views.source_list, name="sources"),
    path("sources/<int:pk>/", views.ledger, name="ledger"),
    path("sources/<int:source_pk>/tasks/new/", views_edit.task_edit, name="task_add"),
    path("sources/<int:source_pk>/tasks/<int:pk>/edit/", views_edit.task_edit, name="task_edit"),
    path("tasks/", views.task_list, name="list"),
    path("mine/", views.my_tasks, name="mine"),
    path("todo/", views.todo_page, name="todo"),
    path("tasks/<int:pk>/", views_task.task_detail, name="detail"),
    path("tasks/<int:pk>/step/<slug:step>/", views_task.task_transition, name="transition"),
    path("tasks/<int:pk>/progress/", views_task.task_progress, name="progress"),
    path("tasks/<int:pk>/delete/", views_task.task_delete, name="delete"),
    path("tasks/<int:pk>/extension/", views_task.task_extension, name="extension"),
    path("tasks/<int:pk>/extension/<int:extension_id>/decide/", views_task.extension_decide, name="decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
