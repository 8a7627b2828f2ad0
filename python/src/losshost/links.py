"""Inverse links: from a loss's margin-space prediction to the user's scale
(a probability, a rate). Each loss declares one (`LossInfo.link`)."""
from __future__ import annotations

import numpy as np


def sigmoid(margin):
    margin = np.asarray(margin)
    out = np.empty_like(margin, dtype=np.result_type(margin.dtype, np.float32))
    positive = margin >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-margin[positive]))
    e = np.exp(margin[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def softmax(margin):
    margin = np.asarray(margin, dtype=np.result_type(np.asarray(margin).dtype, np.float32))
    shifted = np.exp(margin - margin.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def identity(margin):
    return np.asarray(margin)


def exp(margin):
    return np.exp(np.asarray(margin))


_INVERSE = {"identity": identity, "sigmoid": sigmoid, "softmax": softmax, "exp": exp}


def inverse(link: str, margin):
    """Applies the inverse of `link` ("identity", "sigmoid", "softmax", "exp") to margins."""
    try:
        return _INVERSE[link](margin)
    except KeyError:
        raise ValueError(f"unknown link {link!r}; expected one of {', '.join(_INVERSE)}") from None
