"""The provider's `/docs` in a real browser: the example app served by uvicorn, Swagger UI run by headless Chromium.

Debian's `chromium` is driven by Playwright (`executable_path`; Playwright's own browser download is not used).
FastAPI's `/docs` page loads Swagger UI from cdn.jsdelivr.net; the test answers those requests with the copy of
swagger-ui-dist 5 that the fastapi-offline package ships, and refuses every other request off 127.0.0.1, so the
test needs no network. Without chromium (or Playwright) the test skips, and fails when HOOKGEN_REQUIRE_BROWSER=1
(as `.ci/run` sets it, after installing chromium).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.spec.walk import operations

from .conftest import Imported
from .servers import serving

REQUIRE_VARIABLE = "HOOKGEN_REQUIRE_BROWSER"
CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
TIMEOUT_MS = 30_000


def _require(what: str, found: object) -> None:
    if found:
        return
    message = f"{what} not installed; .ci/run installs it"
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1 makes the browser test required)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    _require("chromium (Debian package `chromium`)", path)
    assert path is not None
    return path


@pytest.fixture(scope="module")
def swagger_ui_files() -> Path:
    try:
        import fastapi_offline  # noqa: PLC0415 - optional: the dev extra installs it
    except ImportError:
        _require("fastapi-offline (swagger-ui-dist files; the dev extra)", None)
    return Path(fastapi_offline.__file__).parent / "static"


def _local(route: Any, base: str, elsewhere: Any) -> None:
    """Let a request to the served app through; hand any other to `elsewhere`."""
    if route.request.url.startswith(base + "/"):
        route.continue_()
    else:
        elsewhere(route)


def test_docs_show_every_webhook_with_its_description_schema_and_example(
    example: Imported, chromium: str, swagger_ui_files: Path, tmp_path: Path
) -> None:
    try:
        from playwright.sync_api import Route, sync_playwright  # noqa: PLC0415 - optional: the dev extra installs it
    except ImportError:
        _require("playwright (the Python package; the dev extra)", None)
    served: list[str] = []
    refused: list[str] = []

    def offline(route: Route) -> None:
        url = route.request.url
        if url.startswith(CDN) and (swagger_ui_files / url.removeprefix(CDN)).is_file():
            served.append(url.removeprefix(CDN))
            route.fulfill(path=swagger_ui_files / url.removeprefix(CDN))
        else:
            refused.append(url)
            route.abort()

    source = example.document
    keys = [key for key, _, _ in operations(source)]
    new_subscription = source["webhooks"]["new-subscription"]["post"]
    with serving(example.webhooks.app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2000})
            page.route("https://**/*", offline)
            page.route("http://**/*", lambda route: _local(route, base, offline))
            page.goto(f"{base}/docs")
            section = page.locator(".webhooks")
            section.locator(".opblock").nth(len(keys) - 1).wait_for(timeout=TIMEOUT_MS)
            assert section.locator("h2").inner_text() == "Webhooks"
            # A deprecated webhook's path has its own class (`opblock-summary-path__deprecated`); both carry data-path.
            paths = section.locator(".opblock-summary [data-path]")
            assert [paths.nth(i).get_attribute("data-path") for i in range(paths.count())] == keys
            summaries = [source["webhooks"][key]["post"].get("summary", "") for key in keys]
            assert section.locator(".opblock-summary-description").all_inner_texts() == summaries

            operation = section.locator("#operations-webhooks-newSubscription")
            operation.locator(".opblock-summary-control").click()
            body = operation.locator(".opblock-body")
            body.wait_for(timeout=TIMEOUT_MS)
            description = operation.locator(".opblock-description-wrapper").first.inner_text()
            assert description == new_subscription["description"]
            # The first named example, as Swagger UI shows it: its summary in the selector, its value as JSON.
            example_text = operation.locator(".body-param__example, .highlight-code").first.inner_text()
            assert '"username": "ada"' in example_text and '"trial_ends_at": null' in example_text
            assert "A monthly plan" in operation.inner_text()
            # The payload schema, with the spec's property description.
            operation.get_by_role("tab", name="Schema").click()
            schema = operation.locator(".model-box").first
            schema.wait_for(timeout=TIMEOUT_MS)
            # Swagger UI 5 draws a 3.1 schema collapsed; "Expand all" opens every property.
            operation.get_by_role("button", name="Expand all").first.click()
            assert "Monthly price in the account's currency." in operation.inner_text()
            page.screenshot(path=tmp_path / "docs.png", full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "docs.png").stat().st_size > 10_000
    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= set(served)
    assert [url for url in refused if url.startswith(CDN)] == []  # every Swagger UI file came from the local copy
