"""The one family of expected failures: anything a user can cause or fix is a CallsimError.

The command line and the app show a CallsimError as one line (its first line) and exit with its
exit_code; anything else is a crash, shown as one line with its trace in the log. A new expected error
subclasses CallsimError, so no list of error classes has to be kept anywhere.
"""

from __future__ import annotations


class CallsimError(Exception):
    """An error whose message is meant for the user as it is (naming FILE:LINE:COL where there is one)."""

    exit_code = 1

    def one_line(self) -> str:
        """The message as one line: its first line (an error with a list of problems says how many more)."""
        lines = str(self).splitlines()
        return lines[0] if lines else type(self).__name__
