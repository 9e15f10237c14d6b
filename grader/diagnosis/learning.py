"""Known mistakes in training.py and transfer.py, named from what the suites observe.

A trained network's output cannot be recomputed here (the learner's
initialisation and optimiser are theirs to choose), so these mistakes are
recognised by a symptom that only they produce: the same kernel for two
different targets, a loss that cannot fall below the floor softmax puts
under it, a frozen buffer that moved. The suites look for the symptom and
name the mistake with ``by_id``.
"""
from __future__ import annotations

import math

from grader.diagnosis import NOT_APPLICABLE, Mistake


def _observed(id: str, message: str) -> Mistake:
    return Mistake(id, message, lambda **_: NOT_APPLICABLE)


# Cross-entropy of softmax probabilities read as logits: with values in
# [0, 1] the best case is one 1 and the rest 0, so the loss never falls
# below ln((e + k - 1) / e) for k classes.
def softmax_floor(classes: int) -> float:
    return math.log((math.e + classes - 1) / math.e)


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
    _observed("transfer.nothing-frozen",
              "After prepare_for_transfer every parameter still needs gradients: the "
              "pretrained body is not frozen. Set requires_grad_(False) on each of "
              "model.parameters() before you put the new head in."),
    _observed("transfer.head-frozen-too",
              "After prepare_for_transfer no parameter needs gradients, not even the new "
              "head's: the freezing ran after the head was replaced. Freeze first, then "
              "assign the new nn.Linear (it is created trainable)."),
    _observed("transfer.old-head-kept",
              "Besides one new Linear, your head keeps the pretrained head's weights and "
              "trains them (e.g. nn.Sequential(old_head, new_layer)). Replace model.head "
              "with a single new nn.Linear(in_features, num_classes)."),
    _observed("transfer.head-not-replaced",
              "After prepare_for_transfer, model.head still holds the pretrained head's "
              "weights: it was unfrozen, not replaced. The new task gets a fresh "
              "nn.Linear(model.head.in_features, num_classes)."),
    _observed("transfer.wrong-head-size",
              "The new head has the wrong shape: it must map head.in_features to "
              "num_classes (here not the pretrained 5 or a fixed 10)."),
    _observed("transfer.batchnorm-drift",
              "Every frozen weight is unchanged after fine_tune, but BatchNorm's running "
              "statistics moved: in train mode BatchNorm updates running_mean and "
              "running_var at every forward, requires_grad or not. After model.train(), "
              "put the frozen BatchNorm layers back in eval mode."),
    _observed("transfer.softmax-before-loss",
              f"fine_tune's loss never fell below {softmax_floor(5):.3f}, the floor left when "
              "cross_entropy is given softmax probabilities instead of logits. Pass it "
              "model(x) as it is."),
)

CATALOGUE: dict = {}  # nothing here is recomputed from arguments; see OBSERVED
