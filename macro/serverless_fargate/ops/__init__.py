"""Day-two commands over a deployed stack: status, run, logs and exec (README: "Operating your
tasks"). Each command is a thin module over `stack.py`, the one place that finds a stack's
tasks and talks to AWS; boto3 is imported only here, never by the macro."""
