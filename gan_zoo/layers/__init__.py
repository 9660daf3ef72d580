"""Shared layers of gan_zoo: public, serializable, subclassable."""

from gan_zoo.layers.gmm_likelihood import GMMLikelihood
from gan_zoo.layers.minibatch_discrimination import MinibatchDiscrimination
from gan_zoo.layers.virtual_batch_norm import ReferenceBatch, VirtualBatchNorm

__all__ = [
    "GMMLikelihood",
    "MinibatchDiscrimination",
    "ReferenceBatch",
    "VirtualBatchNorm",
]
