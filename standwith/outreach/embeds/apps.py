from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmbedsConfig(AppConfig):
    name = "standwith.outreach.embeds"
    label = "embeds"
    verbose_name = _("Partner embeds")

    def ready(self) -> None:
        from standwith.outreach.embeds import services  # noqa: F401 (connects the cache's signal receivers)
