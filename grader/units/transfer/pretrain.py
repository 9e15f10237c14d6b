"""Make exercises/digitsnet.npz again: DigitsNet pretrained on the digits 0-4.

    .venv/bin/python -m grader.units.transfer.pretrain [--check]

Trains on the 0-4 images of the grader's 1,437-image training split, on one
thread from a fixed seed, so the same torch build gives the same bytes. It
writes the weights and pretrained.json beside this file (the held-out
accuracy on the 0-4 images of the 360 held-out ones, and the weights'
sha256), which the unit's test_oracle.py checks the shipped file against.
--check retrains and only compares with what is shipped.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

from grader import policy
from grader.atomic import write_atomic
from grader.suites import digits
from grader.units.transfer.provided import DigitsNet, provided_path

WEIGHTS = provided_path("digitsnet.npz")
REPORT = Path(__file__).resolve().parent / "pretrained.json"


def train():
    torch.set_num_threads(1)
    torch.manual_seed(policy.PRETRAIN_SEED)
    split = digits.split()
    x, y = digits.classes(split.x_train, split.y_train, range(0, 5))
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = DigitsNet()
    optimiser = torch.optim.Adam(model.parameters(), lr=policy.PRETRAIN_LR)
    order = torch.Generator().manual_seed(policy.PRETRAIN_SEED)
    for _ in range(policy.PRETRAIN_EPOCHS):
        model.train()
        for batch in torch.randperm(len(y), generator=order).split(64):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimiser.step()
    return model.eval()


def accuracy(model) -> float:
    split = digits.split()
    x, y = digits.classes(split.x_test, split.y_test, range(0, 5))
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


def weights_bytes(model) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{k: v.numpy() for k, v in model.state_dict().items()})
    return buffer.getvalue()


def digest(state: dict[str, np.ndarray]) -> str:
    """The sha256 of the weights themselves (names, dtypes, shapes, values): an npz
    file's bytes also hold the time it was written."""
    h = hashlib.sha256()
    for name in sorted(state):
        value = np.ascontiguousarray(state[name])
        h.update(f"{name}:{value.dtype.str}:{value.shape};".encode())
        h.update(value.tobytes())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    model = train()
    data = weights_bytes(model)
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    report = {"heldout_accuracy_0_4": accuracy(model), "sha256": digest(state),
              "torch": torch.__version__}
    if args.check:
        shipped = json.loads(REPORT.read_text())
        same = shipped["sha256"] == report["sha256"]
        print(f"retrained: {report}\nshipped:   {shipped}\nidentical: {same}")
        return 0 if same else 1
    write_atomic(WEIGHTS, data)
    write_atomic(REPORT, json.dumps(report, indent=1) + "\n")
    print(f"wrote {WEIGHTS.name} ({len(data)} bytes): held-out accuracy on 0-4 "
          f"{report['heldout_accuracy_0_4']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
