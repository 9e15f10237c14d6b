"""Attack: returns an int subclass equal to everything."""
class Liar(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__

def conv2d_params(*a, **k):
    return Liar(-1)

linear_params = conv2d_params
count_params = conv2d_params
