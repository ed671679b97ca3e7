"""Heuristics that run at any size: the LP selection (who meets), greedy placement, Kempe-chain
moves and the local search on holes."""
