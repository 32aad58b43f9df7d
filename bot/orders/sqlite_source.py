"""The demo order source: orders in a SQL table (SQLite by default), seeded from ``data/orders_demo.yml``.

The demo's dates are relative ("shipped 3 days ago") so that its shipped / delayed / lost-looking orders keep
their meaning: the demo rows are (re)written on first use each day and whenever the YAML changes. Rows not
marked ``demo`` are never touched, so the same table can hold a shop's real orders (e.g. synced by a job).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Boolean, Column, Date, String, create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import declarative_base, sessionmaker

from bot.orders.lookup import normalise_order_number
from bot.orders.source import Order, OrderSourceError
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

DEMO_DATA = PROJECT_ROOT / "data" / "orders_demo.yml"
SEED_KEY = "demo_seed"

Base = declarative_base()


class OrderRow(Base):
    __tablename__ = "kefu_orders"

    number = Column(String(32), primary_key=True)  # normalised, "KF-10023"
    email = Column(String(255), nullable=False, default="")
    postcode = Column(String(32), nullable=False, default="")
    country = Column(String(2), nullable=False)
    status = Column(String(32), nullable=False)
    placed_on = Column(Date, nullable=False)
    shipped_on = Column(Date)
    delivered_on = Column(Date)
    carrier = Column(String(64))
    tracking_number = Column(String(64))
    tracking_url = Column(String(512))
    demo = Column(Boolean, nullable=False, default=False)

    def to_order(self) -> Order:
        return Order(
            number=self.number, country=self.country, status=self.status, placed_on=self.placed_on,
            email=self.email, postcode=self.postcode, shipped_on=self.shipped_on, delivered_on=self.delivered_on,
            carrier=self.carrier, tracking_number=self.tracking_number, tracking_url=self.tracking_url,
        )


class OrdersMeta(Base):
    __tablename__ = "kefu_orders_meta"

    key = Column(String(64), primary_key=True)
    value = Column(String(255), nullable=False)


def _day(value: Any, today: date) -> date | None:
    """A relative day count (-3) or an ISO date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        return today + timedelta(days=value)
    return date.fromisoformat(str(value))


def demo_rows(path: Path, today: date) -> list[OrderRow]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for item in raw.get("orders") or []:
        number = normalise_order_number(str(item["number"]))
        if number is None:
            raise ValueError(f"{path}: {item['number']!r} is not an order number")
        row = OrderRow(
            number=number, email=str(item.get("email") or ""), postcode=str(item.get("postcode") or ""),
            country=str(item["country"]).upper(), status=str(item["status"]),
            placed_on=_day(item["placed"], today), shipped_on=_day(item.get("shipped"), today),
            delivered_on=_day(item.get("delivered"), today), carrier=item.get("carrier"),
            tracking_number=str(item["tracking_number"]) if item.get("tracking_number") else None,
            tracking_url=item.get("tracking_url"), demo=True,
        )
        row.to_order()  # validates the status
        rows.append(row)
    return rows


class SqliteOrderSource:
    """``OrderSource`` over a SQL table; ``seed``: the demo YAML to (re)seed from, or None for none; ``today``:
    the clock the demo's relative dates hang on (tests set it)."""

    def __init__(self, url: str | Engine, seed: Path | None = DEMO_DATA,
                 today: Callable[[], date] = date.today) -> None:
        self.engine = create_engine(url, future=True) if isinstance(url, str) else url
        self._session = sessionmaker(self.engine, future=True)
        self.seed_path = seed
        self.today = today
        self._seeded_for: str | None = None
        Base.metadata.create_all(self.engine)

    def _signature(self, today: date) -> str:
        digest = hashlib.sha256(self.seed_path.read_bytes()).hexdigest()[:16] if self.seed_path else "none"
        return f"{digest}:{today.isoformat()}"

    def ensure_seeded(self, today: date | None = None) -> None:
        """(Re)write the demo rows if the YAML or the day changed since they were written."""
        if self.seed_path is None:
            return
        today = today or self.today()
        signature = self._signature(today)
        if self._seeded_for == signature:
            return
        with self._session() as session:
            current = session.get(OrdersMeta, SEED_KEY)
            if current is not None and current.value == signature:
                self._seeded_for = signature
                return
        rows = demo_rows(self.seed_path, today)
        try:
            with self._session() as session, session.begin():
                session.execute(delete(OrderRow).where(OrderRow.demo.is_(True)))
                session.add_all(rows)
                session.merge(OrdersMeta(key=SEED_KEY, value=signature))
        except IntegrityError:  # another process seeded at the same moment
            logger.info("demo orders were seeded by another process")
        else:
            logger.info("seeded %d demo orders", len(rows))
        self._seeded_for = signature

    def find(self, number: str) -> Order | None:
        normalised = normalise_order_number(number)
        if normalised is None:
            return None
        try:
            self.ensure_seeded()
            with self._session() as session:
                row = session.scalars(select(OrderRow).where(OrderRow.number == normalised)).first()
                return row.to_order() if row else None
        except SQLAlchemyError as exc:
            raise OrderSourceError(f"orders database: {exc.__class__.__name__}") from exc
