"""Real headless Chromium: a shopper complains through the web widget, an agent logs into the console, claims
the conversation and replies, and the shopper's widget shows the reply. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from bot.console.accounts import Accounts
from bot.handoff.store import HandoffStore

pytestmark = pytest.mark.integration
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    if not CHROMIUM:
        pytest.skip("no chromium on this machine (make test installs Debian's chromium where it can)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


def test_shopper_widget_agent_console_round_trip(stack, browser) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    agent_name = f"agent{uuid.uuid4().hex[:4]}"
    Accounts(HandoffStore(stack.env["KEFU_DATABASE_URL"])).create(agent_name, "s3cret-pass", "Mei")

    shopper = browser.new_page(viewport={"width": 390, "height": 760}, locale="en-US")  # a phone
    shopper.goto(f"{stack.url}/webhooks/widget/")
    box = shopper.locator(".kefu-box")
    box.locator("input").wait_for()
    shopper.wait_for_function("document.querySelector('.kefu-box').dataset.session")
    session = box.get_attribute("data-session")

    def say(text: str) -> str:
        """Type a message, wait for the bot's next message, return it."""
        before = shopper.locator(".kefu-bot").count()
        box.locator("input").fill(text)
        box.locator("input").press("Enter")
        shopper.wait_for_function(f"document.querySelectorAll('.kefu-bot').length > {before}", timeout=30_000)
        return shopper.locator(".kefu-bot").nth(before).inner_text()

    say("Where is my order? Can you check it for me?")  # first a verified order lookup ...
    say("KF-10023")
    assert "DPD" in say("camille.martin@example.com")
    # ... then the complaint
    assert "sorry" in say("The kettle I received is broken, it leaks everywhere. I'm really upset!").lower()
    shopper.screenshot(path=str(ARTIFACTS / "widget-phone-complaint.png"))

    agent = browser.new_page(viewport={"width": 1280, "height": 800})
    agent.goto(f"{stack.url}/webhooks/console/")
    assert "/login" in agent.url  # anonymous agents are sent to the login page
    agent.fill("input[name=username]", agent_name)
    agent.fill("input[name=password]", "s3cret-pass")
    agent.click("button[type=submit]")
    case = agent.locator(f"[data-testid=case][data-conversation='{session}']")
    case.wait_for(timeout=15_000)
    case.click()
    agent.locator("#transcript .turn.shopper").first.wait_for()
    assert "leaks everywhere" in agent.locator("#transcript").inner_text()
    order = agent.locator("[data-testid=order]")
    order.wait_for()  # the order the shopper verified, with the shop's data
    assert "KF-10023" in order.inner_text() and "DPD" in order.inner_text() and "c***@example.com" in order.inner_text()
    agent.click("#claim")
    agent.wait_for_selector("text=Claimed.")
    agent.fill("#reply-text", "Hello, this is Mei from Lumi Home. A replacement kettle is on its way.")
    agent.click("#reply")
    agent.wait_for_selector("text=Reply sent.")
    agent.screenshot(path=str(ARTIFACTS / "console-case.png"))

    shopper.locator(".kefu-bot", has_text="this is Mei").wait_for(timeout=15_000)
    shopper.screenshot(path=str(ARTIFACTS / "widget-phone-agent-reply.png"))
    for shot in ("widget-phone-complaint.png", "console-case.png", "widget-phone-agent-reply.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000  # a rendered page, not a blank image


def test_widget_lays_out_arabic_right_to_left(stack, browser) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 390, "height": 700}, locale="ar")
    page.goto(f"{stack.url}/webhooks/widget/")
    page.wait_for_function("document.querySelector('.kefu-box').dataset.session")
    page.locator(".kefu-box input").fill("كم تكلفة الشحن إلى السعودية؟")
    page.locator(".kefu-box input").press("Enter")
    reply = page.locator(".kefu-bot").first
    reply.wait_for(timeout=30_000)
    assert page.locator(".kefu-user").first.get_attribute("dir") == "rtl"
    assert reply.get_attribute("dir") == "rtl"
    page.screenshot(path=str(ARTIFACTS / "widget-arabic.png"))
