"""How many numbers a Flatten layer passes on."""


def flatten_size(channels: int, height: int, width: int) -> int:
    """The length of one flattened (channels, height, width) feature map.

    Example: flatten_size(512, 7, 7) == 25088.
    """
    raise NotImplementedError("flatten_size: multiply the three sizes")
