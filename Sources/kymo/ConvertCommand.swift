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
        abstract: "Convert a notebook between .kymo and .ipynb (Jupyter).",
        discussion: """
            The direction follows the extensions. Markdown cells become comment blocks (a \
            `## Heading` cell titles the next cell); with --record, the .ipynb gets each \
            cell's printed output from that run.

            EXAMPLES:
              kymo convert analysis.ipynb analysis.kymo
              kymo convert quickstart.kymo quickstart.ipynb --record last
            """)

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
            throw ExitStatus.couldNot.code
        }
        var outputs: [String]?
        if let record {
            guard toIpynb else { throw ValidationError("--record applies only when writing a .ipynb") }
            do { outputs = try runs.load(record).record.cells.map(\.output) } catch { throw recordFailure("convert", error) }
        }
        let out = toIpynb ? IpynbFormat.ipynb(kymo: text, outputs: outputs) : text
        try OutputTarget.write(Array(out.utf8), to: destination, command: "convert",
                               summary: toIpynb ? "(Jupyter notebook)" : "(Kymo notebook)")
    }
}
