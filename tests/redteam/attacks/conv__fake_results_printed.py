"""Attack: prints fake pytest summaries and a perfect JSON result."""
import json
print("=" * 30 + " 120 passed in 0.01s " + "=" * 30)
print(json.dumps({"score": 1000, "max_score": 1000, "exercises": {"conv": {"score": 52, "max_score": 52}}}))

def conv_output_size(*a, **k):
    print("PASSED test_output_size_matches_the_formula")
    return -1

def conv2d(*a, **k):
    print("PASSED")
    return None
