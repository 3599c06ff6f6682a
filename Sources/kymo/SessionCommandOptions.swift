// SessionCommandOptions: the options of the commands that hold one long-lived
// session (`kymo repl`, `kymo kernel`): its root seed, worker threads, memory
// budget and where its record goes. `apply()` checks the threads and sets the
// budget before the session starts.

import ArgumentParser

struct SessionCommandOptions: ParsableArguments {
    @Option(help: "Root seed.")
    var seed: UInt64 = 0

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @OptionGroup var memory: MemoryOption

    @Option(help: ArgumentHelp("Record the session in DIR/<id> (default: runs).", valueName: "dir"))
    var runs: String?

    func apply() throws {
        try ThreadCount.configure(threads)
        try memory.apply()
    }
}
