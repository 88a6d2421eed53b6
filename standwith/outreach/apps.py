from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "standwith.outreach"
    label = "outreach"
