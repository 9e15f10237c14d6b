"""Make grader/digitsnet.npz again: DigitsNet pretrained on the digits 0-4.

    .venv/bin/python scripts/pretrain_digitsnet.py [--check]

Trains on the 0-4 images of the grader's 1,437-image training split, one
thread, fixed seed, so the same torch build gives the same bytes. It writes
the weights and grader/digitsnet.json (the held-out accuracy on the 0-4
images of the 360 held-out ones, and the weights' sha256), which
tests/solutions/test_pretrained.py checks the shipped file against.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import digits, policy  # noqa: E402
from grader.pretrained import DigitsNet  # noqa: E402

WEIGHTS = ROOT / "grader" / "digitsnet.npz"
REPORT = ROOT / "grader" / "digitsnet.json"


def train() -> DigitsNet:
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


def accuracy(model: DigitsNet) -> float:
    split = digits.split()
    x, y = digits.classes(split.x_test, split.y_test, range(0, 5))
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


def weights_bytes(model: DigitsNet) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{k: v.numpy() for k, v in model.state_dict().items()})
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    model = train()
    data = weights_bytes(model)
    report = {"heldout_accuracy_0_4": accuracy(model), "sha256": hashlib.sha256(data).hexdigest(),
              "torch": torch.__version__}
    if args.check:
        shipped = json.loads(REPORT.read_text())
        same = shipped["sha256"] == report["sha256"]
        print(f"retrained: {report}\nshipped:   {shipped}\nidentical: {same}")
        return 0 if same else 1
    WEIGHTS.write_bytes(data)
    REPORT.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {WEIGHTS.name} ({len(data)} bytes): held-out accuracy on 0-4 "
          f"{report['heldout_accuracy_0_4']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
