"""Engine adapters: the only modules of lognet that import OR-Tools, PyVRP or PuLP."""
