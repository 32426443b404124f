"""claimwatch benchmarks: throughput, growth and memory, each as a ratio against a reference."""
