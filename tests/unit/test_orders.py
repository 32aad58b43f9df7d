"""Order status lookup: number extraction in 12 languages, second factor, uniform no-match, rate limiting shared
through SQL, ETA from shop.yml, the SQLite demo source, the WooCommerce REST adapter against a local fake server,
the phrases and the actions (without the servers)."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.orders.eta import (
    LOST_GRACE_DAYS,
    add_business_days,
    estimate,
    looks_lost,
    needs_a_person,
    region,
    transit_days,
)
from bot.orders.lookup import (
    FOUND,
    NO_MATCH,
    RATE_LIMITED,
    UNAVAILABLE,
    LookupLimiter,
    OrderLookup,
    extract_factor,
    extract_order_number,
    factor_digest,
    factor_matches,
    limiter_keys,
    normalise_order_number,
    normalise_postcode,
)
from bot.orders.rest_source import WooCommerceOrderSource, map_order
from bot.orders.source import (
    DELAYED,
    DELIVERED,
    OUT_FOR_DELIVERY,
    PACKED,
    PAID,
    RETURNED,
    SHIPPED,
    STATUSES,
    Order,
    OrderSource,
    OrderSourceError,
)
from bot.orders.sqlite_source import DEMO_DATA, OrderRow, SqliteOrderSource
from bot.responses import Phrasebook
from bot.serve import free_port
from bot.settings import PROJECT_ROOT, get_settings
from bot.shop import get_shop
from tests.fakes import serve_in_thread

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
LANGS = get_settings().language_codes


# --- order numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#KF-10023", "KF-10023"),
        ("KF10023", "KF-10023"),
        ("kf 10023 please", "KF-10023"),
        ("my order KF-10023 hasn't arrived", "KF-10023"),
        ("order #10023", "KF-10023"),
        ("order number is 10031, where is it?", "KF-10031"),
        ("订单号 10023", "KF-10023"),
        ("我的订单KF-10021到哪了", "KF-10021"),
        ("訂單編號 10032 到哪了", "KF-10032"),
        ("注文番号10023", "KF-10023"),
        ("注文番号は１００２６です", "KF-10026"),  # full-width digits
        ("ｋｆ－１００２３", "KF-10023"),
        ("주문번호 10030 배송 언제 와요?", "KF-10030"),
        ("pedido 10023", "KF-10023"),
        ("¿Dónde está mi pedido KF-10028?", "KF-10028"),
        ("commande n° 10023 svp", "KF-10023"),
        ("Bestellnummer: 10022", "KF-10022"),
        ("il mio ordine 10030 non è arrivato", "KF-10030"),
        ("minha encomenda 10029", "KF-10029"),
        ("Заказ №10025 где?", "KF-10025"),
        ("رقم الطلب ١٠٠٢٣", "KF-10023"),  # Arabic-Indic digits
        ("طلبي KF-10030 لم يصل", "KF-10030"),
    ],
)
def test_order_numbers_are_found_in_free_text(text: str, expected: str) -> None:
    assert extract_order_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "where is my order",
        "I ordered 2 kettles in 2024",
        "order placed 2024-11-03",
        "call me on 13800138000",
        "my email is kf10023@example.com",
        "the 5.5 L air fryer costs 89 USD",
    ],
)
def test_no_order_number_is_invented(text: str) -> None:
    assert extract_order_number(text) is None


def test_a_bare_number_counts_only_when_the_bot_asked_for_one() -> None:
    assert extract_order_number("10023") is None
    assert extract_order_number("10023", expecting=True) == "KF-10023"
    assert extract_order_number("c'est 10023", expecting=True) == "KF-10023"
    assert extract_order_number("10023 or 10024", expecting=True) is None  # ambiguous
    assert normalise_order_number(" kf_10023 ") == "KF-10023"
    assert normalise_order_number("hello") is None


# --- second factor ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expecting", "kind", "value"),
    [
        ("Alice.W@Example.com", False, "email", "alice.w@example.com"),
        ("my email is lena.schmidt@example.com thanks", False, "email", "lena.schmidt@example.com"),
        ("KF-10023 camille.martin@example.com", False, "email", "camille.martin@example.com"),
        ("my zip is 10115", True, "postcode", "10115"),
        ("SW1A 1AA", True, "postcode", "SW1A1AA"),
        ("it's m1 1ae", True, "postcode", "M11AE"),
        ("〒150-0002", True, "postcode", "1500002"),
        ("郵便番号は150-0002です", True, "postcode", "1500002"),
        ("우편번호는 06236입니다", True, "postcode", "06236"),
        ("meu CEP é 01310-100", True, "postcode", "01310100"),
        ("10001-1234", True, "postcode", "10001"),  # US ZIP+4
        ("1012 AB", True, "postcode", "1012AB"),
        ("邮编 518000", False, "postcode", "518000"),  # labelled: no need to have been asked
        ("KF-10022 PLZ 10115", False, "postcode", "10115"),
        ("الرمز البريدي 12211", False, "postcode", "12211"),
    ],
)
def test_second_factor_is_read_from_free_text(text: str, expecting: bool, kind: str, value: str) -> None:
    factor = extract_factor(text, expecting=expecting)
    assert factor is not None and (factor.kind, factor.value) == (kind, value)


@pytest.mark.parametrize(
    ("text", "expecting"),
    [
        ("10115", False),  # a bare number is a postcode only when the bot asked for one
        ("KF-10023 10115", False),
        ("what's the capacity of the 1800W kettle", True),
        ("10115 or 10117", True),
        ("I don't know", True),
    ],
)
def test_no_factor_is_invented(text: str, expecting: bool) -> None:
    assert extract_factor(text, expecting=expecting) is None


def order(**changes: Any) -> Order:
    base: dict[str, Any] = dict(number="KF-10024", country="GB", status=SHIPPED, placed_on=TODAY - timedelta(days=5),
                                email="Oliver.Jones@example.com", postcode="SW1A 1AA",
                                shipped_on=TODAY - timedelta(days=3), carrier="Royal Mail",
                                tracking_number="RM123456785GB", tracking_url="https://www.royalmail.com/track")
    return Order(**{**base, **changes})


def test_verification_email_is_case_insensitive_and_postcode_normalised() -> None:
    o = order()
    assert factor_matches(o, extract_factor("OLIVER.JONES@EXAMPLE.COM").digest())
    assert factor_matches(o, extract_factor("sw1a1aa", expecting=True).digest())
    assert factor_matches(o, extract_factor("postcode SW1A-1AA").digest())
    assert not factor_matches(o, extract_factor("someone.else@example.com").digest())
    assert not factor_matches(o, extract_factor("SW1A 2AA", expecting=True).digest())
    assert not factor_matches(o, None)
    # an e-mail equal to the postcode text does not pass as the postcode, and vice versa
    assert not factor_matches(o, factor_digest("email", "sw1a1aa"))
    us = order(country="US", postcode="10001")
    assert factor_matches(us, extract_factor("10001-1234", expecting=True).digest())
    assert normalise_postcode(" 01310-100 ") == "01310100"


def test_pii_stays_out_of_reprs_and_digests() -> None:
    o = order()
    assert "Oliver" not in repr(o) and "SW1A" not in repr(o)
    factor = extract_factor("oliver.jones@example.com")
    assert "oliver" not in repr(factor)
    assert "oliver" not in factor.digest() and len(factor.digest()) == 64


# --- the lookup and its rate limiter ---------------------------------------------------------------------------


class DictSource:
    def __init__(self, *orders: Order, fail: bool = False) -> None:
        self.orders = {o.number: o for o in orders}
        self.fail = fail
        self.calls = 0

    def find(self, number: str) -> Order | None:
        self.calls += 1
        if self.fail:
            raise OrderSourceError("down")
        return self.orders.get(number)


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'orders.db'}"


def digest(text: str, expecting: bool = True) -> str:
    factor = extract_factor(text, expecting=expecting)
    assert factor is not None
    return factor.digest()


def test_no_match_is_uniform_for_unknown_order_wrong_email_and_wrong_postcode(db_url: str) -> None:
    lookup = OrderLookup(DictSource(order()), LookupLimiter(db_url))
    found = lookup.lookup("c1", "KF-10024", digest("oliver.jones@example.com"), NOW)
    assert found.outcome == FOUND and found.order.number == "KF-10024"
    results = [
        lookup.lookup("c2", "KF-99999", digest("oliver.jones@example.com"), NOW),  # unknown order
        lookup.lookup("c3", "KF-10024", digest("wrong@example.com"), NOW),  # wrong e-mail
        lookup.lookup("c4", "KF-10024", digest("SW1A 2AA"), NOW),  # wrong postcode
        lookup.lookup("c5", "KF-10024", None, NOW),  # no factor at all
    ]
    assert {r.outcome for r in results} == {NO_MATCH}
    assert all(r.order is None and r.retry_minutes == 0 for r in results)
    assert len({repr(r) for r in results}) == 1  # nothing tells the cases apart


def test_three_failures_lock_the_conversation_for_fifteen_minutes(db_url: str) -> None:
    source = DictSource(order(), order(number="KF-10035", email="george.brown@example.com", postcode="M1 1AE"))
    lookup = OrderLookup(source, LookupLimiter(db_url))
    for i, number in enumerate(["KF-10024", "KF-10035", "KF-77777"]):
        at = NOW + timedelta(minutes=i)
        assert lookup.lookup("chat", number, digest("wrong@example.com"), at).outcome == NO_MATCH
    calls = source.calls
    # even the right factor is refused now, without asking the source
    refused = lookup.lookup("chat", "KF-10024", digest("oliver.jones@example.com"), NOW + timedelta(minutes=3))
    assert refused.outcome == RATE_LIMITED and refused.order is None and refused.retry_minutes == 14
    assert source.calls == calls
    # another conversation is not locked for the first order (that one had a single failure)
    assert lookup.lookup("other", "KF-10024", digest("oliver.jones@example.com"), NOW).outcome == FOUND
    # 15 minutes after the third failure the conversation may try again
    later = NOW + timedelta(minutes=2, seconds=15 * 60 + 1)
    assert lookup.lookup("chat", "KF-10024", digest("oliver.jones@example.com"), later).outcome == FOUND


def test_three_failures_on_one_order_number_lock_it_across_conversations(db_url: str) -> None:
    lookup = OrderLookup(DictSource(order()), LookupLimiter(db_url))
    for i in range(3):
        assert lookup.lookup(f"chat-{i}", "KF-10024", digest(f"guess{i}@example.com"), NOW).outcome == NO_MATCH
    assert lookup.lookup("chat-new", "KF-10024", digest("oliver.jones@example.com"), NOW).outcome == RATE_LIMITED
    # the lock is per order number: other orders are fine for a fresh conversation
    assert lookup.lookup("chat-new", "KF-10099", digest("x@example.com"), NOW).outcome == NO_MATCH


def test_failures_outside_the_window_do_not_add_up(db_url: str) -> None:
    lookup = OrderLookup(DictSource(order()), LookupLimiter(db_url))
    for minutes in (0, 10, 20, 30):  # never three within 15 minutes
        at = NOW + timedelta(minutes=minutes)
        assert lookup.lookup("chat", "KF-10024", digest("wrong@example.com"), at).outcome == NO_MATCH


def test_the_limiter_is_shared_through_the_database(db_url: str) -> None:
    """Two action-server processes = two limiter instances on the same database."""
    first, second = LookupLimiter(db_url), LookupLimiter(db_url)
    keys = limiter_keys("chat", "KF-10024")
    first.record_failure(keys, NOW)
    second.record_failure(keys, NOW)
    assert first.locked_for(keys, NOW) is None
    assert first.record_failure(keys, NOW) is True
    assert second.locked_for(keys, NOW) == timedelta(minutes=15)
    assert all("chat" not in k and "KF" not in k for k in keys)  # conversation ids can be phone numbers


def test_an_unavailable_source_is_not_a_failure(db_url: str) -> None:
    lookup = OrderLookup(DictSource(fail=True), LookupLimiter(db_url))
    for _ in range(5):
        assert lookup.lookup("chat", "KF-10024", digest("a@example.com"), NOW).outcome == UNAVAILABLE
    assert lookup.limiter.locked_for(limiter_keys("chat", "KF-10024"), NOW) is None


def test_lookups_never_log_the_factor(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    lookup = OrderLookup(DictSource(order()), LookupLimiter(db_url))
    lookup.lookup("chat", "KF-10024", digest("oliver.jones@example.com"), NOW)
    lookup.lookup("chat", "KF-10024", digest("SW1A 2AA"), NOW)
    logged = caplog.text.lower()
    assert "oliver" not in logged and "sw1a" not in logged


# --- estimated delivery ------------------------------------------------------------------------------------------


def test_regions_follow_shop_yml() -> None:
    assert [region(c) for c in ("US", "DE", "FR", "ES", "GB", "AU", "JP", "KR", "CN", "TW", "BR", "SA")] == [
        "us", "eu", "eu", "eu", "uk", "au", "asia", "asia", "asia", "asia", "other", "other"]
    shipping = get_shop().facts["shipping"]
    low, high = (int(x) for x in str(shipping["days_eu"]).split("-"))
    assert transit_days("DE") == (low, high)


def test_business_days_skip_weekends() -> None:
    friday = date(2026, 3, 13)
    assert add_business_days(friday, 1) == date(2026, 3, 16)  # Monday
    assert add_business_days(friday, 5) == date(2026, 3, 20)
    assert add_business_days(date(2026, 3, 14), 1) == date(2026, 3, 16)  # from a Saturday
    assert add_business_days(friday, 0) == friday


def test_estimate_from_ship_date_and_region() -> None:
    low, high = transit_days("GB")  # "3-6" business days in shop.yml
    shipped = order(shipped_on=date(2026, 3, 9))  # a Monday
    window = estimate(shipped, TODAY)
    assert (window.earliest, window.latest) == (add_business_days(date(2026, 3, 9), low),
                                                add_business_days(date(2026, 3, 9), high))
    assert window.latest - window.earliest >= timedelta(days=high - low)
    assert not window.overdue(TODAY)


def test_estimate_before_shipping_adds_processing_days() -> None:
    p_low, p_high = (int(x) for x in str(get_shop().facts["shipping"]["processing_days"]).split("-"))
    low, high = transit_days("US")
    paid = order(country="US", status=PAID, shipped_on=None, placed_on=TODAY)
    window = estimate(paid, TODAY)
    assert window.earliest == add_business_days(TODAY, p_low + low)
    assert window.latest == add_business_days(TODAY, p_high + high)
    # placed long ago but still not shipped: it cannot leave in the past
    old = estimate(order(country="US", status=PACKED, shipped_on=None, placed_on=TODAY - timedelta(days=30)), TODAY)
    assert old.earliest == add_business_days(TODAY, low)


def test_no_estimate_for_closed_orders_and_today_when_out_for_delivery() -> None:
    assert estimate(order(status=DELIVERED, delivered_on=TODAY), TODAY) is None
    assert estimate(order(status=RETURNED), TODAY) is None
    window = estimate(order(status=OUT_FOR_DELIVERY), TODAY)
    assert window.earliest == window.latest == TODAY


def test_lost_looking_and_delayed_orders_offer_a_person() -> None:
    _, high = transit_days("BR")
    limit = high + LOST_GRACE_DAYS
    on_time = order(country="BR", shipped_on=TODAY - timedelta(days=limit))
    late = order(country="BR", shipped_on=TODAY - timedelta(days=limit + 1))
    assert not looks_lost(on_time, TODAY) and not needs_a_person(on_time, TODAY)
    assert looks_lost(late, TODAY) and needs_a_person(late, TODAY)
    delivered = order(country="BR", status=DELIVERED, shipped_on=TODAY - timedelta(days=60), delivered_on=TODAY)
    assert not needs_a_person(delivered, TODAY)
    assert needs_a_person(order(status=DELAYED, shipped_on=TODAY), TODAY)


# --- the SQLite demo source --------------------------------------------------------------------------------------


def test_demo_orders_cover_countries_and_states() -> None:
    raw = yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))
    assert not set(raw) & {"nlu", "responses", "rules", "stories", "version"}
    orders = raw["orders"]
    assert 12 <= len(orders) <= 15
    assert {o["country"] for o in orders} >= {"US", "DE", "FR", "GB", "AU", "JP", "KR", "ES", "BR", "SA", "CN", "TW"}
    assert {o["status"] for o in orders} >= {PAID, PACKED, SHIPPED, OUT_FOR_DELIVERY, DELIVERED, DELAYED, RETURNED}
    assert all(o["email"].lower().endswith("@example.com") and o.get("postcode") for o in orders)
    for o in orders:
        if o["status"] in (SHIPPED, OUT_FOR_DELIVERY, DELAYED):
            assert o.get("carrier") and o.get("tracking_number") and o["tracking_url"].startswith("https://")


def test_sqlite_source_seeds_itself_with_dates_relative_to_today(db_url: str) -> None:
    source = SqliteOrderSource(db_url, today=lambda: TODAY)
    assert isinstance(source, OrderSource)
    source.ensure_seeded(TODAY)
    found = source.find("kf 10023")
    assert found is not None and found.country == "FR" and found.status == SHIPPED and found.carrier == "DPD"
    assert found.shipped_on == TODAY - timedelta(days=3)
    assert source.find("KF-99999") is None and source.find("not a number") is None
    # a shop's own (non-demo) row survives the next day's reseed, and the demo dates move with the day
    with source._session() as session, session.begin():
        session.add(OrderRow(number="KF-20001", country="IT", status=PAID, placed_on=TODAY, email="r@example.com",
                             postcode="00184", demo=False))
    other = SqliteOrderSource(db_url, today=lambda: TODAY + timedelta(days=1))  # another process, a day later
    assert other.find("KF-10023").shipped_on == TODAY - timedelta(days=2)
    assert other.find("KF-20001").country == "IT"


def test_every_demo_order_is_readable_and_lost_or_delayed_ones_offer_a_person(db_url: str) -> None:
    source = SqliteOrderSource(db_url, today=lambda: TODAY)
    source.ensure_seeded(TODAY)
    numbers = [normalise_order_number(o["number"]) for o in yaml.safe_load(DEMO_DATA.read_text())["orders"]]
    orders = [source.find(n) for n in numbers]
    assert all(o is not None and o.status in STATUSES for o in orders)
    offered = {o.number for o in orders if needs_a_person(o, TODAY)}
    assert offered == {"KF-10027", "KF-10029", "KF-10034"}  # two delayed, one shipped five weeks ago


def test_broken_database_is_unavailable_not_unknown(tmp_path: Path) -> None:
    source = SqliteOrderSource(f"sqlite:///{tmp_path / 'orders.db'}", today=lambda: TODAY)
    source.ensure_seeded(TODAY)
    source.engine.dispose()
    (tmp_path / "orders.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(OrderSourceError):
        source.find("KF-10023")


# --- the WooCommerce REST adapter, against a local fake server ---------------------------------------------------

KEY, SECRET = "ck_test_123", "cs_test_456"


def woo_order(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": 4711, "number": "10023", "status": "completed",
        "date_created_gmt": "2026-03-05T09:12:00", "date_completed_gmt": "2026-03-07T15:00:00",
        "date_modified_gmt": "2026-03-07T15:00:00",
        "billing": {"email": "Camille.Martin@example.com", "postcode": "75011", "country": "FR"},
        "shipping": {"postcode": "75011", "country": "FR"},
        "meta_data": [{"id": 1, "key": "_wc_shipment_tracking_items", "value": [
            {"tracking_provider": "dpd", "custom_tracking_provider": "", "tracking_number": "01906123456789",
             "custom_tracking_link": "", "date_shipped": "1772928000"}]}],
    }
    return {**data, **changes}


class FakeWooCommerce:
    """A loopback aiohttp app that answers like WooCommerce (REST v3 + Shipment Tracking), in its own thread."""

    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []
        self.trackings: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None
        self.url = serve_in_thread(self._app)

    def _authorised(self, request: Any) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            return base64.b64decode(header[6:]).decode() == f"{KEY}:{SECRET}"
        return request.query.get("consumer_key") == KEY and request.query.get("consumer_secret") == SECRET

    def _app(self):  # noqa: ANN202
        from aiohttp import web

        async def orders(request: web.Request) -> web.Response:
            self.requests.append({"path": request.path, "query": dict(request.query)})
            if self.fail_with:
                return web.json_response({"code": "error"}, status=self.fail_with)
            if not self._authorised(request):
                return web.json_response({"code": "woocommerce_rest_cannot_view"}, status=401)
            search = request.query.get("search", "")
            # like WooCommerce: a substring search over numbers and e-mails, so partial hits come back too
            hits = [o for o in self.orders if search in str(o["number"]) or search in o["billing"]["email"]]
            return web.json_response(hits)

        async def trackings(request: web.Request) -> web.Response:
            self.requests.append({"path": request.path, "query": dict(request.query)})
            if not self._authorised(request):
                return web.json_response({"code": "unauthorised"}, status=401)
            order_id = int(request.match_info["id"])
            if order_id not in self.trackings:
                return web.json_response({"code": "not_found"}, status=404)
            return web.json_response(self.trackings[order_id])

        app = web.Application()
        app.router.add_get("/wp-json/wc/v3/orders", orders)
        app.router.add_get("/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings", trackings)
        return app


@pytest.fixture(scope="module")
def woo_server() -> FakeWooCommerce:
    return FakeWooCommerce()


@pytest.fixture()
def woo(woo_server: FakeWooCommerce) -> Iterator[FakeWooCommerce]:
    woo_server.orders, woo_server.trackings, woo_server.requests, woo_server.fail_with = [], {}, [], None
    yield woo_server


def test_rest_adapter_maps_a_woocommerce_order(woo: FakeWooCommerce) -> None:
    woo.orders = [woo_order(), woo_order(id=4712, number="100231", billing={"email": "x@example.com"})]
    source = WooCommerceOrderSource(woo.url + "/", KEY, SECRET)
    assert isinstance(source, OrderSource)
    found = source.find("#KF-10023")
    assert found is not None and found.number == "KF-10023"  # the exact number, not the partial hit 100231
    assert (found.status, found.country, found.email, found.postcode) == (SHIPPED, "FR", "Camille.Martin@example.com",
                                                                          "75011")
    assert found.carrier == "DPD" and found.tracking_number == "01906123456789"
    assert found.tracking_url == "https://tracking.dpd.de/status/en_US/parcel/01906123456789"
    assert found.placed_on == date(2026, 3, 5) and found.shipped_on == date(2026, 3, 8)
    assert woo.requests[0]["path"] == "/wp-json/wc/v3/orders" and woo.requests[0]["query"]["search"] == "10023"
    assert "consumer_secret" not in woo.requests[0]["query"]  # basic auth: the secret is not in the URL


def test_rest_adapter_reads_the_shipment_tracking_endpoint(woo: FakeWooCommerce) -> None:
    woo.orders = [woo_order(number="KF-10035", id=5000, meta_data=[], shipping={"postcode": "M1 1AE", "country": "GB"})]
    woo.trackings[5000] = [{"tracking_id": "a1", "tracking_provider": "ups", "tracking_number": "1Z999AA10123456784",
                            "tracking_link": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
                            "date_shipped": "2026-03-08"}]
    found = WooCommerceOrderSource(woo.url, KEY, SECRET, auth="query").find("KF-10035")
    assert found.carrier == "UPS" and found.tracking_number == "1Z999AA10123456784"
    assert found.shipped_on == date(2026, 3, 8) and found.postcode == "M1 1AE"
    assert woo.requests[0]["query"]["consumer_key"] == KEY


@pytest.mark.parametrize(
    ("status", "expected"),
    [("processing", PAID), ("on-hold", PAID), ("completed", SHIPPED), ("refunded", RETURNED),
     ("wc-delivered", DELIVERED), ("packed", PACKED), ("delayed", DELAYED), ("something-custom", PAID)],
)
def test_rest_statuses_map_to_order_states(status: str, expected: str) -> None:
    assert map_order(woo_order(status=status), tracking=[]).status == expected


def test_rest_adapter_unknown_order_and_errors(woo: FakeWooCommerce) -> None:
    woo.orders = [woo_order()]
    assert WooCommerceOrderSource(woo.url, KEY, SECRET).find("KF-55555") is None
    with pytest.raises(OrderSourceError):
        WooCommerceOrderSource(woo.url, KEY, "wrong-secret").find("KF-10023")
    woo.fail_with = 500
    with pytest.raises(OrderSourceError):
        WooCommerceOrderSource(woo.url, KEY, SECRET).find("KF-10023")
    with pytest.raises(OrderSourceError):
        WooCommerceOrderSource(f"http://127.0.0.1:{free_port()}", KEY, SECRET, timeout=2).find("KF-10023")


def test_lookup_over_rest_is_verified_and_uniform(woo: FakeWooCommerce, db_url: str) -> None:
    woo.orders = [woo_order()]
    lookup = OrderLookup(WooCommerceOrderSource(woo.url, KEY, SECRET), LookupLimiter(db_url))
    assert lookup.lookup("a", "KF-10023", digest("camille.martin@EXAMPLE.com"), NOW).outcome == FOUND
    assert lookup.lookup("b", "KF-10023", digest("75011"), NOW).outcome == FOUND
    wrong = lookup.lookup("c", "KF-10023", digest("nope@example.com"), NOW)
    unknown = lookup.lookup("d", "KF-55555", digest("camille.martin@example.com"), NOW)
    assert wrong == unknown and wrong.outcome == NO_MATCH
    woo.fail_with = 503
    assert lookup.lookup("e", "KF-10023", digest("75011"), NOW).outcome == UNAVAILABLE


# --- phrases and rendering -----------------------------------------------------------------------------------------

ORDER_PHRASES = PROJECT_ROOT / "data" / "responses" / "orders"


def _flatten(node: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_order_phrases_exist_in_every_language_with_the_same_placeholders() -> None:
    shop = get_shop()
    english = _flatten(yaml.safe_load((ORDER_PHRASES / "en.yml").read_text(encoding="utf-8")))
    assert {f"status.{s}" for s in STATUSES} <= {k.removeprefix("order.") for k in english}
    for lang in LANGS:
        data = yaml.safe_load((ORDER_PHRASES / f"{lang}.yml").read_text(encoding="utf-8"))
        assert list(data) == ["order"], "one top-level key; never nlu/responses/rules/stories/version"
        phrases = _flatten(data)
        assert set(phrases) == set(english), lang
        for key, text in phrases.items():
            assert set(shop.placeholders(text)) == set(shop.placeholders(english[key])), (lang, key)
            shop.render(text, lang, order="KF-1", status="s", carrier="c", tracking_number="t", tracking_url="u",
                        dates="d", date="d", minutes=15)


@pytest.fixture()
def phrasebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Phrasebook:
    """The real order phrases + the two base phrases the actions use, whatever data/responses holds today."""
    (tmp_path / "orders").mkdir()
    for lang in LANGS:
        (tmp_path / "orders" / f"{lang}.yml").write_bytes((ORDER_PHRASES / f"{lang}.yml").read_bytes())
        (tmp_path / f"{lang}.yml").write_text(f"button_human: human-{lang}\nfaq_unsure: unsure-{lang}\n",
                                              encoding="utf-8")
    book = Phrasebook.load(tmp_path)
    import actions.actions
    import actions.orders

    monkeypatch.setattr(actions.orders, "get_phrasebook", lambda: book)
    monkeypatch.setattr(actions.actions, "get_phrasebook", lambda: book)
    return book


@pytest.mark.parametrize("lang", LANGS)
def test_every_demo_order_renders_in_every_language(phrasebook: Phrasebook, db_url: str, lang: str) -> None:
    from actions.orders import render_order

    source = SqliteOrderSource(db_url, today=lambda: TODAY)
    source.ensure_seeded(TODAY)
    shipped = source.find("KF-10023")
    text, offer = render_order(shipped, lang, TODAY)
    assert "KF-10023" in text and "01906123456789" in text and shipped.tracking_url in text and not offer
    assert phrasebook.say("order.status.shipped", lang) in text
    for number in [f"KF-{n}" for n in range(10021, 10036)]:
        text, offer = render_order(source.find(number), lang, TODAY)
        assert number in text and "{" not in text
        assert offer == (number in {"KF-10027", "KF-10029", "KF-10034"})


def test_dates_are_written_the_shoppers_way(phrasebook: Phrasebook) -> None:
    from actions.orders import format_day, format_days

    assert format_day(date(2026, 3, 14), "en") == "March 14"
    assert format_day(date(2026, 3, 14), "zh-CN") == "3月14日"
    assert "14" in format_day(date(2026, 3, 14), "de") and "März" in format_day(date(2026, 3, 14), "de")
    assert format_days(date(2026, 3, 12), date(2026, 3, 16), "en") == "March 12 – March 16"
    assert format_days(date(2026, 3, 29), date(2026, 4, 2), "ja") == "3月29日 – 4月2日"
    assert format_days(date(2026, 11, 23), date(2026, 11, 27), "de") == "23. November – 27. November"
    assert format_days(date(2026, 3, 12), date(2026, 3, 12), "fr") == "12 mars"


# --- the actions (no servers) ----------------------------------------------------------------------------------------


def tracker(text: str, intent: str, slots: dict[str, Any] | None = None, active: bool = True,
            events: list[dict[str, Any]] | None = None, sender: str = "unit-chat") -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9},
               "language": {"code": "en", "confidence": 0.99}, "metadata": {}}
    return Tracker(sender, {"language": "en", "requested_slot": None, **(slots or {})}, message,
                   events or [], False, None, {"name": "order_status_form"} if active else {}, "action_listen")


def test_form_extraction_reads_answers_and_lets_questions_through() -> None:
    from actions.orders import ValidateOrderStatusForm

    form, d = ValidateOrderStatusForm(), CollectingDispatcher()
    # activation: the trigger message may already hold the number (and stale values are dropped)
    t = tracker("my order KF-10023 hasn't arrived", "order_status", {"order_verification": "old"}, active=False)
    assert form.extract_order_number(d, t, {}) == {"order_number": "KF-10023"}
    assert form.extract_order_verification(d, t, {}) == {"order_verification": None}
    # asked for the number: a bare number is one; an unreadable answer is asked again; a question interrupts
    asked = {"requested_slot": "order_number"}
    assert form.extract_order_number(d, tracker("10031", "inform_order", asked), {}) == {"order_number": "KF-10031"}
    assert form.extract_order_number(d, tracker("uh, the blue one", "inform_order", asked), {}) == {
        "order_number": None}
    assert form.extract_order_number(d, tracker("do you ship to Canada?", "faq", asked), {}) == {}
    # asked for the factor: only a digest is kept
    asked = {"requested_slot": "order_verification", "order_number": "KF-10023"}
    got = form.extract_order_verification(d, tracker("Camille.Martin@example.com", "inform_order", asked), {})
    assert got == {"order_verification": factor_digest("email", "camille.martin@example.com")}
    assert form.extract_order_verification(d, tracker("75011", "inform_order", asked), {}) == {
        "order_verification": factor_digest("postcode", "75011")}
    assert form.extract_order_verification(d, tracker("I forgot", "order_status", asked), {}) == {
        "order_verification": None}
    assert form.extract_order_verification(d, tracker("KF-10024", "inform_order", asked), {}) == {}
    assert form.extract_order_verification(d, tracker("talk to a person", "request_human", asked), {}) == {}
    assert d.messages == []  # the ask actions do the talking, in the conversation's language


def test_a_message_that_only_looked_like_an_order_number_ends_the_form_at_once() -> None:
    from actions.orders import ValidateOrderStatusForm

    form, d = ValidateOrderStatusForm(), CollectingDispatcher()
    joke = tracker("erzähl mir einen Witz", "inform_order", active=False)
    assert asyncio.run(form.next_requested_slot(d, joke, {})) == SlotSet("requested_slot", None)
    for t in (tracker("KF-10023", "inform_order", {"order_number": "KF-10023"}, active=False),
              tracker("where is my order", "order_status", active=False),
              tracker("hmm", "inform_order", {"requested_slot": "order_number"})):
        assert asyncio.run(form.next_requested_slot(d, t, {})) is None


def test_ask_action_says_when_it_did_not_understand(phrasebook: Phrasebook) -> None:
    from actions.orders import ActionAskOrderNumber

    action, d = ActionAskOrderNumber(), CollectingDispatcher()
    first = tracker("where is my order", "order_status", active=False)
    asyncio.run(action.run(d, first, {}))
    again = tracker("hmm", "inform_order", {"requested_slot": "order_number"},
                    events=[{"event": "user", "text": "hmm"}, {"event": "action", "name": "order_status_form"},
                            {"event": "slot", "name": "order_number", "value": None}])
    asyncio.run(action.run(d, again, {}))
    assert [m["text"] for m in d.messages] == [phrasebook.say("order.ask_number", "en"),
                                               phrasebook.say("order.number_not_understood", "en")]


def test_status_action_verifies_answers_and_clears_the_slots(phrasebook: Phrasebook, db_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import actions.orders
    from actions.orders import ActionOrderStatus

    lookup = OrderLookup(SqliteOrderSource(db_url, today=lambda: TODAY), LookupLimiter(db_url))
    monkeypatch.setattr(actions.orders, "get_order_lookup", lambda: lookup)

    def run(number: str, factor_text: str, sender: str) -> tuple[list[dict[str, Any]], list[Any]]:
        d = CollectingDispatcher()
        slots = {"order_number": number, "order_verification": digest(factor_text)}
        events = asyncio.run(ActionOrderStatus().run(d, tracker(factor_text, "inform_order", slots, active=False,
                                                                sender=sender), {}))
        return d.messages, events

    messages, events = run("KF-10027", "minjun.kim@example.com", "s1")  # delayed: a person is offered
    assert "KF-10027" in messages[0]["text"] and "684512397845" in messages[0]["text"]
    assert messages[0]["buttons"] == [{"title": "human-en", "payload": "/request_human"}]
    assert SlotSet("order_number", None) in events and SlotSet("order_verification", None) in events

    no_match = phrasebook.say("order.no_match", "en")
    wrong, _ = run("KF-10023", "wrong@example.com", "s2")
    unknown, _ = run("KF-99999", "camille.martin@example.com", "s2")
    assert wrong == unknown == [{**wrong[0], "text": no_match}]
    assert "KF-10023" not in wrong[0]["text"] and not wrong[0]["buttons"]
    run("KF-10023", "SW1A 2AA", "s2")
    limited, _ = run("KF-10023", "camille.martin@example.com", "s2")
    assert limited[0]["text"] == phrasebook.say("order.rate_limited", "en", minutes=15)
    assert limited[0]["buttons"][0]["payload"] == "/request_human"

    d = CollectingDispatcher()  # the form ended without a number: "not sure", like the fallback
    asyncio.run(ActionOrderStatus().run(d, tracker("erzähl mir einen Witz", "inform_order", active=False), {}))
    assert d.messages[0]["text"] == "unsure-en" and d.messages[0]["buttons"][0]["payload"] == "/request_human"


def test_the_console_order_panel_masks_contact_details_and_estimates() -> None:
    from bot.console.orders import mask_email, order_data

    assert mask_email("camille.martin@example.com") == "c***@example.com"
    assert mask_email("") == "" and mask_email("not-an-address") == "***"
    today = date(2026, 11, 20)
    shipped = Order("KF-1", "DE", "shipped", date(2026, 11, 16), email="jonas@example.com", postcode="80331",
                    shipped_on=date(2026, 11, 17), carrier="DHL", tracking_number="0034")
    panel = order_data(shipped, today)
    assert panel["eta"]["earliest"] > "2026-11-17" and panel["eta"]["overdue"] is False
    assert panel["email"] == "j***@example.com" and "80331" not in str(panel)
    delivered = Order("KF-2", "DE", "delivered", date(2026, 11, 1), delivered_on=date(2026, 11, 5))
    assert order_data(delivered, today)["eta"] is None and order_data(delivered, today)["looks_lost"] is False
