/// Placeholder until the JSON converter benchmark exists.
func runJSONConverterBenchmarks() {}
