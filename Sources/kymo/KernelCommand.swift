// `kymo kernel -f CONNECTION_FILE`: the Jupyter kernel (Kernel.swift). Jupyter
// starts it from the kernelspec `kymo jupyter install` writes.

import ArgumentParser
import Foundation
import Notebook
import TensorEngine

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel (started by Jupyter from the kernelspec `kymo jupyter install` writes).")

    @Option(name: .customShort("f"), help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "connection-file"))
    var connectionFile: String

    @Option(help: "Root seed.")
    var seed: UInt64 = 0

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    @OptionGroup var memory: MemoryOption

    @Option(help: ArgumentHelp("Record the session in DIR/<id> (default: runs).", valueName: "dir"))
    var runs: String?

    func run() throws {
        Engine.configure(threads: threads)
        try memory.apply()
        let connection: KernelConnection
        do { connection = try KernelConnection(path: connectionFile) } catch {
            FileHandle.standardError.write(Data("kymo kernel: \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt)
        let kernel: Kernel
        do { kernel = try Kernel(connection: connection, runsFolder: runs, seed: seed, interrupt: interrupt) } catch {
            FileHandle.standardError.write(Data("kymo kernel: \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        kernel.serve()
    }
}
