"""How many numbers a Flatten layer passes on (reference)."""


def flatten_size(channels: int, height: int, width: int) -> int:
    return channels * height * width
