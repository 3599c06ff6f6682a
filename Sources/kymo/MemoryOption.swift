// MemoryOption: `--memory SIZE` for the commands that run notebooks (run,
// repl, replay, resume): the process's memory budget (KymoBase's
// MemoryBudget; "6G", "512M" or bytes). Without it, KYMO_MEMORY or the
// default fraction of the machine's memory applies (docs/language.md, "Memory").

import ArgumentParser
import KymoBase

struct MemoryOption: ParsableArguments {
    @Option(name: .customLong("memory"),
            help: ArgumentHelp("The memory budget of the notebook: 6G, 512M or bytes (default: KYMO_MEMORY, else 3/4 of the machine's or cgroup's memory, or 1/2 of ulimit -v when lower).",
                               valueName: "size"))
    var memory: String?

    /// Sets the process's budget from --memory (KYMO_MEMORY and the default are read at start).
    func apply() throws {
        guard let memory else { return }
        guard let bytes = MemoryBudget.parse(memory) else {
            throw ValidationError("--memory takes a size such as 6G, 512M or a number of bytes, got '\(memory)'")
        }
        MemoryBudget.process.limit = bytes
    }
}
