from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "shegong.tasks"
    verbose_name = _("后台任务")
