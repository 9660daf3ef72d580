"""Shared layers of gan_zoo: public, serializable, subclassable."""
