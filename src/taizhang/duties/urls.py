from django.urls import path

from taizhang.core import converters  # noqa: F401 (registers <id:…>)
from taizhang.duties import views, views_inspection, views_meetings, views_training

app_name = "duties"
urlpatterns = [
    path("", views.year_view, name="year"),
    path("lists/", views.list_index, name="lists"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/inclusions/", views.inclusions_new, name="inclusions_new"),
    path("lists/letters/", views.letters_new, name="letters_new"),
    path("letters/<id:task_pk>/", views.letter, name="letter"),
    path("letters/<id:task_pk>/scan/", views.letter_scan, name="letter_scan"),
    path("lists/<id:pk>/", views.list_detail, name="list"),
    path("lists/<id:pk>/items/", views.item_add, name="item_add"),
    path("lists/<id:pk>/copy/", views.list_copy, name="list_copy"),
    path("tasks/<id:task_pk>/record/", views.task_record, name="task_record"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("meetings/", views_meetings.meeting_list, name="meetings"),
    path("meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("meetings/<id:pk>/", views_meetings.meeting_detail, name="meeting"),
    path("meetings/<id:pk>/decisions/", views_meetings.decision_add, name="decision_add"),
    path("meetings/<id:pk>/count/", views_meetings.meeting_count, name="meeting_count"),
    path("inspections/", views_inspection.inspection_list, name="inspections"),
    path("inspections/new/", views_inspection.inspection_new, name="inspection_new"),
    path("inspections/<id:pk>/", views_inspection.inspection_detail, name="inspection"),
    path("inspections/<id:pk>/findings/", views_inspection.finding_add, name="finding_add"),
    path("trainings/", views_training.training_list, name="trainings"),
    path("trainings/new/", views_training.training_new, name="training_new"),
    path("trainings/hours/", views_training.training_hours, name="training_hours"),
    path("trainings/<id:pk>/", views_training.training_detail, name="training"),
    path("trainings/<id:pk>/attendance/", views_training.attendance_import, name="attendance_import"),
    path("trainings/<id:pk>/count/", views_training.training_count, name="training_count"),
]
