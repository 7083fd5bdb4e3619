from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shegong.api"
    label = "api"
    verbose_name = "API"
