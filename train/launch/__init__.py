"""Launching runs on a cluster: SLURM batch scripts rendered from slurm/prevsteer.sbatch, submitted with sbatch."""
