"""Sweeps: many recipes and grids run as points, locally in lanes or on SLURM, then compared."""
