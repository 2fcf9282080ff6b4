"""What went wrong in a day-two command, and the exit status that says so to a script.

The tool's own failures exit with sysexits(3) codes (64-78), as mail tools, `sysexits.h` and
many CLIs do, so that a script can `case $?` on them; a finished `run` exits with its
container's own code instead (124 when stopped at its Timeout, as timeout(1); 130 when the
watch was interrupted, as a shell reports Ctrl-C). A container may itself exit with 64-78:
what tells the two apart for certain is stderr, whose last line begins with `ERROR_MARK` when
and only when the tool failed. README "Operating your tasks" has the table.
"""

from __future__ import annotations

USAGE = 64  # EX_USAGE: the command line is wrong
STACK_PROBLEM = 65  # EX_DATAERR: the stack is not as the command needs (deploy again, outputs)
NOT_FOUND = 66  # EX_NOINPUT: no such stack, task, run or running task
AWS_FAILED = 69  # EX_UNAVAILABLE: AWS refused or failed a call, or could not be reached
INTERNAL = 70  # EX_SOFTWARE: a bug in serverless-fargate
CREDENTIALS = 77  # EX_NOPERM: no credentials, rejected credentials, or access denied
TIMED_OUT = 124  # `run`: stopped at its Timeout (as timeout(1))
INTERRUPTED = 130  # Ctrl-C: the run (if one started) goes on

ERROR_MARK = "serverless-fargate: error:"


class OpsError(Exception):
    """A problem the user can act on: the message ends with what to do; `code` is the exit
    status that names its kind."""

    def __init__(self, message: str, code: int = AWS_FAILED) -> None:
        super().__init__(message)
        self.code = code
        self.connection = False  # raised on this machine: AWS may never have seen the call
