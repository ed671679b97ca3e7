"""The CP-SAT model, one module per idea:

- `variables`: `MeetingVars`, one Boolean per candidate pair and slot (and table where it matters);
- `rules`: each hard rule once, as a unit that adds its constraints (`HARD_RULES`);
- `objective`: wish points, holes per person, and the [fairness] hole caps;
- `diagnose`: why an "all" request is infeasible, in words (cheap checks, then an assumption core).
"""
