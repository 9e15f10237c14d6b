"""Known mistakes in transfer.py, named from a symptom that only they produce.

Which parameters need gradients, the head's shape and weights, and which
frozen tensors moved during fine_tune tell the mistakes apart; the suite
names them with ``by_id``.
"""
from __future__ import annotations

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.suites.learning import softmax_floor


def _observed(id: str, message: str) -> Mistake:
    return Mistake(id, message, lambda **_: NOT_APPLICABLE)


# Nothing here is recomputed from the arguments: see OBSERVED.
CATALOGUE: dict[str, Checked] = {}

OBSERVED = (
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
