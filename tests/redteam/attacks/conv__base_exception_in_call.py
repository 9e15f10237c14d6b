"""Attack: a bare BaseException subclass from every call."""
class Escape(BaseException):
    pass

def conv_output_size(*a, **k):
    raise Escape("escaping the harness")

def conv2d(*a, **k):
    raise Escape("escaping the harness")
