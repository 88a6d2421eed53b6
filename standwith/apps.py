from django.apps import AppConfig


class StandwithConfig(AppConfig):
    name = "standwith"
    verbose_name = "standwith"
