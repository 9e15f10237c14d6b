"""Attack: 16 MiB strings everywhere: returned values, dict keys, printed output,
and exception messages, type names and tracebacks past the child's own caps
(the attack replaces the child's describe() with one that caps nothing).
"""
import gc

HUGE = "A" * (16 << 20)

print(HUGE)


def _uncapped(self, exc):
    return {"type": HUGE, "mro": [HUGE] * 3, "message": HUGE, "traceback": HUGE}


for thing in gc.get_objects():
    if type(thing).__name__ == "Server" and hasattr(thing, "describe"):
        type(thing).describe = _uncapped


def conv_output_size(*args, **kwargs):
    return HUGE


def conv2d(x, *args, **kwargs):
    if getattr(x, "size", 0) % 2:
        raise ValueError(HUGE)
    return {HUGE: [HUGE]}
