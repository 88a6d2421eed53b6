from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "standwith.campaigns"
    label = "campaigns"
