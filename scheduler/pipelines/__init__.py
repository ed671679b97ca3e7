"""The solve pipelines (maximise, repair, all): which heuristics and which model run, in which
order, within the time budget."""
