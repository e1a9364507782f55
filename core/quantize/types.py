"""Every output type llama.cpp's quantizer offers (``llama_ftype``), with what a user needs to choose.

``bpw`` is the average bits per weight of a whole 7–8B model in that type (for the K-quant mixes:
from llama-quantize's own size table for Llama-3-8B), so small models, whose rows often do not fit
the 256-wide K blocks and fall back to other types, measure somewhat differently; the wizard shows
the measured value after quantizing. ``needs_imatrix``: llama.cpp refuses or badly damages the
model without an importance matrix, so Hearth offers the type only with one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..messages import QT_TRANSLATE_NOOP


@dataclass(frozen=True)
class QuantType:
    name: str
    ftype: int            # llama_ftype
    bpw: float
    explanation: str
    needs_imatrix: bool = False
    family: str = ""      # "float", "legacy", "k", "i", "ternary", "fp4"

    def to_json(self) -> dict:
        return asdict(self)


def _t(name: str, ftype: int, bpw: float, text: str, family: str, needs: bool = False) -> QuantType:
    return QuantType(name, ftype, bpw, text, needs, family)


TYPES: tuple[QuantType, ...] = (
    _t("F32", 0, 32.0, QT_TRANSLATE_NOOP("core", "Full 32-bit floats: no loss, twice the size of F16; only useful as a source."), "float"),
    _t("F16", 1, 16.0, QT_TRANSLATE_NOOP("core", "16-bit floats: practically lossless; the usual source for quantizing."), "float"),
    _t("BF16", 32, 16.0, QT_TRANSLATE_NOOP("core", "bfloat16: the training format of most models; lossless from BF16 weights."), "float"),
    _t("Q8_0", 7, 8.5, QT_TRANSLATE_NOOP("core", "8-bit, one scale per 32 weights: indistinguishable from F16 in practice, half its size."), "legacy"),
    _t("Q6_K", 18, 6.56, QT_TRANSLATE_NOOP("core", "6-bit K-quant: near-lossless, a good choice when memory allows."), "k"),
    _t("Q5_K_M", 17, 5.69, QT_TRANSLATE_NOOP("core", "5-bit K-quant mix with more bits on sensitive tensors: very small quality loss."), "k"),
    _t("Q5_K_S", 16, 5.54, QT_TRANSLATE_NOOP("core", "5-bit K-quant: slightly smaller and slightly worse than Q5_K_M."), "k"),
    _t("Q5_1", 9, 6.0, QT_TRANSLATE_NOOP("core", "Legacy 5-bit with scale and offset per 32 weights; K-quants are better at this size."), "legacy"),
    _t("Q5_0", 8, 5.5, QT_TRANSLATE_NOOP("core", "Legacy 5-bit with one scale per 32 weights; K-quants are better at this size."), "legacy"),
    _t("Q4_K_M", 15, 4.89, QT_TRANSLATE_NOOP("core", "4-bit K-quant mix: the usual default, a good balance of size and quality."), "k"),
    _t("Q4_K_S", 14, 4.58, QT_TRANSLATE_NOOP("core", "4-bit K-quant: a little smaller and a little worse than Q4_K_M."), "k"),
    _t("Q4_1", 3, 5.0, QT_TRANSLATE_NOOP("core", "Legacy 4-bit with scale and offset per 32 weights."), "legacy"),
    _t("Q4_0", 2, 4.5, QT_TRANSLATE_NOOP("core", "Legacy 4-bit with one scale per 32 weights: fast on some CPUs, lower quality than Q4_K."), "legacy"),
    _t("IQ4_NL", 25, 4.5, QT_TRANSLATE_NOOP("core", "4-bit non-linear levels in blocks of 32: better than Q4_0 at the same size."), "i"),
    _t("IQ4_XS", 30, 4.25, QT_TRANSLATE_NOOP("core", "4.25-bit non-linear quant: close to Q4_K_S quality, smaller; best with an importance matrix."), "i"),
    _t("Q3_K_L", 13, 4.27, QT_TRANSLATE_NOOP("core", "3-bit K-quant mix with large extras: noticeable quality loss."), "k"),
    _t("Q3_K_M", 12, 3.91, QT_TRANSLATE_NOOP("core", "3-bit K-quant mix: clear quality loss; for tight memory."), "k"),
    _t("Q3_K_S", 11, 3.5, QT_TRANSLATE_NOOP("core", "3-bit K-quant: large quality loss."), "k"),
    _t("IQ3_M", 27, 3.66, QT_TRANSLATE_NOOP("core", "3.66-bit non-linear mix: better than Q3_K_S; best with an importance matrix."), "i"),
    _t("IQ3_S", 26, 3.44, QT_TRANSLATE_NOOP("core", "3.44-bit non-linear quant: better than Q3_K_S at a similar size."), "i"),
    _t("IQ3_XS", 22, 3.3, QT_TRANSLATE_NOOP("core", "3.3-bit non-linear quant; needs an importance matrix."), "i", True),
    _t("IQ3_XXS", 23, 3.06, QT_TRANSLATE_NOOP("core", "3.06-bit non-linear quant; needs an importance matrix."), "i", True),
    _t("Q2_K", 10, 2.96, QT_TRANSLATE_NOOP("core", "2-bit K-quant mix: severe quality loss; a last resort for huge models."), "k"),
    _t("Q2_K_S", 21, 2.96, QT_TRANSLATE_NOOP("core", "2-bit K-quant, smaller mix; needs an importance matrix."), "k", True),
    _t("IQ2_M", 29, 2.7, QT_TRANSLATE_NOOP("core", "2.7-bit non-linear quant; needs an importance matrix."), "i", True),
    _t("IQ2_S", 28, 2.5, QT_TRANSLATE_NOOP("core", "2.5-bit non-linear quant; needs an importance matrix."), "i", True),
    _t("IQ2_XS", 20, 2.31, QT_TRANSLATE_NOOP("core", "2.31-bit non-linear quant; needs an importance matrix."), "i", True),
    _t("IQ2_XXS", 19, 2.06, QT_TRANSLATE_NOOP("core", "2.06-bit non-linear quant; needs an importance matrix; only for very large models."), "i", True),
    _t("IQ1_M", 31, 1.75, QT_TRANSLATE_NOOP("core", "1.75-bit quant; needs an importance matrix; barely usable below 70B."), "i", True),
    _t("IQ1_S", 24, 1.56, QT_TRANSLATE_NOOP("core", "1.56-bit quant; needs an importance matrix; barely usable below 70B."), "i", True),
    _t("TQ2_0", 37, 2.06, QT_TRANSLATE_NOOP("core", "2-bit ternary, for models trained ternary (BitNet-style); ruins others."), "ternary"),
    _t("TQ1_0", 36, 1.69, QT_TRANSLATE_NOOP("core", "1.69-bit ternary, for models trained ternary (BitNet-style); ruins others."), "ternary"),
    _t("MXFP4_MOE", 38, 4.25, QT_TRANSLATE_NOOP("core", "MXFP4 (4-bit float) for the experts of mixture-of-experts models, like gpt-oss."), "fp4"),
    _t("NVFP4", 39, 4.5, QT_TRANSLATE_NOOP("core", "NVFP4 (4-bit float with FP8 block scales), for recent NVIDIA GPUs."), "fp4"),
    _t("Q2_0", 41, 2.5, QT_TRANSLATE_NOOP("core", "Experimental 2-bit type; newer than most tools that read GGUF."), "legacy"),
    _t("Q1_0", 40, 1.125, QT_TRANSLATE_NOOP("core", "Experimental 1-bit type; newer than most tools that read GGUF."), "legacy"),
)

_BY_NAME = {t.name: t for t in TYPES}
_ALIASES = {"Q3_K": "Q3_K_M", "Q4_K": "Q4_K_M", "Q5_K": "Q5_K_M"}


def find_type(name: str) -> QuantType | None:
    key = name.strip().upper().replace("-", "_")
    return _BY_NAME.get(_ALIASES.get(key, key))


def by_ftype(ftype: int) -> QuantType | None:
    return next((t for t in TYPES if t.ftype == ftype), None)


UNQUANTIZED_FTYPES = frozenset({0, 1, 32})  # F32, F16, BF16: sources a quantization expects
