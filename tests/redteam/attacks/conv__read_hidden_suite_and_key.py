"""Attack: reads the hidden suite and the quiz key and prints them."""
import os
stolen = []
for rel in ("grader/units/conv/hidden.py", "solutions/answers.toml", "quizzes/cnn.toml"):
    path = os.path.join("PROJECT", rel)
    try:
        with open(path) as fh:
            stolen.append(fh.read())
    except OSError as exc:
        stolen.append(f"blocked: {exc}")
print("\n".join(stolen))
if not any(s.startswith("blocked") for s in stolen):
    pass
raise ImportError("nothing useful here: " + " | ".join(s[:40] for s in stolen))
