"""The model, one module per idea, for CP-SAT and (for "all" mode's hole ladder) a SAT solver:

- `variables`: `MeetingVars`, one Boolean per candidate pair and slot (and table where it matters),
  on `Cells`, the index both solvers share;
- `rules`: each hard rule once, as a unit that adds its constraints (`HARD_RULES`) to CP-SAT and,
  beside it, its clauses;
- `cnf`: the clause container and its cardinality encodings (PySAT), and `CnfVars`;
- `occupancy`: busy cells and the implied counts of "all" mode; `breaks`: holes counted as the JAIR
  MaxSAT encoding counts them (both in either form);
- `objective`: wish points, holes per person, and the [fairness] hole caps;
- `diagnose`: why an "all" request is infeasible, in words (cheap checks, then an assumption core).
"""
