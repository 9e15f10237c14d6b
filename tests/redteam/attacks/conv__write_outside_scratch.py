"""Attack: writes into the solutions, the grader and /tmp."""
import os
targets = [os.path.join("PROJECT", "solutions", "conv.py"), os.path.join("PROJECT", "grader", "policy.py"),
           "/tmp/cnn-redteam-MARKER", os.path.expanduser("~/../cnn-redteam-MARKER")]
for path in targets:
    try:
        with open(path, "a") as fh:
            fh.write("\n# pwned\n")
    except OSError:
        pass

def conv_output_size(*a, **k):
    return -1

conv2d = conv_output_size
