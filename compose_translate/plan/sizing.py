"""Fargate task sizes: the one table of valid cpu/memory pairs and the rule that picks one.

Source: AWS ECS developer guide, "Task CPU and memory" (Fargate); also in ../shared/FACTS.md.
The 8 and 16 vCPU sizes need platform version 1.4.0 or later, which LATEST is.
"""

from __future__ import annotations

import math

# cpu units -> valid memory sizes in MiB
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# Compose sets no limit by default; half a vCPU and 1 GiB runs a typical web app or agent.
DEFAULT_CPU = 512
DEFAULT_MEMORY = 1024


class SizeError(ValueError):
    pass


def fargate_size(vcpus: float | None, memory_mib: int | None) -> tuple[int, int]:
    """The smallest valid (cpu units, memory MiB) pair holding at least what was asked for.

    Nothing asked -> the default size; only memory asked -> the smallest cpu that allows it.
    """
    if vcpus is None and memory_mib is None:
        return DEFAULT_CPU, DEFAULT_MEMORY
    want_cpu = math.ceil(vcpus * 1024) if vcpus is not None else 0
    want_memory = memory_mib or 0
    for cpu, memories in FARGATE_SIZES.items():
        if cpu < want_cpu:
            continue
        fitting = [m for m in memories if m >= want_memory]
        if fitting:
            return cpu, fitting[0]
    largest_cpu = max(FARGATE_SIZES)
    raise SizeError(
        f"{describe(vcpus, memory_mib)} is larger than the largest Fargate task "
        f"({largest_cpu // 1024} vCPU / {max(FARGATE_SIZES[largest_cpu]) // 1024} GiB)"
    )


def describe(vcpus: float | None, memory_mib: int | None) -> str:
    """What was asked for, as written in messages: "0.3 vCPU, 700 MiB"."""
    parts = ([f"{vcpus:g} vCPU"] if vcpus is not None else []) + ([f"{memory_mib} MiB"] if memory_mib else [])
    return ", ".join(parts)
