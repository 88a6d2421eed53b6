from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "standwith.staff"
    label = "staff"
