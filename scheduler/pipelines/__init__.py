"""The solve pipelines: which heuristics and which model run, in which order, within the time budget.

- `solve`: the entry point; picks the pipeline, assigns tables, builds the result, gates it;
- `maximise`, `repair`, `all_mode`: the three pipelines ("maximise", a keep-in-place re-solve
  planned by `repair_plan`, "all");
- `budget`: the one `Budget` of time shares and rates, and the `Clock` of a solve;
- `run`: what the steps of one solve share; `cp_sat`: building and running the CP-SAT model;
  `polish`: the local search on holes and the [fairness] caps; `locked`: locked rows as fixed
  placements; `gate`: the independent checker, which every result must pass.
"""
