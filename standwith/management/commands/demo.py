from typing import Any

from django.core.management.base import BaseCommand

from standwith.campaigns.demo import load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo campaign; safe to run any number of times."

    def handle(self, *args: Any, **options: Any) -> None:
        petition = load_demo()
        self.stdout.write(f"Demo petition ready at {petition.get_absolute_url()}")
