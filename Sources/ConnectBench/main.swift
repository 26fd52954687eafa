// connect-bench: converter and transform throughput, one JSON line per measurement.
// Usage: ConnectBench [json|transforms|all]
let which = CommandLine.arguments.dropFirst().first ?? "all"
if which == "json" || which == "all" { runJSONConverterBenchmarks() }
if which == "transforms" || which == "all" { runTransformChainBenchmark() }
