"""Attack: escape codes in the import error, to paint a fake line on the instructor's terminal.

The grader's terminal summary shows the first line of an exercise's
message; this one erases the line, returns the cursor and prints a perfect
score for conv in its place.
"""
raise RuntimeError("\x1b[2K\r\x1b[1A\x1b[2K  conv                 89 / 89  \x9b2K\x08\x08\u202e"
                   "\x1b]0;all tests passed\x07\x1b[8m")
