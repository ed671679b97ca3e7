"""The CP-SAT model: meeting variables, the hard rules, the objective and infeasibility diagnosis."""
