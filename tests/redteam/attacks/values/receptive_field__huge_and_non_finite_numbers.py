"""Attack: answers far beyond float range, NaN and the infinities.

10**400 cannot become a float (OverflowError in any drawing that scales by
it); NaN and infinity are not JSON. Which one depends on the stack's length.
"""
import math

CHOICES = [10 ** 400, -(10 ** 400), 2 ** 1100, math.nan, math.inf, -math.inf, 2 ** 70, 1e308]


def receptive_field(layers):
    return CHOICES[len(layers) % len(CHOICES)]


def effective_stride(layers):
    return CHOICES[(len(layers) + 3) % len(CHOICES)]
