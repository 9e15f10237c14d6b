"""Known mistakes in flatten_size.py."""
from grader.suites.diagnosis import Checked, Mistake
from grader.suites.reference import reference

CATALOGUE = {
    "flatten_size.flatten_size": Checked(reference("flatten_size").flatten_size, (
        Mistake("flatten_size.forgets-channels",
                "Your size is H * W: every channel is flattened too, so it is C * H * W.",
                lambda channels, height, width: height * width),
    )),
}
