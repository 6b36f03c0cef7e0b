from django.urls import path

from taizhang.notify import views

app_name = "notify"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("notices/", views.notices, name="notices"),
    path("supervise/", views.supervise, name="supervise"),
    path("notices/<int:pk>.docx", views.notice_document, name="notice_document"),
    path("preferences/", views.preferences, name="preferences"),
    path("robots/", views.robots, name="robots"),
]
