"""cnn-grader: exercises, hidden suites and a quiz for a lesson on CNNs."""

__version__ = "0.1.0"
