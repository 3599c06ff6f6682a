// `kymo convert A.ipynb B.kymo` and `kymo convert A.kymo B.ipynb`: between
// Kymo's text notebooks and Jupyter's (IpynbFormat). With `--record RUN`, a
// `.ipynb` gets each cell's printed output from that run's record.

import ArgumentParser
import Foundation
import KymoBase
import Notebook
import Records

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a notebook between .kymo and .ipynb (Jupyter).")

    @Argument(help: ArgumentHelp("The notebook to read (.kymo or .ipynb).", valueName: "from"))
    var source: String

    @Argument(help: ArgumentHelp("The notebook to write (.ipynb or .kymo).", valueName: "to"))
    var destination: String

    @Option(help: ArgumentHelp("Writing .ipynb: take each cell's printed output from this run's record.", valueName: "run"))
    var record: String?

    @OptionGroup var runs: RunsFolderOption

    func run() throws {
        let toIpynb = IpynbFormat.isIpynb(destination)
        guard toIpynb || destination.hasSuffix(".kymo") else {
            throw ValidationError("'\(destination)': the destination must end in .kymo or .ipynb")
        }
        let text: String
        do { text = try NotebookFile.read(source) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitStatus.failed.code
        }
        var outputs: [String]?
        if let record {
            guard toIpynb else { throw ValidationError("--record applies only when writing a .ipynb") }
            do { outputs = try runs.load(record).record.cells.map(\.output) } catch { throw recordFailure("convert", error) }
        }
        let out = toIpynb ? IpynbFormat.ipynb(kymo: text, outputs: outputs) : text
        do { try AtomicFile.write(Array(out.utf8), to: destination) } catch {
            FileHandle.standardError.write(Data("kymo convert: cannot write \(destination): \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        print("wrote \(destination)")
    }
}
