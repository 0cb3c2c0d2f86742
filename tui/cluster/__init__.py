"""Where jobs run: the Backend protocol and its slurm, ssh, local and hyperqueue implementations."""
