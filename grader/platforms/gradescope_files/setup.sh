#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: the
# bundle is unpacked in /autograder/source and this script installs what
# run_autograder needs. Made by `cnn-grader gradescope build`.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# run_autograder looks for the grader's interpreter in this virtualenv.
VENV=/autograder/cnn-grader-venv

# Gradescope's base image is Ubuntu with its own python3. The grader needs
# 3.11 or newer (it reads TOML with tomllib); Ubuntu 22.04 ships 3.10, so take
# Ubuntu's python3.11 package there. The -venv package is separate on Ubuntu.
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY="python$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
else
    PY=python3.11
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$PY" "$PY-venv"
# bubblewrap puts each learner child in its own namespaces where the container
# allows them; where it does not, the grader uses its other layers and says so
# in every result.
apt-get install -y -qq bubblewrap || echo "note: bubblewrap not installed; grading runs without namespaces"

"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# Gradescope's containers have no GPU: PyTorch's CPU index gives the CPU build
# of torch (a few hundred MB instead of several GB of CUDA wheels). It is
# installed first, so the project's "torch" requirement below is already met.
"$VENV/bin/python" -m pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu
# The project itself, from the bundled source, editable: the grader finds its
# reference solutions and question bank beside the package (grader/paths.py),
# so it must run from this folder, not from a copy in site-packages.
"$VENV/bin/python" -m pip install --quiet -e "$SOURCE"
"$VENV/bin/python" -m grader.cli --version

# Gradescope's containers run as root and usually cannot make user
# namespaces; then each learner child runs as one of these unprivileged
# accounts instead (grader/sandbox/learner_uid.py), with the venv above as its
# interpreter (Ubuntu's python3.11 and the venv are world-readable). The
# bundle itself, with the solutions and the course secret, is root's alone.
FIRST_UID=64100
LEARNER_ACCOUNTS=16  # five children per submission, with room to spare
for i in $(seq 0 $((LEARNER_ACCOUNTS - 1))); do
    uid=$((FIRST_UID + i))
    getent passwd "$uid" >/dev/null || useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --uid "$uid" --user-group "cnn-learner-$i"
done
echo "$FIRST_UID-$((FIRST_UID + LEARNER_ACCOUNTS - 1))" > "$SOURCE/learner-uids"
chmod -R go-rwx "$SOURCE"
chmod a+rX "$VENV" && chmod -R a+rX "$VENV"
