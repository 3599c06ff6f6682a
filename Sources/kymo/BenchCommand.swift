// `kymo bench [engine|models]`: performance tables, Kymo beside PyTorch.
import ArgumentParser
import TensorEngine

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Performance tables: Kymo beside PyTorch (when importable) on the same shapes and threads.")

    @Argument(help: "What to measure: engine or models.")
    var suite: String = "engine"

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    func run() throws {
        Engine.configure(threads: threads)
        print("kymo bench \(suite): \(Engine.threads) threads, BLAS core \(Engine.blasCore)")
    }
}
