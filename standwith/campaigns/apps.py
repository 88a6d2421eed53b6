from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "standwith.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from standwith.campaigns import services  # noqa: F401  (connects its signal receivers)
