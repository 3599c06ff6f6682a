// `kymo runs export RUN… --tensorboard DIR | --csv FILE | --json FILE`: the
// metric series of runs for the tools researchers already use. TensorBoard:
// one event file per run in DIR/<run id>/ (TensorBoardEvents), so its run
// selector compares them; a sweep (`sweep-…`) exports every point that ran,
// in DIR/<sweep id>/<point label>/. CSV: one row per (run, metric, step, value), values
// printed so they read back to the same double. JSON: the same series as
// {"runs": [{"id", "notebook", "seed", "overrides", "metrics": {name: {steps, values}}}]}.

import ArgumentParser
import Foundation
import KymoBase
import Records

extension Runs {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export runs' metrics for TensorBoard (event files), pandas (CSV) or DVC (JSON).",
            discussion: """
                A RUN is a run handle (an id, any unique part of one, `last`, `last~N`, a run \
                folder) or a sweep (`sweep-…`: every point that ran). `--csv -` and `--json -` \
                write to standard output.

                EXAMPLES:
                  kymo runs export last --tensorboard tb && tensorboard --logdir tb
                  kymo runs export sweep-0335bdf97a13 --csv - > metrics.csv
                """)

        @Argument(help: ArgumentHelp("The runs: ids, unique id prefixes or run folders.", valueName: "run"))
        var references: [String]

        @Option(help: ArgumentHelp("Write one TensorBoard event file per run under DIR/<run id>/.", valueName: "dir"))
        var tensorboard: String?

        @Option(help: ArgumentHelp("Write every metric value as a CSV row: run,metric,step,value.", valueName: "file"))
        var csv: String?

        @Option(help: ArgumentHelp("Write the runs and their metric series as JSON.", valueName: "file"))
        var json: String?

        @OptionGroup var runs: RunsFolderOption

        func validate() throws {
            if tensorboard == nil && csv == nil && json == nil {
                throw ValidationError("choose at least one of --tensorboard DIR, --csv FILE and --json FILE")
            }
            if references.isEmpty { throw ValidationError("name at least one run") }
        }

        func run() throws {
            // Each run with the TensorBoard folder it goes to: <run id>, or <sweep id>/<point label> for a sweep's points.
            var loaded: [(folder: String, record: RunRecord, board: String)] = []
            do {
                for ref in references {
                    if ReplaySweep.isSweepReference(ref, runs: runs) {
                        guard let (store, sweep) = try SweepStore.resolve(ref, in: runs.stores) else {
                            throw RecordError.notFound(reference: ref, folder: runs.stores.map(\.folder).joined(separator: ", "))
                        }
                        for p in sweep.points {
                            guard let id = p.run else { continue }  // a point that never started has no record
                            let (folder, record) = try store.load(id)
                            let label = p.label.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: " ", with: ",")
                            loaded.append((folder, record, sweep.id + "/" + label))
                        }
                    } else {
                        let (folder, record) = try runs.load(ref)
                        loaded.append((folder, record, record.id))
                    }
                }
            } catch { throw recordFailure("runs export", error) }
            do {
                if let dir = tensorboard {
                    for (folder, r, board) in loaded {
                        let out = dir + "/" + board
                        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                        let wall = Int(RecordTime.parse(r.startedAt)?.timeIntervalSince1970 ?? 0)
                        let path = out + "/events.out.tfevents.\(wall).kymo"
                        try AtomicFile.write(TensorBoardEvents.file(for: r, folder: folder, raster: { SVGRaster.png(svg: $0) }), to: path)
                        print("wrote \(path)")
                    }
                }
                if let csv {
                    var text = "run,metric,step,value\n"
                    for (_, r, _) in loaded {
                        for m in r.metrics {
                            for (i, v) in m.values.doubles.enumerated() {
                                text += "\(r.id),\(Export.csvField(m.name)),\(i < m.steps.count ? m.steps[i] : i),\(v)\n"
                            }
                        }
                    }
                    try OutputTarget.write(Array(text.utf8), to: csv, command: "runs export", summary: "(CSV: run,metric,step,value)")
                }
                if let json {
                    let items: [[String: Any]] = loaded.map { _, r, _ in
                        var metrics: [String: Any] = [:]
                        for m in r.metrics {
                            metrics[m.name] = ["steps": m.steps, "values": m.values.doubles.map { $0.isFinite ? $0 as Any : "\($0)" as Any }]
                        }
                        return ["id": r.id, "notebook": r.notebook.path, "seed": r.seed, "status": r.status.rawValue,
                                "overrides": Dictionary(r.overrides.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
                                "metrics": metrics]
                    }
                    let data = try JSONSerialization.data(withJSONObject: ["runs": items], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                    try OutputTarget.write(Array(data) + [10], to: json, command: "runs export", summary: "(JSON)")
                }
            } catch {
                FileHandle.standardError.write(Data("kymo runs export: \(error)\n".utf8))
                throw ExitStatus.couldNot.code
            }
        }

        static func csvField(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
    }
}
