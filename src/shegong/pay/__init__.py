"""Pay (待遇): grade schemes, pay settings, pay runs, the three calibers and the benchmark."""
