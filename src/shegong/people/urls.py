from django.urls import path

from shegong.people import views

app_name = "people"
urlpatterns = [
    path("", views.worker_list, name="list"),
    path("new/", views.worker_create, name="create"),
    path("standing/", views.standing, name="standing"),
    path("<int:pk>/", views.worker_detail, name="detail"),
    path("<int:pk>/edit/", views.worker_edit, name="edit"),
    path("<int:pk>/move/", views.worker_move, name="move"),
    path("<int:pk>/exit/", views.worker_exit, name="exit"),
    path("<int:pk>/reenter/", views.worker_reenter, name="reenter"),
    path("<int:pk>/posts/", views.post_assign, name="post-assign"),
    path("<int:pk>/posts/<int:holding_pk>/end/", views.post_end, name="post-end"),
    path("<int:pk>/certificates/", views.certificate_add, name="certificate-add"),
]
