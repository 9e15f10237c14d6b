"""Known mistakes in training.py, named from a symptom that only they produce.

A trained network's output cannot be recomputed here (the learner chooses
the initialisation and the optimiser), so the suite looks for what each
mistake alone leaves behind: the same kernel for two different targets, a
kernel that is the true one turned by 180 degrees, a loss stuck at the floor
a softmax puts under it, two runs with one seed that differ. It then names
the mistake with ``by_id``.
"""
from __future__ import annotations

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.suites.learning import softmax_floor


def _observed(id: str, message: str) -> Mistake:
    return Mistake(id, message, lambda **_: NOT_APPLICABLE)


# Nothing here is recomputed from the arguments: see OBSERVED.
CATALOGUE: dict[str, Checked] = {}

OBSERVED = (
    _observed("training.kernel-not-trained",
              "learn_kernel returned the same kernel for two different targets y: it never "
              "took a gradient step (or the steps never reached w), so it returns its "
              "starting kernel. Each step needs loss.backward() and optimiser.step() on a "
              "w created with requires_grad=True, inside the loop over steps."),
    _observed("training.kernel-flipped",
              "Your kernel is the true one rotated by 180 degrees: your forward model flips "
              "the kernel (a true convolution), while y was made the way nn.Conv2d computes, "
              "a cross-correlation. Use torch.nn.functional.conv2d(x, w) as it is."),
    _observed("training.too-few-convolutions",
              "build_digits_cnn has fewer than two nn.Conv2d layers. The exercise is a CNN: "
              "stack at least two convolutions (with ReLU and pooling) before the linear "
              "layer."),
    _observed("training.no-conv1",
              "build_digits_cnn's model has no attribute conv1 that is an nn.Conv2d. Name "
              "the first convolution self.conv1, so that its filters can be drawn."),
    _observed("training.over-parameter-budget",
              "build_digits_cnn has more than 20,000 parameters. On 8x8 images a few "
              "thousand are plenty: pool before the linear layer (a Linear over 32 x 8 x 8 "
              "features alone costs 20,490) or use fewer channels."),
    _observed("training.softmax-in-model",
              "Your model's outputs are probabilities (each row is >= 0 and sums to 1): it "
              "ends with a softmax. cross_entropy applies log-softmax itself, so softmax "
              "twice caps how low the loss can go and stalls training; return the raw "
              "logits."),
    _observed("training.softmax-before-loss",
              f"Your training loss never fell below {softmax_floor(10):.3f}, the floor left "
              "when cross_entropy is given softmax probabilities instead of logits. "
              "cross_entropy applies log-softmax itself: pass it model(x) as it is."),
    _observed("training.unseeded",
              "Two trainings of the same starting model with the same seed gave different "
              "losses. Seed everything random in train_classifier: the shuffling "
              "(torch.Generator().manual_seed(seed) for randperm or a DataLoader) and "
              "torch.manual_seed(seed) for dropout."),
)
