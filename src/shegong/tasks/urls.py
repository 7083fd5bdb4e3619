from django.urls import path

from shegong.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/state/", views.job_state, name="job-state"),
    path("<int:pk>/file/", views.job_file, name="job-file"),
    path("<int:pk>/cancel/", views.job_cancel, name="job-cancel"),
    path("<int:pk>/retry/", views.job_retry, name="job-retry"),
]
