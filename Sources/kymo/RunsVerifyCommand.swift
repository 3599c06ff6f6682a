// `kymo runs verify RUN…`: checks what can be checked without running
// anything — each record's seal and signature (a sweep: its sweep.json's
// seal and every point's record), and the sealed replay verdicts beside it —
// prints one line per record saying what was checked ("seal intact, signed
// by …, replayed identical on …"), then what that does not prove. Exit 0
// when every seal is intact and every signature verifies; 2 otherwise.

import ArgumentParser
import Foundation
import Records

extension Runs {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check records' seals and signatures (and their replays' sealed verdicts), and say what that does not prove.",
            discussion: """
                EXAMPLES:
                  kymo runs verify last
                  kymo runs verify b6daff sweep-32b6239f0d8c
                """)

        @Argument(help: ArgumentHelp("Runs or sweeps: ids, unique parts of ids, last, run folders, sweep-<id>.", valueName: "run"), completion: RunHandleCompletion.kind)
        var references: [String]

        @OptionGroup var runs: RunsFolderOption

        func run() throws {
            var bad = 0
            var out = ""
            func check(_ reference: String, label: String? = nil) {
                do {
                    let (folder, record) = try runs.load(reference)
                    out += "\(label ?? record.id)  \(record.status.rawValue)  \(RecordChecks.text(record, folder: folder))\n"
                    for (replay, c) in VerdictFile.all(in: folder, record: record) {
                        if case .invalid(let why) = c { out += "  \(replay)/verdict.json does not count: \(why)\n" }
                    }
                } catch {
                    bad += 1
                    out += "\(label ?? reference)  \(error)\n"
                }
            }
            for reference in references {
                if ReplaySweep.isSweepReference(reference, runs: runs) {
                    do {
                        guard let (store, sweep) = try SweepStore.resolve(reference, in: runs.stores) else {
                            throw RecordError.notFound(reference: reference, folder: runs.stores.map(\.folder).joined(separator: ", "))
                        }
                        out += "\(sweep.id)  sweep.json seal intact, \(sweep.points.count) points\n"
                        var s = sweep
                        let found = SweepStore.reconcile(&s, in: store)
                        for p in s.points {
                            if let r = found[p.index] {
                                check(store.runFolder(r.id), label: "  point \(p.index) \(r.id)")
                            } else {
                                bad += 1
                                out += "  point \(p.index) (\(p.label)): no complete record with a valid seal\n"
                            }
                        }
                    } catch {
                        bad += 1
                        out += "\(reference)  \(error)\n"
                    }
                } else {
                    check(reference)
                }
            }
            out += "\n" + RecordChecks.limits + "\n"
            FileHandle.standardOutput.write(Data(out.utf8))
            if bad > 0 { throw ExitStatus.couldNot.code }
        }
    }
}
