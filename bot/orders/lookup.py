"""Order lookup for shoppers: find the order number in free text, check a second factor, limit guessing.

Rules that protect shoppers' data:
- no order detail before a second factor (the order's e-mail or delivery postcode) matches;
- an unknown order, a wrong e-mail and a wrong postcode give the same ``NO_MATCH``: the reply must not tell
  whether an order exists;
- after ``MAX_FAILURES`` failures within ``WINDOW``, per conversation and per order number, further attempts
  are refused for ``LOCKOUT``. The counters live in the orders SQL database so every action-server process
  sees the same ones;
- the second factor is kept only as a keyed digest (``Factor.digest``) in the dialogue state and is never
  logged in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, Integer, String, create_engine, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import declarative_base, sessionmaker

from bot.handoff.redact import EMAIL
from bot.orders.source import Order, OrderSource, OrderSourceError

logger = logging.getLogger(__name__)

ORDER_PREFIX = "KF"
MAX_FAILURES = 3
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)

FOUND, NO_MATCH, RATE_LIMITED, UNAVAILABLE = "found", "no_match", "rate_limited", "unavailable"

# --- order numbers ---------------------------------------------------------------------------------------

# "KF-10023", "#KF10023", "kf 10023": the shop's own prefix makes even short numbers unambiguous.
_PREFIXED = re.compile(r"(?<![A-Za-z0-9])#?\s*" + ORDER_PREFIX + r"\s*[-_–—]?\s*(\d{3,10})(?![\d])", re.IGNORECASE)
# "#10023"
_HASH = re.compile(r"#\s*(\d{5,9})(?![\d])")
# "order 10023", "订单号 10023", "注文番号10023", "pedido 10023", "رقم الطلب 10023": a word for "order" in any of
# the 12 languages, then (without crossing a sentence end) the number. Five digits at least, so that years
# and quantities are not taken for order numbers.
_ORDER_WORDS = (
    r"\border\b|\border(?:no|nr|number|num)\b|\bcommande\b|\bcde\b|\bbestell(?:ung|nummer|nr)\b|\bauftrag\w*"
    r"|\bordine\b|\bordem\b|\bpedido\b|\bencomenda\b|\bзаказ\w*|注文|订单|訂單|单号|單號|주문|طلب\w*|الطلب"
)
_KEYWORD = re.compile(r"(?:" + _ORDER_WORDS + r")[^\d\n.!?。！？]{0,24}?(\d{5,9})(?![\d])", re.IGNORECASE)
# a message that is (almost) only a number, when the bot has just asked for one: "10023", "it's 10023"
_BARE = re.compile(r"(?<![\d\w-])(\d{5,9})(?![\d\w-])")
_DATE_AFTER = re.compile(r"[-/.]\d")  # "2024-11-03" is not an order number


def _ascii_digits(digits: str) -> str:
    """Any script's decimal digits (Arabic-Indic, full-width after NFKC) as ASCII."""
    return "".join(str(unicodedata.digit(ch)) for ch in digits)


def normalise_text(text: str) -> str:
    """NFKC: full-width letters, digits and '＃' (Japanese / Chinese keyboards) become their ASCII forms."""
    return unicodedata.normalize("NFKC", text or "")


def normalise_order_number(value: str) -> str | None:
    """``kf 10023`` / ``10023`` / ``KF-10023`` -> ``KF-10023``; None if it is not an order number."""
    found = re.fullmatch(r"\s*#?\s*(?:" + ORDER_PREFIX + r"\s*[-_–—]?\s*)?(\d{3,10})\s*", normalise_text(value),
                         re.IGNORECASE)
    return f"{ORDER_PREFIX}-{_ascii_digits(found.group(1))}" if found else None


def extract_order_number(text: str, expecting: bool = False) -> str | None:
    """The first order number in free text, normalised (``KF-10023``), or None.

    ``expecting``: the bot has just asked for the order number, so a short message with one bare number of
    5-9 digits counts too ("10023", "c'est 10023").
    """
    text = normalise_text(text)
    text = EMAIL.sub(" ", text)  # digits inside an e-mail address are not an order number
    for pattern in (_PREFIXED, _HASH, _KEYWORD):
        for match in pattern.finditer(text):
            if pattern is not _PREFIXED and _DATE_AFTER.match(text, match.end(1)):
                continue
            return f"{ORDER_PREFIX}-{_ascii_digits(match.group(1))}"
    if expecting and len(text.strip()) <= 40:
        bare = [m for m in _BARE.finditer(text) if not _DATE_AFTER.match(text, m.end(1))]
        if len(bare) == 1:
            return f"{ORDER_PREFIX}-{_ascii_digits(bare[0].group(1))}"
    return None


def _without_order_numbers(text: str) -> str:
    for pattern in (_PREFIXED, _HASH, _KEYWORD):
        text = pattern.sub(" ", text)
    return text


# --- second factor -----------------------------------------------------------------------------------------

_POSTCODE_LABEL = re.compile(
    r"(?<![A-Za-z])(?:post\s*code|postal\s*code|zip(?:\s*code)?|plz|postleitzahl|code\s*postal|c\.?p\.?"
    r"|c[oó]digo\s*postal|cep|cap|codice\s*postale)(?![A-Za-z])"
    r"|почтов\w*\s*индекс|индекс|邮编|邮政编码|郵遞區號|郵政編碼|郵便番号|〒|우편\s*번호|الرمز\s*البريدي",
    re.IGNORECASE,
)
# Dutch "1012 AB" first, then runs of digit-bearing ASCII tokens: "SW1A 1AA", "100-0001", "01310-100", "10115".
_POSTCODE_NL = re.compile(r"(?<![A-Za-z0-9])(\d{4} ?[A-Za-z]{2})(?![A-Za-z0-9])")
_TOKEN = r"[A-Za-z0-9]*\d[A-Za-z0-9]*"
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(" + _TOKEN + r"(?:[ -]" + _TOKEN + r")*)(?![A-Za-z0-9])")


_WORD = re.compile(r"[^\W\d_]+")
MAX_OTHER_WORDS = 3  # besides the postcode and its label, a postcode message has at most this many words


def normalise_email(value: str) -> str:
    return normalise_text(value).strip().lower()


def normalise_postcode(value: str) -> str:
    """Upper case, no spaces or dashes; "10001-1234" -> "10001" (US ZIP+4)."""
    value = normalise_text(value).strip().upper()
    zip4 = re.fullmatch(r"(\d{5})-\d{4}", value)
    if zip4:
        return zip4.group(1)
    value = re.sub(r"[\s\-–—]", "", value)
    return _ascii_digits_in(value)


def _ascii_digits_in(value: str) -> str:
    return "".join(_ascii_digits(ch) if ch.isdecimal() else ch for ch in value)


def _factor_key() -> bytes:
    return os.environ.get("KEFU_ORDERS_FACTOR_KEY", "kefu-orders-second-factor").encode()


@dataclass(frozen=True)
class Factor:
    """A second factor the shopper gave: an e-mail or a postcode, normalised."""

    kind: str  # "email" | "postcode"
    value: str

    def __repr__(self) -> str:  # never the value in logs
        return f"Factor({self.kind}, ***)"

    def digest(self) -> str:
        return factor_digest(self.kind, self.value)


def factor_digest(kind: str, normalised: str) -> str:
    """Keyed digest of a normalised factor: what the dialogue state keeps instead of the value."""
    return hmac.new(_factor_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def extract_factor(text: str, expecting: bool = False) -> Factor | None:
    """An e-mail address anywhere in the message; a postcode when the bot has asked for one (``expecting``) or
    the message labels it ("邮编 518000", "PLZ 10115"). Exactly one postcode-like token, or None."""
    text = normalise_text(text)
    email = EMAIL.search(text)
    if email:
        return Factor("email", normalise_email(email.group()))
    rest = _without_order_numbers(text)
    if not (expecting or _POSTCODE_LABEL.search(rest)) or len(rest.strip()) > 60:
        return None
    nl = _POSTCODE_NL.findall(rest)
    candidates = nl or [c for c in _POSTCODE.findall(rest) if sum(ch.isdigit() for ch in c) >= 2]
    if len(candidates) != 1:
        return None
    # "my zip is 10115" is a postcode; "what's the capacity of the 1800W kettle" is a question
    words = _WORD.findall(_POSTCODE_LABEL.sub(" ", rest.replace(candidates[0], " ")))
    if len(words) > MAX_OTHER_WORDS:
        return None
    value = normalise_postcode(candidates[0])
    return Factor("postcode", value) if 3 <= len(value) <= 10 else None


def factor_matches(order: Order, digest: str | None) -> bool:
    """Does the digest of what the shopper gave match the order's e-mail or postcode? Constant-time compare."""
    if not digest:
        return False
    expected = []
    if order.email:
        expected.append(factor_digest("email", normalise_email(order.email)))
    if order.postcode:
        expected.append(factor_digest("postcode", normalise_postcode(order.postcode)))
    # compare with every candidate (no early exit), so timing does not say which one matched
    results = [hmac.compare_digest(digest, candidate) for candidate in expected]
    return any(results)


# --- rate limiting -----------------------------------------------------------------------------------------

LimiterBase = declarative_base()


class LookupFailure(LimiterBase):
    __tablename__ = "kefu_order_lookup_failures"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, index=True)  # sha256 of "conversation:<id>" / "order:<number>"
    at = Column(DateTime, nullable=False, index=True)  # naive UTC


class LookupLock(LimiterBase):
    __tablename__ = "kefu_order_lookup_locks"

    key = Column(String(64), primary_key=True)
    until = Column(DateTime, nullable=False)  # naive UTC


def _utc(now: datetime | None) -> datetime:
    """Naive UTC: SQLite keeps no time zones, so every stored time is naive UTC."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).replace(tzinfo=None) if now.tzinfo else now


def limiter_keys(conversation_id: str, number: str) -> tuple[str, str]:
    """Hashed, because a conversation id can be a phone number (WhatsApp)."""
    return (
        hashlib.sha256(f"conversation:{conversation_id}".encode()).hexdigest(),
        hashlib.sha256(f"order:{number}".encode()).hexdigest(),
    )


class LookupLimiter:
    """Failures per key in a SQL database; ``max_failures`` within ``window`` lock the key for ``lockout``."""

    def __init__(self, engine: Engine | str, max_failures: int = MAX_FAILURES, window: timedelta = WINDOW,
                 lockout: timedelta = LOCKOUT) -> None:
        self.engine = create_engine(engine, future=True) if isinstance(engine, str) else engine
        LimiterBase.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, future=True)
        self.max_failures, self.window, self.lockout = max_failures, window, lockout

    def locked_for(self, keys: tuple[str, ...], now: datetime | None = None) -> timedelta | None:
        """How much longer the most-locked key stays locked, or None."""
        now = _utc(now)
        with self._session() as session:
            until = session.scalar(select(func.max(LookupLock.until)).where(LookupLock.key.in_(keys),
                                                                             LookupLock.until > now))
        return until - now if until else None

    def record_failure(self, keys: tuple[str, ...], now: datetime | None = None) -> bool:
        """Count a failed attempt against every key; True if that locked one of them."""
        now = _utc(now)
        locked = False
        with self._session() as session, session.begin():
            session.execute(delete(LookupFailure).where(LookupFailure.at <= now - self.window))
            for key in keys:
                session.add(LookupFailure(key=key, at=now))
                session.flush()
                count = session.scalar(select(func.count()).select_from(LookupFailure).where(
                    LookupFailure.key == key, LookupFailure.at > now - self.window))
                if count >= self.max_failures:
                    session.merge(LookupLock(key=key, until=now + self.lockout))
                    locked = True
        return locked


# --- the lookup ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    outcome: str  # FOUND | NO_MATCH | RATE_LIMITED | UNAVAILABLE
    order: Order | None = None
    retry_minutes: int = 0


class OrderLookup:
    """Verify-then-show: the one place that decides what a shopper may learn about an order."""

    def __init__(self, source: OrderSource, limiter: LookupLimiter) -> None:
        self.source = source
        self.limiter = limiter

    def lookup(self, conversation_id: str, number: str, digest: str | None,
               now: datetime | None = None) -> LookupResult:
        keys = limiter_keys(conversation_id, number)
        try:
            wait = self.limiter.locked_for(keys, now)
        except SQLAlchemyError:
            logger.exception("order lookup limiter unavailable: refusing the lookup")
            return LookupResult(UNAVAILABLE)
        if wait is not None:
            logger.info("order lookup for %s refused: rate limited", number)
            return LookupResult(RATE_LIMITED, retry_minutes=max(1, -(-int(wait.total_seconds()) // 60)))
        try:
            order = self.source.find(number)
        except OrderSourceError:
            logger.exception("order source unavailable")
            return LookupResult(UNAVAILABLE)
        if order is not None and factor_matches(order, digest):
            logger.info("order lookup for %s: verified", number)
            return LookupResult(FOUND, order)
        try:
            self.limiter.record_failure(keys, now)
        except SQLAlchemyError:
            logger.exception("order lookup limiter unavailable: the failure was not counted")
        logger.info("order lookup for %s: no match", number)  # unknown and wrong factor look the same here too
        return LookupResult(NO_MATCH)
