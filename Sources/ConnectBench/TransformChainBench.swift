/// Placeholder until the transform chain benchmark exists.
func runTransformChainBenchmark() {}
