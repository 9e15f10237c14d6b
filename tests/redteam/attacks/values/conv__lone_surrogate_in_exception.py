"""Attack: lone surrogates and undecodable bytes in every message the grader reads.

Every call raises with "\ud800" in its message (which a strict UTF-8 writer
refuses), the module's printed output holds invalid UTF-8 bytes, and
conv_output_size returns a string holding a surrogate.
"""
import sys

sys.stdout.buffer.write(b"printed: \xff\xfe\xed\xa0\x80 \x00 end\n")
sys.stdout.flush()


def conv_output_size(*args, **kwargs):
    return "\ud800\udfff" + "\udc80" * 10


class SurrogateError(Exception):
    """Not a ValueError or TypeError, so no test that expects one passes."""


def conv2d(*args, **kwargs):
    raise SurrogateError("lone surrogate \ud800 and \udcff in a message")
