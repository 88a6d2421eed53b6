"""End-to-end fixtures: the real site running in subprocesses, and a real Chromium.

The e2e tests use no test database: they reach the site over HTTP, read the
mail it writes, and look into its own database directly.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from standwith.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Visitor
from standwith.e2e.site import Server, Site, port_is_free, provisioned, run_command_ok, start_server, still_running

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the real site in subprocesses over HTTP; uses no test database")


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    """Replaces the suite's fixture of this name, which clears this process's cache.

    These tests use no cache of their own, and with Redis that clearing would
    flush the cache of the site under test while it runs.
    """


def stop_cleanly(server: Server) -> None:
    code = server.stop()
    assert code == 0, f"serve exited with {code} on Ctrl-C:\n{server.output()}"
    assert not still_running(server.processes), f"left running after serve stopped: {server.processes}"
    assert port_is_free(server.port), f"port {server.port} still taken after serve stopped"
    assert "Traceback" not in server.output(), server.output()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site, migrated and loaded with the demo campaign, served by `standwith serve --workers 2`."""
    data_dir = tmp_path_factory.mktemp("site")
    with ExitStack() as cleanup:
        env, database = cleanup.enter_context(provisioned(data_dir))
        demo_row_counts = []
        for _ in range(2):
            run_command_ok(env, "demo")
            demo_row_counts.append(database.row_counts())
        server = start_server(env, data_dir / "serve.log", workers=2)
        cleanup.callback(stop_cleanly, server)
        yield Site(server=server, env=env, data_dir=data_dir, database=database, demo_row_counts=demo_row_counts)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def visitor(browser: Browser, site: Site) -> Iterator[Visitor]:
    visitor = Visitor(browser, site)
    yield visitor
    visitor.close()


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
