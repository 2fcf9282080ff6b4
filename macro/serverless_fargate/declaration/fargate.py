"""Fargate's task sizes: the CPU → memory table, written once.

The schema's Cpu choices and Memory pattern, the size rule and the defaults all read it.
"""

from __future__ import annotations

import re

from ..intrinsics import resolve

# Fargate's CPU → valid memory (MiB) table.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
CPU_VALUES = list(FARGATE_MEMORY)
LARGEST_MEMORY = FARGATE_MEMORY[CPU_VALUES[-1]][-1]
# "512", "0.5GB", "2 GB", "3072MB", "1GiB". The schema takes the pattern; parse_memory the regex.
MEMORY_PATTERN = r"^\s*[0-9]{1,9}(\.[0-9]{1,6})?\s*([MmGg][Ii]?[Bb])?\s*$"
_MEMORY = re.compile(r"^\s*([0-9]{1,9}(?:\.[0-9]{1,6})?)\s*([MmGg][Ii]?[Bb])?\s*\Z")


def memory_choices(cpu: int) -> tuple[int, ...]:
    return FARGATE_MEMORY[cpu]


def describe_choices(cpu: int) -> str:
    choices = memory_choices(cpu)
    if len(choices) <= 4:
        return ", ".join(map(str, choices))
    step = choices[1] - choices[0]
    return f"{choices[0]} to {choices[-1]} in steps of {step}"


def smallest_cpu_for(memory: int) -> int | None:
    return next((c for c in FARGATE_MEMORY if memory in memory_choices(c)), None)


def parse_memory(value: object) -> int | None:
    """MiB from 512, "512", "0.5GB", "2 GB", "3072MB"; None if it is not a whole MiB count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)  # MiB as plain digits, as task definitions hold it: what _MEMORY reads
    match = _MEMORY.match(value)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "MB").upper()
    mib = number * 1024 if unit.startswith("G") else number
    return int(mib) if mib == int(mib) else None


def parse_cpu(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value) < 10:
        return int(value)
    return None


def check_cpu_memory(cpu: int, memory: int) -> str | None:
    """What is wrong with a CPU/memory pair, or None when Fargate takes it."""
    if cpu not in FARGATE_MEMORY:
        return f"{cpu} is not a Fargate CPU size (allowed: {', '.join(map(str, CPU_VALUES))})"
    if memory in memory_choices(cpu):
        return None
    return f"{memory} MiB is not valid with Cpu {cpu} (allowed: {describe_choices(cpu)})"


def given_size(cpu_in: object, memory_in: object, parameters: dict) -> tuple:
    """(cpu, memory) as far as they can be known now: None where not given or not known."""
    cpu = parse_cpu(resolve(cpu_in, parameters)) if cpu_in is not None else None
    memory = parse_memory(resolve(memory_in, parameters)) if memory_in is not None else None
    return cpu, memory


def task_size(
    cpu_in: object, memory_in: object, parameters: dict, defaults: tuple[int, int]
) -> tuple[int, int]:
    """The size a task gets, as numbers: what it gives, the other fitted to it (without Cpu,
    the smallest CPU the Memory fits; without Memory, the smallest size valid for the Cpu),
    else `defaults` (the field table's Cpu and Memory defaults)."""
    cpu, memory = given_size(cpu_in, memory_in, parameters)
    if cpu_in is None:
        cpu = (smallest_cpu_for(memory) if memory else None) or defaults[0]
    if memory_in is None:
        memory = memory_choices(cpu)[0] if cpu in FARGATE_MEMORY else defaults[1]
    return cpu or defaults[0], memory or defaults[1]
