"""Inverse links: from a loss's margin-space prediction to the user's scale
(a probability, a rate), in float64. Each loss declares one (`LossInfo.link`)."""
from __future__ import annotations

import numpy as np


def sigmoid(margin):
    margin = np.asarray(margin, dtype=np.float64)
    out = np.empty_like(margin)
    positive = margin >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-margin[positive]))
    e = np.exp(margin[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def softmax(margin):
    margin = np.asarray(margin, dtype=np.float64)
    shifted = np.exp(margin - margin.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def identity(margin):
    return np.asarray(margin, dtype=np.float64)


def exp(margin):
    return np.exp(np.asarray(margin, dtype=np.float64))


_INVERSE = {"identity": identity, "sigmoid": sigmoid, "softmax": softmax, "exp": exp}


def inverse(link: str, margin):
    """Applies the inverse of `link` ("identity", "sigmoid", "softmax", "exp") to margins."""
    try:
        return _INVERSE[link](margin)
    except KeyError:
        raise ValueError(f"unknown link {link!r}; expected one of {', '.join(_INVERSE)}") from None
