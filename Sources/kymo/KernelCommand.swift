// `kymo kernel -f CONNECTION_FILE`: the Jupyter kernel (Kernel.swift). Jupyter
// starts it from the kernelspec `kymo jupyter install` writes.

import ArgumentParser
import Foundation
import Notebook
import TensorEngine

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel (started by Jupyter from the kernelspec `kymo jupyter install` writes).",
        discussion: """
            Every session is recorded under runs/ (or --runs) and replays with `kymo replay`; \
            docs/jupyter.md covers the protocol and the connection file's security.

            EXAMPLES:
              jupyter console --kernel kymo     Jupyter starts `kymo kernel -f FILE` itself
            """)

    @Option(name: .customShort("f"), help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "connection-file"))
    var connectionFile: String

    @OptionGroup var settings: SessionCommandOptions

    func run() throws {
        try settings.apply()
        let connection: KernelConnection
        do { connection = try KernelConnection(path: connectionFile) } catch {
            FileHandle.standardError.write(Data("kymo kernel: \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        let interrupt = InterruptFlag()
        Interrupts.install(interrupt)
        let kernel: Kernel
        do { kernel = try Kernel(connection: connection, runsFolder: settings.runs, seed: settings.seed, interrupt: interrupt) } catch {
            FileHandle.standardError.write(Data("kymo kernel: \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        kernel.serve()
    }
}
