"""The action steps catalogue: known references, owners and steps; no cycle of `requires`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from knowledge.checks.raw import duplicates, items, keys, strings, unknown_refs
from knowledge.problems import Problem, problem

__all__ = ["check_steps"]


def check_steps(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Unique step ids; known references, owners, sectors and required steps."""
    steps = items(data, "steps")
    yield from duplicates(((f"steps[{i}].id", s.get("id")) for i, s in steps), "step id")
    known_refs = keys(items(data, "references"))
    owners = keys(items(data, "owners"))
    ids = keys(steps, "id")
    sectors = keys(items(data.get("profile"), "sectors"))
    for i, step in steps:
        path = f"steps[{i}]"
        yield from unknown_refs(path, step, known_refs)
        if isinstance(step.get("owner"), str) and step["owner"] not in owners:
            yield problem(f"{path}.owner", "unknown_owner", owner=step["owner"])
        for r, required in strings(step, "requires"):
            if required not in ids:
                yield problem(f"{path}.requires[{r}]", "unknown_step", step=required)
        for k, variant in items(step, "variants"):
            vpath = f"{path}.variants[{k}]"
            yield from unknown_refs(vpath, variant, known_refs)
            when = variant.get("when")
            if isinstance(when, Mapping) and not when.get("region") and not when.get("sector"):
                yield problem(f"{vpath}.when", "variant_when")
            for s, sector in strings(when, "sector"):
                if sector not in sectors:
                    yield problem(f"{vpath}.when.sector[{s}]", "unknown_sector", sector=sector)
    yield from _cycles(steps)


def _cycles(steps: list[tuple[int, Mapping[str, Any]]]) -> Iterator[Problem]:
    """One problem per cycle of `requires`, at the requirement that closes it."""
    index = {s["id"]: i for i, s in steps if isinstance(s.get("id"), str)}
    edges = {
        s["id"]: [(r, req) for r, req in strings(s, "requires") if req in index]
        for _, s in steps
        if isinstance(s.get("id"), str)
    }
    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        on_path = [start]
        while stack:
            node, position = stack[-1]
            if position >= len(edges[node]):
                stack.pop()
                on_path.pop()
                done.add(node)
                continue
            stack[-1] = (node, position + 1)
            r, required = edges[node][position]
            if required in on_path:
                cycle = [*on_path[on_path.index(required) :], required]
                yield problem(
                    f"steps[{index[node]}].requires[{r}]", "step_cycle", cycle=" → ".join(cycle)
                )
            elif required not in done:
                stack.append((required, 0))
                on_path.append(required)
