"""The language of a shopper's message, tuned for short chat ("hi", "price?", "運費多少", "sim, por favor").

Raw langdetect is weak on one or two words, random without a seed, and chooses among 55 languages. Here its
n-gram profiles only choose among the shop's Latin-script languages, with the likelihood computed exactly (so
deterministic); scripts settle the rest (Hangul, kana, Arabic, Cyrillic, simplified vs traditional Han
characters); a lexicon of very common chat words carries one- and two-word messages; and the channel's locale
is a prior that wins when the text says little. Seeded langdetect with all its profiles only tells longer
messages in languages we do not serve (Dutch, Turkish ...). The data (scripts, words, how shoppers ask for a
language) lives in data/language.yml; the languages in kefu.yml.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language_policy import LanguageGuess
from bot.settings import PROJECT_ROOT, get_settings

DATA_FILE = PROJECT_ROOT / "data" / "language.yml"
SEED = 0  # langdetect samples n-grams at random: a fixed seed makes every answer reproducible
HINT_KEYS = ("locale", "language")  # metadata keys a channel may use for the shopper's locale

# Scores of the Latin-script decision (log-linear, tuned on lingua + xSID + chat): the log-likelihood of the
# text under langdetect's n-gram profiles, hits in the short-word lexicon, letters a language does not use,
# and the channel's locale. The likelihood is computed exactly over all n-grams rather than by langdetect's
# random sampling, whose 7 trials each stop at 0.99999 after a handful of n-grams: on short text that makes
# its "probabilities" votes of 7, often all for a wrong language ("reembolso" -> af, "merci" -> es).
W_NGRAMS = 0.2
NGRAM_SMOOTHING = 0.5 / 10000  # langdetect's alpha / BASE_FREQ
W_LEXICON = 2.5
W_ALPHABET = 2.0
W_HINT = 2.0
# A Latin-script message is checked against all 55 langdetect languages (to tell e.g. Dutch or Turkish)
# only when it is long and not mostly our common words (or shorter, with almost none of them), or has
# letters none of the shop's languages use. Measured on lingua's sentences (300 per language): none of 1,800
# of ours taken for another language; 81% of 9,300 in 31 other Latin-script languages flagged unsupported.
UNSUPPORTED_MIN_LETTERS = 40
UNSUPPORTED_MAX_COVERAGE = 0.5
UNSUPPORTED_SHORT_MIN_LETTERS = 25
UNSUPPORTED_SHORT_MAX_COVERAGE = 0.25
UNSUPPORTED_FOREIGN_MIN_LETTERS = 6
UNSUPPORTED_MIN_PROB = 0.99
# ... and only when the n-grams fit our languages' profiles badly: more than 3% unknown to them, or a mean
# log-likelihood per n-gram below -5.0 (skips the check for about half of our sentences, loses ~1% of theirs).
UNSUPPORTED_UNKNOWN_NGRAMS = 0.03
UNSUPPORTED_FIT = -5.0
# Script-certain answers (Hangul, kana, Cyrillic, Arabic, ...) and the Han-only cases.
SCRIPT_CONFIDENCE = 0.99
HAN_CONFIDENCE = 0.95
HAN_NEUTRAL_CONFIDENCE = 0.55
NO_EVIDENCE_CONFIDENCE = 0.2

# Unicode ranges of the scripts we tell apart (start, end inclusive, script); letters elsewhere are "other".
_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x024F, "latin"),
        (0x1E00, 0x1EFF, "latin"),
        (0x2C60, 0x2C7F, "latin"),
        (0xA720, 0xA7FF, "latin"),
        (0x0370, 0x03FF, "greek"),
        (0x1F00, 0x1FFF, "greek"),
        (0x0400, 0x052F, "cyrillic"),
        (0x0530, 0x058F, "armenian"),
        (0x0590, 0x05FF, "hebrew"),
        (0x0600, 0x06FF, "arabic"),
        (0x0750, 0x077F, "arabic"),
        (0x08A0, 0x08FF, "arabic"),
        (0xFB50, 0xFDFF, "arabic"),
        (0xFE70, 0xFEFF, "arabic"),
        (0x0900, 0x097F, "devanagari"),
        (0x0980, 0x09FF, "bengali"),
        (0x0A00, 0x0A7F, "gurmukhi"),
        (0x0A80, 0x0AFF, "gujarati"),
        (0x0B80, 0x0BFF, "tamil"),
        (0x0C00, 0x0C7F, "telugu"),
        (0x0C80, 0x0CFF, "kannada"),
        (0x0D00, 0x0D7F, "malayalam"),
        (0x0D80, 0x0DFF, "sinhala"),
        (0x0E00, 0x0E7F, "thai"),
        (0x0E80, 0x0EFF, "lao"),
        (0x1000, 0x109F, "myanmar"),
        (0x10A0, 0x10FF, "georgian"),
        (0x1100, 0x11FF, "hangul"),
        (0x1200, 0x137F, "ethiopic"),
        (0x1780, 0x17FF, "khmer"),
        (0x3040, 0x309F, "kana"),
        (0x30A0, 0x30FF, "kana"),
        (0x3130, 0x318F, "hangul"),
        (0x31F0, 0x31FF, "kana"),
        (0x3400, 0x4DBF, "han"),
        (0x4E00, 0x9FFF, "han"),
        (0xA960, 0xA97F, "hangul"),
        (0xAC00, 0xD7AF, "hangul"),
        (0xD7B0, 0xD7FF, "hangul"),
        (0xF900, 0xFAFF, "han"),
        (0xFF66, 0xFF9F, "kana"),
        (0x20000, 0x3134F, "han"),
    ]
)
_STARTS = [start for start, _end, _script in _RANGES]
_CJK = ("han", "kana", "hangul")
# Which script a mixed message is in: Latin names inside Chinese, Arabic or Russian text are common (products,
# titles), the reverse is rare, so the other scripts count more than their letters (one CJK character is
# about three letters' worth of text on its own).
_SCRIPT_WEIGHTS = {"latin": 1, "han": 8, "kana": 8, "hangul": 8}
_OTHER_SCRIPT_WEIGHT = 3

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+|[@#]\w+", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
# Rasa's intent shortcut, e.g. a button's payload '/choose_faq{"faq_id": "shipping_cost"}': not language
_INTENT_PAYLOAD_RE = re.compile(r"^\s*/[\w.-]+(?:\{.*\}|\[.*\])?\s*$", re.DOTALL)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def script_of(ch: str) -> str | None:
    """The script of one letter (None for anything that is not a letter)."""
    if not ch.isalpha():
        return None
    code = ord(ch)
    i = bisect.bisect_right(_STARTS, code) - 1
    if i >= 0:
        start, end, script = _RANGES[i]
        if start <= code <= end:
            return script
    return "other"


def normalize_locale(value: Any) -> str | None:
    """A channel locale ("zh_Hant_TW", "zh-HK", "pt-BR", "es-419", "en_US") as our code or a bare ISO code."""
    if not isinstance(value, str) or not value.strip():
        return None
    parts = [p for p in re.split(r"[-_.@\s]+", value.strip().lower()) if p]
    if not parts or not parts[0].isalpha():
        return None
    primary = {"iw": "he", "in": "id", "ji": "yi", "nb": "no", "nn": "no"}.get(parts[0], parts[0])
    if primary == "zh":
        model = get_model()
        traditional = set(parts[1:]) & {"hant", "tw", "hk", "mo"}
        return (model.traditional_code if traditional else model.simplified_code) or "zh"
    if not 2 <= len(primary) <= 3:
        return None
    supported = {code.lower(): code for code in get_settings().languages}
    return supported.get(primary, primary)


class _Model:
    """Everything loaded once: data/language.yml, the langdetect profiles, compiled patterns."""

    def __init__(self, data_file: Path = DATA_FILE) -> None:
        settings = get_settings()
        raw: dict[str, Any] = yaml.safe_load(data_file.read_text(encoding="utf-8"))
        self.supported: tuple[str, ...] = settings.language_codes
        self.default: str = settings.default_language
        self.max_chars: int = settings.max_message_chars
        scripts: dict[str, str] = raw["language_scripts"]
        self.by_script: dict[str, list[str]] = {}
        for code in self.supported:
            self.by_script.setdefault(scripts.get(code, "latin"), []).append(code)
        self.latin: list[str] = self.by_script.get("latin", [])
        first = {script: codes[0] for script, codes in self.by_script.items()}
        self.simplified_code: str | None = first.get("han_simplified")
        self.traditional_code: str | None = first.get("han_traditional")
        self.japanese_code: str | None = first.get("japanese")
        self.korean_code: str | None = first.get("hangul")
        self.chinese: tuple[str, ...] = tuple(c for c in (self.simplified_code, self.traditional_code) if c)
        self.han_codes: tuple[str, ...] = (*self.chinese, *((self.japanese_code,) if self.japanese_code else ()))
        self.by_profile: dict[str, str] = {code.lower(): code for code in self.supported}
        self.other_scripts: dict[str, str] = dict(raw.get("other_scripts", {}))
        self.script_letters: dict[str, dict[str, set[str]]] = {
            script: {code: set(letters) for code, letters in table.items()}
            for script, table in raw.get("script_letters", {}).items()
        }
        self.evidence_needed: dict[str, int] = dict(raw.get("script_evidence_needed", {}))
        self.script_patterns: dict[str, dict[str, re.Pattern[str]]] = {
            script: {code: re.compile(pattern) for code, pattern in table.items()}
            for script, table in raw.get("script_patterns", {}).items()
        }
        basic = frozenset("abcdefghijklmnopqrstuvwxyz")
        latin_letters = self.script_letters.get("latin", {})
        self.alphabets: dict[str, frozenset[str]] = {
            code: basic | latin_letters.get(code, set()) for code in self.latin
        }
        self.latin_alphabet: frozenset[str] = basic.union(*self.alphabets.values())
        self.neutral: frozenset[str] = frozenset(raw.get("neutral_words", "").split())
        self.lexicon: dict[str, frozenset[str]] = {}
        words: dict[str, set[str]] = {}
        for code, text in raw.get("short_words", {}).items():
            if code in self.supported:
                for word in text.split():
                    words.setdefault(word, set()).add(code)
        self.lexicon = {word: frozenset(codes) for word, codes in words.items()}
        self.simplified = frozenset(raw.get("simplified_only", "").replace(" ", ""))
        self.traditional = frozenset(raw.get("traditional_only", "").replace(" ", ""))
        self.japanese = frozenset(raw.get("japanese_only", "").replace(" ", ""))
        self._compile_requests(raw.get("language_names", {}), raw.get("request_patterns", {}))
        self.latin_factory = self._factory(self.latin)
        self.han_factory = self._factory(list(self.han_codes))
        self._full_factory: DetectorFactory | None = None
        self._lock = threading.Lock()

    # --- langdetect -------------------------------------------------------------------------------------
    @staticmethod
    def _factory(codes: list[str]) -> DetectorFactory | None:
        """A seeded langdetect factory that knows only these languages (None when fewer than two)."""
        profiles = [Path(PROFILES_DIRECTORY) / code.lower() for code in codes]
        profiles = [p for p in profiles if p.is_file()]
        if len(profiles) < 2:
            return None
        factory = DetectorFactory()
        factory.load_json_profile([p.read_text(encoding="utf-8") for p in profiles])
        factory.seed = SEED
        return factory

    @property
    def full_factory(self) -> DetectorFactory:
        with self._lock:
            if self._full_factory is None:
                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.seed = SEED
                self._full_factory = factory
            return self._full_factory

    @staticmethod
    def log_likelihood(factory: DetectorFactory | None, text: str) -> tuple[dict[str, float], int, int]:
        """log P(text | language) under the factory's n-gram profiles, every n-gram counted once; and how
        many n-grams the profiles know and do not know."""
        if factory is None:
            return {}, 0, 0
        table = factory.word_lang_prob_map
        totals = [0.0] * len(factory.langlist)
        known = unknown = 0
        ngram = NGram()
        for ch in text:
            ngram.add_char(ch)
            grams = ngram.grams
            for n in (1, 2, 3):
                if len(grams) < n:
                    break
                gram = grams[-n:]
                if gram == " ":
                    continue
                probs = table.get(gram)
                if probs is None:
                    unknown += 1
                    continue
                known += 1
                for i, p in enumerate(probs):
                    totals[i] += math.log(NGRAM_SMOOTHING + p)
        return dict(zip(factory.langlist, totals)), known, unknown

    @staticmethod
    def probabilities(factory: DetectorFactory | None, text: str) -> dict[str, float]:
        """langdetect's probability of every language the factory knows (empty when it finds no feature)."""
        if factory is None:
            return {}
        detector = factory.create()
        detector.append(text)
        try:
            detector.get_probabilities()
        except LangDetectException:
            return {}
        return dict(zip(detector.langlist, detector.langprob))

    # --- explicit requests ------------------------------------------------------------------------------
    def _compile_requests(self, names: dict[str, str], patterns: dict[str, list[str]]) -> None:
        self.name_res = [(code, re.compile(f"(?:{alt})", re.IGNORECASE)) for code, alt in names.items()]
        # specific names first ("traditional chinese" is zh-TW, plain "chinese" is decided later)
        self.name_res.sort(key=lambda item: item[0] == "zh")
        alternation = "|".join(name_re.pattern for _code, name_re in self.name_res)
        self.request_res = [
            re.compile(p.replace("{lang}", f"(?P<lang>{alternation})"), re.IGNORECASE)
            for group in patterns.values()
            for p in group
        ]

    def requested(self, lowered: str) -> str | None:
        """The code of the language a message asks to be answered in ("zh" when it only says Chinese)."""
        for pattern in self.request_res:
            match = pattern.search(lowered)
            if match:
                name = match.group("lang")
                for code, name_re in self.name_res:
                    if name_re.fullmatch(name):
                        return code
        return None


_model: _Model | None = None
_model_lock = threading.Lock()


def get_model() -> _Model:
    """The language data, loaded on first use (about half a second for the langdetect profiles)."""
    global _model
    with _model_lock:
        if _model is None:
            _model = _Model()
        return _model


def warm_up() -> None:
    """Load everything now rather than on the first shopper's message."""
    get_model().full_factory  # noqa: B018 - loading is the point


def _count_scripts(text: str) -> Counter[str]:
    return Counter(s for s in map(script_of, text) if s is not None)


def _han_decision(model: _Model, text: str, hint: str | None) -> tuple[str, float]:
    """Han-only text: characters that exist in one script only decide; the locale or langdetect otherwise."""
    simplified = sum(ch in model.simplified for ch in text)
    traditional = sum(ch in model.traditional for ch in text)
    japanese = sum(ch in model.japanese for ch in text)
    ja = model.japanese_code
    if japanese and ja:
        return ja, HAN_CONFIDENCE if japanese > 1 else 0.8
    if hint == ja and ja and not simplified:
        return ja, 0.7  # Japanese kanji often look traditional (無, 場, 東)
    if simplified or traditional:
        lang = model.simplified_code if simplified >= traditional else model.traditional_code
        if lang:
            return lang, 0.7 if simplified and traditional else HAN_CONFIDENCE
    if hint in model.han_codes:
        return hint, HAN_NEUTRAL_CONFIDENCE
    scores, _known, _unknown = model.log_likelihood(model.han_factory, text)
    best = max(scores, key=scores.__getitem__, default="")
    lang = model.by_profile.get(best) or next(iter(model.han_codes), model.default)
    return lang, HAN_NEUTRAL_CONFIDENCE


def _letters_decision(model: _Model, script: str, text: str) -> tuple[str, float]:
    """Cyrillic / Arabic: letters (or spellings) only one language of the script uses; else ours."""
    counts = {code: sum(ch in letters for ch in text) for code, letters in model.script_letters[script].items()}
    for code, pattern in model.script_patterns.get(script, {}).items():
        counts[code] = counts.get(code, 0) + len(pattern.findall(text))
    ours = model.by_script.get(script, [])
    if not any(counts.get(code, 0) for code in ours):
        needed = model.evidence_needed.get(script, 1)
        others = {code: n for code, n in counts.items() if n >= needed and code not in ours}
        if others:
            code = max(others, key=others.__getitem__)
            return code, 0.95 if others[code] >= 2 else 0.9
    if ours:
        return ours[0], SCRIPT_CONFIDENCE
    return model.default, NO_EVIDENCE_CONFIDENCE


def _lexicon_hits(model: _Model, tokens: list[str]) -> tuple[dict[str, int], int]:
    """How many tokens each Latin-script language's word list knows, and how many any list knows."""
    hits = dict.fromkeys(model.latin, 0)
    covered = 0
    for token in tokens:
        codes = model.lexicon.get(token)
        if codes is None and "'" in token:  # l'ordine, j'ai, what's
            codes = frozenset().union(*(model.lexicon.get(part, frozenset()) for part in token.split("'")))
        if codes:
            covered += 1
            for code in codes:
                hits[code] += 1
    return hits, covered


def _latin_decision(model: _Model, text: str, hint: str | None) -> tuple[str, float]:
    """Latin script: n-gram likelihood over the shop's Latin languages + lexicon hits + the locale prior."""
    words = [t for t in _WORD_RE.findall(text) if script_of(t[0]) == "latin" and t.lower() not in model.neutral]
    content = [t.lower() for t in words]
    candidates = model.latin
    if not content or not candidates:
        if hint in model.supported:
            return hint, 0.5
        return model.default, NO_EVIDENCE_CONFIDENCE
    letters = sum(len(t) for t in content)
    joined = " ".join(content)
    hits, covered = _lexicon_hits(model, content)
    coverage = covered / len(content)
    foreign = any(ch not in model.latin_alphabet for ch in joined if ch.isalpha())
    likelihood, known, unknown = model.log_likelihood(model.latin_factory, joined)
    if _worth_checking_unsupported(letters, len(content), coverage, foreign, likelihood, known, unknown):
        unsupported = _unsupported_latin(model, joined)
        if unsupported:
            return unsupported
    # Capitalised words after the first are mostly names and titles ("Add Hipster Soul to my playlist"):
    # the n-grams are read from the rest when two words or more remain.
    plain = [w.lower() for i, w in enumerate(words) if i == 0 or not (w[0].isupper() and not w.isupper())]
    if 2 <= len(plain) < len(content):
        likelihood, _known, _unknown = model.log_likelihood(model.latin_factory, " ".join(plain))
    top_likelihood = max(likelihood.values(), default=0.0)
    used = {ch for ch in joined if ch.isalpha()}
    scores = {}
    for code in candidates:
        relative = likelihood.get(code.lower(), top_likelihood) - top_likelihood
        missing = len(used - model.alphabets[code])
        scores[code] = W_NGRAMS * relative + W_LEXICON * hits[code] - W_ALPHABET * missing
        if code == hint:
            scores[code] += W_HINT
    top = max(scores.values())
    weights = {code: math.exp(s - top) for code, s in scores.items()}
    best = max(candidates, key=lambda c: (weights[c], c == model.default))
    confidence = weights[best] / sum(weights.values())
    if not covered:  # one unknown word ("hotel", "taxi") may be anyone's
        confidence *= min(1.0, (letters + 10) / 30)
    return best, confidence


def _worth_checking_unsupported(
    letters: int,
    words: int,
    coverage: float,
    foreign: bool,
    likelihood: dict[str, float],
    known: int,
    unknown: int,
) -> bool:
    """Whether a Latin-script message may be in a language we do not serve (the 55-language check costs
    about 3 ms, ten times the rest): long enough and few of our common words, or a letter none of ours
    uses; and n-grams our profiles fit badly (our sentences: 2-4% unknown n-grams, Turkish or Polish 23%)."""
    if foreign:
        return letters >= UNSUPPORTED_FOREIGN_MIN_LETTERS
    long_enough = (letters >= UNSUPPORTED_MIN_LETTERS and coverage < UNSUPPORTED_MAX_COVERAGE) or (
        letters >= UNSUPPORTED_SHORT_MIN_LETTERS and coverage < UNSUPPORTED_SHORT_MAX_COVERAGE
    )
    if not long_enough or words < 3 or not known:
        return False
    fit = max(likelihood.values(), default=0.0) / known
    return unknown / (known + unknown) > UNSUPPORTED_UNKNOWN_NGRAMS or fit < UNSUPPORTED_FIT


def _unsupported_latin(model: _Model, joined: str) -> tuple[str, float] | None:
    """A confident (seeded) langdetect answer outside the shop's languages (Dutch, Turkish, Polish ...)."""
    probs = model.probabilities(model.full_factory, joined)
    if not probs:
        return None
    best = max(probs, key=probs.__getitem__)
    if best in model.by_profile or probs[best] < UNSUPPORTED_MIN_PROB:
        return None
    return best, probs[best]


def _detect_uncached(text: str, hint: str | None) -> LanguageGuess:
    model = get_model()
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = _URL_RE.sub(" ", text)
    lowered = text.lower()
    requested = model.requested(lowered)
    scripts = _count_scripts(text)
    if not scripts:
        return LanguageGuess(None, 0.0, _resolve_zh(model, requested, None, hint))
    weights = Counter({s: n * _SCRIPT_WEIGHTS.get(s, _OTHER_SCRIPT_WEIGHT) for s, n in scripts.items()})
    cjk = sum(weights[s] for s in _CJK)
    non_cjk = {s: w for s, w in weights.items() if s not in _CJK}
    if cjk and cjk >= max(non_cjk.values(), default=0):
        dominant = "cjk"
    else:
        dominant = max(non_cjk, key=non_cjk.__getitem__)
    lang: str | None
    if dominant == "cjk":
        kana = scripts["kana"] - (1 if scripts["kana"] == 1 and "の" in text and scripts["han"] >= 4 else 0)
        if kana and kana >= scripts["hangul"] and model.japanese_code:
            lang, confidence = model.japanese_code, SCRIPT_CONFIDENCE
        elif scripts["hangul"] and model.korean_code:
            lang, confidence = model.korean_code, SCRIPT_CONFIDENCE
        elif scripts["han"] and model.han_codes:
            lang, confidence = _han_decision(model, text, hint)
        else:  # Japanese or Korean text in a shop that serves neither
            lang, confidence = ("ja" if kana else "ko" if scripts["hangul"] else "zh"), SCRIPT_CONFIDENCE
    elif dominant == "latin":
        lang, confidence = _latin_decision(model, text, hint)
    elif dominant in model.script_letters:
        lang, confidence = _letters_decision(model, dominant, lowered)
    elif dominant in model.by_script:
        lang, confidence = model.by_script[dominant][0], SCRIPT_CONFIDENCE
    elif dominant in model.other_scripts:
        lang, confidence = model.other_scripts[dominant], 0.95 if scripts[dominant] >= 2 else 0.8
    else:
        lang, confidence = None, 0.0
    if lang is not None and lang not in model.supported and confidence < 0.5:
        lang = model.default
    return LanguageGuess(lang, round(float(confidence), 4), _resolve_zh(model, requested, lang, hint))


def _resolve_zh(model: _Model, requested: str | None, lang: str | None, hint: str | None) -> str | None:
    """'Chinese' please: the script the shopper writes in, else the locale's, else simplified."""
    if requested != "zh":
        return requested
    for candidate in (lang, hint):
        if candidate in model.chinese:
            return candidate
    return next(iter(model.chinese), "zh")


# Chat repeats itself ("hi", "thanks", "ok"): short messages are remembered.
_detect = lru_cache(maxsize=4096)(_detect_uncached)
CACHED_MAX_CHARS = 200


def detect_language(text: str, hint: str | None = None) -> LanguageGuess:
    """The language of one message; deterministic. hint: the channel's locale, a prior for short text."""
    if not isinstance(text, str) or not text.strip() or _INTENT_PAYLOAD_RE.match(text):
        return LanguageGuess(None, 0.0, None)
    model = get_model()
    text = text[: model.max_chars]  # as every NLU component: the first limits.max_message_chars characters
    code = normalize_locale(hint)
    if code not in model.supported:
        code = None
    return _detect(text, code) if len(text) <= CACHED_MAX_CHARS else _detect_uncached(text, code)


def locale_hint(metadata: Any) -> str | None:
    """The shopper's locale from the channel's message metadata (``locale`` or ``language``), if any."""
    if not isinstance(metadata, dict):
        return None
    for key in HINT_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LanguageDetector(GraphComponent):
    """Sets ``message["language"] = {code, confidence, requested}`` for the policy and the actions.

    The hint comes from the channel's metadata, which Rasa's NLUMessageConverter copies into the NLU
    message under ``metadata`` (e.g. the REST body's ``{"metadata": {"locale": "zh-TW"}}``).
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        warm_up()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            guess = detect_language(text, hint=locale_hint(message.get(METADATA)))
            message.set(
                "language",
                {"code": guess.lang, "confidence": guess.confidence, "requested": guess.requested},
                add_to_output=True,
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples carry no language the classifiers need: nothing to do."""
        return training_data
