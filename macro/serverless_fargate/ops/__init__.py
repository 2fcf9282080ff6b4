"""Day-two commands over a deployed stack: status, run, logs and exec (README: "Operating your
tasks"), each a thin module that acts and prints. Beneath them, one job a module: `aws` (the
client wrapper: retries, errors with what to do), `model` (the stack's tasks, found from its
name), `lookups` (every read, bounded and concurrent), `errors` (exit codes). boto3 is
imported only here, never by the macro."""
