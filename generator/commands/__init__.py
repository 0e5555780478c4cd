"""The command line and what its commands run besides the pipeline: config, scaffold, listen, fidelity."""
