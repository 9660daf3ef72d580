"""The methods of the zoo, one module each."""

from gan_zoo.gan import GAN
from gan_zoo.models.dcgan import DCGAN
from gan_zoo.models.fogan import FOGAN, PWGAN
from gan_zoo.models.improved_gan import ImprovedGAN, SemiSupervisedGAN
from gan_zoo.models.lsgan import LSGAN
from gan_zoo.models.pgan import PGAN
from gan_zoo.models.softmax_gan import SoftmaxGAN
from gan_zoo.models.wgan import WGAN
from gan_zoo.models.wgan_gp import WGANGP
from gan_zoo.models.dcgan_presets import DCGAN_PRESETS
from gan_zoo.models.fogan_presets import FOGAN_PRESETS
from gan_zoo.models.pgan_presets import PGAN_PRESETS
from gan_zoo.models.semi_supervised_presets import SEMI_SUPERVISED_PRESETS
from gan_zoo.models.softmax_gan_presets import SOFTMAX_GAN_PRESETS
from gan_zoo.models.wgan_gp_presets import WGAN_GP_PRESETS
from gan_zoo.presets import register_presets

register_presets(DCGAN_PRESETS, DCGAN)
register_presets(FOGAN_PRESETS, FOGAN)
register_presets(PGAN_PRESETS, PGAN)
register_presets(SEMI_SUPERVISED_PRESETS, SemiSupervisedGAN)
register_presets(SOFTMAX_GAN_PRESETS, SoftmaxGAN)
register_presets(WGAN_GP_PRESETS, WGANGP)

__all__ = [
    "DCGAN",
    "FOGAN",
    "GAN",
    "ImprovedGAN",
    "LSGAN",
    "PGAN",
    "PWGAN",
    "SemiSupervisedGAN",
    "SoftmaxGAN",
    "WGAN",
    "WGANGP",
]
