"""Our held-out evaluation cases stay apart from the training data: no complaint case of the held-out files
appears, after folding case, spaces and punctuation, among the NLU training examples, or its figures would
flatter. (``complaint_dev.jsonl`` is exempt: it holds the issue's own examples, which are training data too; the
README says so beside its figure.)"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parents[2]
CASE_FILES = [ROOT / "eval" / "cases" / f"complaint_{name}.jsonl"
              for name in ("test", "heldout2", "heldout3", "heldout4")]


def folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)  # letters and digits only: punctuation, emoji and spaces go


@pytest.fixture(scope="module")
def training_texts() -> set[str]:
    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"),
                                                     [str(ROOT / "data")])
    return {folded(m.get("text")) for m in importer.get_nlu_data().intent_examples}


def test_there_are_case_files_and_training_examples(training_texts: set[str]) -> None:
    assert all(p.is_file() for p in CASE_FILES) and len(training_texts) > 5000


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_no_case_is_a_training_example(path: Path, training_texts: set[str]) -> None:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    leaked = [c["text"] for c in cases if folded(c["text"]) in training_texts and len(folded(c["text"])) > 3]
    assert not leaked, f"{len(leaked)} cases of {path.name} are also training examples, e.g. {leaked[:3]}"
