// SweepPin: the notebook text a sweep was created with, kept as
// `sweep-<id>/notebook.kymo` (the id is a hash of that text, the axes and
// the seeds). A Slurm task started after the notebook was edited is refused
// with the first differing line named, and a sweep of edited text — a new
// sweep — says which earlier sweep of the same notebook it differs from and where.

import Foundation
import KymoBase
import Records

enum SweepPin {
    static let fileName = "notebook.kymo"

    /// Keeps `text` as the sweep's pinned text (once: a sweep's text never changes).
    static func pin(text: String, sweepFolder: String) throws {
        let path = sweepFolder + "/" + fileName
        guard !FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.createDirectory(atPath: sweepFolder, withIntermediateDirectories: true)
            try AtomicFile.write(Array(text.utf8), to: path)
        } catch {
            throw RecordError.notWritable(folder: sweepFolder, detail: "\(error)")
        }
    }

    /// Where `now` first differs from the text pinned in `pinned` (a sweep folder), in words.
    static func difference(pinned folder: String, now: String) -> String {
        guard let data = try? RecordFolderFile.read(fileName, in: folder) else { return "the sweep's pinned text (\(folder)/\(fileName)) is missing" }
        let old = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
        let new = now.components(separatedBy: "\n")
        let first = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
        func line(_ lines: [String]) -> String { first < lines.count ? "“\(TerminalText.safe(lines[first]))”" : "(no line)" }
        return "line \(first + 1) was \(line(old)), now \(line(new)) (pinned text: \(folder)/\(fileName); diff -u it with the notebook for all)"
    }

    /// Notes for a new sweep of `notebook`: the earlier sweeps of the same notebook path in `store`, of other text, and where it differs.
    static func editedSince(notebook: String, sha256: String, text: String, store: RunStore) -> [String] {
        SweepStore.sweepIDs(store).compactMap { id in
            let folder = SweepStore.folder(store, id: id)
            guard let s = try? SweepStore.read(at: folder + "/" + SweepStore.fileName), s.notebook.path == notebook, s.notebook.sha256 != sha256,
                  FileManager.default.fileExists(atPath: folder + "/" + fileName) else { return nil }
            return "\(notebook) differs from the text of \(id), so this is a new sweep (its records are not mixed with \(id)'s): " + difference(pinned: folder, now: text)
        }
    }
}
