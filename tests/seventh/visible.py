from flatten_size import flatten_size


def test_vgg16():
    assert flatten_size(512, 7, 7) == 25088
