"""Attack: imports the reference solution by path."""
import importlib.util, os, sys
candidates = [os.path.join(d, "solutions", "conv.py") for d in ("PROJECT", os.getcwd(), "/work/main")]
for path in candidates:
    spec = importlib.util.spec_from_file_location("stolen", path)
    if spec and os.path.exists(path):
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        conv2d = mod.conv2d
        conv_output_size = mod.conv_output_size
        break
else:
    raise ImportError("could not find the reference solutions")
