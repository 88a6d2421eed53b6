"""A person's browser: Debian's Chromium, driven by Playwright."""

from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from standwith.e2e.site import Site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Visitor:
    """A person's browser on the site: contexts opened on it, and every URL they requested."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.requested: list[str] = []
        self.contexts: list[BrowserContext] = []

    def open(self, **options: Any) -> Page:
        context = self.browser.new_context(base_url=self.site.base_url, **options)
        context.on("request", lambda request: self.requested.append(request.url))
        self.contexts.append(context)
        return context.new_page()

    def off_site_requests(self) -> list[str]:
        return [url for url in self.requested if not url.startswith(self.site.base_url + "/")]

    def close(self) -> None:
        for context in self.contexts:
            context.close()
